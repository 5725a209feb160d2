from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import formats, timezone

from ambassadors.enums import OfferStatus
from ambassadors.forms.assignments import AssignmentForm
from ambassadors.models import AssignmentOffer
from ambassadors.services.assignments import (
    assignment_add,
    assignment_remove,
    offer_accept,
    offer_create,
    offer_decline,
    offer_withdraw,
    register_meeting_checks,
    trainer_conflict,
)
from tests.factories import (
    AssignmentFactory,
    CertificationFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.enums import AssignmentRole, MessageKind, MessageStatus
from trainings.models import Assignment, Meeting, ScheduledMessage
from trainings.services import scheduling

pytestmark = pytest.mark.django_db

LEAD, CO_TRAINER, CANDIDATE = AssignmentRole.LEAD, AssignmentRole.CO_TRAINER, AssignmentRole.CANDIDATE


def day(days: int):
    return timezone.localdate() + timedelta(days=days)


def at(days: int, hour: int = 18):
    return timezone.make_aware(datetime.combine(day(days), time(hour, 0)))


def run(first_day: int = 30, **kwargs):
    """Five weekly meetings from `first_day` days ahead, 18:00-21:00: days 30, 37, 44, 51, 58."""
    return TrainingFactory(meetings=5, meetings__first_meeting=at(first_day), **kwargs)


def trainer(level: str | None = "trainer", valid_from: int = -30, valid_until: int = 700):
    """A user with the trainer role and (unless level is None) an approved certification."""
    user = UserFactory(roles=["trainer"])
    if level:
        CertificationFactory(holder=user, level=level, valid_from=day(valid_from), valid_until=day(valid_until))
    return user


def add(training, user, role=LEAD):
    return assignment_add(training=training, trainer=user, role=role, assigned_by=None)


def refusal(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as refused:
        call(**kwargs)
    return refused.value.message_dict


def meeting(training, number):
    return Meeting.objects.get(training=training, number=number)


def short(days: int) -> str:
    return formats.date_format(day(days), "SHORT_DATE_FORMAT")


# --- certification on every meeting date --------------------------------------------------------


def test_lead_is_refused_when_the_certification_ends_between_meetings_three_and_four():
    training = run()
    user = trainer(valid_until=45)  # valid up to and including day 44, meeting 3
    errors = refusal(add, training=training, user=user)
    assert list(errors) == ["role"]
    assert short(51) in errors["role"][0]
    assert short(58) in errors["role"][0]
    assert short(44) not in errors["role"][0]
    assert not Assignment.objects.exists()


def test_a_renewal_starting_the_day_the_old_certification_ends_covers_the_run():
    training = run()
    user = trainer(valid_until=45)
    CertificationFactory(holder=user, valid_from=day(45), valid_until=day(800))
    assignment = add(training, user)
    assert (assignment.trainer, assignment.role) == (user, LEAD)


def test_a_revoked_or_requested_certification_covers_nothing():
    training = run()
    user = trainer(level=None)
    CertificationFactory(holder=user, status="revoked")
    CertificationFactory(holder=user, status="requested", valid_from=None, valid_until=None)
    assert list(refusal(add, training=training, user=user)) == ["role"]


def test_a_co_trainer_certification_is_enough_for_co_trainer_but_not_for_lead():
    training = run()
    add(training, trainer())
    co = trainer(level="co_trainer")
    errors = refusal(add, training=run(first_day=100), user=co)
    assert list(errors) == ["role"]
    assignment = add(training, co, role=CO_TRAINER)
    assert assignment.role == CO_TRAINER


def test_a_master_trainer_certification_covers_a_lead():
    assert add(run(), trainer(level="master_trainer")).role == LEAD


def test_a_candidate_needs_a_lead_but_no_certification():
    training = run()
    candidate = trainer(level=None)
    assert list(refusal(add, training=training, user=candidate, role=CANDIDATE)) == ["role"]
    add(training, trainer())
    assert add(training, candidate, role=CANDIDATE).role == CANDIDATE


def test_only_trainers_not_yet_on_the_run_and_one_lead():
    training = run()
    ambassador = UserFactory(roles=["ambassador"])
    CertificationFactory(holder=ambassador)
    assert list(refusal(add, training=training, user=ambassador)) == ["trainer"]
    lead = trainer()
    add(training, lead)
    assert list(refusal(add, training=training, user=lead, role=CO_TRAINER)) == ["trainer"]
    assert list(refusal(add, training=training, user=trainer())) == ["role"]
    assert Assignment.objects.count() == 1


@pytest.mark.parametrize("status", ["cancelled", "completed"])
def test_no_trainer_is_added_to_a_cancelled_or_completed_run(status):
    training = run(status=status)
    assert list(refusal(add, training=training, user=trainer())) == ["training"]
    assert not Assignment.objects.exists()


def test_a_master_trainer_without_the_trainer_role_can_lead_and_is_offered_as_choice():
    master = UserFactory(roles=["master_trainer"])
    CertificationFactory(holder=master, level="master_trainer", valid_from=day(-30), valid_until=day(700))
    both = UserFactory(roles=["trainer", "master_trainer"])
    training = run()
    form = AssignmentForm(training=training)
    choices = list(form.fields["trainer"].queryset)
    assert master in choices
    assert choices.count(both) == 1
    assert add(training, master).role == LEAD


# --- double booking -------------------------------------------------------------------------------


def test_a_trainer_in_an_overlapping_meeting_of_another_run_is_refused():
    user = trainer()
    add(run(first_day=30), user)
    other = TrainingFactory(meetings=1, meetings__first_meeting=at(37, 20))  # 20:00, during meeting 2
    errors = refusal(add, training=other, user=user)
    assert list(errors) == ["trainer"]
    assert not other.assignments.exists()
    # Right after it (21:00) is free; a cancelled run or a cancelled meeting books nobody.
    later = TrainingFactory(meetings=1, meetings__first_meeting=at(37, 21))
    assert add(later, user).training == later


def test_meetings_of_a_cancelled_run_or_cancelled_meetings_do_not_book_the_trainer():
    user = trainer()
    cancelled = run(status="cancelled")
    AssignmentFactory(training=cancelled, trainer=user)
    partly = run(first_day=100)
    AssignmentFactory(training=partly, trainer=user)
    Meeting.objects.filter(training=partly, number=1).update(status="cancelled")
    add(run(), user)
    other = TrainingFactory(meetings=1, meetings__first_meeting=at(100, 19))
    assert add(other, user).training == other


def test_moving_a_meeting_into_another_run_of_the_same_trainer_is_refused():
    user, colleague = trainer(), trainer()
    training = run(first_day=30)
    add(training, user)
    add(training, colleague, role=CO_TRAINER)
    other = run(first_day=31)
    add(other, user)
    second = meeting(training, 2)
    target = meeting(other, 2)
    second.starts_at, second.ends_at = target.starts_at, target.ends_at
    with pytest.raises(scheduling.MeetingsInvalid) as refused:
        scheduling.meetings_update(training=training, meetings=[second])
    assert list(refused.value.errors[0]) == ["starts_at"]
    assert len(refused.value.errors[0]["starts_at"]) == 1  # the colleague is free then
    assert meeting(training, 2).starts_at == at(37)


def test_moving_a_meeting_outside_the_certification_is_refused():
    user = trainer(valid_until=60)
    training = run()
    add(training, user)
    last = meeting(training, 5)
    last.starts_at, last.ends_at = at(62), at(62, 21)
    with pytest.raises(scheduling.MeetingsInvalid) as refused:
        scheduling.meetings_update(training=training, meetings=[last])
    assert list(refused.value.errors[0]) == ["starts_at"]
    assert short(62) in refused.value.errors[0]["starts_at"][0]
    last.starts_at, last.ends_at = at(59), at(59, 21)
    scheduling.meetings_update(training=training, meetings=[last])
    assert meeting(training, 5).starts_at == at(59)


def test_the_meeting_check_is_registered_once():
    register_meeting_checks()
    register_meeting_checks()
    assert scheduling.MEETING_CONFLICT_CHECKS.count(trainer_conflict) == 1


# --- reminders and removal ------------------------------------------------------------------------


def test_an_assigned_trainer_gets_reminders_and_loses_them_when_taken_off():
    training = run()
    user = trainer()
    assignment = add(training, user)
    pending = ScheduledMessage.objects.filter(
        user=user, kind=MessageKind.MEETING_REMINDER, status=MessageStatus.PENDING
    )
    assert pending.count() == 5
    assignment_remove(assignment=assignment, removed_by=None)
    assert not Assignment.objects.exists()
    assert pending.count() == 0
    assert ScheduledMessage.objects.filter(user=user, status=MessageStatus.CANCELLED).count() == 5


def test_the_lead_cannot_be_taken_off_while_a_candidate_practises_under_them():
    training = run()
    lead = add(training, trainer())
    candidate = add(training, trainer(level=None), role=CANDIDATE)
    assert list(refusal(assignment_remove, assignment=lead, removed_by=None)) == ["trainer"]
    assignment_remove(assignment=candidate, removed_by=None)
    assignment_remove(assignment=lead, removed_by=None)
    assert not training.assignments.exists()


# --- offers ---------------------------------------------------------------------------------------


def test_offer_accepted_assigns_the_trainer(staff_user):
    training = run()
    user = trainer()
    offer = offer_create(training=training, trainer=user, role=LEAD, note="Graag")
    assert (offer.status, offer.note) == (OfferStatus.OPEN, "Graag")
    assignment = offer_accept(offer=offer, decided_by=staff_user)
    offer.refresh_from_db()
    assert (offer.status, offer.decided_by, assignment.role) == (OfferStatus.ACCEPTED, staff_user, LEAD)
    assert offer.decided_at is not None
    assert list(training.trainers.all()) == [user]
    assert ScheduledMessage.objects.filter(user=user, status=MessageStatus.PENDING).count() == 5


def test_offer_declined_with_a_reason_and_withdrawn(staff_user):
    training = run()
    first, second = trainer(), trainer()
    declined = offer_create(training=training, trainer=first, role=LEAD)
    assert list(refusal(offer_decline, offer=declined, decided_by=staff_user, reason=" ")) == ["reason"]
    offer_decline(offer=declined, decided_by=staff_user, reason="Al vergeven")
    declined.refresh_from_db()
    assert (declined.status, declined.decision_note, declined.decided_by) == (
        OfferStatus.DECLINED,
        "Al vergeven",
        staff_user,
    )
    withdrawn = offer_create(training=training, trainer=second, role=LEAD)
    assert list(refusal(offer_withdraw, offer=withdrawn, trainer=first)) == ["offer"]
    offer_withdraw(offer=withdrawn, trainer=second)
    withdrawn.refresh_from_db()
    assert withdrawn.status == OfferStatus.WITHDRAWN
    assert list(refusal(offer_accept, offer=withdrawn, decided_by=staff_user)) == ["offer"]
    assert not training.assignments.exists()


def test_offers_only_for_runs_that_need_a_trainer():
    user = trainer()
    with_lead = run()
    add(with_lead, trainer())
    assert list(refusal(offer_create, training=with_lead, trainer=user, role=LEAD)) == ["role"]
    assert offer_create(training=with_lead, trainer=user, role=CO_TRAINER).role == CO_TRAINER
    assert list(refusal(offer_create, training=with_lead, trainer=user, role=CO_TRAINER)) == ["training"]
    begun = run(first_day=-1)
    assert list(refusal(offer_create, training=begun, trainer=user, role=LEAD)) == ["training"]
    running = run(status="running")
    assert list(refusal(offer_create, training=running, trainer=user, role=LEAD)) == ["training"]
    assert AssignmentOffer.objects.count() == 1


def test_accepting_is_refused_when_the_trainer_became_double_booked(staff_user):
    user = trainer()
    training = run()
    offer = offer_create(training=training, trainer=user, role=LEAD)
    add(TrainingFactory(meetings=1, meetings__first_meeting=at(44, 19)), user)
    assert list(refusal(offer_accept, offer=offer, decided_by=staff_user)) == ["trainer"]
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN
    assert not training.assignments.exists()


def test_a_master_trainer_without_the_trainer_role_offers_to_give_a_run(staff_user):
    master = UserFactory(roles=["master_trainer"])
    CertificationFactory(holder=master, level="master_trainer", valid_from=day(-30), valid_until=day(700))
    training = run()
    offer = offer_create(training=training, trainer=master, role=LEAD)
    assert offer_accept(offer=offer, decided_by=staff_user).trainer == master


@pytest.mark.parametrize("status", ["cancelled", "completed", "running"])
def test_accepting_is_refused_once_the_run_no_longer_takes_offers(staff_user, status):
    training = run()
    offer = offer_create(training=training, trainer=trainer(), role=LEAD)
    training.status = status
    training.save(update_fields=["status"])
    assert list(refusal(offer_accept, offer=offer, decided_by=staff_user)) == ["training"]
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN
    assert not training.assignments.exists()


def test_accepting_is_refused_once_the_first_meeting_has_begun(staff_user):
    training = run()
    offer = offer_create(training=training, trainer=trainer(), role=LEAD)
    Meeting.objects.filter(training=training, number=1).update(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() + timedelta(hours=2)
    )
    assert list(refusal(offer_accept, offer=offer, decided_by=staff_user)) == ["training"]
    assert not training.assignments.exists()


# --- pages ----------------------------------------------------------------------------------------


def test_assignments_page_is_for_staff_only(client):
    training = run()
    url = reverse("ambassadors:training_assignments", args=[training.pk])
    assert client.get(url).status_code == 302
    client.force_login(trainer())
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "add"}).status_code == 403


def test_staff_add_a_trainer_and_see_the_refusal_next_to_the_field(staff_client):
    training = run()
    url = reverse("ambassadors:training_assignments", args=[training.pk])
    uncertified = trainer(level=None)
    response = staff_client.post(url, {"action": "add", "trainer": uncertified.pk, "role": LEAD})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["role"]
    assert not training.assignments.exists()
    user = trainer()
    response = staff_client.post(url, {"action": "add", "trainer": user.pk, "role": LEAD})
    assert response.status_code == 302
    assert training.assignments.get().trainer == user
    page = staff_client.get(url).content.decode()
    assert 'data-testid="assignment"' in page
    assert 'data-covered="yes"' in page


def test_staff_take_a_trainer_off_and_cannot_reach_another_runs_assignment(staff_client):
    training = run()
    assignment = add(training, trainer())
    elsewhere = add(run(first_day=200), trainer())
    url = reverse("ambassadors:training_assignments", args=[training.pk])
    assert staff_client.post(url, {"action": "remove", "assignment": elsewhere.pk}).status_code == 404
    assert staff_client.post(url, {"action": "remove", "assignment": assignment.pk}).status_code == 302
    assert not training.assignments.exists()
    assert Assignment.objects.filter(pk=elsewhere.pk).exists()


def test_staff_accept_and_decline_offers_on_the_page(staff_client):
    training = run()
    url = reverse("ambassadors:training_assignments", args=[training.pk])
    busy = trainer()
    add(TrainingFactory(meetings=1, meetings__first_meeting=at(30, 19)), busy)
    refused = AssignmentOffer.objects.create(training=training, trainer=busy, role=LEAD)
    response = staff_client.post(url, {"action": "accept", "offer": refused.pk})
    assert response.status_code == 200
    assert 'data-testid="offer-errors"' in response.content.decode()
    refused.refresh_from_db()
    assert refused.status == OfferStatus.OPEN
    response = staff_client.post(url, {"action": "decline", "offer": refused.pk, f"offer-{refused.pk}-reason": ""})
    assert list(response.context["offers"][0].decline_form.errors) == ["reason"]
    response = staff_client.post(url, {"action": "decline", "offer": refused.pk, f"offer-{refused.pk}-reason": "Vol"})
    assert response.status_code == 302
    refused.refresh_from_db()
    assert (refused.status, refused.decision_note) == (OfferStatus.DECLINED, "Vol")
    good = AssignmentOffer.objects.create(training=training, trainer=trainer(), role=LEAD)
    assert staff_client.post(url, {"action": "accept", "offer": good.pk}).status_code == 302
    good.refresh_from_db()
    assert good.status == OfferStatus.ACCEPTED
    assert training.assignments.get().trainer == good.trainer


def test_trainer_offers_on_the_open_runs_page_and_withdraws(client):
    client.force_login(user := trainer())
    training = run()
    url = reverse("ambassadors:open_runs")
    page = client.get(url).content.decode()
    assert f'data-training="{training.pk}"' in page
    response = client.post(
        url,
        {"action": "offer", "training": training.pk, f"run-{training.pk}-role": LEAD, f"run-{training.pk}-note": ""},
    )
    assert response.status_code == 302
    offer = AssignmentOffer.objects.get(trainer=user)
    assert (offer.training, offer.role, offer.status) == (training, LEAD, OfferStatus.OPEN)
    assert 'data-testid="offered"' in client.get(url).content.decode()
    assert client.post(url, {"action": "withdraw", "offer": offer.pk}).status_code == 302
    offer.refresh_from_db()
    assert offer.status == OfferStatus.WITHDRAWN


def test_a_trainer_cannot_withdraw_another_trainers_offer(client):
    offer = AssignmentOffer.objects.create(training=run(), trainer=trainer(), role=LEAD)
    client.force_login(trainer())
    response = client.post(reverse("ambassadors:open_runs"), {"action": "withdraw", "offer": offer.pk})
    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.status == OfferStatus.OPEN


def test_open_runs_leave_out_runs_that_began_that_are_given_or_finished(client):
    client.force_login(user := trainer())
    wanted = run()
    mine = run(first_day=100)
    add(mine, user)
    run(first_day=-2)
    run(status="running")
    run(status="cancelled")
    response = client.get(reverse("ambassadors:open_runs"))
    assert [training.pk for training in response.context["runs"]] == [wanted.pk]


def test_a_master_trainer_without_the_trainer_role_sees_open_runs(client):
    client.force_login(UserFactory(roles=["master_trainer"], two_factor=True))
    assert client.get(reverse("ambassadors:open_runs")).status_code == 200


def test_open_runs_page_is_for_trainers(staff_client):
    assert staff_client.get(reverse("ambassadors:open_runs")).status_code == 403


def test_a_lead_offer_is_refused_next_to_the_field_when_the_run_has_a_lead(client):
    training = run()
    add(training, trainer())
    client.force_login(trainer())
    prefix = f"run-{training.pk}"
    response = client.post(
        reverse("ambassadors:open_runs"),
        {"action": "offer", "training": training.pk, f"{prefix}-role": LEAD, f"{prefix}-note": ""},
    )
    assert response.status_code == 200
    [shown] = response.context["runs"]
    assert list(shown.offer_form.errors) == ["role"]
    assert not AssignmentOffer.objects.exists()


def test_run_page_lists_trainers_with_role_and_links_staff_to_assignments(staff_client):
    training = run()
    add(training, trainer())
    page = staff_client.get(reverse("trainings:training_detail", args=[training.pk])).content.decode()
    assert 'data-role="lead"' in page
    assert reverse("ambassadors:training_assignments", args=[training.pk]) in page


def test_the_run_form_no_longer_chooses_trainers(staff_client):
    training = run()
    response = staff_client.get(reverse("trainings:training_update", args=[training.pk]))
    assert "trainers" not in response.context["form"].fields


# --- query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [2, 20])
def test_assignments_page_runs_fixed_queries(staff_client, django_assert_num_queries, rows):
    training = run()
    AssignmentFactory(training=training, trainer=trainer())
    for _n in range(rows):
        AssignmentFactory(training=training, trainer=trainer(level="co_trainer"), role=CO_TRAINER)
        AssignmentOffer.objects.create(training=training, trainer=trainer(), role=CO_TRAINER, note="Ja")
    with django_assert_num_queries(7):
        response = staff_client.get(reverse("ambassadors:training_assignments", args=[training.pk]))
    assert response.content.decode().count('data-testid="assignment"') == rows + 1
    assert response.content.decode().count('data-testid="offer"') == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_open_runs_page_runs_fixed_queries(client, django_assert_num_queries, rows):
    client.force_login(user := trainer())
    for n in range(rows):
        training = run(first_day=30 + n)
        if n % 2:
            AssignmentFactory(training=training, trainer=trainer())
        AssignmentOffer.objects.create(training=run(first_day=300 + n), trainer=user, role=LEAD)
    with django_assert_num_queries(3):
        response = client.get(reverse("ambassadors:open_runs"))
    page = response.content.decode()
    assert page.count('data-testid="open-run"') == 2 * rows
    assert page.count('data-testid="my-offer"') == rows
