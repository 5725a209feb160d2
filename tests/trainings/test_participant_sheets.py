"""The sign-in sheet of a meeting (PDF) and the dietary list of a run for the host's caterer."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from mentorwijs.privacy import retention
from tests.factories import EnrolmentFactory, OrganisationFactory, PersonFactory, TrainingFactory, UserFactory
from trainings.enums import EnrolmentStatus
from trainings.sign_in_sheets import WALK_IN_ROWS, sign_in_sheet_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def run():
    return TrainingFactory(title="Mentorwijs Culemborg", meetings=3, status="running")


@pytest.fixture
def meeting(run):
    return run.meetings.order_by("number")[1]


@pytest.fixture
def trainer(run):
    user = UserFactory(roles=["trainer"])
    run.trainers.add(user)
    return user


def enrol(run, first_name, last_name, organisation="Bakkerij Koning", **kwargs):
    person = PersonFactory(
        first_name=first_name, last_name=last_name, organisation=OrganisationFactory(name=organisation)
    )
    return EnrolmentFactory(training=run, person=person, **kwargs)


def sheet_url(meeting):
    return reverse("trainings:sign_in_sheet", kwargs={"pk": meeting.pk})


def dietary_url(run):
    return reverse("trainings:dietary_list", kwargs={"pk": run.pk})


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- the sign-in sheet ---


def test_sign_in_sheet_pdf_lists_the_runs_active_participants_and_the_meeting(client, run, meeting, trainer):
    enrol(run, "Anna", "Zwart", organisation="Drukkerij Noord")
    enrol(run, "Bram", "Akkerman")
    enrol(run, "Gert", "de Boer")
    enrol(run, "Carla", "Completed", status=EnrolmentStatus.COMPLETED)
    enrol(run, "Dirk", "Wachtlijst", status=EnrolmentStatus.WAITLISTED)
    enrol(run, "Eva", "Geannuleerd", status=EnrolmentStatus.CANCELLED)
    enrol(TrainingFactory(meetings=1), "Femke", "Anderrun")
    client.force_login(trainer)

    response = client.get(sheet_url(meeting))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'inline; filename="presentielijst-mentorwijs-culemborg-bijeenkomst-2.pdf"'
    )
    text = pdf_text(response.content)
    assert "Presentielijst" in text
    assert "Mentorwijs Culemborg" in text
    assert "HANDTEKENING" in text  # the column heads are in capitals
    for name in ["Anna Zwart", "Bram Akkerman", "Gert de Boer", "Carla Completed", "Drukkerij Noord"]:
        assert name in text
    for name in ["Wachtlijst", "Geannuleerd", "Anderrun"]:
        assert name not in text
    # By last name, whatever its case.
    assert text.index("Akkerman") < text.index("Completed") < text.index("de Boer") < text.index("Zwart")


def test_sign_in_sheet_shows_date_time_location_and_empty_rows_for_walk_ins(run, meeting):
    enrol(run, "Anna", "Zwart")
    html = sign_in_sheet_html(meeting)
    start = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at)
    assert f"{start:%H:%M}–{end:%H:%M}" in html
    assert meeting.location.name in html
    assert html.count('class="walk-in"') == WALK_IN_ROWS == 5
    assert html.count("<tr>") == 1 + 1  # the head and Anna


def test_staff_may_print_any_sign_in_sheet(staff_client, meeting, monkeypatch):
    monkeypatch.setattr("trainings.views.participants.sign_in_sheet_pdf", lambda meeting: b"%PDF-stub")
    assert staff_client.get(sheet_url(meeting)).status_code == 200


def test_sign_in_sheet_refuses_other_roles(client, meeting, monkeypatch):
    monkeypatch.setattr("trainings.views.participants.sign_in_sheet_pdf", lambda meeting: b"%PDF-stub")
    assert client.get(sheet_url(meeting)).url.startswith(reverse("account_login"))

    client.force_login(UserFactory(roles=["ambassador"]))
    assert client.get(sheet_url(meeting)).status_code == 403

    other_trainer = UserFactory(roles=["trainer"])
    TrainingFactory(meetings=1).trainers.add(other_trainer)
    client.force_login(other_trainer)
    assert client.get(sheet_url(meeting)).status_code == 404


@pytest.mark.parametrize("participants", [2, 60])
def test_sign_in_sheet_runs_fixed_queries(
    client, run, meeting, trainer, monkeypatch, django_assert_max_num_queries, participants
):
    # WeasyPrint reads no rows: the HTML it is given is rendered for real, the PDF step is left out.
    monkeypatch.setattr(
        "trainings.views.participants.sign_in_sheet_pdf", lambda meeting: sign_in_sheet_html(meeting).encode()
    )
    for number in range(participants):
        enrol(run, "Deelnemer", f"Nummer {number}")
    client.force_login(trainer)
    with django_assert_max_num_queries(3):  # the user with roles, the meeting with run and place, the rows
        response = client.get(sheet_url(meeting))
    assert response.content.decode().count("Deelnemer Nummer") == participants


def test_the_attendance_page_and_the_run_page_link_the_sign_in_sheet(staff_client, run, meeting):
    attendance = staff_client.get(reverse("trainings:meeting_attendance", kwargs={"pk": meeting.pk}))
    assert sheet_url(meeting) in attendance.content.decode()
    detail = staff_client.get(reverse("trainings:training_detail", kwargs={"pk": run.pk})).content.decode()
    assert detail.count('data-testid="sign-in-sheet"') == 3
    assert dietary_url(run) in detail


# --- the dietary list ---


def test_dietary_list_shows_the_active_participants_wishes(client, run, trainer):
    enrol(run, "Anna", "Zwart", dietary_wishes="Vegetarisch")
    enrol(run, "Bram", "Akkerman", dietary_wishes="Geen varkensvlees")
    enrol(run, "Carla", "Zonderwens")
    enrol(run, "Dirk", "Wachtlijst", dietary_wishes="Veganistisch", status=EnrolmentStatus.WAITLISTED)
    enrol(TrainingFactory(meetings=1), "Femke", "Anderrun", dietary_wishes="Halal")
    client.force_login(trainer)

    response = client.get(dietary_url(run))

    assert response.status_code == 200
    assert [(e.person.last_name, e.dietary_wishes) for e in response.context["wishes"]] == [
        ("Akkerman", "Geen varkensvlees"),
        ("Zwart", "Vegetarisch"),
    ]
    assert response.context["participant_count"] == 3
    content = response.content.decode()
    assert "Vegetarisch" in content
    assert "3 deelnemers" in content
    for absent in ["Veganistisch", "Halal", "Anderrun", "Zonderwens"]:
        assert absent not in content


def test_dietary_list_without_wishes_says_so(staff_client, run):
    enrol(run, "Carla", "Zonderwens")
    content = staff_client.get(dietary_url(run)).content.decode()
    assert 'data-testid="dietary-none"' in content
    assert 'data-testid="dietary-list"' not in content


def test_dietary_list_says_nothing_is_kept_once_retention_cleared_it(staff_client, policy):
    policy(retention_run_details_days=30)
    now = timezone.now()
    run = TrainingFactory(meetings=2, meetings__first_meeting=now - timedelta(days=60), status="completed")
    enrol(run, "Anna", "Zwart", dietary_wishes="Vegetarisch", status=EnrolmentStatus.COMPLETED)
    run.enrolments.update(created_at=now - timedelta(days=90))

    assert retention.clear_run_details(now=now) == 1

    response = staff_client.get(dietary_url(run))
    content = response.content.decode()
    assert response.context["kept"] is False
    assert 'data-testid="dietary-not-kept"' in content
    assert "Zwart" not in content
    assert "<table" not in content


def test_dietary_list_hides_the_wishes_once_past_retention_even_before_the_clean_up(staff_client, policy):
    policy(retention_run_details_days=30)
    run = TrainingFactory(meetings=1, meetings__first_meeting=timezone.now() - timedelta(days=31), status="completed")
    enrol(run, "Anna", "Zwart", dietary_wishes="Vegetarisch", status=EnrolmentStatus.COMPLETED)
    content = staff_client.get(dietary_url(run)).content.decode()
    assert 'data-testid="dietary-not-kept"' in content
    assert "Vegetarisch" not in content


def test_dietary_list_refuses_other_roles(client, run):
    assert client.get(dietary_url(run)).url.startswith(reverse("account_login"))

    client.force_login(UserFactory(roles=["ambassador"]))
    assert client.get(dietary_url(run)).status_code == 403

    client.force_login(UserFactory(roles=["master_trainer"]))
    assert client.get(dietary_url(run)).status_code == 403

    other_trainer = UserFactory(roles=["trainer"])
    TrainingFactory(meetings=1).trainers.add(other_trainer)
    client.force_login(other_trainer)
    assert client.get(dietary_url(run)).status_code == 404


@pytest.mark.parametrize("participants", [2, 60])
def test_dietary_list_runs_fixed_queries(client, run, trainer, django_assert_max_num_queries, participants):
    for number in range(participants):
        enrol(run, "Deelnemer", f"Nummer {number}", dietary_wishes="Vegetarisch")
    client.force_login(trainer)
    with django_assert_max_num_queries(6):
        response = client.get(dietary_url(run))
    assert len(response.context["wishes"]) == participants
