"""The admin's side of the fuzzing (tests/security/test_admin_fuzz.py): one row of each registered
model, the form a browser would post from an admin page, and the hostile query strings and list
actions. The strategies and the form checks are those of fuzz.py."""

from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

from django import forms
from django.contrib import admin
from django.contrib.admin.views.main import ALL_VAR, ERROR_FLAG, IS_FACETS_VAR, ORDER_VAR, PAGE_VAR, SEARCH_VAR
from django.core import validators
from django.core.mail import EmailMessage
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st

from tests.factories import (
    AmbassadorFactory,
    CertificationFactory,
    EnrolmentFactory,
    EvaluationFactory,
    InvitationFactory,
    LocationFactory,
    MaterialFactory,
    OrganisationFactory,
    OutreachContactFactory,
    PersonFactory,
    TrainingFactory,
    UserFactory,
)

from .fuzz import Field, hostile_text, hostile_value, numbers

ROLES = ["superuser"]  # the admin is a superuser's last resort (issue 15)

# Every model registered in the admin, ours and third-party ones (walked at import, so a new admin
# is fuzzed without being listed here).
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def login(client, role):
    user = UserFactory(roles=["staff"] if role == "staff" else [], is_superuser=role == "superuser", two_factor=True)
    client.force_login(user)
    return user


def _mail():
    from mentorwijs.outbox.models import CaughtMail

    message = EmailMessage("Welkom bij Mentorwijs", "Hallo", "info@mentorwijs.nl", ["a@example.org"]).message()
    return CaughtMail.objects.create(
        from_email="info@mentorwijs.nl", recipients="a@example.org", subject="Welkom", raw=message.as_bytes()
    )


def _periodic_task():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    interval = IntervalSchedule.objects.create(every=10, period=IntervalSchedule.MINUTES)
    return PeriodicTask.objects.create(name="Fuzz", task="trainings.send_due_messages", interval=interval)


def _attendance():
    from trainings.models import Attendance

    training = TrainingFactory(meetings=1)
    enrolment = EnrolmentFactory(training=training)
    return Attendance.objects.create(enrolment=enrolment, meeting=training.meetings.get(), present=True)


def _certificate():
    from trainings.models import Certificate

    return Certificate.objects.create(enrolment=EnrolmentFactory(status="completed"))


def _scheduled_message():
    from trainings.models import ScheduledMessage

    return ScheduledMessage.objects.create(
        kind="enrolment_confirmed", due_at=timezone.now(), enrolment=EnrolmentFactory()
    )


def _refresher():
    from ambassadors.models import RefresherMeeting

    meeting = RefresherMeeting.objects.create(title="Terugkomdag", held_on=timezone.localdate())
    meeting.attendees.add(UserFactory(roles=["trainer"]))
    return meeting


def _certification_event():
    from ambassadors.models import CertificationEvent

    return CertificationEvent.objects.create(certification=CertificationFactory(), action="requested")


def _certification_notice():
    from ambassadors.models import CertificationNotice

    return CertificationNotice.objects.create(
        certification=CertificationFactory(), kind="requested", due_at=timezone.now()
    )


def _offer():
    from ambassadors.models import AssignmentOffer

    return AssignmentOffer.objects.create(
        training=TrainingFactory(), trainer=UserFactory(roles=["trainer"]), role="lead"
    )


def _fidelity_review():
    from ambassadors.models import FidelityReview

    trainer = UserFactory(roles=["trainer"])
    return FidelityReview.objects.create(training=TrainingFactory(), kind="self_report", reviewer=trainer, average=3)


def _authenticator():
    user = UserFactory(two_factor=True)
    authenticator = user.authenticator_set.get()
    authenticator.last_used_at = timezone.now()  # the admin's form requires it
    authenticator.save()
    return authenticator


def _schedule(name, **values):
    def make():
        from django.apps import apps

        return apps.get_model("django_celery_beat", name).objects.create(**values)

    return make


# One row of a registered model (with what it needs). Models whose rows exist after migrate
# (regions, renewal rules, role groups) or after logging in (the user's email address and audit
# entries) need none.
MAKERS = {
    "mfa.Authenticator": _authenticator,
    "accounts.User": lambda: UserFactory(roles=["trainer"], first_name="Fenna", last_name="Bakker"),
    "accounts.Invitation": InvitationFactory,
    "outbox.CaughtMail": _mail,
    "dissemination.Organisation": OrganisationFactory,
    "dissemination.Person": lambda: PersonFactory(first_name="Sanne", last_name="de Vries"),
    "dissemination.OutreachContact": OutreachContactFactory,
    "dissemination.Material": MaterialFactory,
    "trainings.Location": LocationFactory,
    "trainings.Training": lambda: TrainingFactory(meetings=1),
    "trainings.Meeting": lambda: TrainingFactory(meetings=1).meetings.get(),
    "trainings.Enrolment": EnrolmentFactory,
    "trainings.Attendance": _attendance,
    "trainings.Certificate": _certificate,
    "trainings.Evaluation": EvaluationFactory,
    "trainings.ScheduledMessage": _scheduled_message,
    "ambassadors.RefresherMeeting": _refresher,
    "ambassadors.Certification": CertificationFactory,
    "ambassadors.CertificationEvent": _certification_event,
    "ambassadors.CertificationNotice": _certification_notice,
    "ambassadors.Ambassador": AmbassadorFactory,
    "ambassadors.AssignmentOffer": _offer,
    "ambassadors.FidelityReview": _fidelity_review,
    "django_celery_beat.PeriodicTask": _periodic_task,
    "django_celery_beat.IntervalSchedule": _schedule("IntervalSchedule", every=5, period="minutes"),
    "django_celery_beat.CrontabSchedule": _schedule("CrontabSchedule", minute="30", hour="2"),
    "django_celery_beat.SolarSchedule": _schedule(
        "SolarSchedule", event="sunrise", latitude=Decimal("52.09"), longitude=Decimal("5.12")
    ),
    "django_celery_beat.ClockedSchedule": _schedule("ClockedSchedule", clocked_time=timezone.now() + timedelta(days=1)),
}

# Text fields whose content is not free text (JSON, a task name that the registered task replaces):
# their valid value is kept as the page had it, and they get hostile input like any other field.
NOT_FREE_TEXT = {
    "django_celery_beat.PeriodicTask": {"task", "args", "kwargs", "headers"},
}

# Values an add form needs besides the ones of the existing row, which unique constraints refuse.
ADD_VALUES = {
    "account.EmailAddress": {"email": "nieuw@example.org", "primary": None},
    "mfa.Authenticator": {"type": "recovery_codes"},
    "django_celery_beat.IntervalSchedule": {"every": "7"},
    "django_celery_beat.CrontabSchedule": {"minute": "15"},
    "django_celery_beat.SolarSchedule": {"latitude": "51.5"},
    "django_celery_beat.ClockedSchedule": {"clocked_time_0": "2030-01-01"},
    "dissemination.Person": {"email": "nieuw@example.org"},
    "ambassadors.RenewalRule": {"level": "co_trainer", "kind": "fidelity_reviews"},
}


def an_object(model):
    """A row of `model` to change and to select in list actions."""
    label = model._meta.label
    if label in MAKERS:
        return MAKERS[label]()
    row = model._default_manager.order_by("pk").first()
    assert row is not None, f"{label} has no row after migrate: add a maker to MAKERS in tests/security/admin_fuzz.py"
    return row


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def rows(model):
    """Every row of the model with its many-to-many ids: compared before and after a refusal."""
    many = [field.name for field in model._meta.many_to_many]
    found = []
    for obj in model._default_manager.order_by("pk").prefetch_related(*many):
        values = {field.attname: field.value_from_object(obj) for field in model._meta.concrete_fields}
        values.update({name: sorted(other.pk for other in getattr(obj, name).all()) for name in many})
        found.append(values)
    return found


class _FormReader(HTMLParser):
    """What a browser posts for one form: inputs (ticked boxes only), selects and text areas."""

    SKIPPED = {"submit", "button", "reset", "image", "file"}

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.pairs = form_id, False, []
        self.select = self.textarea = self.option = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in self.SKIPPED or (kind in ("checkbox", "radio") and "checked" not in attrs):
                return
            self.pairs.append((name, attrs.get("value") or ("on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self.select is not None:
            self.option = [attrs.get("value"), "selected" in attrs, ""]
            self.select["options"].append(self.option)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data
        elif self.option is not None:
            self.option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "option":
            self.option = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.pairs.append((name, text[1:] if text.startswith("\n") else text))  # as browsers read it
            self.textarea = None
        elif tag == "select" and self.select is not None:
            options = [(value if value is not None else text, chosen) for value, chosen, text in self.select["options"]]
            chosen = [value for value, selected in options if selected]
            if not chosen and options and not self.select["multiple"]:
                chosen = [options[0][0]]  # a browser sends the first option of a single select
            self.pairs.extend((self.select["name"], value) for value in chosen)
            self.select = None


def browser_data(html: str, form_id: str) -> dict:
    reader = _FormReader(form_id)
    reader.feed(html)
    data = {}
    for name, value in reader.pairs:
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def is_free_text(form_field) -> bool:
    """A plain CharField without checks of its content (email, URL, JSON, cron and the like are not)."""
    basic = (validators.MaxLengthValidator, validators.MinLengthValidator, validators.ProhibitNullCharactersValidator)
    return type(form_field) is forms.CharField and all(isinstance(v, basic) for v in form_field.validators)


# Keys the admin's change form reads besides the fields: where to go after saving.
FORM_EXTRAS = ["_continue", "_addanother", "_changelist_filters", "_to_field"]


def form_fields(model, form, data: dict) -> dict[str, Field]:
    """The case's fields: the browser's values as the valid ones, free text as text."""
    free = {name for name, field in form.fields.items() if is_free_text(field)}
    free -= NOT_FREE_TEXT.get(model._meta.label, set())
    fields = {}
    for name, value in data.items():
        if name in free:
            fields[name] = Field("text", value, form.fields[name].max_length, form.fields[name].required)
        else:
            fields[name] = Field("value", value)
    for name in [*form.fields, *FORM_EXTRAS]:
        fields.setdefault(name, Field("value", None))  # not posted by a browser; hostile input may send it
    return fields


# Ids that only look like ids: int() refuses "²" and 5,000 digits, the database 2**63.
HOSTILE_IDS = ["²", "١٢", "9" * 5000, str(2**63), str(-(2**63) - 1), "-1", "0", "1.5", "1e3", "", " ", "0x10", "abc"]
UNKNOWN_ACTIONS = ["", "nope", "delete_selected", "__init__", "get_actions", "<script>alert(1)</script>"]

# --- the changelist's query string ---


def changelist_keys(cl) -> list[str]:
    """The parameters this changelist reads (its date hierarchy and filters first), and some it
    must refuse."""
    keys = [f"{cl.date_hierarchy}__{part}" for part in ("year", "month", "day")] if cl.date_hierarchy else []
    for spec in cl.filter_specs:
        keys += spec.expected_parameters()
    keys += [SEARCH_VAR, ORDER_VAR, PAGE_VAR, ALL_VAR, ERROR_FLAG, IS_FACETS_VAR, "_popup", "_to_field"]
    return [*keys, "pk__in", "id__gt", "password__startswith", "email__regex", "groups__name"]


def hostile_query(keys: list[str]):
    """Up to five parameters, mostly the page's own, each a hostile value or a list of them."""
    key = st.one_of(st.sampled_from(keys), st.sampled_from(keys), hostile_text.map(lambda text: text[:40]))
    return st.dictionaries(key, st.one_of(st.sampled_from(HOSTILE_IDS), hostile_value), min_size=1, max_size=5)


# --- list actions ---


def hostile_action(actions: list[str], ids: list[str]):
    """A list-action POST: a real or unknown action, selected ids real or hostile, the action's
    index, select_across, and the delete confirmation's `post`."""
    # (hypothesis starts from the first choice of each one_of: the hostile ids)
    selected = st.lists(st.one_of(st.sampled_from(HOSTILE_IDS), numbers, st.sampled_from(ids)), min_size=1, max_size=4)
    # Mostly a real action: an unknown one is refused before any id is looked at.
    action = st.one_of(st.sampled_from(UNKNOWN_ACTIONS), hostile_value)
    if actions:
        action = st.one_of(st.sampled_from(actions), st.sampled_from(actions), st.sampled_from(actions), action)
    return st.fixed_dictionaries(
        {"action": action, "_selected_action": selected},
        optional={
            "index": st.one_of(st.just("0"), numbers),
            "select_across": st.sampled_from(["0", "1", "", "ja", "<b>"]),
            "post": st.just("yes"),
        },
    )


def key_in_range(model, value) -> bool:
    """Could the database be asked for this id (what Django's int() and the column allow)?"""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return False
    low, high = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
    return low <= number <= high


def action_may_change(model, data: dict, actions: list[str], ids: list[str]) -> bool:
    """Rows may change only for a known action with selected ids that are all proper keys, some of
    which exist (or all rows, with select_across). Anything else must change nothing."""
    posted = data["action"] if isinstance(data["action"], list) else [data["action"]]
    selected = data.get("_selected_action") or []
    if not set(posted) & set(actions) or not selected:
        return False
    if not all(key_in_range(model, value) for value in selected):
        return False
    return "select_across" in data or any(str(int(value)) in ids for value in selected)
