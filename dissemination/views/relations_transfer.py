"""Import and export of organisations (staff): upload a CSV or Excel file, see the errors per row,
confirm; export the (filtered) list as CSV or Excel (mentorwijs.exports).

Between the preview and the confirmation the checked rows wait in the session (as JSON), with a
random key that the confirmation form sends back, so exactly the rows that were previewed are
imported."""

import tablib
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from rules.contrib.views import permission_required

from mentorwijs.exports import xlsx_response
from mentorwijs.http import upload_stage, upload_take

from ..filters import OrganisationFilter
from ..forms.relations import OrganisationImportForm
from ..queries import relations as queries
from ..resources import COLUMN_HEADINGS, OrganisationResource
from ..services.imports import organisation_import, organisation_import_preview, organisation_import_read

SESSION_KEY = "dissemination:organisation_import"


def _preview_page(request, *, report, key, filename):
    return render(
        request,
        "dissemination/import_preview.html",
        {
            "report": report,
            "key": key,
            "filename": filename,
            "title": _("Import organisations"),
            "list_url": reverse("dissemination:organisation_list"),
            "list_label": _("Organisations"),
            "import_url": reverse("dissemination:organisation_import"),
        },
    )


@permission_required("dissemination.manage_relations", raise_exception=True)
@require_http_methods(["GET", "POST"])
def organisation_import_view(request):
    if request.method == "POST" and request.POST.get("action") == "confirm":
        return _confirm(request)
    form = OrganisationImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            dataset = organisation_import_read(content=upload.read(), filename=upload.name)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            report = organisation_import_preview(dataset=dataset)
            request.session.pop(SESSION_KEY, None)
            rows = dataset.export("json")
            key = upload_stage(request, SESSION_KEY, name=upload.name, rows=rows) if report.ok else ""
            return _preview_page(request, report=report, key=key, filename=upload.name)
    return render(request, "dissemination/organisation_import.html", {"form": form})


def _confirm(request):
    stored = upload_take(request, SESSION_KEY)
    if stored is None:
        messages.error(request, _("This import is no longer waiting. Upload the file again."))
        return redirect("dissemination:organisation_import")
    dataset = tablib.Dataset().load(stored["rows"], format="json")
    try:
        created = organisation_import(dataset=dataset, by=request.user)
    except ValidationError:
        # Something changed since the preview (e.g. a KvK number was saved meanwhile): show it again.
        report = organisation_import_preview(dataset=dataset)
        messages.error(request, _("Nothing was imported: the file has rows with errors."))
        return _preview_page(request, report=report, key="", filename=stored["name"])
    messages.success(request, _("%(count)s organisations imported.") % {"count": created})
    return redirect("dissemination:organisation_list")


@permission_required("dissemination.manage_relations", raise_exception=True)
@require_GET
def organisation_export_view(request):
    """The organisation list with the list page's filters, as CSV (default: the import's column keys,
    for machines) or Excel (the headings in the user's language, which the import also reads)."""
    file_format = request.GET.get("format", "csv")
    organisations = OrganisationFilter(request.GET, queryset=queries.organisation_list()).qs
    dataset = OrganisationResource().export(organisations)
    filename = f"organisaties-{timezone.localdate():%Y-%m-%d}"
    if file_format == "xlsx":
        headers = [COLUMN_HEADINGS[column] for column in dataset.headers]
        return xlsx_response(filename=filename, title=_("Organisations"), headers=headers, rows=dataset)
    # A byte-order mark, so Excel reads the file as UTF-8.
    response = HttpResponse("\ufeff" + dataset.export("csv"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
