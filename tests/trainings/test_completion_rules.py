"""The completion rule per variant as data: staff change it on a page, it decides who completes, and
every change is in the audit trail."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import EnrolmentFactory, TrainingFactory, UserFactory
from trainings.enums import EnrolmentStatus, Variant
from trainings.models import CompletionRule
from trainings.services.attendance import attendance_record
from trainings.services.completion import completion_rule_set

pytestmark = pytest.mark.django_db


def rule(variant) -> int:
    return CompletionRule.objects.get(variant=variant).meetings_required


def change(client, variant, meetings_required):
    url = reverse("trainings:completion_rule_update", args=[variant])
    return client.post(url, {"meetings_required": str(meetings_required)})


def test_the_page_lists_every_variant_with_its_number(staff_client):
    CompletionRule.objects.filter(variant=Variant.INTERNSHIP).update(meetings_required=3)
    response = staff_client.get(reverse("trainings:completion_rules"))
    rows = {row["variant"]: row["meetings_required"] for row in response.context["rules"]}
    assert rows == {"standard": 4, "internship": 3, "in_company": 4, "train_the_trainer": 4}
    content = response.content.decode()
    assert "Stagebegeleiders (praktijkonderwijs)" in content


@pytest.mark.parametrize("delete_rules", [False, True])
def test_the_list_runs_one_query_with_or_without_rows(staff_client, django_assert_num_queries, delete_rules):
    if delete_rules:
        CompletionRule.objects.all().delete()
    # The user; the rules.
    with django_assert_num_queries(2):
        response = staff_client.get(reverse("trainings:completion_rules"))
    assert len(response.context["rules"]) == len(Variant.values)


def test_staff_change_the_rule_on_the_page(staff_client):
    response = change(staff_client, "internship", 3)
    assert response.status_code == 302
    assert response["Location"] == reverse("trainings:completion_rules")
    assert rule("internship") == 3
    assert rule("standard") == 4


def test_the_edit_page_starts_from_the_stored_number(staff_client):
    CompletionRule.objects.filter(variant="train_the_trainer").update(meetings_required=5)
    response = staff_client.get(reverse("trainings:completion_rule_update", args=["train_the_trainer"]))
    assert response.context["form"]["meetings_required"].value() == 5


@pytest.mark.parametrize("number", [0, 6, -1])
def test_a_number_outside_one_to_the_meetings_of_a_run_is_a_field_error(staff_client, number):
    response = change(staff_client, "standard", number)
    assert response.status_code == 200
    assert "meetings_required" in response.context["form"].errors
    assert rule("standard") == 4


def test_the_service_refuses_what_the_form_would(settings):
    with pytest.raises(ValidationError) as refused:
        completion_rule_set(variant="standard", meetings_required=settings.TRAINING_DEFAULT_MEETINGS + 1)
    assert "meetings_required" in refused.value.message_dict
    with pytest.raises(ValidationError):
        completion_rule_set(variant="no_such_variant", meetings_required=3)


def test_a_variant_without_a_rule_gets_one_on_its_first_change(staff_client):
    CompletionRule.objects.filter(variant="in_company").delete()
    change(staff_client, "in_company", 2)
    assert rule("in_company") == 2


def test_an_unknown_variant_is_not_found(staff_client):
    assert staff_client.get(reverse("trainings:completion_rule_update", args=["unknown"])).status_code == 404
    assert change(staff_client, "unknown", 3).status_code == 404


@pytest.mark.parametrize("roles", [["trainer"], ["master_trainer"], ["ambassador"]])
def test_other_roles_are_refused(client, roles):
    client.force_login(UserFactory(roles=roles, two_factor=True))
    assert client.get(reverse("trainings:completion_rules")).status_code == 403
    assert change(client, "standard", 1).status_code == 403
    assert rule("standard") == 4


def test_the_change_is_in_the_audit_trail_with_who_made_it(staff_client, staff_user):
    change(staff_client, "standard", 3)
    changed = CompletionRule.objects.get(variant="standard")
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(CompletionRule), object_pk=str(changed.pk)
    )
    assert entry.actor == staff_user
    assert entry.changes_dict["meetings_required"] == ["4", "3"]


def test_the_rule_changed_on_the_page_changes_who_completes(staff_client):
    run = TrainingFactory(
        meetings=5, meetings__first_meeting=timezone.now() - timedelta(weeks=6), status="running", variant="standard"
    )
    first, second, third, fourth, _fifth = run.meetings.order_by("number")
    early, late = EnrolmentFactory(training=run), EnrolmentFactory(training=run)
    for meeting in (first, second):
        attendance_record(meeting=meeting, entries=[(early, True, ""), (late, True, "")], by=None)
    change(staff_client, "standard", 3)
    attendance_record(meeting=third, entries=[(early, True, ""), (late, False, "")], by=None)
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.status == EnrolmentStatus.COMPLETED
    assert late.status == EnrolmentStatus.REGISTERED
    change(staff_client, "standard", 5)
    attendance_record(meeting=fourth, entries=[(late, True, "")], by=None)
    late.refresh_from_db()
    assert late.status == EnrolmentStatus.REGISTERED  # three of five now needed five
    early.refresh_from_db()
    assert early.status == EnrolmentStatus.COMPLETED  # a completion is never undone
