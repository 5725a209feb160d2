"""The materials library. Public (no login): the current materials, the versions of one, the
download (counted per month). Staff (dissemination.manage_materials): all versions with their
downloads per month, and uploading a material or a new version of one."""

from pathlib import PurePath

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe
from rules.contrib.views import permission_required

from mentorwijs.forms import add_service_errors, parse_id

from ..forms.outreach_materials import LanguageFilterForm, MaterialUploadForm
from ..models import Material
from ..queries import outreach_materials as queries
from ..services.materials import material_download_count, material_upload


@login_not_required
@require_safe
def public_list(request):
    """The current version of each material, grouped by kind; ?language= filters."""
    form = LanguageFilterForm(request.GET or None)
    language = form.cleaned_data["language"] if form.is_valid() else ""
    materials = list(queries.current_materials(language=language or None))
    return render(
        request,
        "dissemination/materials/public_list.html",
        {"form": form, "materials": materials, "language": language},
    )


@login_not_required
@require_safe
def versions(request, pk):
    """Every version of one material, the newest first; older ones marked, still downloadable."""
    material = get_object_or_404(Material, pk=pk)
    return render(
        request,
        "dissemination/materials/versions.html",
        {"material": material, "versions": list(queries.material_versions(material))},
    )


@login_not_required
@require_safe
def download(request, pk):
    """The file as an attachment under its own name; a GET counts one download this month, a HEAD
    (link checkers, download managers asking the size) counts nothing."""
    material = get_object_or_404(Material, pk=pk)
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    if request.method == "GET":
        material_download_count(material=material)
    response = FileResponse(
        handle, as_attachment=True, filename=PurePath(material.file.name).name, content_type=material.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@permission_required("dissemination.manage_materials", raise_exception=True)
@require_safe
def material_manage_view(request):
    """Staff: every version with its downloads in each of the last twelve months, and per material
    (all its versions together) a subtotal row."""
    months = queries.download_months(timezone.localdate())
    since = months[0]
    per_month = queries.downloads_per_month(since=since)
    totals = queries.material_download_totals(months=months)
    materials = list(queries.materials_with_downloads(since=since))
    none = {"per_month": [0] * len(months), "recent": 0, "total": 0}
    groups = []  # [{"key", "versions", "totals"}], one per material, in the order of the rows
    for material in materials:
        material.per_month = [per_month.get((material.pk, month), 0) for month in months]
        key = (material.kind, material.title_key, material.language)  # as material_download_totals
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "versions": [], "totals": totals.get(key, none)})
        groups[-1]["versions"].append(material)
    context = {"months": months, "materials": materials, "groups": groups}
    return render(request, "dissemination/materials/manage.html", context)


def _previous(request) -> Material | None:
    """The current version of the material ?from= names (any of its versions may be named)."""
    value = request.GET.get("from", "")
    named = Material.objects.filter(pk=value).first() if parse_id(value) else None
    if named is None or named.is_current:
        return named
    return queries.material_versions(named).filter(superseded_at__isnull=True).first() or named


@permission_required("dissemination.manage_materials", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def material_upload_view(request):
    """Staff: a new material, or (?from=<pk>) a new version of an existing one."""
    previous = _previous(request)
    initial = {}
    if previous is not None:
        initial.update(
            kind=previous.kind,
            title=previous.title,
            language=previous.language,
            description=previous.description,
        )
    if request.method == "POST":  # an empty POST too: it shows what is missing
        form = MaterialUploadForm(request.POST, request.FILES, initial=initial)
    else:
        form = MaterialUploadForm(initial=initial)
    if form.is_bound and form.is_valid():
        try:
            material = material_upload(uploaded_by=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(title)s version %(version)s uploaded.") % {"title": material.title, "version": material.version},
            )
            return redirect("materials:manage")
    return render(request, "dissemination/materials/upload.html", {"form": form, "previous": previous})
