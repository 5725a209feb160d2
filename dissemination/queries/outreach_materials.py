"""Read paths of the materials library: each page's rows in a fixed number of queries, counts
summed in the database."""

from datetime import date

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, Lower

from ..enums import MaterialKind
from ..models import Material, MaterialDownload

DOWNLOAD_MONTHS = 12


def _kind_rank():
    """The kinds in the order of MaterialKind (handbook first), not alphabetically by code."""
    return Case(
        *(When(kind=kind, then=Value(rank)) for rank, kind in enumerate(MaterialKind.values)),
        default=Value(len(MaterialKind.values)),
        output_field=IntegerField(),
    )


def _same_material(queryset=None):
    """Versions of the material in the outer query (same kind, title and language)."""
    return (queryset if queryset is not None else Material.objects).filter(
        kind=OuterRef("kind"), title=OuterRef("title"), language=OuterRef("language")
    )


def current_materials(*, language: str | None = None):
    """The current version of every material, grouped by kind (in MaterialKind order), each with
    the number of older versions."""
    older = (
        _same_material(Material.objects.filter(superseded_at__isnull=False))
        .order_by()
        .values("kind")
        .annotate(n=Count("pk"))
        .values("n")
    )
    materials = Material.objects.filter(superseded_at__isnull=True)
    if language:
        materials = materials.filter(language=language)
    return materials.annotate(
        kind_rank=_kind_rank(), older_versions=Coalesce(Subquery(older, output_field=IntegerField()), 0)
    ).order_by("kind_rank", "title", "language", "pk")


def material_versions(material: Material):
    """Every version of a material, the newest first."""
    return Material.objects.filter(kind=material.kind, title=material.title, language=material.language).order_by(
        "-uploaded_at", "-pk"
    )


def download_months(today: date, months: int = DOWNLOAD_MONTHS) -> list[date]:
    """The first days of the last `months` months, the oldest first, this month last."""
    year, month = today.year, today.month
    firsts = []
    for _ in range(months):
        firsts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def materials_with_downloads(*, since: date):
    """Every version of every material (staff), with its downloads since `since` and in total; the
    versions of one material together (kind, title_key: the title lowercased by the database,
    language), the newest first."""
    return (
        Material.objects.select_related("uploaded_by")
        .annotate(
            kind_rank=_kind_rank(),
            title_key=Lower("title"),
            downloads_recent=Coalesce(Sum("downloads__count", filter=Q(downloads__month__gte=since)), 0),
            downloads_total=Coalesce(Sum("downloads__count"), 0),
        )
        .order_by("kind_rank", "title_key", "language", "-uploaded_at", "-pk")
    )


def material_download_totals(*, months: list[date]) -> dict[tuple[str, str, str], dict]:
    """Downloads per material over all its versions, summed in the database in one query:
    {(kind, title lowercased by the database, language): {"per_month": [one number per month of `months`],
    "recent": since months[0], "total": ever}}. Materials never downloaded are missing."""
    per_month = {
        f"month_{index}": Coalesce(Sum("count", filter=Q(month=month)), 0) for index, month in enumerate(months)
    }
    rows = (
        MaterialDownload.objects.values(
            material_kind=F("material__kind"),
            material_title=Lower("material__title"),
            material_language=F("material__language"),
        )
        .annotate(
            **per_month,
            recent=Coalesce(Sum("count", filter=Q(month__gte=months[0])), 0),
            total=Sum("count"),
        )
        .order_by()
    )
    return {
        (row["material_kind"], row["material_title"], row["material_language"]): {
            "per_month": [row[name] for name in per_month],
            "recent": row["recent"],
            "total": row["total"],
        }
        for row in rows
    }


def downloads_per_month(*, since: date) -> dict[tuple[int, date], int]:
    """{(material id, month): downloads} from `since` on, summed in the database."""
    rows = (
        MaterialDownload.objects.filter(month__gte=since)
        .values("material_id", "month")
        .annotate(total=Sum("count"))
        .order_by()
    )
    return {(row["material_id"], row["month"]): row["total"] for row in rows}
