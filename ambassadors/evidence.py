"""Checking and storing certification evidence (PDF, JPEG or PNG uploads).

The type is detected from the content (magic bytes; images are also verified by Pillow), never
from the name or the content type the browser sent. The stored name is chosen by the server
(`models.evidence_path`: a uuid and the extension of the detected type); the uploaded name is
kept, cleaned, for display only.
"""

from dataclasses import dataclass
from pathlib import PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from mentorwijs import filetypes

from .models import Certification, CertificationEvidence

# Most files a trainer adds in one step.
MAX_FILES = 10
ALLOWED = (filetypes.PDF, filetypes.PNG, filetypes.JPEG)
ORIGINAL_NAME_LENGTH = 200


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    content_type: str
    extension: str
    original_name: str
    size: int


def clean_original_name(name: str, extension: str) -> str:
    """The uploaded name for display: without any folder part or control characters, at most
    200 characters (the end of the name is kept), never empty."""
    name = filetypes.clean_name(name)
    if not name:
        return _("evidence") + extension
    return name[-ORIGINAL_NAME_LENGTH:]


def evidence_check(upload) -> CheckedFile:
    """Check one upload; a refusal raises ValidationError with a message naming the file."""
    shown = PureWindowsPath(str(upload.name or "")).name[:80]
    limit = settings.EVIDENCE_MAX_BYTES
    if not upload.size:
        raise ValidationError(_("“%(name)s” is empty.") % {"name": shown}, code="empty")
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is larger than %(limit)s.") % {"name": shown, "limit": filesizeformat(limit)},
            code="too_large",
        )
    kind = filetypes.detect(upload, ALLOWED)
    if kind is None:
        raise ValidationError(
            _("“%(name)s” is not a PDF, JPEG or PNG file (or it is damaged).") % {"name": shown},
            code="file_type",
        )
    return CheckedFile(
        upload=upload,
        content_type=kind.content_type,
        extension=kind.extension,
        original_name=clean_original_name(upload.name, kind.extension),
        size=upload.size,
    )


def evidence_check_all(files) -> list[CheckedFile]:
    """Check every upload before anything is stored; raises ValidationError({"files": [...]})
    with one message per refused file."""
    files = list(files or ())
    if len(files) > MAX_FILES:
        raise ValidationError(
            {"files": _("Add at most %(count)d files at a time.") % {"count": MAX_FILES}}, code="too_many"
        )
    checked, errors = [], []
    for upload in files:
        try:
            checked.append(evidence_check(upload))
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError({"files": errors})
    return checked


def evidence_store(*, certification: Certification, checked: list[CheckedFile], by) -> list[CertificationEvidence]:
    """Store checked files and their rows. Call inside the caller's transaction: when anything
    fails, the files written so far are deleted again before the error goes on."""
    stored = []
    try:
        for item in checked:
            evidence = CertificationEvidence(
                certification=certification,
                original_name=item.original_name,
                content_type=item.content_type,
                size=item.size,
                uploaded_by=by,
            )
            item.upload.seek(0)
            # Only the extension of this name is used: evidence_path gives a uuid.
            evidence.file.save(f"evidence{item.extension}", item.upload, save=False)
            stored.append(evidence)
            evidence.save()
    except BaseException:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return stored
