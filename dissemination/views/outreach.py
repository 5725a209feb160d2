"""The outreach log: my contacts, logging one, changing it, follow-ups, handing over (staff), the
read-only summary per organisation, and the organisation search of the log form.

An ambassador's querysets hold only their own contacts, so another ambassador's contact answers 404;
a role without the permission gets 403."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from rules.contrib.views import permission_required

from mentorwijs.forms import add_service_errors, parse_id
from mentorwijs.http import filter_page, list_page, safe_next

from ..enums import STAGE_ORDER, Stage
from ..filters import ContactFilter
from ..forms.outreach import ContactEditForm, ContactLogForm, ContactReassignForm
from ..models import Organisation, OutreachContact
from ..queries import outreach as outreach_queries
from ..queries import relations as queries
from ..services.outreach import contact_log, contact_reassign, contact_update, follow_up_done


def _posted(request):
    """The form data of a POST, even an empty one (which then shows the form's errors)."""
    return request.POST if request.method == "POST" else None


@permission_required("dissemination.log_outreach", raise_exception=True)
@require_safe
def contact_list_view(request):
    """My contacts (staff: everyone's, with a filter by ambassador), searched and sorted, 25 a page."""
    can_manage = request.user.has_perm("dissemination.manage_outreach")
    contacts = ContactFilter(
        request.GET or None,
        queryset=outreach_queries.outreach_contacts(request.user),
        request=request,
        may_filter_by_ambassador=can_manage,
    )
    context = {**filter_page(request, contacts, 25), "can_manage": can_manage}
    return render(request, "dissemination/outreach/contact_list.html", context)


@permission_required("dissemination.log_outreach", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def contact_log_view(request):
    """Log a contact; ?organisation=<pk> (and &person=<pk>) start the form with a known organisation."""
    initial = {}
    value = request.GET.get("organisation", "")
    organisation = Organisation.objects.filter(pk=value).first() if parse_id(value) else None
    if organisation is not None:
        initial.update(organisation=organisation.pk, organisation_name=organisation.name)
        person = request.GET.get("person", "")
        people = queries.organisation_people(request.user, organisation)
        if parse_id(person) and people.filter(pk=person).exists():
            initial["person"] = person
    form = ContactLogForm(_posted(request), initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            contact = contact_log(by=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contact with %(name)s logged.") % {"name": contact.organisation.name})
            return redirect("dissemination:contact_list")
    return render(request, "dissemination/outreach/contact_log.html", {"form": form})


def _contact_for(request, pk) -> OutreachContact:
    return get_object_or_404(outreach_queries.outreach_contacts(request.user), pk=pk)


@permission_required("dissemination.log_outreach", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def contact_detail_view(request, pk):
    """A contact of mine (staff: any) with its fields to change."""
    contact = _contact_for(request, pk)
    form = ContactEditForm(_posted(request), contact=contact, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            contact_update(contact=contact, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("dissemination:contact_detail", pk=contact.pk)
    context = {"form": form, "contact": contact, "can_manage": request.user.has_perm("dissemination.manage_outreach")}
    return render(request, "dissemination/outreach/contact_detail.html", context)


@require_POST
@permission_required("dissemination.log_outreach", raise_exception=True)
def contact_follow_up_done(request, pk):
    contact = _contact_for(request, pk)
    try:
        follow_up_done(contact=contact, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Follow-up marked as done."))
    return redirect(safe_next(request, request.POST.get("next"), reverse("dissemination:follow_up_list")))


@permission_required("dissemination.manage_outreach", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def contact_reassign_view(request, pk):
    """Staff hand a contact over to another ambassador."""
    contact = _contact_for(request, pk)
    form = ContactReassignForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            contact_reassign(contact=contact, to_user=form.cleaned_data["to_user"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contact handed over."))
            return redirect("dissemination:contact_detail", pk=contact.pk)
    return render(request, "dissemination/outreach/contact_reassign.html", {"form": form, "contact": contact})


@permission_required("dissemination.log_outreach", raise_exception=True)
@require_safe
def follow_up_list_view(request):
    """My open follow-ups, the earliest first; overdue and due within a week are marked."""
    today = timezone.localdate()
    context = {
        **list_page(request, outreach_queries.follow_ups_open(request.user), 50),
        "today": today,
        "due_until": today + timezone.timedelta(days=outreach_queries.FOLLOW_UP_WINDOW_DAYS),
    }
    return render(request, "dissemination/outreach/follow_up_list.html", context)


@permission_required("dissemination.view_outreach_summary", raise_exception=True)
@require_safe
def organisation_summary_view(request, pk):
    """Who had contact with an organisation, when, and how far it came: no notes, nobody's details."""
    organisation = get_object_or_404(Organisation.objects.select_related("region"), pk=pk)
    rows = list(outreach_queries.organisation_outreach_summary(organisation))
    for row in rows:
        row["stage"] = Stage(STAGE_ORDER[row["rank"]])
    furthest = max((row["rank"] for row in rows), default=None)
    context = {
        "object_list": rows,
        "ambassadors": rows,
        "organisation": organisation,
        "furthest_stage": None if furthest is None else Stage(STAGE_ORDER[furthest]),
    }
    return render(request, "dissemination/outreach/organisation_summary.html", context)
