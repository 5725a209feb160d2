"""Checking and storing certification evidence (PDF, JPEG or PNG uploads).

The type is detected from the content (magic bytes; images are also verified by Pillow), never
from the name or the content type the browser sent. The stored name is chosen by the server
(`models.evidence_path`: a uuid and the extension of the detected type); the uploaded name is
kept, cleaned, for display only.
"""

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PureWindowsPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from .models import Certification, CertificationEvidence

# Most files a trainer adds in one step.
MAX_FILES = 10
PDF_MAGIC = b"%PDF-"
PDF_END = b"%%EOF"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
# Detected type: (content type, extension of the stored name, Pillow's format name or None).
PDF = ("application/pdf", ".pdf", None)
PNG = ("image/png", ".png", "PNG")
JPEG = ("image/jpeg", ".jpg", "JPEG")
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]")
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
    name = unicodedata.normalize("NFC", PureWindowsPath(str(name or "")).name)
    name = " ".join(UNSAFE_CHARACTERS.sub("_", name).split()).strip(" .")
    if not name:
        return _("evidence") + extension
    return name[-ORIGINAL_NAME_LENGTH:]


def _read_edges(upload) -> tuple[bytes, bytes]:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(max(upload.size - 2048, 0))
    tail = upload.read()
    upload.seek(0)
    return head, tail


def _is_image(upload, pillow_format: str) -> bool:
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format != pillow_format:
                return False
            image.verify()
    except Exception:  # Pillow raises many kinds of errors for a broken or hostile file
        return False
    finally:
        upload.seek(0)
    return True


def detect_type(upload) -> tuple[str, str, str | None] | None:
    """PDF, PNG or JPEG as found in the content, or None."""
    head, tail = _read_edges(upload)
    if head.startswith(PDF_MAGIC):
        return PDF if PDF_END in tail else None
    for kind, magic in ((PNG, PNG_MAGIC), (JPEG, JPEG_MAGIC)):
        if head.startswith(magic):
            return kind if _is_image(upload, kind[2]) else None
    return None


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
    kind = detect_type(upload)
    if kind is None:
        raise ValidationError(
            _("“%(name)s” is not a PDF, JPEG or PNG file (or it is damaged).") % {"name": shown},
            code="file_type",
        )
    content_type, extension, _pillow = kind
    return CheckedFile(
        upload=upload,
        content_type=content_type,
        extension=extension,
        original_name=clean_original_name(upload.name, extension),
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
