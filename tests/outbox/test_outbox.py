import pytest
from django.core import mail
from django.urls import reverse

from mentorwijs import mail as mentorwijs_mail
from mentorwijs.outbox.backends import OutboxBackend
from mentorwijs.outbox.models import CaughtMail
from tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


def catch(subject="Onderwerp", to="iemand@example.org"):
    message = mail.EmailMultiAlternatives(subject, "Tekst van het bericht", "noreply@example.org", [to])
    message.attach_alternative("<p>HTML van het bericht</p>", "text/html")
    OutboxBackend().send_messages([message])
    return CaughtMail.objects.latest("pk")


def test_outbox_backend_keeps_the_whole_message():
    caught = catch()
    assert caught.recipients == "iemand@example.org"
    assert caught.text_body().strip() == "Tekst van het bericht"
    assert caught.html_body().strip() == "<p>HTML van het bericht</p>"


def test_staff_reads_caught_mail(staff_client):
    caught = catch(subject="Uitnodiging test")
    listing = staff_client.get(reverse("outbox:list"))
    assert list(listing.context["object_list"]) == [caught]
    detail = staff_client.get(reverse("outbox:detail", kwargs={"pk": caught.pk}))
    assert "Tekst van het bericht" in detail.content.decode()


def test_other_roles_cannot_read_caught_mail(client):
    caught = catch()
    client.force_login(UserFactory(roles=["trainer", "ambassador"]))
    assert client.get(reverse("outbox:list")).status_code == 403
    assert client.get(reverse("outbox:detail", kwargs={"pk": caught.pk})).status_code == 403


@pytest.mark.parametrize("rows", [1, 60])
def test_caught_mail_list_runs_fixed_queries(staff_client, django_assert_num_queries, rows):
    for n in range(rows):
        catch(subject=f"Bericht {n}")
    with django_assert_num_queries(3):
        response = staff_client.get(reverse("outbox:list"))
    assert len(response.context["object_list"]) == min(rows, 50)


def test_mail_module_sends_in_the_recipients_language(settings):
    settings.EMAIL_BACKEND = "mentorwijs.outbox.backends.OutboxBackend"
    inviter = UserFactory(first_name="Sanne", last_name="Verbeek")
    invitation = InvitationFactory(first_name="Lieke", invited_by=inviter, roles=["trainer"])
    context = {"invitation": invitation, "accept_path": "/x/", "valid_days": 7}
    mentorwijs_mail.send(template="invitation", to="lieke@example.org", language="nl", context=context)
    mentorwijs_mail.send(template="invitation", to="lieke@example.org", language="en", context=context)
    dutch, english = CaughtMail.objects.order_by("pk")
    assert dutch.subject == "[Mentorwijs] Je bent uitgenodigd voor Mentorwijs"
    assert "Sanne Verbeek van Werkzaak" in dutch.text_body()
    assert dutch.parsed()["Content-Language"] == "nl"
    assert english.subject == "[Mentorwijs] You are invited to Mentorwijs"
    assert english.parsed()["Content-Language"] == "en"
