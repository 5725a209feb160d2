from datetime import timedelta

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from dissemination.models import FollowUpDigest
from dissemination.services.outreach import contact_update, send_follow_up_digests
from dissemination.tasks import send_follow_up_digests as digest_task
from tests.factories import OrganisationFactory, OutreachContactFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ambassador(db):
    return UserFactory(roles=["ambassador"], first_name="Anouk", email="anouk@example.org")


def _follow_up(user, days, done=False, name=None):
    organisation = OrganisationFactory(name=name) if name else OrganisationFactory()
    return OutreachContactFactory(
        logged_by=user,
        organisation=organisation,
        date=timezone.localdate() - timedelta(days=30),
        follow_up_on=timezone.localdate() + timedelta(days=days),
        follow_up_done=done,
    )


def test_my_follow_ups_are_my_open_ones_the_earliest_first(client, ambassador):
    later = _follow_up(ambassador, 20)
    overdue = _follow_up(ambassador, -3)
    due = _follow_up(ambassador, 2)
    _follow_up(ambassador, 1, done=True)
    _follow_up(UserFactory(roles=["ambassador"]), 1)
    OutreachContactFactory(logged_by=ambassador)  # no follow-up planned
    client.force_login(ambassador)
    response = client.get(reverse("dissemination:follow_up_list"))
    assert list(response.context["object_list"]) == [overdue, due, later]


def test_marking_a_follow_up_done_takes_it_off_the_list(client, ambassador):
    contact = _follow_up(ambassador, 1)
    client.force_login(ambassador)
    home = reverse("overview:home")
    response = client.post(reverse("dissemination:contact_follow_up_done", args=[contact.pk]), {"next": home})
    assert response["Location"] == home
    contact.refresh_from_db()
    assert contact.follow_up_done is True
    assert list(client.get(reverse("dissemination:follow_up_list")).context["object_list"]) == []


def test_done_goes_back_to_the_follow_ups_rather_than_to_another_site(client, ambassador):
    contact = _follow_up(ambassador, 1)
    client.force_login(ambassador)
    response = client.post(
        reverse("dissemination:contact_follow_up_done", args=[contact.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("dissemination:follow_up_list")


def test_a_new_follow_up_date_opens_the_follow_up_again(ambassador):
    contact = _follow_up(ambassador, 1, done=True)
    contact_update(contact=contact, by=ambassador, follow_up_on=timezone.localdate() + timedelta(days=14))
    contact.refresh_from_db()
    assert contact.follow_up_done is False


def test_the_home_page_lists_due_and_overdue_follow_ups(client, ambassador):
    overdue = _follow_up(ambassador, -1)
    due = _follow_up(ambassador, 7)
    _follow_up(ambassador, 8)
    _follow_up(ambassador, 0, done=True)
    client.force_login(ambassador)
    response = client.get(reverse("overview:home"))
    assert response.context["follow_ups"] == [overdue, due]
    assert 'data-testid="home-follow-ups"' in response.content.decode()


def test_the_home_page_of_a_trainer_has_no_follow_ups(client):
    client.force_login(UserFactory(roles=["trainer"]))
    assert client.get(reverse("overview:home")).context["follow_ups"] == []


@pytest.mark.parametrize("rows", [5, 200])
def test_the_home_page_runs_fixed_queries_with_follow_ups(client, ambassador, django_assert_num_queries, rows):
    organisation = OrganisationFactory()
    OutreachContactFactory.create_batch(
        rows, logged_by=ambassador, organisation=organisation, follow_up_on=timezone.localdate()
    )
    client.force_login(ambassador)
    with django_assert_num_queries(2):
        response = client.get(reverse("overview:home"))
    assert len(response.context["follow_ups"]) == min(rows, 10)


@pytest.mark.parametrize("rows", [5, 200])
def test_the_follow_up_list_runs_fixed_queries(client, ambassador, django_assert_num_queries, rows):
    organisation = OrganisationFactory()
    OutreachContactFactory.create_batch(
        rows, logged_by=ambassador, organisation=organisation, follow_up_on=timezone.localdate()
    )
    client.force_login(ambassador)
    with django_assert_num_queries(3):
        response = client.get(reverse("dissemination:follow_up_list"))
    assert len(response.context["object_list"]) == min(rows, 50)


def test_the_digest_goes_once_to_each_ambassador_with_open_follow_ups(ambassador):
    other = UserFactory(roles=["ambassador"], email="bram@example.org", language="en")
    _follow_up(ambassador, -2, name="Bakkerij De Linge")
    _follow_up(ambassador, 3, name="Gemeente Tiel")
    _follow_up(other, 6)
    quiet = UserFactory(roles=["ambassador"], email="quiet@example.org")
    _follow_up(quiet, 8)  # not yet due
    _follow_up(quiet, -1, done=True)
    OutreachContactFactory(logged_by=quiet)
    assert send_follow_up_digests() == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["anouk@example.org", "bram@example.org"]
    to_anouk = next(message for message in mail.outbox if message.to == ["anouk@example.org"])
    assert to_anouk.extra_headers["Content-Language"] == "nl"
    assert "Bakkerij De Linge" in to_anouk.body
    assert "Gemeente Tiel" in to_anouk.body
    assert reverse("dissemination:follow_up_list") in to_anouk.body
    assert to_anouk.alternatives[0][1] == "text/html"
    to_bram = next(message for message in mail.outbox if message.to == ["bram@example.org"])
    assert to_bram.extra_headers["Content-Language"] == "en"
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    assert set(FollowUpDigest.objects.values_list("user__email", "week")) == {
        ("anouk@example.org", monday),
        ("bram@example.org", monday),
    }


def test_running_the_digest_twice_in_a_week_sends_once(ambassador):
    _follow_up(ambassador, 1)
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())  # this week's
    assert send_follow_up_digests(today=monday) == 1
    assert send_follow_up_digests(today=monday) == 0
    assert send_follow_up_digests(today=monday + timedelta(days=4)) == 0
    assert len(mail.outbox) == 1
    assert send_follow_up_digests(today=monday + timedelta(days=7)) == 1
    assert len(mail.outbox) == 2


def test_no_digest_for_a_former_ambassador(ambassador):
    _follow_up(ambassador, 1)
    ambassador.is_active = False
    ambassador.save()
    assert send_follow_up_digests() == 0
    assert mail.outbox == []


def test_a_failed_digest_is_tried_again_on_the_next_run(ambassador, settings):
    _follow_up(ambassador, 1)
    settings.EMAIL_BACKEND = "tests.dissemination.test_follow_ups.FailingBackend"
    assert send_follow_up_digests() == 0
    assert FollowUpDigest.objects.count() == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert send_follow_up_digests() == 1
    assert [message.to for message in mail.outbox] == [["anouk@example.org"]]


def test_the_digest_task_sends_the_digests(ambassador):
    _follow_up(ambassador, 1)
    assert digest_task.delay().get() == 1
    assert [message.to for message in mail.outbox] == [["anouk@example.org"]]


def test_the_digest_is_scheduled_on_monday_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["dissemination-follow-up-digests"]
    assert entry["task"] == "dissemination.send_follow_up_digests"
    assert entry["schedule"] == crontab(minute=0, hour=7, day_of_week="mon")
    assert settings.CELERY_TIMEZONE == "Europe/Amsterdam"


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("no mail server")
