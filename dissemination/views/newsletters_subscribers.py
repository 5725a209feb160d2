"""Staff pages for subscribers (dissemination.manage_newsletters): the filtered list, one subscriber
with the whole consent history, and the import of a spreadsheet with a preview.

Between the preview and the confirmation the checked rows wait in the session with a random key that
the confirmation form sends back, so exactly the rows that were previewed are imported."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from rules.contrib.views import permission_required

from mentorwijs.http import list_page, upload_stage, upload_take

from ..filters import SubscriberSort
from ..forms.newsletters_subscriptions import SubscriberFilterForm, SubscriberImportForm
from ..queries import newsletters_subscribers as queries
from ..services.subscriptions import subscribers_import, subscribers_import_preview, subscribers_import_read

SESSION_KEY = "dissemination:subscriber_import"
PAGE_SIZE = 50


@permission_required("dissemination.manage_newsletters", raise_exception=True)
@require_GET
def subscriber_list(request):
    form = SubscriberFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    subscribers = queries.subscriber_list(
        status=filters.get("status", ""),
        mailing_list=filters.get("mailing_list"),
        target_group=filters.get("target_group", ""),
        q=filters.get("q", ""),
    )
    order = SubscriberSort(request.GET or None, queryset=subscribers, request=request)
    subscribers = order.qs if order.is_valid() else subscribers
    context = {"form": form, "filter": order, **list_page(request, subscribers, PAGE_SIZE, name="subscribers")}
    return render(request, "dissemination/subscribers/subscriber_list.html", context)


@permission_required("dissemination.manage_newsletters", raise_exception=True)
@require_GET
def subscriber_detail(request, pk):
    subscriber = get_object_or_404(queries.subscriber_detail(), pk=pk)
    return render(request, "dissemination/subscribers/subscriber_detail.html", {"subscriber": subscriber})


def _preview_page(request, *, report, key, filename):
    return render(
        request,
        "dissemination/import_preview.html",
        {
            "report": report,
            "key": key,
            "filename": filename,
            "title": _("Import subscribers"),
            "list_url": reverse("dissemination:subscriber_list"),
            "list_label": _("Subscribers"),
            "import_url": reverse("dissemination:subscriber_import"),
        },
    )


@permission_required("dissemination.manage_newsletters", raise_exception=True)
@require_http_methods(["GET", "POST"])
def subscriber_import(request):
    if request.method == "POST" and request.POST.get("action") == "confirm":
        return _confirm_import(request)
    form = SubscriberImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = subscribers_import_read(content=upload.read(), filename=upload.name)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            report = subscribers_import_preview(rows=rows)
            request.session.pop(SESSION_KEY, None)
            key = upload_stage(request, SESSION_KEY, name=upload.name, rows=rows) if report.ok else ""
            return _preview_page(request, report=report, key=key, filename=upload.name)
    return render(
        request,
        "dissemination/subscribers/subscriber_import.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _confirm_import(request):
    stored = upload_take(request, SESSION_KEY)
    if stored is None:
        messages.error(request, _("This import is no longer waiting. Upload the file again."))
        return redirect("dissemination:subscriber_import")
    try:
        report = subscribers_import(rows=stored["rows"], by=request.user)
    except ValidationError:
        # Something changed since the preview: show the rows again, nothing was saved.
        messages.error(request, _("Nothing was imported: the file has rows with errors."))
        report = subscribers_import_preview(rows=stored["rows"])
        return _preview_page(request, report=report, key="", filename=stored["name"])
    messages.success(
        request,
        _("Imported: %(confirmed)s confirmed, %(pending)s asked to confirm, %(skipped)s skipped.")
        % {"confirmed": report.confirmed, "pending": report.pending, "skipped": len(report.skipped)},
    )
    return redirect("dissemination:subscriber_list")
