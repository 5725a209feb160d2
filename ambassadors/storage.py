"""Storage for files people upload about themselves (certification evidence)."""

from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Files on disk outside the public media folder that have no URL: asking for one raises, so no
    template or serializer can link to a private file by mistake. They are served only by a view
    that checks permission (ambassadors:evidence_download)."""

    def url(self, name):
        raise NotImplementedError("Private files have no URL; serve them through a view that checks permission.")
