"""Tasks leave the web process through Redis and run in the real worker, on PostgreSQL."""

import re

from django.core import mail
from django.urls import reverse

from mentorwijs.accounts.models import Invitation
from mentorwijs.accounts.tasks import send_invitation
from mentorwijs.accounts.tokens import invitation_id_from_token
from mentorwijs.outbox.models import CaughtMail
from tests.factories import InvitationFactory, UserFactory

SUBJECT = "[Mentorwijs] Je bent uitgenodigd voor Mentorwijs"


def sent_invitation(pk):
    return Invitation.objects.filter(pk=pk, sent_at__isnull=False).first()


def test_invitation_queued_by_the_view_is_mailed_by_the_worker(client, transactional_db, wait_for):
    staff = UserFactory(roles=["staff"], two_factor=True)
    client.force_login(staff)

    response = client.post(
        reverse("accounts:invitation_create"),
        {"email": "Worker.Trainer@Example.org", "first_name": "Lieke", "roles": ["trainer"], "language": "nl"},
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:invitation_list")
    invitation = Invitation.objects.get()
    assert invitation.email == "worker.trainer@example.org"
    invitation = wait_for(lambda: sent_invitation(invitation.pk), "the worker to send the invitation")
    # The web process only queued the task; the mail was written by the worker's outbox backend.
    assert mail.outbox == []
    caught = CaughtMail.objects.get(recipients="worker.trainer@example.org")
    assert caught.subject == SUBJECT
    assert caught.from_email == "Mentorwijs <noreply@mentorwijs.local>"
    body = caught.text_body()
    assert "Hallo Lieke," in body
    assert "/team/uitnodiging/" in body
    token = re.search(r"http://127\.0\.0\.1:8000/team/uitnodiging/([^\s/]+)/", body).group(1)
    assert invitation_id_from_token(token) == invitation.pk
    assert caught.parsed()["Content-Language"] == "nl"


def test_the_same_task_run_twice_mails_once(transactional_db, wait_for, celery_worker):
    invitation = InvitationFactory(email="twice@example.org")
    marker = InvitationFactory(email="after-both@example.org")

    first = send_invitation.delay(invitation_id=invitation.pk)
    second = send_invitation.delay(invitation_id=invitation.pk)
    # One solo worker takes tasks from the queue in order: once the task queued after both is done,
    # both deliveries for the first invitation have run.
    last = send_invitation.delay(invitation_id=marker.pk)
    wait_for(lambda: sent_invitation(marker.pk), "the worker to run the task queued after both")

    ran = celery_worker.succeeded()
    assert [ran.count(task.id) for task in (first, second, last)] == [1, 1, 1]

    assert CaughtMail.objects.filter(recipients="twice@example.org").count() == 1
    assert CaughtMail.objects.filter(recipients="after-both@example.org").count() == 1
    assert CaughtMail.objects.count() == 2
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None
