from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tests.factories import EnrolmentFactory, TrainingFactory, UserFactory
from trainings.certificates import certificate_html
from trainings.enums import EnrolmentStatus, MessageKind, MessageStatus
from trainings.models import Certificate, ScheduledMessage
from trainings.services.attendance import attendance_record, enrolment_complete_if_due
from trainings.services.certificates import certificate_find, certificate_revoke
from trainings.services.messages import personal_url

pytestmark = pytest.mark.django_db


def complete(enrolment, meetings=4):
    """Mark the participant present at the first meetings of their run until they complete."""
    for meeting in enrolment.training.meetings.order_by("number")[:meetings]:
        attendance_record(meeting=meeting, entries=[(enrolment, True, "")], by=None)
    enrolment.refresh_from_db()
    return enrolment


@pytest.fixture
def run():
    first = timezone.now() - timedelta(weeks=6)
    return TrainingFactory(meetings=5, meetings__first_meeting=first, status="running", title="Mentorwijs Tiel najaar")


@pytest.fixture
def enrolment(run):
    return EnrolmentFactory(
        training=run, person__first_name="Anna", person__last_name="de Jong", person__email="anna@example.org"
    )


@pytest.fixture
def certificate(enrolment):
    complete(enrolment)
    return enrolment.certificate


# --- issuing ---


def test_completion_creates_one_certificate_and_sends_one_mail(enrolment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        complete(enrolment, meetings=5)
        enrolment_complete_if_due(enrolment=enrolment)
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1
    assert list(ScheduledMessage.objects.values_list("kind", "status")) == [
        (MessageKind.CERTIFICATE, MessageStatus.SENT)
    ]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.org"]
    assert personal_url(enrolment) in message.body
    assert enrolment.certificate.code in message.body


def test_personal_page_include_offers_the_download(certificate):
    page = render_to_string("trainings/includes/personal_certificate.html", {"enrolment": certificate.enrolment})
    assert reverse("trainings:personal_certificate", kwargs={"token": certificate.enrolment.token}) in page


def test_personal_page_include_shows_nothing_without_a_valid_certificate(enrolment, certificate):
    other = EnrolmentFactory()
    assert render_to_string("trainings/includes/personal_certificate.html", {"enrolment": other}).strip() == ""
    certificate_revoke(certificate=certificate, by=None, reason="Dubbel uitgegeven")
    enrolment.refresh_from_db()
    assert render_to_string("trainings/includes/personal_certificate.html", {"enrolment": enrolment}).strip() == ""


# --- the PDF ---


def test_certificate_html_holds_name_run_region_meeting_dates_and_code(certificate):
    html = certificate_html(certificate)
    run = certificate.enrolment.training
    first_meeting = run.meetings.order_by("number").first()
    for expected in ["Anna de Jong", "Mentorwijs Tiel najaar", "Rivierenland", certificate.code, "#0b5c57"]:
        assert expected in html
    assert f"{timezone.localtime(first_meeting.starts_at).day} " in html
    assert "data:image/svg+xml;base64," in html
    assert f"{reverse('trainings:verify')}?code={certificate.code}" in html


def test_participant_downloads_their_pdf_through_the_personal_link(client, certificate):
    response = client.get(reverse("trainings:personal_certificate", kwargs={"token": certificate.enrolment.token}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="mentorwijs-certificaat-anna-de-jong.pdf"'
    assert response.content.startswith(b"%PDF")


def test_personal_pdf_is_404_without_a_certificate(client, enrolment):
    response = client.get(reverse("trainings:personal_certificate", kwargs={"token": enrolment.token}))
    assert response.status_code == 404


def test_personal_pdf_is_404_once_revoked(client, certificate):
    certificate_revoke(certificate=certificate, by=None, reason="Aanwezigheid onjuist geregistreerd")
    response = client.get(reverse("trainings:personal_certificate", kwargs={"token": certificate.enrolment.token}))
    assert response.status_code == 404


def test_staff_download_any_certificate(staff_client, certificate):
    response = staff_client.get(reverse("trainings:certificate_pdf", kwargs={"pk": certificate.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_trainer_may_not_download_the_staff_pdf(client, certificate):
    trainer = UserFactory(roles=["trainer"])
    certificate.enrolment.training.trainers.add(trainer)
    client.force_login(trainer)
    assert client.get(reverse("trainings:certificate_pdf", kwargs={"pk": certificate.pk})).status_code == 403


# --- verification ---


def verify(client, code):
    return client.get(reverse("trainings:verify"), {"code": code})


def test_verify_a_valid_code(client, certificate):
    response = verify(client, certificate.code)
    assert response.status_code == 200
    assert (response.context["result"], response.context["certificate"]) == ("valid", certificate)
    assert "Anna de Jong" in response.content.decode()


def test_verify_accepts_lower_case_without_dashes(client, certificate):
    response = verify(client, f" {certificate.code.replace('-', '').lower()} ")
    assert (response.context["result"], response.context["certificate"]) == ("valid", certificate)


def test_verify_a_revoked_code(client, certificate):
    certificate_revoke(certificate=certificate, by=None, reason="Dubbel uitgegeven")
    response = verify(client, certificate.code)
    assert response.context["result"] == "revoked"
    certificate.refresh_from_db()
    assert timezone.localtime(certificate.revoked_at).strftime("%Y") in response.content.decode()


@pytest.mark.parametrize("code", ["AAAA-BBBB-CCCC", "short", "AAAA-BBBB-CCCC-DDDD"])
def test_verify_an_unknown_code(client, certificate, code):
    response = verify(client, code)
    assert (response.context["result"], response.context["certificate"]) == ("unknown", None)


def test_verify_without_a_code_shows_the_form_only(client):
    response = client.get(reverse("trainings:verify"))
    assert response.status_code == 200
    assert response.context["result"] is None


def test_certificate_find_normalises_the_code(certificate):
    raw = certificate.code.replace("-", "")
    assert certificate_find(f"{raw[:6].lower()} {raw[6:]}") == certificate


# --- revoking ---


def revoke_url(certificate):
    return reverse("trainings:certificate_revoke", kwargs={"pk": certificate.pk})


def test_staff_revoke_a_certificate_with_a_reason(staff_client, staff_user, certificate):
    assert staff_client.get(revoke_url(certificate)).status_code == 200
    response = staff_client.post(revoke_url(certificate), {"reason": "Aanwezigheid onjuist geregistreerd"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('trainings:verify')}?code={certificate.code}"
    certificate.refresh_from_db()
    assert (certificate.is_revoked, certificate.revoked_by, certificate.revocation_reason) == (
        True,
        staff_user,
        "Aanwezigheid onjuist geregistreerd",
    )
    assert verify(staff_client, certificate.code).context["result"] == "revoked"


def test_revoking_needs_a_reason(staff_client, certificate):
    response = staff_client.post(revoke_url(certificate), {"reason": "  "})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["reason"]
    certificate.refresh_from_db()
    assert not certificate.is_revoked


def test_a_trainer_may_not_revoke(client, certificate):
    trainer = UserFactory(roles=["trainer"])
    certificate.enrolment.training.trainers.add(trainer)
    client.force_login(trainer)
    assert client.get(revoke_url(certificate)).status_code == 403
    assert client.post(revoke_url(certificate), {"reason": "Zomaar"}).status_code == 403
    certificate.refresh_from_db()
    assert not certificate.is_revoked


def test_revoking_twice_is_refused(certificate):
    certificate_revoke(certificate=certificate, by=None, reason="Eerste keer")
    with pytest.raises(ValidationError):
        certificate_revoke(certificate=certificate, by=None, reason="Tweede keer")
    certificate.refresh_from_db()
    assert certificate.revocation_reason == "Eerste keer"


def test_revoking_before_the_mail_left_cancels_the_mail(certificate):
    message = ScheduledMessage.objects.get(kind=MessageKind.CERTIFICATE)
    assert message.status == MessageStatus.PENDING
    certificate_revoke(certificate=certificate, by=None, reason="Dubbel uitgegeven")
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED


def test_completion_is_kept_after_revocation(certificate):
    certificate_revoke(certificate=certificate, by=None, reason="Dubbel uitgegeven")
    enrolment = certificate.enrolment
    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert enrolment_complete_if_due(enrolment=enrolment) is False
    assert Certificate.objects.count() == 1
