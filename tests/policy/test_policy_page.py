"""The periods and limits (mentorwijs.policy): data with a staff page, each change in the audit trail,
and the services follow the value staff set."""

import importlib
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ambassadors.services.certification import certification_approve, certification_request
from dissemination.enums import MailEventKind, SubscriberStatus
from dissemination.services.bounces import mail_event_record
from mentorwijs.policy.models import PolicyValue
from mentorwijs.policy.queries import policy_value, policy_values
from mentorwijs.policy.registry import DEFAULTS, GROUPS, POLICIES
from mentorwijs.policy.services import policy_value_set
from mentorwijs.privacy.tasks import apply_retention_task
from tests.factories import (
    CertificationFactory,
    EnrolmentFactory,
    MeetingFactory,
    SubscriberFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.enums import Variant

pytestmark = pytest.mark.django_db


def change(client, key, value):
    return client.post(reverse("policy:update", args=[key]), {"value": str(value)})


def stored(key):
    return PolicyValue.objects.get(key=key).value


def test_the_migration_made_a_row_with_the_default_for_every_key():
    assert dict(PolicyValue.objects.values_list("key", "value")) == DEFAULTS


def test_the_migration_carries_over_a_value_set_in_the_former_environment_variable(monkeypatch):
    migration = importlib.import_module("mentorwijs.policy.migrations.0002_values")
    PolicyValue.objects.all().delete()
    monkeypatch.setenv("RETENTION_PARTICIPANT_YEARS", "7")
    monkeypatch.setenv("SOFT_BOUNCE_LIMIT", "nonsense")
    migration.create_values(apps, None)
    assert stored("retention_participant_years") == 7
    assert stored("soft_bounce_limit") == 3
    assert stored("waitlist_offer_hours") == 48


def test_a_key_without_a_row_has_its_default():
    PolicyValue.objects.filter(key="certification_valid_years").delete()
    assert policy_value("certification_valid_years") == 2
    assert policy_values()["certification_valid_years"] == 2


# --- the page ---


def test_the_page_shows_every_value_per_group(staff_client):
    PolicyValue.objects.filter(key="retention_participant_years").update(value=7)
    response = staff_client.get(reverse("policy:list"))
    assert response.status_code == 200
    groups = response.context["groups"]
    assert [group["key"] for group in groups] == list(GROUPS)
    assert sorted(row["policy"].key for group in groups for row in group["rows"]) == sorted(DEFAULTS)
    content = response.content.decode()
    row = content.split('data-testid="policy-row-retention_participant_years"')[1].split("</tr>")[0]
    assert "7 jaar" in row
    assert "standaard 5 jaar" in row
    assert "48 uur" in content
    assert "volgende nachtelijke" in content  # a shorter period deletes at the next nightly run


@pytest.mark.parametrize("rows", [0, len(POLICIES)])
def test_the_page_runs_a_fixed_number_of_queries(staff_client, django_assert_num_queries, rows):
    PolicyValue.objects.exclude(key__in=[policy.key for policy in POLICIES[:rows]]).delete()
    # The user; the values.
    with django_assert_num_queries(2):
        response = staff_client.get(reverse("policy:list"))
    assert sum(len(group["rows"]) for group in response.context["groups"]) == len(POLICIES)


def test_the_settings_page_links_to_it(staff_client):
    response = staff_client.get(reverse("overview:settings"))
    assert reverse("policy:list") in response.content.decode()


def test_staff_change_a_value_on_the_page(staff_client):
    response = change(staff_client, "waitlist_offer_hours", 24)
    assert response.status_code == 302
    assert response["Location"] == reverse("policy:list")
    assert stored("waitlist_offer_hours") == 24
    assert stored("retention_participant_years") == 5


def test_the_edit_page_starts_from_the_stored_value_and_warns_for_a_retention_period(staff_client):
    PolicyValue.objects.filter(key="retention_evidence_days").update(value=120)
    response = staff_client.get(reverse("policy:update", args=["retention_evidence_days"]))
    assert response.context["form"].initial["value"] == 120
    assert 'data-testid="retention-warning"' in response.content.decode()
    assert response.context["group_label"] == "Bewaartermijnen"
    response = staff_client.get(reverse("policy:update", args=["soft_bounce_limit"]))
    assert 'data-testid="retention-warning"' not in response.content.decode()


@pytest.mark.parametrize("value", ["0", "21", "-3", "vijf", ""])
def test_a_value_outside_the_range_is_a_field_error(staff_client, value):
    response = staff_client.post(reverse("policy:update", args=["retention_participant_years"]), {"value": value})
    assert response.status_code == 200
    errors = response.context["form"].errors["value"]
    assert errors
    if value in ("0", "21", "-3"):
        assert errors == ["Kies een getal van 1 tot en met 20."]
    assert stored("retention_participant_years") == 5
    assert not LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(PolicyValue)).exists()


def test_the_service_refuses_what_the_page_would():
    staff = UserFactory(roles=["staff"])
    with pytest.raises(ValidationError) as refused:
        policy_value_set(key="soft_bounce_limit", value=21, by=staff)
    assert "value" in refused.value.error_dict
    with pytest.raises(ValidationError):
        policy_value_set(key="no_such_key", value=3, by=staff)
    assert stored("soft_bounce_limit") == 3


def test_an_unknown_key_is_not_found(staff_client):
    assert staff_client.get(reverse("policy:update", args=["no_such_key"])).status_code == 404
    assert change(staff_client, "no_such_key", 3).status_code == 404


@pytest.mark.parametrize("roles", [["trainer"], ["master_trainer"], ["ambassador"]])
def test_other_roles_are_refused(client, roles):
    client.force_login(UserFactory(roles=roles, two_factor=True))
    assert client.get(reverse("policy:list")).status_code == 403
    assert client.get(reverse("policy:update", args=["soft_bounce_limit"])).status_code == 403
    assert change(client, "retention_participant_years", 1).status_code == 403
    assert stored("retention_participant_years") == 5


def audit_entries(key):
    row = PolicyValue.objects.get(key=key)
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(PolicyValue), object_pk=str(row.pk))


def test_the_change_is_in_the_audit_trail_with_who_made_it(staff_client, staff_user):
    change(staff_client, "retention_caught_mail_days", 30)
    entry = audit_entries("retention_caught_mail_days").get()
    assert entry.actor == staff_user
    assert entry.changes_dict["value"] == ["90", "30"]


def test_a_change_outside_a_request_names_who_made_it():
    staff = UserFactory(roles=["staff"])
    policy_value_set(key="soft_bounce_limit", value=5, by=staff)
    policy_value_set(key="soft_bounce_limit", value=5, by=staff)  # no change, no entry
    entry = audit_entries("soft_bounce_limit").get()
    assert entry.actor == staff
    assert entry.changes_dict["value"] == ["3", "5"]


# --- the services follow the value set on the page ---


def former_participant(*, run_ended):
    training = TrainingFactory(status="completed")
    MeetingFactory(training=training, number=1, starts_at=run_ended - timedelta(hours=3), ends_at=run_ended)
    return EnrolmentFactory(training=training, status="completed", created_at=run_ended - timedelta(weeks=6)).person


def test_a_shorter_participant_period_anonymises_at_the_next_nightly_run(staff_client):
    person = former_participant(run_ended=timezone.now() - relativedelta(years=3))
    apply_retention_task.delay()
    person.refresh_from_db()
    assert person.first_name != "Verwijderd"  # five years by default

    change(staff_client, "retention_participant_years", 2)
    apply_retention_task.delay()
    person.refresh_from_db()
    assert person.first_name == "Verwijderd"


def test_a_different_validity_changes_the_end_of_an_approved_certification(staff_client):
    change(staff_client, "certification_valid_years", 3)
    reviewer = UserFactory(roles=["master_trainer"], two_factor=True)
    CertificationFactory(holder=reviewer, level="master_trainer")
    requested = certification_request(
        holder=UserFactory(roles=["trainer"]),
        level="trainer",
        training=TrainingFactory(variant=Variant.TRAIN_THE_TRAINER, status="completed"),
        note="Twee runs gegeven",
    )
    certification_approve(certification=requested, reviewer=reviewer)
    requested.refresh_from_db()
    assert requested.valid_until == timezone.localdate() + relativedelta(years=3)


def test_a_lower_soft_bounce_limit_stops_newsletters_sooner(staff_client):
    change(staff_client, "soft_bounce_limit", 1)
    subscriber = SubscriberFactory(status=SubscriberStatus.CONFIRMED)
    mail_event_record(email=subscriber.email, kind=MailEventKind.SOFT_BOUNCE, detail="mailbox full")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.BOUNCED


def test_the_register_and_the_public_page_show_the_value_set_on_the_page(staff_client, client):
    change(staff_client, "retention_participant_years", 7)
    public = client.get(reverse("privacy:retention")).content.decode()
    assert "7 jaar na de laatste bijeenkomst" in public
    register = staff_client.get(reverse("privacy:register"))
    row = next(row for row in register.context["rules"] if row["rule"].key == "participants_anonymised")
    assert row["period"] == "7 jaar"
    assert reverse("policy:update", args=["retention_participant_years"]) in register.content.decode()
