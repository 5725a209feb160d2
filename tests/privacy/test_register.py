"""The processing register stays in step with the models, and only staff read it."""

from collections import Counter

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse

from mentorwijs.privacy.register import REGISTER, retention_periods
from tests.conftest import client_for

PROJECT_APPS = {"accounts", "outbox", "dissemination", "trainings", "ambassadors", "overview", "privacy"}

# The rule. A model holds personal data when it is one of these, has a relation to one of them, or has a
# field named like an email address. In such a model a field is personal when it is a relation to one of
# these models, or when its name (split on "_") holds one of the words below.
PERSON_MODELS = {
    "accounts.User",
    "accounts.Invitation",
    "dissemination.Person",
    "dissemination.Subscriber",
    "trainings.Enrolment",
    "ambassadors.Ambassador",
}
PERSONAL_WORDS = {
    "name", "email", "phone", "address", "recipients", "note", "notes", "remarks", "reason", "wishes",
    "proof", "person", "detail", "outcomes", "follow",
}  # fmt: skip


def _fields(model):
    return [
        field for field in model._meta.get_fields() if field.concrete or (field.many_to_many and not field.auto_created)
    ]


def _points_at_a_person(field) -> bool:
    return bool(field.is_relation and field.related_model and field.related_model._meta.label in PERSON_MODELS)


def personal_fields() -> set[str]:
    found = set()
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        fields = _fields(model)
        holds_personal_data = (
            model._meta.label in PERSON_MODELS
            or any(_points_at_a_person(field) for field in fields)
            or any("email" in field.name.split("_") for field in fields)
        )
        if not holds_personal_data:
            continue
        for field in fields:
            if field.primary_key:
                continue
            if _points_at_a_person(field) or set(field.name.split("_")) & PERSONAL_WORDS:
                found.add(f"{model._meta.label}.{field.name}")
    return found


def registered_fields() -> Counter:
    return Counter(field for entry in REGISTER for field in entry.fields)


def test_every_personal_field_is_in_the_register():
    missing = sorted(personal_fields() - set(registered_fields()))
    assert not missing, (
        "Personal data without an entry in the processing register (mentorwijs/privacy/register.py): "
        + ", ".join(missing)
    )


def test_no_field_is_in_two_entries():
    twice = sorted(field for field, count in registered_fields().items() if count > 1)
    assert not twice, "Fields in more than one register entry: " + ", ".join(twice)


def test_every_registered_field_exists():
    unknown = []
    for field in registered_fields():
        app_label, model_name, field_name = field.split(".")
        try:
            apps.get_model(app_label, model_name)._meta.get_field(field_name)
        except (LookupError, FieldDoesNotExist):
            unknown.append(field)
    assert not unknown, "The register names fields that do not exist: " + ", ".join(sorted(unknown))


def test_the_rule_finds_the_obvious_personal_fields():
    assert {
        "dissemination.Person.email",
        "dissemination.Person.phone",
        "dissemination.Subscriber.email",
        "dissemination.OutreachContact.notes",
        "trainings.Evaluation.remarks",
        "trainings.Attendance.absence_reason",
        "trainings.Enrolment.person",
        "ambassadors.Certification.holder",
        "outbox.CaughtMail.recipients",
    } <= personal_fields()
    assert "dissemination.Organisation.name" not in personal_fields()


def test_every_entry_is_complete_and_its_retention_text_formats():
    keys = [entry.key for entry in REGISTER]
    assert len(keys) == len(set(keys))
    for entry in REGISTER:
        for part in (entry.fields, entry.purpose, entry.legal_basis, entry.retention, entry.access):
            assert part, entry.key
        assert "{" not in entry.retention_text(), entry.key


# The page


@pytest.mark.django_db
def test_staff_read_the_register_with_the_periods_from_settings(staff_client, settings):
    settings.RETENTION_OUTREACH_NOTES_YEARS = 4
    response = staff_client.get(reverse("privacy:register"))

    assert response.status_code == 200
    content = response.content.decode()
    for entry in REGISTER:
        assert f'data-testid="register-{entry.key}"' in content
    assert "dissemination.OutreachContact.notes" not in content  # shown by verbose names, not dotted paths
    assert retention_periods()["outreach_notes_years"] == 4
    outreach = next(row for row in response.context["entries"] if row["entry"].key == "outreach")
    assert "4" in outreach["retention"]


@pytest.mark.django_db
@pytest.mark.parametrize("roles", [["master_trainer"], ["trainer"], ["ambassador"]])
def test_others_may_not_read_the_register(client, roles):
    client, _user = client_for(client, roles=roles, two_factor=True)
    assert client.get(reverse("privacy:register")).status_code == 403


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse("privacy:register"))
    assert response.status_code == 302
    assert "/login/" in response.url or "/inloggen/" in response.url or "login" in response.url
