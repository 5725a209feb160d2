"""Recognising uploaded files by their content, never by their name or the type the browser sent.
Shared by certification evidence (ambassadors) and the materials library (dissemination)."""

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PureWindowsPath

from PIL import Image

PDF_MAGIC = b"%PDF-"
PDF_END = b"%%EOF"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
ZIP_MAGIC = b"PK\x03\x04"
OOXML_MARKER = "[Content_Types].xml"
UNSAFE_CHARACTERS = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]")


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str


PDF = FileKind("application/pdf", ".pdf")
PNG = FileKind("image/png", ".png")
JPEG = FileKind("image/jpeg", ".jpg")
DOCX = FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
PPTX = FileKind("application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx")
# An Office Open XML package is a zip; its main part's folder tells a presentation from a document.
OOXML_FOLDERS = {"ppt/": PPTX, "word/": DOCX}


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


def _office_kind(upload) -> FileKind | None:
    """A .pptx or .docx: a zip holding [Content_Types].xml and the main part's folder. Only the
    zip's directory is read, nothing is unpacked."""
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as package:
            names = package.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if OOXML_MARKER not in names:
        return None
    for folder, kind in OOXML_FOLDERS.items():
        if any(name.startswith(folder) for name in names):
            return kind
    return None


def detect(upload, allowed) -> FileKind | None:
    """The kind found in the content if it is one of `allowed`, else None. A PDF must also end as
    one, an image must open in Pillow, an Office file must be a package of its kind."""
    head, tail = _read_edges(upload)
    if head.startswith(PDF_MAGIC):
        found = PDF if PDF_END in tail else None
    elif head.startswith(ZIP_MAGIC):
        found = _office_kind(upload) if {DOCX, PPTX} & set(allowed) else None
    elif head.startswith(PNG_MAGIC):
        found = PNG if _is_image(upload, "PNG") else None
    elif head.startswith(JPEG_MAGIC):
        found = JPEG if _is_image(upload, "JPEG") else None
    else:
        found = None
    return found if found in allowed else None


def clean_name(name: str) -> str:
    """An uploaded name for display or storage: without folders, control or reserved characters."""
    name = unicodedata.normalize("NFC", PureWindowsPath(str(name or "")).name)
    return " ".join(UNSAFE_CHARACTERS.sub("_", name).split()).strip(" .")
