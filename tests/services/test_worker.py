"""Tasks leave the web process through Redis and run in the real worker, on PostgreSQL, mailing over SMTP."""

import re

from django.core import mail
from django.urls import reverse

from mentorwijs.accounts.models import Invitation
from mentorwijs.accounts.tasks import send_invitation
from mentorwijs.accounts.tokens import invitation_id_from_token
from tests.factories import InvitationFactory, UserFactory

SUBJECT = "[Mentorwijs] Je bent uitgenodigd voor Mentorwijs"


def sent_invitation(pk):
    return Invitation.objects.filter(pk=pk, sent_at__isnull=False).first()


def test_invitation_queued_by_the_view_is_mailed_by_the_worker(client, transactional_db, wait_for, worker_mail):
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
    # The web process only queued the task; the worker sent the mail to the SMTP server.
    assert mail.outbox == []
    [(recipients, message)] = worker_mail.received()
    assert recipients == ["worker.trainer@example.org"]
    assert message["Subject"] == SUBJECT
    assert message["From"] == "Mentorwijs <noreply@mentorwijs.local>"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Hallo Lieke," in body
    assert "/team/uitnodiging/" in body
    token = re.search(r"http://127\.0\.0\.1:8000/team/uitnodiging/([^\s/]+)/", body).group(1)
    assert invitation_id_from_token(token) == invitation.pk
    assert message["Content-Language"] == "nl"


def test_the_same_task_run_twice_mails_once(transactional_db, wait_for, celery_worker, worker_mail):
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

    assert sorted(recipients for recipients, _message in worker_mail.received()) == [
        ["after-both@example.org"],
        ["twice@example.org"],
    ]
    assert Invitation.objects.get(pk=invitation.pk).sent_at is not None
