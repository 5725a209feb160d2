"""Staff pages of the renewal rules and the refresher meetings with their attendance: what they change,
that renewal follows it, the audit trail, who may open them and what the lists hold."""

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from ambassadors.enums import RuleKind
from ambassadors.models import RefresherMeeting, RenewalRule
from ambassadors.services.renewal import renewal_progress
from tests.conftest import client_for
from tests.factories import CertificationFactory, UserFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def entries_for(obj):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_pk=str(obj.pk)
    ).order_by("pk")


@pytest.fixture
def holder():
    return UserFactory(roles=["trainer"], first_name="Tess", last_name="Trainer")


@pytest.fixture
def certification(holder):
    start = today() - timedelta(days=400)
    return CertificationFactory(
        holder=holder, level="trainer", valid_from=start, valid_until=start + timedelta(days=730)
    )


def progress(certification) -> dict:
    return {
        item.kind: (item.achieved, item.minimum, item.met) for item in renewal_progress(certification=certification)
    }


def rule(level, kind) -> RenewalRule:
    return RenewalRule.objects.get(level=level, kind=kind)


# --- renewal rules ---


def test_a_rule_changed_on_the_page_changes_what_renewal_asks(staff_client, staff_user, certification):
    refreshers = rule("trainer", RuleKind.REFRESHERS)
    assert progress(certification)[RuleKind.REFRESHERS] == (0, 1, False)
    response = staff_client.post(
        reverse("ambassadors:renewal_rule_update", args=[refreshers.pk]),
        {"level": "trainer", "kind": RuleKind.REFRESHERS, "minimum": "3", "minimum_score": ""},
    )
    assert response.status_code == 302
    assert progress(certification)[RuleKind.REFRESHERS] == (0, 3, False)
    entry = entries_for(refreshers).get()
    assert (entry.action, entry.actor, entry.changes["minimum"]) == (LogEntry.Action.UPDATE, staff_user, ["1", "3"])


def test_a_rule_taken_out_of_force_no_longer_holds_renewal_back_and_can_be_put_back(staff_client, certification):
    refreshers = rule("trainer", RuleKind.REFRESHERS)
    response = staff_client.post(reverse("ambassadors:renewal_rule_deactivate", args=[refreshers.pk]))
    assert response.status_code == 302
    refreshers.refresh_from_db()
    assert refreshers.active is False
    assert RuleKind.REFRESHERS not in progress(certification)
    assert entries_for(refreshers).get().changes["active"] == ["True", "False"]

    staff_client.post(reverse("ambassadors:renewal_rule_activate", args=[refreshers.pk]))
    assert progress(certification)[RuleKind.REFRESHERS] == (0, 1, False)


def test_a_new_rule_counts_for_its_level(staff_client, certification):
    response = staff_client.post(
        reverse("ambassadors:renewal_rule_create"),
        {"level": "trainer", "kind": RuleKind.SUPERVISED_RUNS, "minimum": "2", "minimum_score": ""},
    )
    assert response.status_code == 302
    added = rule("trainer", RuleKind.SUPERVISED_RUNS)
    assert progress(certification)[RuleKind.SUPERVISED_RUNS] == (0, 2, False)
    assert entries_for(added).get().action == LogEntry.Action.CREATE


def test_a_minimum_score_only_on_a_fidelity_review_rule(staff_client):
    runs = rule("trainer", RuleKind.RUNS_GIVEN)
    response = staff_client.post(
        reverse("ambassadors:renewal_rule_update", args=[runs.pk]),
        {"level": "trainer", "kind": RuleKind.RUNS_GIVEN, "minimum": "2", "minimum_score": "3.5"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["minimum_score"] == [
        "Alleen een regel over getrouwheidsbeoordelingen heeft een minimale score; laat dit leeg."
    ]
    runs.refresh_from_db()
    assert runs.minimum_score is None

    reviews = rule("trainer", RuleKind.FIDELITY_REVIEWS)
    response = staff_client.post(
        reverse("ambassadors:renewal_rule_update", args=[reviews.pk]),
        {"level": "trainer", "kind": RuleKind.FIDELITY_REVIEWS, "minimum": "1", "minimum_score": "3.5"},
    )
    assert response.status_code == 302
    reviews.refresh_from_db()
    assert str(reviews.minimum_score) == "3.50"


def test_one_rule_per_level_and_kind(staff_client):
    response = staff_client.post(
        reverse("ambassadors:renewal_rule_create"),
        {"level": "trainer", "kind": RuleKind.RUNS_GIVEN, "minimum": "5", "minimum_score": ""},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["kind"] == [
        "Voor dit niveau is er al een regel die dit telt; pas die regel aan."
    ]
    assert RenewalRule.objects.filter(level="trainer", kind=RuleKind.RUNS_GIVEN).get().minimum == 2


def test_the_rule_list_shows_every_rule_those_in_force_first(staff_client):
    rule("co_trainer", RuleKind.REFRESHERS).__class__.objects.filter(level="co_trainer").update(active=False)
    response = staff_client.get(reverse("ambassadors:renewal_rule_list"))
    listed = [(item.level, item.kind, item.active) for item in response.context["rules"]]
    assert len(listed) == RenewalRule.objects.count() == 8
    assert listed[:3] == [
        ("trainer", RuleKind.RUNS_GIVEN, True),
        ("trainer", RuleKind.FIDELITY_REVIEWS, True),
        ("trainer", RuleKind.REFRESHERS, True),
    ]
    assert listed[-2:] == [("co_trainer", RuleKind.RUNS_GIVEN, False), ("co_trainer", RuleKind.REFRESHERS, False)]


@pytest.mark.parametrize("extra", [0, 20])
def test_the_rule_list_runs_the_same_queries_however_many_rules(staff_client, extra, django_assert_num_queries):
    RenewalRule.objects.all().delete()
    kinds = list(RuleKind.values)
    levels = ["co_trainer", "trainer", "master_trainer"]
    for index in range(min(extra, len(kinds) * len(levels))):
        RenewalRule.objects.create(level=levels[index % 3], kind=kinds[index // 3], minimum=1)
    # the user with roles, the rules
    with django_assert_num_queries(2):
        response = staff_client.get(reverse("ambassadors:renewal_rule_list"))
    assert len(response.context["rules"]) == min(extra, 12)


# --- refresher meetings ---


def test_attendance_recorded_on_the_page_counts_toward_renewal(staff_client, staff_user, holder, certification):
    other = UserFactory(roles=["master_trainer"])
    held_on = today() - timedelta(days=20)
    response = staff_client.post(
        reverse("ambassadors:refresher_create"),
        {"title": " Terugkomdag  voorjaar ", "held_on": held_on.isoformat(), "attendees": [holder.pk, other.pk]},
    )
    assert response.status_code == 302
    meeting = RefresherMeeting.objects.get()
    assert (meeting.title, meeting.held_on) == ("Terugkomdag voorjaar", held_on)
    assert set(meeting.attendees.all()) == {holder, other}
    assert progress(certification)[RuleKind.REFRESHERS] == (1, 1, True)

    entries = entries_for(meeting)
    assert entries.filter(action=LogEntry.Action.CREATE, actor=staff_user).exists()
    attendance = entries.get(action=LogEntry.Action.UPDATE)
    assert attendance.actor == staff_user
    assert attendance.changes["attendees"]["type"] == "m2m"
    assert attendance.changes["attendees"]["operation"] == "add"

    # Taken off again: renewal follows.
    response = staff_client.post(
        reverse("ambassadors:refresher_update", args=[meeting.pk]),
        {"title": meeting.title, "held_on": held_on.isoformat(), "attendees": [other.pk]},
    )
    assert response.status_code == 302
    assert list(meeting.attendees.all()) == [other]
    assert progress(certification)[RuleKind.REFRESHERS] == (0, 1, False)
    assert entries_for(meeting).filter(changes__attendees__operation="delete").exists()


def test_only_trainers_and_master_trainers_can_be_recorded(staff_client):
    ambassador = UserFactory(roles=["ambassador"])
    trainer = UserFactory(roles=["trainer"])
    form = staff_client.get(reverse("ambassadors:refresher_create")).context["form"]
    assert list(form.fields["attendees"].queryset) == [trainer]
    response = staff_client.post(
        reverse("ambassadors:refresher_create"),
        {"title": "Terugkomdag", "held_on": today().isoformat(), "attendees": [ambassador.pk]},
    )
    assert response.status_code == 400
    assert "attendees" in response.context["form"].errors
    assert not RefresherMeeting.objects.exists()


def test_an_attendee_who_lost_the_role_stays_on_the_meeting(staff_client):
    former = UserFactory(roles=["trainer"])
    meeting = RefresherMeeting.objects.create(title="Terugkomdag", held_on=today())
    meeting.attendees.set([former])
    former.groups.clear()
    response = staff_client.post(
        reverse("ambassadors:refresher_update", args=[meeting.pk]),
        {"title": "Terugkomdag najaar", "held_on": today().isoformat(), "attendees": [former.pk]},
    )
    assert response.status_code == 302
    assert list(meeting.attendees.all()) == [former]


@pytest.mark.parametrize("count", [1, 25])
def test_the_refresher_pages_run_the_same_queries_however_many_rows(staff_client, count, django_assert_num_queries):
    trainers = UserFactory.create_batch(count, roles=["trainer"])
    for number in range(count):
        meeting = RefresherMeeting.objects.create(
            title=f"Terugkomdag {number}", held_on=today() - timedelta(days=number)
        )
        meeting.attendees.set(trainers[: number + 1])
    # the user with roles, the meetings with their counts
    with django_assert_num_queries(2):
        response = staff_client.get(reverse("ambassadors:refresher_list"))
    assert [item.attendee_count for item in response.context["meetings"]][:1] == [1]
    assert len(response.context["meetings"]) == count
    # the user with roles, the meeting, its attendees, whether there are choices, the choices
    with django_assert_num_queries(5):
        response = staff_client.get(reverse("ambassadors:refresher_update", args=[meeting.pk]))
    assert response.content.decode().count('name="attendees"') == count


@pytest.mark.parametrize("roles", [["ambassador"], ["trainer"], ["master_trainer"]])
def test_only_staff_keep_rules_and_refreshers(client, roles):
    refreshers = rule("trainer", RuleKind.REFRESHERS)
    meeting = RefresherMeeting.objects.create(title="Terugkomdag", held_on=today())
    client, _user = client_for(client, roles=roles, two_factor=True)
    for name in ("renewal_rule_list", "renewal_rule_create", "refresher_list", "refresher_create"):
        assert client.get(reverse(f"ambassadors:{name}")).status_code == 403
    data = {"level": "trainer", "kind": RuleKind.REFRESHERS, "minimum": "5", "title": "X", "held_on": "2026-01-01"}
    for name, pk in [
        ("renewal_rule_update", refreshers.pk),
        ("renewal_rule_deactivate", refreshers.pk),
        ("refresher_update", meeting.pk),
    ]:
        assert client.post(reverse(f"ambassadors:{name}", args=[pk]), data).status_code == 403
    refreshers.refresh_from_db()
    meeting.refresh_from_db()
    assert (refreshers.minimum, refreshers.active, meeting.title) == (1, True, "Terugkomdag")


def test_staff_reach_the_pages_from_the_quality_tabs_and_master_trainers_do_not_see_them(client, staff_client):
    page = staff_client.get(reverse("ambassadors:review_list")).content.decode()
    assert reverse("ambassadors:renewal_rule_list") in page
    assert reverse("ambassadors:refresher_list") in page
    master, _user = client_for(client, roles=["master_trainer"], two_factor=True)
    page = master.get(reverse("ambassadors:review_list")).content.decode()
    assert reverse("ambassadors:renewal_rule_list") not in page
