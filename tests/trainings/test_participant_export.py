"""A run's participant list as an Excel sheet (issue 17): the columns, attendance per meeting, who
may download it, and a fixed number of queries."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from mentorwijs.exports import XLSX_CONTENT_TYPE
from tests.factories import EnrolmentFactory, OrganisationFactory, PersonFactory, TrainingFactory, UserFactory
from trainings.models import Attendance

pytestmark = pytest.mark.django_db


def past_run():
    return TrainingFactory(meetings=3, meetings__first_meeting=timezone.now() - timedelta(weeks=4), status="running")


def sheet_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].endswith('.xlsx"')
    return load_workbook(BytesIO(response.content)).active


def export_url(run):
    return reverse("trainings:participant_export", args=[run.pk])


@pytest.fixture
def run():
    return past_run()


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    return client


def test_the_sheet_lists_each_participant_with_dutch_headers_and_attendance_per_meeting(staff_client, run):
    meetings = list(run.meetings.order_by("number"))
    person = PersonFactory(
        first_name="Annelies",
        last_name="de Wit",
        email="annelies@example.org",
        phone="0612345678",
        organisation=OrganisationFactory(name="Bakkerij Betuwe"),
    )
    enrolment = EnrolmentFactory(training=run, person=person)
    Attendance.objects.create(enrolment=enrolment, meeting=meetings[0], present=True)
    Attendance.objects.create(enrolment=enrolment, meeting=meetings[1], present=False)
    other = past_run()
    Attendance.objects.create(
        enrolment=enrolment, meeting=other.meetings.get(number=2), present=True, catches_up=meetings[1]
    )

    sheet = sheet_of(staff_client.get(export_url(run)))

    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Naam",
        "Organisatie",
        "E-mailadres",
        "Telefoon",
        "Status",
        "Bijeenkomst 1",
        "Bijeenkomst 2",
        "Bijeenkomst 3",
    )
    assert rows[1] == (
        "Annelies de Wit",
        "Bakkerij Betuwe",
        "annelies@example.org",
        "0612345678",
        "Ingeschreven",
        "Aanwezig",
        "Ingehaald",
        None,
    )
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    assert sheet.column_dimensions["C"].width > len("annelies@example.org")


def test_the_headers_follow_the_users_language(client, run):
    client.force_login(UserFactory(roles=["staff"], two_factor=True, language="en"))
    EnrolmentFactory(training=run)

    sheet = sheet_of(client.get(export_url(run)))

    assert [cell.value for cell in sheet[1]][:5] == ["Name", "Organisation", "Email address", "Phone", "Status"]


def test_a_name_that_looks_like_a_formula_stays_text(staff_client, run):
    EnrolmentFactory(training=run, person=PersonFactory(first_name="=HYPERLINK(1)", last_name="x"))

    sheet = sheet_of(staff_client.get(export_url(run)))

    assert sheet["A2"].value == "=HYPERLINK(1) x"
    assert sheet["A2"].data_type == "s"


def test_a_trainer_of_the_run_may_download_it(client, run):
    trainer = UserFactory(roles=["trainer"], two_factor=True)
    run.trainers.add(trainer)
    client.force_login(trainer)
    EnrolmentFactory(training=run)

    assert len(list(sheet_of(client.get(export_url(run))).iter_rows())) == 2


@pytest.mark.parametrize(
    ("roles", "status"),
    [
        (["ambassador"], 403),
        (["trainer"], 404),  # another trainer: the run is not theirs, as on its page
        (["master_trainer"], 403),  # sees the run for reviews, not its participants
    ],
)
def test_others_may_not_download_it(client, run, roles, status):
    client.force_login(UserFactory(roles=roles, two_factor=True))
    EnrolmentFactory(training=run)

    assert client.get(export_url(run)).status_code == status


def test_an_anonymous_visitor_is_sent_to_the_login(client, run):
    response = client.get(export_url(run))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_runs_page_links_to_the_export(staff_client, run):
    EnrolmentFactory(training=run)

    content = staff_client.get(reverse("trainings:training_detail", args=[run.pk])).content.decode()

    assert export_url(run) in content


@pytest.mark.parametrize("participants", [1, 20])
def test_the_export_runs_a_fixed_number_of_queries(client, run, django_assert_max_num_queries, participants):
    trainer = UserFactory(roles=["trainer"], two_factor=True)
    run.trainers.add(trainer)
    client.force_login(trainer)
    meetings = list(run.meetings.all())
    for _ in range(participants):
        enrolment = EnrolmentFactory(training=run, person=PersonFactory(organisation=OrganisationFactory()))
        for meeting in meetings:
            Attendance.objects.create(enrolment=enrolment, meeting=meeting, present=True)

    with django_assert_max_num_queries(6):
        sheet = sheet_of(client.get(export_url(run)))

    assert sheet.max_row == 1 + participants
