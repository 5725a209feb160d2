"""Newsletters as writers and readers expect them (issue 17): the greeting and sign-off the mail adds
are shown to the writer and never doubled; line breaks are kept; the greeting uses the first name; a
test mail's links work for the tester; an English version reaches those who chose English; the
sign-up form asks for the region, which regional newsletters reach."""

import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dissemination import newsletter_mail
from dissemination.enums import DeliveryStatus, SubscriberStatus
from dissemination.models import Delivery, Newsletter, Region, Subscriber
from dissemination.services.newsletters import (
    deliveries_send_batch,
    newsletter_save,
    newsletter_start,
    newsletter_test_mail_send,
)
from dissemination.services.subscriptions import subscriber_confirm
from dissemination.tokens import preferences_url
from tests.dissemination.test_newsletters import fake_smtp, make_subscriber, parsed, started  # noqa: F401
from tests.factories import MailingListFactory, NewsletterFactory, UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s\"<>]+")


@pytest.fixture
def news():
    return MailingListFactory(name="Nieuws")


def english(newsletter: Newsletter) -> Newsletter:
    Newsletter.objects.filter(pk=newsletter.pk).update(
        subject_en="News in March", body_en="## News\n\nThe training starts in **March**."
    )
    newsletter.refresh_from_db()
    return newsletter


def path_of(url: str) -> str:
    assert url.startswith(settings.SITE_URL + "/")
    return url.removeprefix(settings.SITE_URL)


# Each subscriber their language ---------------------------------------------------------------------


def test_a_subscriber_who_chose_english_receives_the_english_newsletter(news, mailoutbox):
    make_subscriber("ans@example.org", lists=[news], name="Ans de Vries", language="nl")
    make_subscriber("john@example.org", lists=[news], name="John Smith", language="en")
    newsletter = started(english(NewsletterFactory(lists=[news], subject="Nieuws in maart")))

    assert deliveries_send_batch(newsletter_id=newsletter.pk).sent == 2

    by_address = {message.to[0]: message for message in mailoutbox}
    john, ans = by_address["john@example.org"], by_address["ans@example.org"]
    assert john.subject == "News in March"
    assert john.body.startswith("Hello John,\n")
    assert "The training starts in **March**." in john.body
    assert "Kind regards," in john.body
    assert "<strong>March</strong>" in john.alternatives[0][0]
    assert john.extra_headers["Content-Language"] == "en"
    assert ans.subject == "Nieuws in maart"
    assert ans.body.startswith("Hallo Ans,\n")
    assert "Met vriendelijke groet," in ans.body
    assert "March" not in ans.body
    assert ans.extra_headers["Content-Language"] == "nl"


def test_the_fast_path_sends_each_subscriber_their_language(news, fake_smtp):  # noqa: F811
    make_subscriber("ans@example.org", lists=[news], name="Ans", language="nl")
    make_subscriber("john@example.org", lists=[news], name="John", language="en")
    newsletter = started(english(NewsletterFactory(lists=[news], subject="Nieuws in maart")))

    assert deliveries_send_batch(newsletter_id=newsletter.pk).sent == 2

    by_address = {to[0]: parsed(data) for _sender, to, data in fake_smtp.sent}
    assert str(by_address["john@example.org"]["Subject"]) == "News in March"
    assert by_address["john@example.org"].get_body(("plain",)).get_content().startswith("Hello John,")
    assert str(by_address["ans@example.org"]["Subject"]) == "Nieuws in maart"
    assert by_address["ans@example.org"].get_body(("plain",)).get_content().startswith("Hallo Ans,")


def test_without_an_english_version_everyone_gets_the_dutch_one(news, mailoutbox):
    make_subscriber("john@example.org", lists=[news], name="John", language="en")
    newsletter = started(NewsletterFactory(lists=[news], subject="Nieuws in maart"))

    deliveries_send_batch(newsletter_id=newsletter.pk)

    [message] = mailoutbox
    assert message.subject == "Nieuws in maart"
    assert message.body.startswith("Hallo John,\n")


@pytest.mark.parametrize("size", [2, 12])
def test_a_batch_in_two_languages_runs_as_many_queries_as_one_in_one(news, mailoutbox, size):
    """The language is read from the subscriber the batch loads anyway: no query per recipient."""
    for number in range(size):
        make_subscriber(f"s{number}@example.org", lists=[news], language="en" if number % 2 else "nl")
    newsletter = started(english(NewsletterFactory(lists=[news])))
    newsletter_mail.campaign_versions(newsletter)  # rendered (cached), as by the batches before

    with CaptureQueriesContext(connection) as queries:
        deliveries_send_batch(newsletter_id=newsletter.pk)

    assert len(mailoutbox) == size
    marks = [query for query in queries if query["sql"].startswith("UPDATE") and "message_id" in query["sql"]]
    assert len(marks) == size  # the one SENT mark per message
    assert len(queries) - len(marks) == 11  # the same fixed rest for 2 and for 12 recipients
    assert sorted(message.subject for message in mailoutbox).count("News in March") == size // 2


# Greeting, sign-off and line breaks ------------------------------------------------------------------


def test_single_line_breaks_are_kept_in_both_parts(news, mailoutbox):
    make_subscriber("ans@example.org", lists=[news], name="Ans")
    body = "Werkzaak Rivierenland\nStationsweg 1\nTiel\n\nEen nieuwe alinea."
    started(NewsletterFactory(lists=[news], body=body))

    deliveries_send_batch(newsletter_id=Newsletter.objects.get().pk)

    [message] = mailoutbox
    assert "Werkzaak Rivierenland<br>\nStationsweg 1<br>\nTiel</p>" in message.alternatives[0][0]
    assert "<p>Een nieuwe alinea.</p>" in message.alternatives[0][0]
    assert "Werkzaak Rivierenland\nStationsweg 1\nTiel\n\nEen nieuwe alinea." in message.body


def test_the_greeting_uses_the_first_name_from_the_sign_up(
    client, news, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("newsletter:signup"),
            {"email": "anna@example.org", "first_name": "Anna", "last_name": "de Wit", "lists": [news.pk]},
        )
    subscriber = Subscriber.objects.get()
    assert (subscriber.first_name, subscriber.name) == ("Anna", "Anna de Wit")
    Subscriber.objects.filter(pk=subscriber.pk).update(status=SubscriberStatus.CONFIRMED)
    subscriber.lists.set([news])
    mailoutbox.clear()
    make_subscriber("nameless@example.org", lists=[news])
    make_subscriber("initial@example.org", lists=[news], name="J. Bakker")  # an initial is no first name

    deliveries_send_batch(newsletter_id=started(NewsletterFactory(lists=[news])).pk)

    greetings = {message.to[0]: message.body.split("\n", 1)[0] for message in mailoutbox}
    assert greetings == {
        "anna@example.org": "Hallo Anna,",
        "nameless@example.org": "Hallo,",
        "initial@example.org": "Hallo,",
    }
    html = {message.to[0]: message.alternatives[0][0] for message in mailoutbox}
    assert "<p>Hallo Anna,</p>" in html["anna@example.org"]
    assert "de Wit" not in html["anna@example.org"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("Beste lezer,\n\nDe training start in maart.", "body"),
        ("**Hallo allemaal**,\n\nDe training start in maart.", "body"),
        ("De training start in maart.\n\nMet vriendelijke groet,\nSanne", "body"),
    ],
)
def test_a_text_with_its_own_greeting_or_sign_off_is_refused(news, staff_user, body, field):
    with pytest.raises(ValidationError) as refused:
        newsletter_save(
            newsletter=Newsletter(), data={"subject": "Nieuws", "body": body, "lists": [news]}, created_by=staff_user
        )
    assert list(refused.value.message_dict) == [field]
    assert "haal" in refused.value.message_dict[field][0]
    assert "weg" in refused.value.message_dict[field][0]
    assert Newsletter.objects.count() == 0


def test_an_english_text_with_its_own_greeting_is_refused_and_needs_its_subject(news, staff_user):
    with pytest.raises(ValidationError) as refused:
        newsletter_save(
            newsletter=Newsletter(),
            data={"subject": "Nieuws", "body": "Nieuws.", "body_en": "Dear all,\n\nNews.", "lists": [news]},
            created_by=staff_user,
        )
    assert sorted(refused.value.message_dict) == ["body_en", "subject_en"]


def test_a_text_that_merely_starts_with_hello_is_kept_and_greeted_once(news, staff_user, mailoutbox):
    body = (
        "Hallo Tiel, Culemborg en Geldermalsen: de training van maart is vol!\n\nGroeten uit de regio staan hieronder."
    )
    newsletter = newsletter_save(
        newsletter=Newsletter(), data={"subject": "Nieuws", "body": body, "lists": [news]}, created_by=staff_user
    )
    make_subscriber("ans@example.org", lists=[news], name="Ans")
    deliveries_send_batch(newsletter_id=started(newsletter).pk)

    [message] = mailoutbox
    assert message.body.count("Hallo Ans,") == 1
    assert message.body.count("Met vriendelijke groet,") == 1
    assert message.alternatives[0][0].count("Met vriendelijke groet,") == 1


def test_the_compose_page_shows_the_greeting_and_sign_off_the_mail_adds(staff_client):
    page = staff_client.get(reverse("dissemination:newsletter_create")).content.decode()

    greeting = re.search(r'data-testid="newsletter-body-greeting">(.*?)</div>', page, re.S).group(1)
    assert "Wordt toegevoegd" in greeting
    assert "Hallo {voornaam}," in greeting
    sign_off = re.search(r'data-testid="newsletter-body-sign-off">(.*?)</div>', page, re.S).group(1)
    assert "Met vriendelijke groet, Mentorwijs · Werkzaak Rivierenland" in sign_off
    english_greeting = re.search(r'data-testid="newsletter-body-en-greeting">(.*?)</div>', page, re.S).group(1)
    assert "Hello {first name}," in english_greeting
    assert "aanhef hierboven en de afsluiting hieronder worden voor je toegevoegd" in page


def test_the_preview_shows_greeting_sign_off_and_the_chosen_version(staff_client, staff_user):
    data = {"subject": "Nieuws", "body": "Regel een\nregel twee", "subject_en": "News", "body_en": "Line one"}
    dutch = staff_client.post(reverse("dissemination:newsletter_preview"), data).content.decode()
    english_page = staff_client.post(
        reverse("dissemination:newsletter_preview"), {**data, "preview_language": "en"}
    ).content.decode()

    assert f"<p>Hallo {staff_user.first_name},</p>" in dutch
    assert "Regel een<br>\nregel twee" in dutch
    assert "Met vriendelijke groet,<br>Mentorwijs · Werkzaak Rivierenland" in dutch
    assert f"<p>Hello {staff_user.first_name},</p>" in english_page
    assert "Line one" in english_page
    assert "Kind regards," in english_page


def test_the_detail_page_previews_the_english_version(staff_client, news):
    newsletter = english(NewsletterFactory(lists=[news]))
    page = staff_client.get(reverse("dissemination:newsletter_detail", args=[newsletter.pk])).content.decode()
    url = reverse("dissemination:newsletter_html", args=[newsletter.pk]) + "?taal=en"
    assert f'src="{url}" data-testid="newsletter-preview-en"' in page
    assert "<strong>March</strong>" in staff_client.get(url).content.decode()
    plain = NewsletterFactory(lists=[news])
    assert staff_client.get(reverse("dissemination:newsletter_html", args=[plain.pk]) + "?taal=en").status_code == 404


# The test mail ------------------------------------------------------------------------------------------


def test_a_test_mail_carries_the_testers_own_working_links(client, news, mailoutbox):
    tester = UserFactory(first_name="Sanne", email="sanne@werkzaak.example", roles=["staff"])
    own = make_subscriber("Sanne@Werkzaak.example", lists=[news], name="Sanne Smit")
    newsletter = NewsletterFactory(lists=[news])

    assert newsletter_test_mail_send(newsletter_id=newsletter.pk, user_id=tester.pk)

    [message] = mailoutbox
    assert message.subject.startswith("[TEST] ")
    assert message.body.startswith("Hallo Sanne,\n")
    links = [link for link in LINK.findall(message.body) if "/nieuwsbrief/" in link]
    assert len(links) == 2
    for link in links:
        assert path_of(link) not in ("", "/")
        assert link in message.alternatives[0][0]
    preferences, unsubscribe = links
    page = client.get(path_of(preferences))
    assert page.status_code == 200
    assert "sanne@werkzaak.example" in page.content.decode().lower()
    assert page.context["subscriber"] == own
    page = client.get(path_of(unsubscribe))
    assert page.status_code == 200
    assert page.context["subscriber"] == own
    client.post(path_of(unsubscribe))
    own.refresh_from_db()
    assert own.status == SubscriberStatus.UNSUBSCRIBED  # the tester's own link does what it says


def test_a_test_mail_for_a_tester_who_subscribes_to_nothing_links_to_pages_that_explain(client, news, mailoutbox):
    tester = UserFactory(first_name="Sanne", roles=["staff"])
    newsletter = english(NewsletterFactory(lists=[news]))

    newsletter_test_mail_send(newsletter_id=newsletter.pk, user_id=tester.pk)

    dutch, english_mail = mailoutbox  # one test per version
    assert dutch.body.startswith("Hallo Sanne,\n")
    assert english_mail.body.startswith("Hello Sanne,\n")
    assert english_mail.subject == "[TEST] News in March"
    links = [link for link in LINK.findall(dutch.body) if "/nieuwsbrief/" in link]
    assert len(links) == 2
    for link in links:
        page = client.get(path_of(link))
        assert page.status_code == 200
        assert "Je hebt een persoonlijke link geopend in een test" in page.content.decode()


# The region ---------------------------------------------------------------------------------------------


def test_sign_up_stores_the_region_and_a_regional_newsletter_reaches_them(
    client, news, mailoutbox, django_capture_on_commit_callbacks
):
    rivierenland = Region.objects.get(name="Rivierenland")
    twente = Region.objects.get(name="Twente")
    page = client.get(reverse("newsletter:signup")).content.decode()
    assert 'name="region"' in page
    assert "Rivierenland" in page
    for email, region in (("anna@example.org", rivierenland), ("bert@example.org", twente)):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("newsletter:signup"),
                {"email": email, "first_name": email[:4], "region": region.pk, "lists": [news.pk]},
            )
        assert response.status_code == 302
    client.post(reverse("newsletter:signup"), {"email": "cor@example.org", "first_name": "Cor", "lists": [news.pk]})
    assert dict(Subscriber.objects.values_list("email", "region")) == {
        "anna@example.org": rivierenland.pk,
        "bert@example.org": twente.pk,
        "cor@example.org": None,
    }
    for message in mailoutbox:  # both confirm through the link in their mail
        link = LINK.search(message.body).group(0)
        client.post(path_of(link))
    assert Subscriber.objects.filter(status=SubscriberStatus.CONFIRMED).count() == 2

    newsletter = NewsletterFactory(lists=[news])
    newsletter.regions.set([rivierenland])
    Newsletter.objects.filter(pk=newsletter.pk).update(status="scheduled", scheduled_at=newsletter.created_at)
    assert newsletter_start(newsletter_id=newsletter.pk)

    assert list(Delivery.objects.values_list("subscriber__email", "status")) == [
        ("anna@example.org", DeliveryStatus.PENDING)
    ]


def test_a_subscriber_chooses_language_and_region_on_the_preference_page(client, news, mailoutbox):
    subscriber = make_subscriber("ans@example.org", lists=[news], name="Ans")
    subscriber_confirm(subscriber=subscriber, list_ids=[news.pk])  # with its consent record
    path = path_of(preferences_url(subscriber))
    page = client.get(path)
    assert page.context["form"].initial["language"] == "nl"
    twente = Region.objects.get(name="Twente")

    client.post(path, {"lists": [news.pk], "language": "en", "region": twente.pk})

    subscriber.refresh_from_db()
    assert (subscriber.language, subscriber.region, subscriber.status) == ("en", twente, SubscriberStatus.CONFIRMED)
    client.post(path, {})  # "leave all newsletters" carries no language: it stays
    subscriber.refresh_from_db()
    assert (subscriber.language, subscriber.region, subscriber.status) == ("en", twente, SubscriberStatus.UNSUBSCRIBED)


def test_staff_see_first_name_region_and_language_of_a_subscriber(staff_client, news):
    subscriber = make_subscriber(
        "ans@example.org", lists=[news], name="Ans de Vries", language="en", region=Region.objects.get(name="Twente")
    )
    page = staff_client.get(reverse("dissemination:subscriber_detail", args=[subscriber.pk])).content.decode()
    assert re.search(r'data-testid="subscriber-first-name">Ans<', page)
    assert re.search(r'data-testid="subscriber-region">Twente<', page)
    assert re.search(r'data-testid="subscriber-language">Engels<', page)
