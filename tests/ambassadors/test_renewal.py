"""Renewal progress against the rules, the lapse on the day, the trainer's own page and the admin."""

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassadors.enums import CertificationAction, CertificationStatus, NoticeKind, RuleKind
from ambassadors.models import (
    CertificationEvent,
    CertificationNotice,
    FidelityReview,
    RefresherMeeting,
    RenewalRule,
)
from ambassadors.services.notices import warnings_schedule
from ambassadors.services.renewal import certifications_expire, renewal_progress
from ambassadors.tasks import expire_certifications
from tests.factories import AssignmentFactory, CertificationFactory, TrainingFactory, UserFactory
from trainings.enums import MessageStatus

pytestmark = pytest.mark.django_db


def today():
    """The day the test runs (a module constant would be the day the tests were collected)."""
    return timezone.localdate()


def valid_from():
    """The start of the certification whose renewal the tests check."""
    return today() - timedelta(days=400)


def at(day, hour=18):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def run_given(trainer, *, role="lead", first_meeting_day, meetings=3, status="completed"):
    """A run with weekly meetings from `first_meeting_day` that `trainer` gave in `role`."""
    run = TrainingFactory(meetings=meetings, meetings__first_meeting=at(first_meeting_day), status=status)
    if trainer is not None:
        AssignmentFactory(training=run, trainer=trainer, role=role)
    return run


def review(run, *, average, submitted_on=None, kind="observation", reviewer=None):
    submitted_on = submitted_on or today() - timedelta(days=10)
    return FidelityReview.objects.create(
        training=run,
        kind=kind,
        reviewer=reviewer or UserFactory(roles=["master_trainer"]),
        average=Decimal(average),
        submitted_at=at(submitted_on, 12),
    )


def refresher(*attendees, held_on):
    meeting = RefresherMeeting.objects.create(title="Terugkomdag", held_on=held_on)
    meeting.attendees.set(attendees)
    return meeting


def progress_by_kind(certification, **kwargs):
    return {item.kind: item for item in renewal_progress(certification=certification, **kwargs)}


@pytest.fixture
def holder():
    return UserFactory(roles=["trainer"])


@pytest.fixture
def certification(holder):
    return CertificationFactory(
        holder=holder, level="trainer", valid_from=valid_from(), valid_until=valid_from() + timedelta(days=730)
    )


# --- renewal progress ---


def test_runs_given_counts_completed_runs_as_lead_or_co_trainer_ending_in_the_period(holder, certification):
    run_given(holder, role="lead", first_meeting_day=today() - timedelta(days=100))
    run_given(holder, role="co_trainer", first_meeting_day=today() - timedelta(days=200))
    # Started before the period but its last meeting fell within it: counts.
    run_given(holder, role="lead", first_meeting_day=valid_from() - timedelta(days=7))
    # None of these count:
    run_given(holder, role="candidate", first_meeting_day=today() - timedelta(days=100))
    run_given(holder, role="lead", first_meeting_day=today() - timedelta(days=60), status="running")
    run_given(holder, role="lead", first_meeting_day=valid_from() - timedelta(days=60))  # ended before the period
    run_given(UserFactory(roles=["trainer"]), first_meeting_day=today() - timedelta(days=100))  # someone else's

    item = progress_by_kind(certification)[RuleKind.RUNS_GIVEN]
    assert (item.achieved, item.minimum, item.met) == (3, 2, True)


def test_a_run_ending_after_the_certification_expired_does_not_count(holder):
    lapsed = CertificationFactory(
        holder=holder,
        status="expired",
        valid_from=today() - timedelta(days=800),
        valid_until=today() - timedelta(days=70),
    )
    run_given(holder, first_meeting_day=today() - timedelta(days=40))
    run_given(holder, first_meeting_day=today() - timedelta(days=120))
    item = progress_by_kind(lapsed)[RuleKind.RUNS_GIVEN]
    assert (item.achieved, item.met) == (1, False)


def test_supervised_runs_count_runs_given_as_candidate(holder, certification):
    RenewalRule.objects.create(level="trainer", kind=RuleKind.SUPERVISED_RUNS, minimum=2)
    run_given(holder, role="candidate", first_meeting_day=today() - timedelta(days=100))
    run_given(holder, role="lead", first_meeting_day=today() - timedelta(days=100))
    run_given(holder, role="candidate", first_meeting_day=today() - timedelta(days=30), status="running")
    item = progress_by_kind(certification)[RuleKind.SUPERVISED_RUNS]
    assert (item.achieved, item.minimum, item.met) == (1, 2, False)


def test_fidelity_reviews_count_reviews_of_own_runs_in_the_period_reaching_the_minimum_score(holder, certification):
    led = run_given(holder, role="lead", first_meeting_day=today() - timedelta(days=100))
    co = run_given(holder, role="co_trainer", first_meeting_day=today() - timedelta(days=200))
    supervised = run_given(holder, role="candidate", first_meeting_day=today() - timedelta(days=100))
    other = run_given(UserFactory(roles=["trainer"]), first_meeting_day=today() - timedelta(days=100))
    review(led, average="3.50")
    review(co, average="3.00")  # exactly the minimum: counts
    review(led, average="2.75", kind="self_report")  # below the minimum
    review(supervised, average="4.00")  # given as candidate
    review(other, average="4.00")  # not the holder's run
    review(led, average="4.00", submitted_on=valid_from() - timedelta(days=1))  # before the period

    item = progress_by_kind(certification)[RuleKind.FIDELITY_REVIEWS]
    assert item.rule.minimum_score == Decimal("3.00")
    assert (item.achieved, item.minimum, item.met) == (2, 1, True)


def test_fidelity_reviews_count_distinct_runs_reviewed_by_someone_else(holder, certification):
    observed_twice = run_given(holder, role="lead", first_meeting_day=today() - timedelta(days=100))
    review(observed_twice, average="3.50")
    review(observed_twice, average="3.25")  # a second observation of the same run: still one run
    # The holder's own self-report never counts, however high.
    self_reported = run_given(holder, role="lead", first_meeting_day=today() - timedelta(days=150))
    review(self_reported, average="4.00", kind="self_report", reviewer=holder)
    # As co-trainer, the lead's self-report on the run is a review by someone else: counts.
    co = run_given(holder, role="co_trainer", first_meeting_day=today() - timedelta(days=200))
    lead = UserFactory(roles=["trainer"])
    AssignmentFactory(training=co, trainer=lead, role="lead")
    review(co, average="3.00", kind="self_report", reviewer=lead)

    item = progress_by_kind(certification)[RuleKind.FIDELITY_REVIEWS]
    assert item.achieved == 2


def test_refreshers_count_meetings_the_holder_attended_in_the_period(holder, certification):
    someone = UserFactory(roles=["trainer"])
    refresher(holder, someone, held_on=today() - timedelta(days=30))
    refresher(holder, held_on=valid_from())
    refresher(holder, held_on=valid_from() - timedelta(days=1))  # before the period
    refresher(holder, held_on=today() + timedelta(days=30))  # not held yet
    refresher(someone, held_on=today() - timedelta(days=5))  # holder absent
    item = progress_by_kind(certification)[RuleKind.REFRESHERS]
    assert (item.achieved, item.minimum, item.met) == (2, 1, True)


def test_an_inactive_rule_is_not_shown_and_rules_follow_the_level(holder, certification):
    RenewalRule.objects.filter(level="trainer", kind=RuleKind.REFRESHERS).update(active=False)
    assert set(progress_by_kind(certification)) == {RuleKind.RUNS_GIVEN, RuleKind.FIDELITY_REVIEWS}
    co_trainer = CertificationFactory(holder=holder, level="co_trainer")
    assert set(progress_by_kind(co_trainer)) == {RuleKind.RUNS_GIVEN, RuleKind.REFRESHERS}


def test_a_request_without_period_has_achieved_nothing(holder):
    requested = CertificationFactory(holder=holder, status="requested", valid_from=None, valid_until=None)
    run_given(holder, first_meeting_day=today() - timedelta(days=100))
    assert {item.achieved for item in renewal_progress(certification=requested)} == {0}


def test_renewal_progress_is_one_query_whatever_was_done(holder, certification, django_assert_num_queries):
    RenewalRule.objects.create(level="trainer", kind=RuleKind.SUPERVISED_RUNS, minimum=1)
    for days in (50, 150, 250):
        review(run_given(holder, first_meeting_day=today() - timedelta(days=days)), average="3.5")
        refresher(holder, held_on=today() - timedelta(days=days))
    with django_assert_num_queries(1):
        progress = renewal_progress(certification=certification)
    assert [(item.kind, item.achieved) for item in progress] == [
        (RuleKind.RUNS_GIVEN, 3),
        (RuleKind.SUPERVISED_RUNS, 0),
        (RuleKind.FIDELITY_REVIEWS, 3),
        (RuleKind.REFRESHERS, 3),
    ]


# --- the lapse ---


def expire(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return certifications_expire(**kwargs)


def test_a_certification_expires_on_its_valid_until_day_once(holder, mailoutbox, django_capture_on_commit_callbacks):
    due = CertificationFactory(holder=holder, valid_from=today() - timedelta(days=730), valid_until=today())
    tomorrow = CertificationFactory(valid_from=today() - timedelta(days=729), valid_until=today() + timedelta(days=1))

    assert expire(django_capture_on_commit_callbacks) == 1
    assert expire(django_capture_on_commit_callbacks) == 0  # twice is harmless

    due.refresh_from_db()
    tomorrow.refresh_from_db()
    assert due.status == CertificationStatus.EXPIRED
    assert tomorrow.status == CertificationStatus.APPROVED
    events = list(CertificationEvent.objects.filter(certification=due).values_list("action", "actor"))
    assert events == [(CertificationAction.EXPIRED, None)]
    notice = CertificationNotice.objects.get(certification=due)
    assert (notice.kind, notice.status) == (NoticeKind.EXPIRED, MessageStatus.SENT)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [holder.email]
    renew_url = reverse("ambassadors:certification_request") + f"?renews={due.pk}"
    assert renew_url in mailoutbox[0].body


def test_the_lapse_cancels_pending_warnings(holder, mailoutbox, django_capture_on_commit_callbacks):
    certification = CertificationFactory(
        holder=holder, valid_from=today() - timedelta(days=730), valid_until=today() + timedelta(days=400)
    )
    warnings_schedule(certification=certification)  # both due months ahead
    certification.valid_until = today()
    certification.save()
    expire(django_capture_on_commit_callbacks)
    statuses = dict(CertificationNotice.objects.filter(certification=certification).values_list("kind", "status"))
    assert statuses == {
        NoticeKind.EXPIRES_IN_SIX_MONTHS: MessageStatus.CANCELLED,
        NoticeKind.EXPIRES_IN_ONE_MONTH: MessageStatus.CANCELLED,
        NoticeKind.EXPIRED: MessageStatus.SENT,
    }
    assert len(mailoutbox) == 1


def test_revoked_rejected_and_already_expired_certifications_are_left_alone(mailoutbox):
    past = {"valid_from": today() - timedelta(days=800), "valid_until": today() - timedelta(days=5)}
    revoked = CertificationFactory(status="revoked", **past)
    expired = CertificationFactory(status="expired", **past)
    assert certifications_expire() == 0
    assert {c.status for c in [revoked, expired]} == {"revoked", "expired"}
    assert not CertificationEvent.objects.exists()
    assert not CertificationNotice.objects.exists()


def test_an_expired_certification_that_was_renewed_sends_no_expiry_mail(
    holder, mailoutbox, django_capture_on_commit_callbacks
):
    old = CertificationFactory(holder=holder, valid_from=today() - timedelta(days=730), valid_until=today())
    CertificationFactory(holder=holder, renews=old, valid_from=today(), valid_until=today() + timedelta(days=730))
    expire(django_capture_on_commit_callbacks)
    old.refresh_from_db()
    assert old.status == CertificationStatus.EXPIRED
    assert not CertificationNotice.objects.filter(kind=NoticeKind.EXPIRED).exists()
    assert mailoutbox == []


def test_the_expire_task_runs_the_lapse():
    due = CertificationFactory(valid_from=today() - timedelta(days=730), valid_until=today() - timedelta(days=1))
    assert expire_certifications.apply().get() == 1
    due.refresh_from_db()
    assert due.status == CertificationStatus.EXPIRED


# --- my certification page ---


def page(client):
    return client.get(reverse("ambassadors:my_certification"))


def rows(response, testid):
    return response.content.decode().count(f'data-testid="{testid}"')


def test_my_certification_shows_only_my_own_certifications_current_first(client, holder, certification):
    old = CertificationFactory(
        holder=holder,
        status="expired",
        valid_from=valid_from() - timedelta(days=730),
        valid_until=valid_from(),
    )
    requested = CertificationFactory(
        holder=holder, level="master_trainer", status="requested", valid_from=None, valid_until=None
    )
    others = CertificationFactory()
    client.force_login(holder)

    response = page(client)

    assert response.status_code == 200
    assert response.context["current"] == certification
    assert [c.pk for c in response.context["certifications"]] == [certification.pk, requested.pk, old.pk]
    assert others not in response.context["certifications"]
    assert rows(response, "certification") == 3
    assert f'data-pk="{others.pk}"' not in response.content.decode()
    assert response.context["current"].days_left == (certification.valid_until - today()).days
    assert {item.kind for item in response.context["progress"]} == {
        RuleKind.RUNS_GIVEN,
        RuleKind.FIDELITY_REVIEWS,
        RuleKind.REFRESHERS,
    }
    assert rows(response, "rule") == 3
    renew_url = reverse("ambassadors:certification_request") + f"?renews={certification.pk}"
    assert renew_url in response.content.decode()


def test_my_certification_without_a_current_one_offers_a_request(client, holder):
    CertificationFactory(
        holder=holder,
        status="expired",
        valid_from=today() - timedelta(days=800),
        valid_until=today() - timedelta(days=5),
    )
    client.force_login(holder)
    response = page(client)
    assert response.status_code == 200
    assert response.context["current"] is None
    assert rows(response, "request-certification") == 1
    assert rows(response, "request-renewal") == 0
    assert rows(response, "rule") == 0


def test_an_open_renewal_request_replaces_the_renewal_button(client, holder, certification):
    renewal = CertificationFactory(
        holder=holder, status="requested", renews=certification, valid_from=None, valid_until=None
    )
    client.force_login(holder)
    response = page(client)
    assert response.context["open_renewal"] == renewal
    assert rows(response, "open-renewal") == 1
    assert rows(response, "request-renewal") == 0


def test_a_master_trainer_sees_the_page_too(client):
    master = UserFactory(roles=["master_trainer"], two_factor=True)
    client.force_login(master)
    assert page(client).status_code == 200


def test_my_certification_refuses_an_ambassador_and_redirects_anonymous(client):
    assert page(client).status_code == 302
    assert reverse("account_login") in page(client).url
    client.force_login(UserFactory(roles=["ambassador"]))
    assert page(client).status_code == 403


@pytest.mark.parametrize("count", [1, 8])
def test_my_certification_runs_a_fixed_number_of_queries(client, holder, count, django_assert_num_queries):
    for years_back in range(1, count):
        start = valid_from() - timedelta(days=730 * years_back)
        CertificationFactory(holder=holder, status="expired", valid_from=start, valid_until=start + timedelta(days=730))
    current = CertificationFactory(holder=holder, valid_from=valid_from(), valid_until=today() + timedelta(days=300))
    run_given(holder, first_meeting_day=today() - timedelta(days=100))
    client.force_login(holder)
    # the user with roles; certifications; rules with progress
    with django_assert_num_queries(3):
        response = page(client)
    assert response.context["current"] == current
    assert rows(response, "certification") == count


# --- admin ---


def test_renewal_rules_are_edited_in_the_admin_list(superuser_client):
    rule = RenewalRule.objects.get(level="trainer", kind=RuleKind.RUNS_GIVEN)
    rules = list(RenewalRule.objects.order_by("level", "kind"))
    data = {
        "form-TOTAL_FORMS": str(len(rules)),
        "form-INITIAL_FORMS": str(len(rules)),
        "_save": "Save",
    }
    for index, each in enumerate(rules):
        data[f"form-{index}-id"] = str(each.pk)
        data[f"form-{index}-minimum"] = str(3 if each == rule else each.minimum)
        data[f"form-{index}-minimum_score"] = "" if each.minimum_score is None else str(each.minimum_score)
        if each.active and each != rule:
            data[f"form-{index}-active"] = "on"
    response = superuser_client.post(reverse("admin:ambassadors_renewalrule_changelist"), data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.minimum, rule.active) == (3, False)


def test_the_admin_keeps_refresher_meetings_and_only_looks_up_certifications(superuser_client):
    trainer = UserFactory(roles=["trainer"])
    response = superuser_client.post(
        reverse("admin:ambassadors_refreshermeeting_add"),
        {"title": "Terugkomdag voorjaar", "held_on": today().isoformat(), "attendees": [trainer.pk]},
    )
    assert response.status_code == 302
    assert list(RefresherMeeting.objects.get().attendees.all()) == [trainer]
    assert superuser_client.get(reverse("admin:ambassadors_refreshermeeting_changelist")).status_code == 200

    certification = CertificationFactory()
    change_url = reverse("admin:ambassadors_certification_change", args=[certification.pk])
    assert superuser_client.get(change_url).status_code == 200
    assert superuser_client.post(change_url, {"status": "revoked"}).status_code == 403
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.APPROVED
    for model in ["certification", "certificationevent", "certificationnotice", "ambassador", "assignmentoffer"]:
        assert superuser_client.get(reverse(f"admin:ambassadors_{model}_add")).status_code == 403
    assert superuser_client.get(reverse("admin:ambassadors_fidelityreview_changelist")).status_code == 200
