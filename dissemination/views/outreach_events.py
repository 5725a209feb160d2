"""Events views (congresses, inspiration meetings, conferences).

Staff manage events, their guests (one by one, or many at once with a preview), and attendance
(dissemination.manage_events); ambassadors see the list and the detail read-only
(dissemination.log_outreach), without the guest list (names are for staff only); any other role gets
403. A guest answers the invitation on a public page opened by the signed link in the mail
(`event_rsvp`, no login): a GET only shows, the buttons POST."""

import django_filters
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from rules.contrib.views import permission_required

from mentorwijs.forms import add_service_errors, parse_id
from mentorwijs.http import filter_page, safe_next
from mentorwijs.sorting import SortOrder

from ..enums import EventKind
from ..forms.outreach_events import AttendanceForm, BulkInviteForm, EventForm, GuestSearchForm, InviteForm, RsvpForm
from ..models import Event, EventGuest
from ..queries import outreach_events as queries
from ..services.event_mails import rsvp_open
from ..services.events import (
    bulk_invite_check,
    event_follow_up_done,
    event_invite,
    event_invite_bulk,
    event_record_attendance,
    event_save,
    guest_answer,
    guest_remove,
)
from ..tokens import read_rsvp_token

# The bulk invitation's preview names at most this many of those invited and of those skipped.
PREVIEW_NAMES_SHOWN = 100


class EventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(
        label=gettext_lazy("Kind"), choices=EventKind.choices, empty_label=gettext_lazy("All kinds")
    )
    year = django_filters.ChoiceFilter(
        label=gettext_lazy("Year"), field_name="date__year", choices=[], empty_label=gettext_lazy("All years")
    )

    sort = SortOrder(
        columns={
            "title": (gettext_lazy("Event"), Lower("title")),
            "date": (gettext_lazy("Date"), "date"),
            "invited": (gettext_lazy("Invited"), "invited_count"),
            "attended": (gettext_lazy("Attended"), "attended_count"),
        },
        default="-date",  # queries.outreach_events.event_list: the latest first
    )

    class Meta:
        model = Event
        fields = ["kind", "year", "sort"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["year"].extra["choices"] = [(str(year), str(year)) for year in queries.event_years()]


@permission_required("dissemination.log_outreach", raise_exception=True)
@require_safe
def event_list_view(request):
    """Events, the latest first, with their invited and attended counts; a badge for a follow-up due."""
    events = EventFilter(request.GET or None, queryset=queries.event_list(), request=request)
    context = {
        **filter_page(request, events, 25),
        "can_manage": request.user.has_perm("dissemination.manage_events"),
    }
    return render(request, "dissemination/events/event_list.html", context)


@permission_required("dissemination.log_outreach", raise_exception=True)
@require_safe
def event_detail_view(request, pk):
    """One event: counts, speakers, outcomes and follow-up for all who may read it; the guest list
    (names and organisations) only for staff. The permission is not per event."""
    event = get_object_or_404(queries.event_detail(), pk=pk)
    # Who was invited or came (names, organisations) is for staff only; ambassadors see the counts.
    can_manage = request.user.has_perm("dissemination.manage_events")
    context = {"object": event, "event": event, "can_manage": can_manage, "today": timezone.localdate()}
    if can_manage:
        context["guests"] = list(queries.event_guests(event))
    return render(request, "dissemination/events/event_detail.html", context)


def _event_form(request, event: Event | None):
    form = EventForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            event = event_save(event=event, by=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Event saved."))
            return redirect("dissemination:event_detail", pk=event.pk)
    return render(request, "dissemination/events/event_form.html", {"form": form, "event": event})


@permission_required("dissemination.manage_events", raise_exception=True)
@require_http_methods(["GET", "POST"])
def event_create(request):
    return _event_form(request, None)


@permission_required("dissemination.manage_events", raise_exception=True)
@require_http_methods(["GET", "POST"])
def event_update(request, pk):
    return _event_form(request, get_object_or_404(Event, pk=pk))


def _search(request):
    """The person search of the guests and attendance pages: its form and up to 25 matches."""
    search = GuestSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    return search, q, queries.persons_matching(q) if q else []


@permission_required("dissemination.manage_events", raise_exception=True)
@require_http_methods(["GET", "POST"])
def event_guests(request, pk):
    """Invite persons: search by name, email address or organisation, tick up to 25 matches."""
    event = get_object_or_404(queries.event_with_counts(), pk=pk)
    search, q, matches = _search(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = event_invite(event=event, persons=form.cleaned_data["persons"], by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext("%(count)d person invited.", "%(count)d persons invited.", added) % {"count": added},
            )
            url = reverse("dissemination:event_guests", kwargs={"pk": event.pk})
            return redirect(f"{url}?{urlencode({'q': q})}" if q else url)
    guests = list(queries.event_guests(event))
    guest_ids = {guest.person_id for guest in guests}
    context = {
        "event": event,
        "search": search,
        "q": q,
        "matches": [(person, person.pk in guest_ids) for person in matches],
        "form": form,
        "guests": guests,
    }
    return render(request, "dissemination/events/event_guests.html", context, status=400 if form.errors else 200)


@permission_required("dissemination.manage_events", raise_exception=True)
@require_http_methods(["GET", "POST"])
def event_invite_bulk_view(request, pk):
    """Invite many at once: choose a group, region and target group; the GET with a choice shows a
    preview (how many, who, who is skipped and why); the POST invites exactly what the preview showed
    for these choices at that moment (the service reads the people again under the event's lock)."""
    event = get_object_or_404(queries.event_with_counts(), pk=pk)
    data = request.POST if request.method == "POST" else (request.GET if "group" in request.GET else None)
    form = BulkInviteForm(data)
    preview = None
    if data is not None and form.is_valid():
        if request.method == "POST":
            try:
                result = event_invite_bulk(event=event, by=request.user, **form.service_kwargs())
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d person invited; the invitation is on its way.",
                        "%(count)d persons invited; the invitations are on their way.",
                        result["invited"],
                    )
                    % {"count": result["invited"]},
                )
                return redirect("dissemination:event_detail", pk=event.pk)
        else:
            kwargs = form.service_kwargs()
            try:
                group = bulk_invite_check(**kwargs)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                preview = queries.invite_preview(
                    event=event, group=group, region=kwargs["region"], target_group=kwargs["target_group"]
                )
    context = {
        "event": event,
        "form": form,
        "preview": preview,
        "shown": PREVIEW_NAMES_SHOWN,
        "mails_go_out": rsvp_open(event),
    }
    return render(request, "dissemination/events/event_invite_bulk.html", context, status=400 if form.errors else 200)


@login_not_required
@require_http_methods(["GET", "POST"])
def event_rsvp(request, token):
    """A guest's answer page, opened from the invitation or reminder: the event, the answer given so
    far and two buttons; answering stays open until the day of the event. A wrong link answers 400
    and changes nothing."""
    try:
        guest = read_rsvp_token(token)
    except signing.BadSignature:
        return render(request, "dissemination/events/rsvp_invalid.html", status=400)
    form = RsvpForm(request.POST or None)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            guest_answer(guest=guest, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            saved = True
    context = {"guest": guest, "event": guest.event, "form": form, "saved": saved, "open": rsvp_open(guest.event)}
    return render(request, "dissemination/events/event_rsvp.html", context, status=400 if form.errors else 200)


@require_POST
@permission_required("dissemination.manage_events", raise_exception=True)
def event_guest_remove(request, pk, guest_pk):
    guest = get_object_or_404(EventGuest.objects.select_related("person"), event_id=pk, pk=guest_pk)
    guest_remove(guest=guest, by=request.user)
    messages.success(request, _("%(name)s taken off the guest list.") % {"name": guest.person})
    return redirect("dissemination:event_guests", pk=pk)


@permission_required("dissemination.manage_events", raise_exception=True)
@require_http_methods(["GET", "POST"])
def event_attendance(request, pk):
    """The checklist of guests, made for a phone; walk-ins are found with the person search."""
    event = get_object_or_404(Event, pk=pk)
    guests = list(queries.event_guests(event))
    search, q, matches = _search(request)
    guest_ids = {guest.person_id for guest in guests}
    form = AttendanceForm(request.POST or None, guests=guests)
    if request.method == "POST" and form.is_valid():
        try:
            result = event_record_attendance(
                event=event,
                present_person_ids=form.cleaned_data["present"],
                walk_ins=form.cleaned_data["walk_ins"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Attendance saved: %(count)d present.") % {"count": result["present"]})
            return redirect("dissemination:event_detail", pk=event.pk)
    present = {parse_id(value) for value in (form["present"].value() or [])} - {None}
    context = {
        "event": event,
        "form": form,
        "rows": [(guest, guest.person_id in present) for guest in guests],
        "present_count": len(present),
        "search": search,
        "q": q,
        "walk_in_matches": [person for person in matches if person.pk not in guest_ids],
        "has_come": event.date <= timezone.localdate(),
    }
    return render(request, "dissemination/events/event_attendance.html", context, status=400 if form.errors else 200)


@require_POST
@permission_required("dissemination.manage_events", raise_exception=True)
def event_follow_up_done_view(request, pk):
    event = get_object_or_404(Event, pk=pk)
    try:
        event_follow_up_done(event=event, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Follow-up marked as done."))
    return redirect(
        safe_next(request, request.POST.get("next"), reverse("dissemination:event_detail", args=[event.pk]))
    )
