"""Sorting, searching and paging the lists of dissemination (issue 17, lists): contacts,
organisations, people, events, newsletters and subscribers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dissemination.enums import NewsletterStatus, SubscriberStatus, TargetGroup
from dissemination.models import Delivery, Event, EventGuest, Region
from tests.factories import (
    MailingListFactory,
    NewsletterFactory,
    OrganisationFactory,
    OutreachContactFactory,
    PersonFactory,
    SubscriberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def rows(client, url_name, key="object_list", **query):
    response = client.get(reverse(url_name), query)
    assert response.status_code == 200
    return list(response.context[key])


# --- contacts ---


@pytest.fixture
def ambassadors(db):
    return UserFactory(roles=["ambassador"]), UserFactory(roles=["ambassador"])


@pytest.fixture
def contacts(ambassadors):
    """Three contacts of the first ambassador, whose dates, organisations and channels differ in order,
    and one of the second ambassador that matches every search."""
    mine, other = ambassadors
    today = timezone.localdate()
    jansen = PersonFactory(first_name="Els", last_name="Jansen")
    return {
        "phone": OutreachContactFactory(
            logged_by=mine,
            organisation=OrganisationFactory(name="bakkerij Linge"),
            date=today - timedelta(days=3),
            channel="phone",
        ),
        "mail": OutreachContactFactory(
            logged_by=mine,
            organisation=OrganisationFactory(name="Zorggroep West"),
            person=jansen,
            date=today,
            channel="email",
        ),
        "talk": OutreachContactFactory(
            logged_by=mine,
            organisation=OrganisationFactory(name="Autobedrijf Tiel"),
            date=today - timedelta(days=10),
            channel="conversation",
            notes="Wil een training op locatie",
        ),
        "others": OutreachContactFactory(
            logged_by=other,
            organisation=OrganisationFactory(name="Zorggroep Tiel"),
            person=PersonFactory(first_name="Els", last_name="Jansen-de Vries"),
            channel="phone",
            notes="Wil een training op locatie",
        ),
    }


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["mail", "phone", "talk"]),  # newest first, as before
        ("date", ["talk", "phone", "mail"]),
        ("-date", ["mail", "phone", "talk"]),
        ("organisation", ["talk", "phone", "mail"]),  # Autobedrijf, bakkerij, Zorggroep: case does not count
        ("-organisation", ["mail", "phone", "talk"]),
        ("channel", ["talk", "phone", "mail"]),  # conversation, phone, email: the order of the choices
        ("-channel", ["mail", "phone", "talk"]),
    ],
)
def test_an_ambassador_sorts_their_contacts(client, ambassadors, contacts, sort, expected):
    client.force_login(ambassadors[0])
    found = rows(client, "dissemination:contact_list", **({"sort": sort} if sort else {}))
    assert found == [contacts[name] for name in expected]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("linge", ["phone"]),  # organisation
        ("els jansen", ["mail"]),  # person, every word
        ("op locatie", ["talk"]),  # notes
        ("tiel", ["talk"]),
        ("vries", []),  # only in the other ambassador's contact
    ],
)
def test_an_ambassadors_search_finds_only_their_own_contacts(client, ambassadors, contacts, q, expected):
    client.force_login(ambassadors[0])
    assert rows(client, "dissemination:contact_list", q=q) == [contacts[name] for name in expected]


def test_an_ambassadors_search_ignores_a_filter_by_ambassador(client, ambassadors, contacts):
    client.force_login(ambassadors[0])
    found = rows(client, "dissemination:contact_list", q="tiel", logged_by=ambassadors[1].pk)
    assert found == [contacts["talk"]]


def test_staff_search_everyones_contacts_and_filter_by_ambassador(staff_client, ambassadors, contacts):
    assert rows(staff_client, "dissemination:contact_list", q="op locatie", sort="organisation") == [
        contacts["talk"],
        contacts["others"],
    ]
    found = rows(staff_client, "dissemination:contact_list", q="op locatie", logged_by=ambassadors[1].pk)
    assert found == [contacts["others"]]


def test_the_contact_list_offers_sort_links_that_keep_the_search(client, ambassadors, contacts):
    client.force_login(ambassadors[0])
    html = client.get(reverse("dissemination:contact_list"), {"q": "tiel"}).content.decode()
    assert 'name="q"' in html
    assert 'name="logged_by"' not in html  # staff only
    assert 'href="?q=tiel&amp;sort=organisation" data-sort="organisation"' in html
    assert 'href="?q=tiel&amp;sort=date" data-sort="date">Datum<span aria-hidden="true"> ▼</span>' in html


@pytest.mark.parametrize("count", [2, 30])
def test_a_searched_and_sorted_contact_list_runs_fixed_queries(client, ambassadors, count, django_assert_num_queries):
    for number in range(count):
        OutreachContactFactory(logged_by=ambassadors[0], organisation=OrganisationFactory(name=f"Zorg {number}"))
    client.force_login(ambassadors[0])
    client.get(reverse("dissemination:contact_list"))  # warm the session
    # The user; the count, the page with organisation, person and ambassador.
    with django_assert_num_queries(3):
        response = client.get(reverse("dissemination:contact_list"), {"q": "zorg", "sort": "-organisation"})
    assert len(response.context["object_list"]) == min(count, 25)


# --- organisations and people ---


def test_organisations_sort_by_name_and_city(staff_client):
    OrganisationFactory(name="b.v. Beta", city="Zutphen")
    OrganisationFactory(name="Alpha", city="arnhem")
    OrganisationFactory(name="Gamma", city="Tiel", region=Region.objects.get(name="Achterhoek"))

    def names(**query):
        return [organisation.name for organisation in rows(staff_client, "dissemination:organisation_list", **query)]

    assert names() == ["Alpha", "b.v. Beta", "Gamma"]
    assert names(sort="-name") == ["Gamma", "b.v. Beta", "Alpha"]
    assert names(sort="city") == ["Alpha", "Gamma", "b.v. Beta"]
    assert names(sort="-city") == ["b.v. Beta", "Gamma", "Alpha"]
    assert names(sort="region") == ["Gamma", "b.v. Beta", "Alpha"]  # Achterhoek, then Rivierenland by pk


def test_people_sort_by_name_and_organisation(staff_client):
    PersonFactory(first_name="Ans", last_name="Visser", organisation=OrganisationFactory(name="Alpha"))
    PersonFactory(first_name="Bram", last_name="de Boer", organisation=OrganisationFactory(name="Gamma"))
    PersonFactory(first_name="Cor", last_name="Mulder", organisation=OrganisationFactory(name="Beta"))

    def names(**query):
        return [person.first_name for person in rows(staff_client, "dissemination:person_list", **query)]

    assert names(sort="name") == ["Bram", "Cor", "Ans"]
    assert names(sort="-name") == ["Ans", "Cor", "Bram"]
    assert names(sort="organisation") == ["Ans", "Cor", "Bram"]
    assert names(sort="-organisation") == ["Bram", "Cor", "Ans"]


# --- newsletters and subscribers ---


def test_newsletters_sort_by_subject_status_and_send_time(staff_client):
    now = timezone.now()
    first = NewsletterFactory(subject="Winter", status=NewsletterStatus.SENT, scheduled_at=now - timedelta(days=9))
    second = NewsletterFactory(subject="lente", status=NewsletterStatus.DRAFT)
    third = NewsletterFactory(subject="Herfst", status=NewsletterStatus.SCHEDULED, scheduled_at=now + timedelta(1))

    def subjects(**query):
        return [n.subject for n in rows(staff_client, "dissemination:newsletter_list", "newsletters", **query)]

    assert subjects() == [third.subject, second.subject, first.subject]  # newest first, as before
    assert subjects(sort="subject") == ["Herfst", "lente", "Winter"]
    assert subjects(sort="-subject") == ["Winter", "lente", "Herfst"]
    assert subjects(sort="send_at") == ["Winter", "Herfst", "lente"]  # not scheduled: last
    assert subjects(sort="-send_at") == ["Herfst", "Winter", "lente"]
    assert subjects(sort="status") == ["lente", "Herfst", "Winter"]  # draft, scheduled, sent


def test_the_newsletter_list_is_paged_by_25(staff_client):
    staff = UserFactory(roles=["staff"])
    for number in range(27):
        NewsletterFactory(subject=f"Nieuwsbrief {number:02}", created_by=staff)
    first = staff_client.get(reverse("dissemination:newsletter_list"))
    assert len(first.context["newsletters"]) == 25
    assert first.context["paginator"].count == 27
    assert first.context["newsletters"][0].subject == "Nieuwsbrief 26"
    second = staff_client.get(reverse("dissemination:newsletter_list"), {"page": 2, "sort": "subject"})
    assert [n.subject for n in second.context["newsletters"]] == ["Nieuwsbrief 25", "Nieuwsbrief 26"]
    assert second.context["page_obj"].number == 2
    assert 'rel="prev"' in second.content.decode()
    last = staff_client.get(reverse("dissemination:newsletter_list"), {"page": "last"})
    assert [n.subject for n in last.context["newsletters"]] == ["Nieuwsbrief 01", "Nieuwsbrief 00"]
    assert staff_client.get(reverse("dissemination:newsletter_list"), {"page": 3}).status_code == 404


def test_an_empty_newsletter_list_says_so(staff_client):
    response = staff_client.get(reverse("dissemination:newsletter_list"))
    assert response.context["paginator"].count == 0
    assert 'data-testid="no-newsletters"' in response.content.decode()


@pytest.mark.parametrize("count", [2, 40])
def test_the_newsletter_list_runs_fixed_queries_with_many_rows(staff_client, count, django_assert_num_queries):
    lists = [MailingListFactory(name="Nieuws"), MailingListFactory(name="Werkgevers")]
    staff = UserFactory(roles=["staff"])
    subscribers = [SubscriberFactory(lists=lists) for _ in range(3)]
    for _ in range(count):
        newsletter = NewsletterFactory(created_by=staff, lists=lists)
        # Deliveries joined for the counts must not change the number of newsletters.
        Delivery.objects.bulk_create(Delivery(newsletter=newsletter, subscriber=s, status="sent") for s in subscribers)
    staff_client.get(reverse("dissemination:newsletter_list"))  # warm the session
    # The user; the page of newsletters with its delivery counts and the number of newsletters; their lists.
    with django_assert_num_queries(3):
        response = staff_client.get(reverse("dissemination:newsletter_list"), {"sort": "-subject"})
    assert len(response.context["newsletters"]) == min(count, 25)
    assert response.context["paginator"].count == count
    assert {(n.sent_count, n.delivery_count) for n in response.context["newsletters"]} == {(3, 3)}


def test_subscribers_sort_by_address_name_and_status(staff_client):
    SubscriberFactory(email="b@example.org", name="Zeger", status=SubscriberStatus.PENDING)
    SubscriberFactory(email="a@example.org", name="yara", status=SubscriberStatus.UNSUBSCRIBED)
    SubscriberFactory(email="c@example.org", name="Xander", target_group=TargetGroup.SCHOOLS)

    def emails(**query):
        return [s.email for s in rows(staff_client, "dissemination:subscriber_list", "subscribers", **query)]

    assert emails() == ["a@example.org", "b@example.org", "c@example.org"]
    assert emails(sort="-email") == ["c@example.org", "b@example.org", "a@example.org"]
    assert emails(sort="name") == ["c@example.org", "a@example.org", "b@example.org"]
    assert emails(sort="status") == ["b@example.org", "c@example.org", "a@example.org"]  # pending, confirmed, …
    assert emails(sort="-name", target_group=TargetGroup.SCHOOLS) == ["c@example.org"]


# --- events ---


def test_events_sort_by_title_date_and_counts(staff_client):
    today = timezone.localdate()
    small = Event.objects.create(kind="meeting", title="netwerk", date=today - timedelta(days=5))
    big = Event.objects.create(kind="congress", title="Congres", date=today - timedelta(days=30))
    none = Event.objects.create(kind="meeting", title="Zomer", date=today + timedelta(days=9))
    EventGuest.objects.create(event=small, person=PersonFactory(), invited=True)
    EventGuest.objects.bulk_create(EventGuest(event=big, person=PersonFactory(), invited=True) for _ in range(3))

    def titles(**query):
        return [event.title for event in rows(staff_client, "dissemination:event_list", **query)]

    assert titles() == ["Zomer", "netwerk", "Congres"]  # the latest first, as before
    assert titles(sort="title") == ["Congres", "netwerk", "Zomer"]
    assert titles(sort="date") == ["Congres", "netwerk", "Zomer"]
    assert titles(sort="-invited") == ["Congres", "netwerk", "Zomer"]
    assert titles(sort="invited") == [none.title, small.title, big.title]
