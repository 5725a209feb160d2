"""The processing register stays in step with the models, and only staff read it."""

from collections import Counter
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils import timezone

from mentorwijs.policy.registry import POLICIES
from mentorwijs.privacy.models import RetentionRun
from mentorwijs.privacy.register import REGISTER, retention_periods
from mentorwijs.privacy.retention import RULES, RULES_BY_KEY
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


def _related_model(dotted: str) -> str | None:
    app_label, model_name, field_name = dotted.split(".")
    field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    return field.related_model._meta.label if field.is_relation and field.related_model else None


def test_every_personal_field_has_a_retention_rule():
    """Each field of an entry (and so every personal field, see above) is covered by one of the entry's
    retention rules: the rule empties, replaces or deletes it, keeps it on a row that names nobody any
    more, or makes anonymous the row it points at."""
    uncovered = []
    for entry in REGISTER:
        rules = [RULES_BY_KEY[key] for key in entry.rules]
        for dotted in entry.fields:
            if not any(rule.covers_field(dotted, _related_model(dotted)) for rule in rules):
                uncovered.append(f"{dotted} ({entry.key})")
    assert not uncovered, (
        "Personal data without a retention rule (add one to mentorwijs/privacy/retention.py RULES and name it "
        "in the register entry's rules): " + ", ".join(uncovered)
    )


def test_every_retention_rule_is_named_by_the_register_and_every_name_is_a_rule():
    named = {key for entry in REGISTER for key in entry.rules}
    assert named <= set(RULES_BY_KEY), "unknown rules in the register: " + ", ".join(sorted(named - set(RULES_BY_KEY)))
    assert set(RULES_BY_KEY) <= named, "rules no register entry names: " + ", ".join(sorted(set(RULES_BY_KEY) - named))


def test_every_rule_has_a_period_of_the_registry_and_fields_that_exist():
    from mentorwijs.policy.registry import POLICIES_BY_KEY, RETENTION

    for rule in RULES:
        assert all((rule.label, rule.counted_from, rule.action)), rule.key
        if rule.policy is not None:
            policy = POLICIES_BY_KEY[rule.policy]
            assert policy.group == RETENTION, rule.key
            assert rule.default == policy.default > 0, rule.key
            assert rule.unit == policy.unit, rule.key
            assert rule.unit in ("years", "days"), rule.key
        for dotted in (*rule.fields, *rule.keeps):
            app_label, model_name, field_name = dotted.split(".")
            apps.get_model(app_label, model_name)._meta.get_field(field_name)
        for label in rule.anonymises:
            apps.get_model(label)


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
    periods = {policy.key.removeprefix("retention_"): policy.default for policy in POLICIES}  # no database here
    keys = [entry.key for entry in REGISTER]
    assert len(keys) == len(set(keys))
    for entry in REGISTER:
        for part in (entry.fields, entry.purpose, entry.legal_basis, entry.retention, entry.access):
            assert part, entry.key
        assert "{" not in entry.retention_text(periods), entry.key


# The page


@pytest.mark.django_db
def test_staff_read_the_register_with_the_periods_staff_set(staff_client, policy):
    policy(retention_outreach_notes_years=4)
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


# The retention rules on the register page


@pytest.mark.django_db
def test_the_register_shows_every_rule_with_its_period_and_what_it_did(staff_client, policy):
    policy(retention_directory_years=4)
    now = timezone.now()
    RetentionRun.objects.create(
        started_at=now - timedelta(days=400), finished_at=now, counts={"directory_people_anonymised": 100}
    )
    RetentionRun.objects.create(
        started_at=now - timedelta(days=2), finished_at=now, counts={"directory_people_anonymised": 5}
    )
    RetentionRun.objects.create(
        started_at=now - timedelta(hours=3),
        finished_at=now,
        counts={"directory_people_anonymised": 7, "caught_mail_deleted": 0},
        failed=["evidence_files_deleted"],
        rows_failed={"directory_people_anonymised": 2},
    )

    response = staff_client.get(reverse("privacy:register"))

    content = response.content.decode()
    rows = {row["rule"].key: row for row in response.context["rules"]}
    assert set(rows) == {rule.key for rule in RULES}
    directory = rows["directory_people_anonymised"]
    assert (directory["period"], directory["default"]) == ("4 jaar", "3 jaar")
    assert (directory["latest"], directory["year"]) == (7, 12)  # the run of 400 days ago is not in the year
    assert rows["caught_mail_deleted"]["latest"] == 0
    assert rows["evidence_files_deleted"]["failed"]
    assert (directory["rows_failed"], rows["caught_mail_deleted"]["rows_failed"]) == (2, 0)
    failed_rows = content.split('data-testid="rule-directory_people_anonymised"', 1)[1].split("</tr>", 1)[0]
    assert '<span class="badge text-bg-warning" data-testid="rows-failed">2 rijen mislukt</span>' in failed_rows
    assert content.count('data-testid="rows-failed"') == 1
    assert rows["expired_sessions_deleted"]["period"] == "bij het verlopen"
    for rule in RULES:
        assert f'data-testid="rule-{rule.key}"' in content
    assert 'data-testid="run-overdue"' not in content
    assert 'data-testid="latest-run"' in content


@pytest.mark.django_db
def test_the_register_warns_when_the_task_has_not_run_lately(staff_client):
    assert 'data-testid="run-overdue"' in staff_client.get(reverse("privacy:register")).content.decode()
    RetentionRun.objects.create(started_at=timezone.now() - timedelta(days=3), finished_at=timezone.now())
    assert 'data-testid="run-overdue"' in staff_client.get(reverse("privacy:register")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("runs", [1, 40])
def test_the_register_reads_a_fixed_number_of_queries(staff_client, runs, django_assert_num_queries):
    for number in range(runs):
        RetentionRun.objects.create(
            started_at=timezone.now() - timedelta(days=number), finished_at=timezone.now(), counts={"x": 1}
        )
    # The user; the periods (mentorwijs.policy, read once for the rules and the entries); the runs.
    with django_assert_num_queries(3):
        assert staff_client.get(reverse("privacy:register")).status_code == 200


@pytest.mark.django_db
def test_the_register_leads_to_the_account_pages(staff_client):
    assert reverse("privacy:account_list") in staff_client.get(reverse("privacy:register")).content.decode()
