"""The materials library: staff upload versions of a material; anyone downloads, counted per month.

Versions of one material share kind, title and language. Uploading a new version marks the current
one as superseded (it stays downloadable, marked as an older version). The type of a file is
recognised from its content, never from its name or the type the browser sent."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from mentorwijs import filetypes

from ..enums import MaterialKind
from ..models import Material, MaterialDownload

ALLOWED = (filetypes.PDF, filetypes.PPTX, filetypes.DOCX, filetypes.JPEG, filetypes.PNG)
# The model's file column holds 100 characters: "materials/<32 hex>/" leaves room for this much name.
NAME_LENGTH = 50


def material_file_name(name: str, extension: str) -> str:
    """The uploaded name without folders or control characters, shortened, with the extension of
    the type found in the content (a PDF called "x.png" is stored as "x.pdf")."""
    name = filetypes.clean_name(name)
    stem = (name.rsplit(".", 1)[0] if "." in name else name).strip(" .")
    return (stem or "material")[: NAME_LENGTH - len(extension)] + extension


def _check_file(upload) -> filetypes.FileKind:
    limit = settings.MATERIAL_MAX_BYTES
    if upload is None or not upload.size:
        raise ValidationError({"file": _("Choose a file that is not empty.")}, code="empty")
    if upload.size > limit:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)}}, code="too_large"
        )
    kind = filetypes.detect(upload, ALLOWED)
    if kind is None:
        raise ValidationError(
            {"file": _("This is not a PDF, PowerPoint, Word, JPEG or PNG file (or it is damaged).")},
            code="file_type",
        )
    return kind


def _check_fields(*, kind, title, language, version) -> dict:
    errors = {}
    if kind not in MaterialKind.values:
        errors["kind"] = _("Choose a kind of material.")
    if not title:
        errors["title"] = _("Fill in a title.")
    if language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose a language.")
    if not version:
        errors["version"] = _("Fill in a version.")
    return errors


@transaction.atomic
def material_upload(*, kind, title, language, version, file, description="", uploaded_by) -> Material:
    """Store a new version of the material (kind, title, language) and make it the current one.

    Side effects: writes the file to the Material storage; marks the previous current version
    superseded (its row is locked first, so two uploads cannot both become current). Refuses a
    version that exists already ({"version"}) and a file that is empty, too large or not a PDF,
    .pptx, .docx, JPEG or PNG by its content ({"file"}); then nothing is stored."""
    title = " ".join((title or "").split())
    version = (version or "").strip()
    errors = _check_fields(kind=kind, title=title, language=language, version=version)
    try:
        file_kind = _check_file(file)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)

    versions = Material.objects.filter(kind=kind, title__iexact=title, language=language)
    current = versions.select_for_update().filter(superseded_at__isnull=True).first()
    if current is not None:
        title = current.title  # "handbook" and "Handbook" are one material
    if versions.filter(version__iexact=version).exists():
        raise ValidationError({"version": _("This version of the material exists already.")}, code="duplicate")

    now = timezone.now()
    material = Material(
        kind=kind,
        title=title,
        language=language,
        version=version,
        description=(description or "").strip(),
        content_type=file_kind.content_type,
        size=file.size,
        uploaded_by=uploaded_by,
        uploaded_at=now,
    )
    file.seek(0)
    material.file.save(material_file_name(file.name, file_kind.extension), file, save=False)
    try:
        with transaction.atomic():
            if current is not None:
                Material.objects.filter(pk=current.pk).update(superseded_at=now)
            material.save()
    except IntegrityError:
        # Another upload of this material got in first (a new material has no row to lock).
        material.file.delete(save=False)
        raise ValidationError(
            {"version": _("Someone uploaded this material at the same moment; try again.")}, code="conflict"
        ) from None
    except BaseException:
        material.file.delete(save=False)
        raise
    return material


def first_of_month(day=None):
    return (day or timezone.localdate()).replace(day=1)


@transaction.atomic
def material_download_count(*, material) -> None:
    """Count one download of this version in the current month. Nobody is recorded: no user, no
    address, no time. Race-free: an UPDATE ... count + 1, and on the month's first download an
    INSERT that, when another request inserted first, falls back to the update."""
    month = first_of_month()
    rows = MaterialDownload.objects.filter(material=material, month=month)
    for _attempt in range(3):
        if rows.update(count=F("count") + 1):
            return
        try:
            with transaction.atomic():
                MaterialDownload.objects.create(material=material, month=month, count=1)
            return
        except IntegrityError:
            continue
    raise RuntimeError("Could not count a download")  # pragma: no cover - the row exists by now
