"""Newsletter subscribers: double opt-in, append-only consent, preferences, one-click unsubscribe,
import, and the staff pages."""

import re
import smtplib
import time
from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dissemination import tokens
from dissemination.enums import ConsentAction, ConsentSource, SubscriberStatus, TargetGroup
from dissemination.models import ConsentRecord, Subscriber
from dissemination.services.subscriptions import (
    consented_list_ids,
    preferences_update,
    subscriber_confirm,
    subscriber_sign_up,
    subscriber_unsubscribe,
    subscribers_import,
    subscribers_import_read,
)
from dissemination.tasks import send_subscription_confirmation
from tests.conftest import client_for
from tests.factories import MailingListFactory, OrganisationFactory, SubscriberFactory, TrainingFactory
from trainings.services.enrolment import enrolment_create

pytestmark = pytest.mark.django_db

CONFIRM_LINK = re.compile(r"https?://\S+/nieuwsbrief/bevestigen/[^/\s]+/")


@pytest.fixture
def lists():
    return [MailingListFactory(name="Werkgevers"), MailingListFactory(name="Scholen")]


def sign_up(client, lists, email="anna@example.org"):
    return client.post(
        reverse("newsletter:signup"),
        {
            "email": email,
            "first_name": "Anna",
            "last_name": "de Wit",
            "organisation_name": "Bakkerij Linge",
            "target_group": TargetGroup.EMPLOYERS,
            "lists": [mailing_list.pk for mailing_list in lists],
        },
    )


def confirm_path(message) -> str:
    link = CONFIRM_LINK.search(message.body).group(0)
    assert link in message.alternatives[0][0]
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def confirmed(subscriber, lists, source=ConsentSource.FORM):
    """A subscriber with consent for `lists`, through the service (so with records)."""
    subscriber_confirm(subscriber=subscriber, list_ids=[mailing_list.pk for mailing_list in lists])
    subscriber.refresh_from_db()
    return subscriber


@pytest.fixture
def subscriber(lists):
    return confirmed(SubscriberFactory(email="bert@example.org", status=SubscriberStatus.PENDING), lists)


# Double opt-in


def test_sign_up_sends_only_the_confirmation_and_records_no_consent(
    client, lists, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, lists)
    assert response.status_code == 302
    assert response.url == reverse("newsletter:signup_done")
    subscriber = Subscriber.objects.get(email="anna@example.org")
    assert subscriber.status == SubscriberStatus.PENDING
    assert subscriber.confirmation_sent_at is not None
    assert set(subscriber.lists.all()) == set(lists)
    assert ConsentRecord.objects.count() == 0
    [message] = mailoutbox
    assert message.to == ["anna@example.org"]
    assert CONFIRM_LINK.search(message.body)
    assert "List-Unsubscribe" not in message.extra_headers


def test_opening_the_confirmation_link_changes_nothing_until_the_button_is_pressed(
    client, lists, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, lists)
    path = confirm_path(mailoutbox[0])

    assert client.get(path).status_code == 200
    subscriber = Subscriber.objects.get()
    assert subscriber.status == SubscriberStatus.PENDING
    assert ConsentRecord.objects.count() == 0

    assert client.post(path).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert subscriber.confirmed_at is not None
    records = list(ConsentRecord.objects.all())
    assert sorted(record.mailing_list_id for record in records) == sorted(mailing_list.pk for mailing_list in lists)
    for record in records:
        assert (record.action, record.source, record.email) == (
            ConsentAction.GIVEN,
            ConsentSource.FORM,
            "anna@example.org",
        )
        assert record.wording_version == "2026-1"
    assert len(mailoutbox) == 1  # nothing but the confirmation was sent


def test_confirming_twice_records_consent_once(client, lists, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, lists)
    path = confirm_path(mailoutbox[0])
    client.post(path)
    assert client.post(path).status_code == 200
    assert ConsentRecord.objects.count() == 2


def expired_confirm_token(subscriber, list_ids) -> str:
    class PastSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 8 * 24 * 3600)

    payload = [subscriber.pk, tokens._email_key(subscriber.email), list_ids]
    return PastSigner(salt=tokens.CONFIRM_SALT).sign_object(payload, compress=True)


def test_an_expired_confirmation_link_fails_and_changes_nothing(client, lists):
    subscriber = SubscriberFactory(status=SubscriberStatus.PENDING, lists=lists)
    token = expired_confirm_token(subscriber, [lists[0].pk])
    path = reverse("newsletter:confirm", kwargs={"token": token})
    assert client.post(path).status_code == 400
    assert client.get(path).status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING
    assert ConsentRecord.objects.count() == 0


def test_the_confirmation_link_is_valid_for_the_configured_days(client, lists, settings):
    subscriber = SubscriberFactory(status=SubscriberStatus.PENDING, lists=lists)
    token = expired_confirm_token(subscriber, [lists[0].pk])  # eight days old
    settings.SUBSCRIPTION_CONFIRM_DAYS = 9
    assert client.post(reverse("newsletter:confirm", kwargs={"token": token})).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED


@pytest.mark.parametrize("how", ["tampered", "other_purpose", "other_address"])
def test_a_wrong_confirmation_link_fails_and_changes_nothing(client, lists, how):
    subscriber = SubscriberFactory(status=SubscriberStatus.PENDING, lists=lists)
    token = tokens.confirm_token(subscriber, list_ids=[lists[0].pk])
    if how == "tampered":
        token = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    elif how == "other_purpose":
        token = tokens.preferences_token(subscriber)
    else:
        Subscriber.objects.filter(pk=subscriber.pk).update(email="someone.else@example.org")
    response = client.post(reverse("newsletter:confirm", kwargs={"token": token}))
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.PENDING
    assert ConsentRecord.objects.count() == 0


def test_a_confirmed_address_signing_up_for_more_lists_must_confirm_the_new_ones(
    client, subscriber, mailoutbox, django_capture_on_commit_callbacks
):
    national = MailingListFactory(name="Landelijk nieuws")
    before = ConsentRecord.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, [*subscriber.lists.all(), national], email="BERT@example.org")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert national not in subscriber.lists.all()
    assert subscriber.name != "Anna"  # whoever typed the address cannot rename a confirmed subscriber
    assert ConsentRecord.objects.count() == before
    [message] = mailoutbox
    assert message.to == ["bert@example.org"]

    client.post(confirm_path(message))
    assert national in subscriber.lists.all()
    [record] = ConsentRecord.objects.filter(mailing_list=national)
    assert record.action == ConsentAction.GIVEN


def test_a_confirmed_address_signing_up_for_the_same_lists_gets_no_mail(
    client, subscriber, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client, list(subscriber.lists.all()), email="bert@example.org")
    assert response.status_code == 302  # the same page as for a new address
    assert mailoutbox == []


def test_sign_up_without_a_list_is_refused_at_the_field(client, lists):
    response = client.post(reverse("newsletter:signup"), {"email": "anna@example.org", "first_name": "Anna"})
    assert response.status_code == 400
    assert "lists" in response.context["form"].errors
    assert not Subscriber.objects.exists()


def test_sign_ups_are_rate_limited_per_connection(client, lists, mailoutbox, settings):
    settings.PUBLIC_ENROLMENTS_PER_HOUR = 2
    assert sign_up(client, lists, email="a@example.org").status_code == 302
    assert sign_up(client, lists, email="b@example.org").status_code == 302
    response = sign_up(client, lists, email="c@example.org")
    assert response.status_code == 400
    assert not Subscriber.objects.filter(email="c@example.org").exists()


def test_the_confirmation_task_sends_once_when_it_runs_twice(lists, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        subscriber_sign_up(email="anna@example.org", name="Anna", lists=lists)
    [queue] = callbacks
    queue()
    queue()  # the broker delivers the same task again
    assert len(mailoutbox) == 1


@pytest.mark.parametrize(
    ("error", "retried"),
    [(smtplib.SMTPResponseException(421, b"busy"), True), (smtplib.SMTPResponseException(550, b"no"), False)],
)
def test_the_confirmation_task_retries_only_temporary_errors(
    lists, mailoutbox, monkeypatch, django_capture_on_commit_callbacks, error, retried
):
    from mentorwijs import mail

    with django_capture_on_commit_callbacks() as callbacks:
        subscriber_sign_up(email="anna@example.org", name="Anna", lists=lists)
    requested_at = Subscriber.objects.get().confirmation_sent_at

    def fail(**kwargs):
        raise error

    class Retried(Exception):
        pass

    def retry(**kwargs):
        raise Retried

    monkeypatch.setattr(mail, "send", fail)
    monkeypatch.setattr(send_subscription_confirmation, "retry", retry)
    if retried:
        with pytest.raises(Retried):
            callbacks[0]()
    else:
        callbacks[0]()
    assert Subscriber.objects.get().confirmation_sent_at == requested_at  # the request stays open
    monkeypatch.undo()
    if retried:
        callbacks[0]()  # the retry sends it
        assert len(mailoutbox) == 1


# Append-only consent


def test_a_consent_record_cannot_be_changed_or_deleted(subscriber):
    record = ConsentRecord.objects.first()
    record.source = ConsentSource.STAFF
    with pytest.raises(TypeError):
        record.save()
    with pytest.raises(TypeError):
        record.delete()
    with pytest.raises(TypeError):
        ConsentRecord.objects.filter(pk=record.pk).update(source=ConsentSource.STAFF)
    with pytest.raises(TypeError):
        ConsentRecord.objects.all().delete()
    record.refresh_from_db()
    assert record.source == ConsentSource.FORM
    assert ConsentRecord.objects.count() == 2


# Preferences


def test_preferences_record_every_list_given_and_withdrawn(client, subscriber, lists):
    employers, schools = lists
    national = MailingListFactory(name="Landelijk nieuws")
    path = reverse("newsletter:preferences", kwargs={"token": tokens.preferences_token(subscriber)})
    assert tokens.preferences_url(subscriber).endswith(path)
    response = client.get(path)
    assert response.status_code == 200
    assert set(response.context["form"].initial["lists"]) == {employers.pk, schools.pk}

    response = client.post(path, {"lists": [employers.pk, national.pk]})
    assert response.status_code == 200
    assert set(subscriber.lists.all()) == {employers, national}
    latest = ConsentRecord.objects.filter(source=ConsentSource.PREFERENCES)
    assert sorted((r.mailing_list_id, r.action) for r in latest) == sorted(
        [(schools.pk, ConsentAction.WITHDRAWN), (national.pk, ConsentAction.GIVEN)]
    )
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED


def test_leaving_all_lists_on_the_preference_page_unsubscribes(client, subscriber, lists):
    path = reverse("newsletter:preferences", kwargs={"token": tokens.preferences_token(subscriber)})
    assert client.post(path, {}).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber.lists.count() == 0
    assert consented_list_ids(subscriber) == set()
    assert ConsentRecord.objects.filter(action=ConsentAction.WITHDRAWN).count() == 2


def test_a_hidden_list_cannot_be_chosen_on_the_preference_page(subscriber):
    hidden = MailingListFactory(name="Intern", public=False)
    with pytest.raises(ValidationError) as refusal:
        preferences_update(subscriber=subscriber, lists=[hidden])
    assert "lists" in refusal.value.message_dict
    assert hidden not in subscriber.lists.all()


def test_a_tampered_preference_link_fails(client, subscriber):
    token = tokens.unsubscribe_token(subscriber)  # the right subscriber, the wrong purpose
    assert client.get(reverse("newsletter:preferences", kwargs={"token": token})).status_code == 400
    assert client.get(reverse("newsletter:preferences", kwargs={"token": "1:abc"})).status_code == 400


# One-click unsubscribe


def test_unsubscribe_get_shows_a_button_and_changes_nothing(subscriber):
    client = Client(enforce_csrf_checks=True)
    path = reverse("newsletter:unsubscribe", kwargs={"token": tokens.unsubscribe_token(subscriber)})
    response = client.get(path)
    assert response.status_code == 200
    assert f'action="{path}"' in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert not ConsentRecord.objects.filter(action=ConsentAction.WITHDRAWN).exists()


def test_one_click_unsubscribe_post_works_without_cookies_and_is_harmless_twice(subscriber, lists):
    client = Client(enforce_csrf_checks=True)
    url = tokens.unsubscribe_url(subscriber)
    assert url.startswith("http")
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    body = "List-Unsubscribe=One-Click"
    for _ in range(2):
        response = client.post(path, body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
        assert "sessionid" not in response.cookies
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert subscriber.unsubscribed_at is not None
    assert subscriber.lists.count() == 0
    withdrawn = ConsentRecord.objects.filter(action=ConsentAction.WITHDRAWN, source=ConsentSource.UNSUBSCRIBE)
    assert sorted(withdrawn.values_list("mailing_list_id", flat=True)) == sorted(m.pk for m in lists)


def test_a_tampered_unsubscribe_link_answers_400_and_changes_nothing(subscriber):
    token = tokens.unsubscribe_token(subscriber)
    token = token[:-2] + ("xx" if not token.endswith("xx") else "yy")
    response = Client(enforce_csrf_checks=True).post(reverse("newsletter:unsubscribe", kwargs={"token": token}))
    assert response.status_code == 400
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED


def test_service_mail_still_arrives_after_unsubscribing(subscriber, mailoutbox, django_capture_on_commit_callbacks):
    subscriber_unsubscribe(subscriber=subscriber)
    training = TrainingFactory(meetings=1)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_create(
            training=training,
            first_name="Bert",
            last_name="Jansen",
            email="bert@example.org",
            organisation=OrganisationFactory(public_since=timezone.now()),
            consent=True,
            language="nl",
        )
    assert mailoutbox
    assert all(message.to == ["bert@example.org"] for message in mailoutbox)


def test_an_address_that_unsubscribed_comes_back_only_by_confirming(
    client, subscriber, lists, mailoutbox, django_capture_on_commit_callbacks
):
    subscriber_unsubscribe(subscriber=subscriber)
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, lists[:1], email="bert@example.org")
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    client.post(confirm_path(mailoutbox[0]))
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert list(subscriber.lists.all()) == lists[:1]


# Import


def csv_file(rows: list[str], name="abonnees.csv"):
    header = "email;name;organisation;target_group;lists;consent_source;proof"
    return SimpleUploadedFile(name, ("\n".join([header, *rows]) + "\n").encode(), content_type="text/csv")


def test_import_confirms_rows_with_a_source_and_asks_the_others_to_confirm(
    staff_client, lists, mailoutbox, django_capture_on_commit_callbacks
):
    upload = csv_file(
        [
            "carla@example.org;Carla;Gemeente Tiel;municipalities;Werkgevers;import;Formulier congres 2025",
            'dirk@example.org;Dirk;;;"Werkgevers; Scholen";event;',
            "eva@example.org;Eva;;;Scholen;;",
        ]
    )
    response = staff_client.post(reverse("dissemination:subscriber_import"), {"file": upload})
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.ok, report.confirmed, report.pending) == (True, 2, 1)
    assert not Subscriber.objects.exists()  # the preview saves nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("dissemination:subscriber_import"), {"action": "confirm", "key": response.context["key"]}
        )
    assert response.status_code == 302
    carla = Subscriber.objects.get(email="carla@example.org")
    assert (carla.status, carla.target_group) == (SubscriberStatus.CONFIRMED, TargetGroup.MUNICIPALITIES)
    [record] = carla.consents.all()
    assert (record.source, record.proof, record.mailing_list) == (
        ConsentSource.IMPORT,
        "Formulier congres 2025",
        lists[0],
    )
    dirk = Subscriber.objects.get(email="dirk@example.org")
    assert dirk.status == SubscriberStatus.CONFIRMED
    assert set(dirk.consents.values_list("source", flat=True)) == {ConsentSource.EVENT}
    assert set(dirk.lists.all()) == set(lists)
    eva = Subscriber.objects.get(email="eva@example.org")
    assert eva.status == SubscriberStatus.PENDING
    assert not eva.consents.exists()
    [message] = mailoutbox  # only the pending row is mailed, and only the confirmation
    assert message.to == ["eva@example.org"]
    assert CONFIRM_LINK.search(message.body)


def test_an_import_with_bad_rows_reports_them_by_row_and_imports_nothing(staff_client, lists, mailoutbox):
    upload = csv_file(
        [
            "carla@example.org;Carla;;;Werkgevers;import;Formulier",
            "not-an-address;Dirk;;;Werkgevers;;",
            "eva@example.org;Eva;;;Onbekend;;",
            "frank@example.org;Frank;;;Werkgevers;import;",
            "CARLA@example.org;Carla;;;Scholen;;",
        ]
    )
    response = staff_client.post(reverse("dissemination:subscriber_import"), {"file": upload})
    report = response.context["report"]
    assert [(error.row, error.column) for error in report.errors] == [
        (3, "email"),
        (4, "lists"),
        (5, "proof"),
        (6, "email"),
    ]
    assert response.context["key"] == ""
    rows = subscribers_import_read(content=csv_file(["x;;;;Werkgevers;;"]).read(), filename="a.csv")
    with pytest.raises(ValidationError):
        subscribers_import(rows=rows, by=None)
    assert not Subscriber.objects.exists()
    assert mailoutbox == []


def test_an_import_skips_addresses_that_unsubscribed(subscriber, lists, mailoutbox, django_capture_on_commit_callbacks):
    subscriber_unsubscribe(subscriber=subscriber)
    rows = subscribers_import_read(
        content=csv_file(["bert@example.org;Bert;;;Werkgevers;import;Oud bestand"]).read(), filename="a.csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        report = subscribers_import(rows=rows, by=None)
    assert report.skipped == [2]
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.UNSUBSCRIBED
    assert not ConsentRecord.objects.filter(source=ConsentSource.IMPORT).exists()
    assert mailoutbox == []


def test_an_excel_file_is_read_like_a_csv_file():
    import tablib

    dataset = tablib.Dataset(
        ["gijs@example.org", "Gijs", "", "", "Werkgevers", "", ""],
        headers=["Email", "Name", "Organisation", "Target_group", "Lists", "Consent_source", "Proof"],
    )
    rows = subscribers_import_read(content=dataset.export("xlsx"), filename="abonnees.xlsx")
    assert rows == [
        {
            "email": "gijs@example.org",
            "name": "Gijs",
            "organisation": "",
            "target_group": "",
            "lists": "Werkgevers",
            "consent_source": "",
            "proof": "",
        }
    ]


# Staff pages


STAFF_PAGES = ["dissemination:subscriber_list", "dissemination:subscriber_import"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_send_anonymous_visitors_to_the_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("role", ["ambassador", "trainer"])
def test_staff_pages_refuse_other_roles(client, subscriber, role):
    client, _user = client_for(client, roles=[role])
    for name in STAFF_PAGES:
        assert client.get(reverse(name)).status_code == 403
    assert client.get(reverse("dissemination:subscriber_detail", kwargs={"pk": subscriber.pk})).status_code == 403


def test_the_subscriber_page_shows_the_whole_consent_history_oldest_first(staff_client, subscriber, lists):
    preferences_update(subscriber=subscriber, lists=lists[:1])
    response = staff_client.get(reverse("dissemination:subscriber_detail", kwargs={"pk": subscriber.pk}))
    assert response.status_code == 200
    history = response.context["subscriber"].consent_history
    assert [record.action for record in history] == [
        ConsentAction.GIVEN,
        ConsentAction.GIVEN,
        ConsentAction.WITHDRAWN,
    ]
    assert [record.pk for record in history] == sorted(record.pk for record in history)


def test_the_subscriber_list_filters_by_status_list_and_target_group(staff_client, lists):
    employers, schools = lists
    match = SubscriberFactory(lists=[employers], target_group=TargetGroup.EMPLOYERS)
    SubscriberFactory(lists=[schools], target_group=TargetGroup.EMPLOYERS)
    SubscriberFactory(lists=[employers], target_group=TargetGroup.SCHOOLS)
    SubscriberFactory(lists=[employers], target_group=TargetGroup.EMPLOYERS, status=SubscriberStatus.PENDING)
    response = staff_client.get(
        reverse("dissemination:subscriber_list"),
        {"status": "confirmed", "mailing_list": employers.pk, "target_group": TargetGroup.EMPLOYERS},
    )
    assert list(response.context["subscribers"]) == [match]


@pytest.mark.parametrize("count", [1, 5])
def test_the_subscriber_list_runs_fixed_queries(staff_client, lists, django_assert_num_queries, count):
    for _ in range(count):
        SubscriberFactory(lists=lists)
    staff_client.get(reverse("dissemination:subscriber_list"))  # warm the session and the user
    # the user with roles and two-factor state; the lists of the filter, count, page, the lists of the page
    with django_assert_num_queries(5):
        response = staff_client.get(reverse("dissemination:subscriber_list"))
    assert len(response.context["subscribers"]) == count


@pytest.mark.parametrize("changes", [0, 4])
def test_the_subscriber_page_runs_fixed_queries(staff_client, subscriber, lists, django_assert_num_queries, changes):
    for number in range(changes):
        preferences_update(subscriber=subscriber, lists=lists[: number % 2 + 1])
    # the user with roles and two-factor state; the subscriber, its lists, its consent history, its mail events
    with django_assert_num_queries(5):
        response = staff_client.get(reverse("dissemination:subscriber_detail", kwargs={"pk": subscriber.pk}))
    assert response.status_code == 200


def test_public_sign_up_page_needs_no_login(client, lists):
    response = client.get(reverse("newsletter:signup"))
    assert response.status_code == 200
    assert set(response.context["form"].fields["lists"].queryset) == set(lists)


def test_sign_up_service_refuses_no_lists():
    with pytest.raises(ValidationError) as refusal:
        subscriber_sign_up(email="a@example.org", name="A", lists=[])
    assert "lists" in refusal.value.message_dict


# Coming back, throttling, consent version, addresses (fix round)


@pytest.mark.parametrize("status", [SubscriberStatus.BOUNCED, SubscriberStatus.COMPLAINED])
def test_a_bounced_or_complained_address_comes_back_by_confirming(client, subscriber, lists, status):
    Subscriber.objects.filter(pk=subscriber.pk).update(status=status, soft_bounces=3)
    token = tokens.confirm_token(subscriber, list_ids=[lists[0].pk])
    before = ConsentRecord.objects.count()
    assert client.post(reverse("newsletter:confirm", kwargs={"token": token})).status_code == 200
    subscriber.refresh_from_db()
    assert (subscriber.status, subscriber.soft_bounces) == (SubscriberStatus.CONFIRMED, 0)
    assert ConsentRecord.objects.count() == before  # the lists were consented already


def test_the_preference_page_does_not_reactivate_a_bounced_address_but_mails_a_confirmation(
    client, subscriber, lists, mailoutbox, django_capture_on_commit_callbacks
):
    Subscriber.objects.filter(pk=subscriber.pk).update(status=SubscriberStatus.BOUNCED)
    national = MailingListFactory(name="Landelijk nieuws")
    before = ConsentRecord.objects.count()
    path = reverse("newsletter:preferences", kwargs={"token": tokens.preferences_token(subscriber)})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"lists": [lists[0].pk, national.pk]})
    assert response.status_code == 200
    assert "We hebben een bevestigingslink gestuurd naar bert@example.org" in response.content.decode()
    assert 'data-testid="preferences-saved"' not in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.BOUNCED
    assert not ConsentRecord.objects.filter(action=ConsentAction.GIVEN).exclude(source=ConsentSource.FORM).exists()
    assert ConsentRecord.objects.count() == before + 1  # only the list left is withdrawn
    [message] = mailoutbox
    assert message.to == ["bert@example.org"]
    client.post(confirm_path(message))
    subscriber.refresh_from_db()
    assert subscriber.status == SubscriberStatus.CONFIRMED
    assert set(subscriber.lists.all()) == {lists[0], national}


def test_sign_up_confirmations_are_throttled_per_address(client, lists, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, lists)
        assert sign_up(client, lists, email="ANNA@example.org").status_code == 302
    assert len(mailoutbox) == 1
    Subscriber.objects.update(confirmation_sent_at=F("confirmation_sent_at") - timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, lists)
    assert len(mailoutbox) == 2


def test_an_address_that_left_gets_at_most_one_confirmation_a_day(
    client, subscriber, lists, mailoutbox, django_capture_on_commit_callbacks
):
    subscriber_unsubscribe(subscriber=subscriber)
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, lists, email="bert@example.org")
    assert len(mailoutbox) == 1
    Subscriber.objects.update(confirmation_sent_at=F("confirmation_sent_at") - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, lists, email="bert@example.org")
    assert len(mailoutbox) == 1
    Subscriber.objects.update(confirmation_sent_at=F("confirmation_sent_at") - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, lists, email="bert@example.org")
    assert len(mailoutbox) == 2


def test_the_confirmation_mail_does_not_show_the_typed_name(
    client, lists, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("newsletter:signup"),
            {"email": "anna@example.org", "first_name": "Win prizes at spam.example", "lists": [lists[0].pk]},
        )
    [message] = mailoutbox
    assert "spam.example" not in message.body
    assert "spam.example" not in message.alternatives[0][0]


def test_the_consent_records_the_wording_version_shown_at_sign_up(
    client, lists, mailoutbox, settings, django_capture_on_commit_callbacks
):
    settings.CONSENT_WORDING_VERSION = "2026-1"
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, lists)
    settings.CONSENT_WORDING_VERSION = "2027-1"  # the text changed before the link was opened
    client.post(confirm_path(mailoutbox[0]))
    assert set(ConsentRecord.objects.values_list("wording_version", flat=True)) == {"2026-1"}


def test_addresses_are_stored_lower_case_and_found_through_the_lower_index(client, lists):
    sign_up(client, lists, email="Anna@Example.ORG")
    assert Subscriber.objects.get().email == "anna@example.org"
    Subscriber.objects.update(confirmation_sent_at=None)
    with CaptureQueriesContext(connection) as queries:
        assert sign_up(client, lists, email="ANNA@example.org").status_code == 302
    assert Subscriber.objects.count() == 1
    lookups = [query["sql"] for query in queries if 'FROM "dissemination_subscriber"' in query["sql"]]
    assert lookups
    assert all("UPPER(" not in sql for sql in lookups)
    assert any('LOWER("dissemination_subscriber"."email") =' in sql for sql in lookups)


def import_rows(count: int, lists, prefix: str) -> list[dict]:
    """`count` rows: a third existing pending addresses with a source, a third new with a source,
    the rest new without one."""
    third = count // 3
    existing = [
        SubscriberFactory(email=f"{prefix}oud{n}@example.org", status=SubscriberStatus.PENDING, lists=lists[:1])
        for n in range(third)
    ]
    lines = [f'{subscriber.email};;;;"Werkgevers; Scholen";event;' for subscriber in existing]
    lines += [f"{prefix}nieuw{n}@example.org;N;;;Scholen;import;Formulier" for n in range(third)]
    lines += [f"{prefix}vraag{n}@example.org;V;;;Werkgevers;;" for n in range(count - 2 * third)]
    return subscribers_import_read(content=csv_file(lines).read(), filename="a.csv")


def test_the_import_runs_a_fixed_number_of_statements(lists, django_capture_on_commit_callbacks):
    counts = {}
    for count in (10, 100):
        rows = import_rows(count, lists, prefix=f"r{count}")
        with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as queries:
            report = subscribers_import(rows=rows, by=None)
        third = count // 3
        assert (report.confirmed, report.pending) == (2 * third, count - 2 * third)
        assert len(callbacks) == report.pending
        counts[count] = len(queries)
    assert counts[100] <= counts[10] + 3  # only bulk statements split into batches may grow
    existing = Subscriber.objects.get(email="r100oud0@example.org")
    assert existing.status == SubscriberStatus.CONFIRMED
    assert consented_list_ids(existing) == {mailing_list.pk for mailing_list in lists}
    assert set(existing.lists.all()) == set(lists)
    new = Subscriber.objects.get(email="r100nieuw0@example.org")
    assert (new.status, set(new.lists.all())) == (SubscriberStatus.CONFIRMED, {lists[1]})
    [record] = new.consents.all()
    assert (record.source, record.proof) == (ConsentSource.IMPORT, "Formulier")
    asked = Subscriber.objects.get(email="r100vraag0@example.org")
    assert (asked.status, asked.consents.count(), set(asked.lists.all())) == (SubscriberStatus.PENDING, 0, {lists[0]})
    assert asked.confirmation_sent_at is not None
