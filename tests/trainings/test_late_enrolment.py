"""Staff add someone to a run that has begun: with a reason, into a free place, and the meetings
they missed listed to catch up in another run of the same variant."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from tests.factories import EnrolmentFactory, OrganisationFactory, TrainingFactory, UserFactory
from trainings.enums import EnrolmentStatus, MessageKind, TrainingStatus
from trainings.models import Enrolment, ScheduledMessage
from trainings.queries.attendance import catch_up_candidates
from trainings.services.attendance import attendance_catch_up
from trainings.services.enrolment import LATE_RUN_FULL, enrolment_create

pytestmark = pytest.mark.django_db


def running_run(**kwargs):
    """A running run of five weekly meetings whose first two have taken place."""
    first = timezone.now() - timedelta(days=8)
    return TrainingFactory(status=TrainingStatus.RUNNING, meetings=5, meetings__first_meeting=first, **kwargs)


def add(training, *, by, late_reason="Vervangt een collega die uitviel", email="bram@example.org", **overrides):
    values = {
        "training": training,
        "first_name": "Bram",
        "last_name": "Jacobs",
        "email": email,
        "organisation": OrganisationFactory(),
        "enrolled_by": by,
        "late_reason": late_reason,
    }
    values.update(overrides)
    return enrolment_create(**values)


def form_data(organisation, **overrides):
    data = {
        "first_name": "Bram",
        "last_name": "Jacobs",
        "email": "bram@example.org",
        "organisation": str(organisation.pk),
        "organisation_name": organisation.name,
        "late_reason": "Vervangt een collega die uitviel",
    }
    data.update(overrides)
    return data


# --- the rule (service) ---


def test_staff_add_someone_late_to_a_running_run_with_the_reason_stored(staff_user):
    training = running_run()
    enrolment = add(training, by=staff_user)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.late_reason, enrolment.enrolled_by) == (
        EnrolmentStatus.REGISTERED,
        "Vervangt een collega die uitviel",
        staff_user,
    )
    training.refresh_from_db()
    assert training.status == TrainingStatus.RUNNING


def test_a_late_enrolment_without_a_reason_is_refused(staff_user):
    training = running_run()
    with pytest.raises(ValidationError) as error:
        add(training, by=staff_user, late_reason="   ")
    assert list(error.value.error_dict) == ["late_reason"]
    assert not Enrolment.objects.exists()


def test_nobody_joins_a_running_run_through_the_public_path():
    training = running_run()
    with pytest.raises(ValidationError):
        add(training, by=None, consent=True)
    assert not Enrolment.objects.exists()


def test_a_late_enrolment_needs_a_free_place(staff_user):
    training = running_run(capacity=1)
    EnrolmentFactory(training=training)
    with pytest.raises(ValidationError) as error:
        add(training, by=staff_user)
    assert error.value.messages == [str(LATE_RUN_FULL)]
    assert training.enrolments.count() == 1


def test_a_late_participant_is_reminded_of_the_meetings_ahead_only(staff_user):
    enrolment = add(running_run(), by=staff_user)
    kinds = sorted(ScheduledMessage.objects.filter(enrolment=enrolment).values_list("kind", flat=True))
    # Three meetings ahead; no "before" evaluation for a run under way.
    assert kinds == sorted(
        [MessageKind.ENROLMENT_CONFIRMED, MessageKind.EVALUATION_AFTER] + [MessageKind.MEETING_REMINDER] * 3
    )


def test_a_reason_given_for_a_run_that_has_not_begun_is_not_stored(staff_user):
    enrolment = add(TrainingFactory(meetings=5), by=staff_user)
    assert enrolment.late_reason == ""


# --- the page ---


def test_the_staff_page_of_a_running_run_names_the_missed_meetings_and_asks_a_reason(staff_client):
    training = running_run()
    response = staff_client.get(reverse("trainings:staff_enrol", kwargs={"pk": training.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="late-notice"' in html
    assert 'name="late_reason"' in html
    notice = html.split('data-testid="late-notice"')[1].split("</div>")[0]
    assert notice.count("<li>") == 2


def test_the_staff_page_of_a_run_not_begun_asks_no_reason(staff_client):
    training = TrainingFactory(meetings=5)
    html = staff_client.get(reverse("trainings:staff_enrol", kwargs={"pk": training.pk})).content.decode()
    assert 'name="late_reason"' not in html
    assert 'data-testid="late-notice"' not in html


def test_staff_add_someone_late_on_the_page(staff_client, staff_user):
    training = running_run()
    organisation = OrganisationFactory()
    response = staff_client.post(reverse("trainings:staff_enrol", kwargs={"pk": training.pk}), form_data(organisation))
    assert response.status_code == 302
    enrolment = Enrolment.objects.get(training=training)
    assert (enrolment.person.email, enrolment.late_reason, enrolment.enrolled_by) == (
        "bram@example.org",
        "Vervangt een collega die uitviel",
        staff_user,
    )


def test_the_page_refuses_a_late_enrolment_without_a_reason(staff_client):
    training = running_run()
    response = staff_client.post(
        reverse("trainings:staff_enrol", kwargs={"pk": training.pk}), form_data(OrganisationFactory(), late_reason="")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["late_reason"]
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("roles", [["trainer"], ["master_trainer"], ["ambassador"]])
def test_only_staff_add_someone_late(client, roles):
    training = running_run()
    user = UserFactory(roles=roles)
    training.assignments.create(trainer=user, role="lead")
    client.force_login(user)
    url = reverse("trainings:staff_enrol", kwargs={"pk": training.pk})
    assert client.get(url).status_code == 403
    assert client.post(url, form_data(OrganisationFactory())).status_code == 403
    assert not Enrolment.objects.exists()


def test_a_visitor_cannot_add_someone_late(client):
    training = running_run()
    url = reverse("trainings:staff_enrol", kwargs={"pk": training.pk})
    response = client.post(url, form_data(OrganisationFactory()))
    assert response.status_code in (302, 403)
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("status", [TrainingStatus.COMPLETED, TrainingStatus.CANCELLED, TrainingStatus.DRAFT])
def test_staff_add_nobody_to_a_run_that_is_over_or_not_planned(staff_client, status):
    training = running_run()
    training.status = status
    training.save()
    assert staff_client.get(reverse("trainings:staff_enrol", kwargs={"pk": training.pk})).status_code == 404


# --- catching up the missed meetings ---

PARTICIPANTS = Template("{% load participants %}{% training_participants training %}")


def test_the_participant_list_shows_the_reason_and_where_to_catch_up(staff_user):
    training = running_run()
    elsewhere = TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() + timedelta(days=2))
    enrolment = add(training, by=staff_user)
    html = PARTICIPANTS.render(Context({"training": training, "user": staff_user}))
    assert "Vervangt een collega die uitviel" in html
    catch_ups = html.split('data-testid="catch-ups"')[1].split("</ul>")[0]
    assert catch_ups.count('data-caught-up="no"') == 2
    # Each links to the catch-up page of the same meeting number in the other run, with the name.
    for number in (1, 2):
        meeting = elsewhere.meetings.get(number=number)
        assert reverse("trainings:catch_up", kwargs={"pk": meeting.pk}) + "?q=Bram%20Jacobs" in catch_ups
    assert enrolment.pk


def test_a_missed_meeting_caught_up_elsewhere_is_shown_as_caught_up(staff_user):
    training = running_run()
    elsewhere = TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() - timedelta(hours=1))
    enrolment = add(training, by=staff_user)
    meeting = elsewhere.meetings.get(number=1)
    assert enrolment in catch_up_candidates(meeting=meeting, user=staff_user)
    attendance_catch_up(enrolment=enrolment, meeting=meeting, by=staff_user)
    html = PARTICIPANTS.render(Context({"training": training, "user": staff_user}))
    catch_ups = html.split('data-testid="catch-ups"')[1].split("</ul>")[0]
    assert 'data-meeting-number="1" data-caught-up="yes"' in catch_ups
    assert 'data-meeting-number="2" data-caught-up="no"' in catch_ups
    assert enrolment not in catch_up_candidates(meeting=meeting, user=staff_user)


@pytest.mark.parametrize("rows", [2, 40])
def test_the_participant_list_with_late_participants_runs_fixed_queries(staff_user, django_assert_num_queries, rows):
    training = running_run(capacity=60)
    TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() + timedelta(days=2))
    organisation = OrganisationFactory()
    EnrolmentFactory.create_batch(rows, training=training, person__organisation=organisation, late_reason="Later")
    staff_user.roles  # noqa: B018 (loaded once per request by the middleware)
    with django_assert_num_queries(4):
        html = PARTICIPANTS.render(Context({"training": training, "user": staff_user}))
    assert html.count('data-testid="late-reason"') == rows


def test_the_catch_up_page_of_a_meeting_not_yet_open_says_from_when_and_offers_no_button(staff_client, staff_user):
    training = running_run()
    elsewhere = TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() + timedelta(days=2))
    add(training, by=staff_user)
    meeting = elsewhere.meetings.get(number=1)
    response = staff_client.get(reverse("trainings:catch_up", kwargs={"pk": meeting.pk}) + "?q=Bram+Jacobs")
    html = response.content.decode()
    assert 'data-testid="attendance-refusal"' in html
    assert "Bram Jacobs" in html
    assert 'name="enrolment"' not in html
