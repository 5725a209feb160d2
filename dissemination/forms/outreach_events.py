"""Forms of the event pages: the event itself, the filter of the list, inviting persons (one by
one, or many at once), the attendance checklist, and a guest's answer on their personal page."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mentorwijs.accounts.models import User
from mentorwijs.forms import DateInput, ModelMultipleChoiceField

from ..enums import EventKind, RsvpAnswer, TargetGroup
from ..models import Event, Person, Region
from ..queries.outreach_events import INVITE_GROUPS
from ..services.events import SPEAKER_ROLES

PRIVACY_HELP = _("Never write anything about an employee's health or disability here.")

EVENT_FIELDS = (
    "kind",
    "title",
    "date",
    "place",
    "region",
    "description",
    "speakers",
    "outcomes",
    "follow_up",
    "follow_up_on",
)


def speaker_choices(event: Event | None):
    """Active ambassadors and trainers; someone who already spoke stays choosable after losing the role."""
    can_speak = Q(is_active=True, groups__name__in=SPEAKER_ROLES)
    if event is not None and event.pk:
        can_speak |= Q(events_spoken=event)
    return User.objects.filter(can_speak).distinct().order_by("first_name", "last_name", "pk")


class EventForm(forms.Form):
    """An event; the service checks the rules (speakers' roles, the follow-up after the event)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    speakers = ModelMultipleChoiceField(
        label=_("Ambassadors and trainers who spoke"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    outcomes = forms.CharField(
        label=_("Outcomes"), required=False, widget=forms.Textarea(attrs={"rows": 4}), help_text=PRIVACY_HELP
    )
    follow_up = forms.CharField(
        label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=PRIVACY_HELP
    )
    follow_up_on = forms.DateField(label=_("Follow up on"), required=False, widget=DateInput())

    def __init__(self, *args, event: Event | None = None, **kwargs):
        if event is not None and event.pk:
            initial = {field: getattr(event, field) for field in EVENT_FIELDS if field != "speakers"}
            initial["speakers"] = list(event.speakers.all())
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields["speakers"].queryset = speaker_choices(event)

    def service_kwargs(self) -> dict:
        return {field: self.cleaned_data[field] for field in EVENT_FIELDS}


class GuestSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search by name, email address or organisation"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class InviteForm(forms.Form):
    """The persons ticked among the search matches."""

    persons = ModelMultipleChoiceField(label=_("Invite"), queryset=Person.objects.all())


class AttendanceForm(forms.Form):
    """The checklist: the guests present (person ids) and walk-ins ticked among the search matches."""

    present = forms.TypedMultipleChoiceField(label=_("Present"), coerce=int, required=False)
    walk_ins = ModelMultipleChoiceField(label=_("Walk-ins"), queryset=Person.objects.all(), required=False)

    def __init__(self, *args, guests, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(guest.person_id, str(guest.person)) for guest in guests]
        self.fields["present"].initial = [guest.person_id for guest in guests if guest.attended]


class BulkInviteForm(forms.Form):
    """Whom to invite at once: a group (the people of organisations, past participants of trainings)
    narrowed by region and target group. The service checks that the group is not everyone."""

    group = forms.ChoiceField(label=_("Whom"), widget=forms.RadioSelect)
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False, empty_label=_("All regions")
    )
    target_group = forms.ChoiceField(
        label=_("Target group of their organisation"),
        choices=[("", _("All target groups")), *TargetGroup.choices],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(group.key, group.label) for group in INVITE_GROUPS.values()]
        self.fields["region"].help_text = _("The region means: %(meaning)s.") % {
            "meaning": "; ".join(str(group.region_help) for group in INVITE_GROUPS.values())
        }

    def service_kwargs(self) -> dict:
        return {
            "group_key": self.cleaned_data["group"],
            "region": self.cleaned_data["region"],
            "target_group": self.cleaned_data["target_group"],
        }


class RsvpForm(forms.Form):
    """A guest's answer: yes or no (one button each)."""

    answer = forms.ChoiceField(label=_("Your answer"), choices=RsvpAnswer.choices)
