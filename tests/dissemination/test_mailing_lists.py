"""Mailing lists on staff pages (create, describe, public or internal, archive, restore) and what the
public sign-up form offers: only public lists that are not archived, and a clear message without a form
when there is none."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from dissemination.enums import SubscriberStatus
from dissemination.models import MailingList, Newsletter, Subscriber
from dissemination.services.mailing_lists import mailing_list_archive
from dissemination.services.subscriptions import preferences_choices
from tests.conftest import client_for
from tests.factories import MailingListFactory, NewsletterFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def rows(response) -> list[str]:
    return [mailing_list.name for mailing_list in response.context["lists"]]


# --- staff pages ---


def test_staff_create_a_public_list_with_a_description_that_the_sign_up_form_shows(staff_client, client, staff_user):
    response = staff_client.post(
        reverse("dissemination:mailing_list_create"),
        {"name": "  Werkgevers  ", "description": "Nieuws voor werkgevers & stagebedrijven", "public": "on"},
    )
    assert response.status_code == 302
    mailing_list = MailingList.objects.get()
    assert (mailing_list.name, mailing_list.public, mailing_list.archived_at) == ("Werkgevers", True, None)
    entry = LogEntry.objects.get(content_type=ContentType.objects.get_for_model(MailingList))
    assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, staff_user)

    staff_client.logout()
    page = client.get(reverse("newsletter:signup")).content.decode()
    assert "Werkgevers" in page
    assert "Nieuws voor werkgevers &amp; stagebedrijven" in page


def test_a_list_made_internal_leaves_the_sign_up_form(staff_client):
    internal = MailingListFactory(name="Intern", description="Alleen voor import", public=True)
    MailingListFactory(name="Scholen")
    response = staff_client.post(
        reverse("dissemination:mailing_list_update", args=[internal.pk]), {"name": "Intern", "description": ""}
    )
    assert response.status_code == 302
    internal.refresh_from_db()
    assert (internal.public, internal.description) == (False, "")
    form = staff_client.get(reverse("newsletter:signup")).context["form"]
    assert [item.name for item in form.fields["lists"].queryset] == ["Scholen"]


def test_a_name_another_list_has_is_refused_next_to_the_field(staff_client):
    MailingListFactory(name="Werkgevers")
    response = staff_client.post(reverse("dissemination:mailing_list_create"), {"name": "werkgevers", "public": "on"})
    assert response.status_code == 400
    assert response.context["form"].errors["name"] == ["Er is al een lijst met deze naam."]
    assert MailingList.objects.count() == 1


def test_archiving_keeps_subscribers_and_newsletters_and_hides_the_list_until_restored(staff_client):
    old = MailingListFactory(name="Oud nieuws")
    MailingListFactory(name="Scholen")
    subscriber = SubscriberFactory(lists=[old])
    newsletter = NewsletterFactory(lists=[old])

    assert staff_client.post(reverse("dissemination:mailing_list_archive", args=[old.pk])).status_code == 302
    old.refresh_from_db()
    assert old.archived_at is not None
    assert list(subscriber.lists.all()) == [old]
    assert list(newsletter.lists.all()) == [old]
    signup = staff_client.get(reverse("newsletter:signup")).context["form"]
    assert [item.name for item in signup.fields["lists"].queryset] == ["Scholen"]
    compose = staff_client.get(reverse("dissemination:newsletter_create")).context["form"]
    assert [item.name for item in compose.fields["lists"].queryset] == ["Scholen"]
    # The draft that has it keeps it on its form.
    edit = staff_client.get(reverse("dissemination:newsletter_update", args=[newsletter.pk])).context["form"]
    assert {item.name for item in edit.fields["lists"].queryset} == {"Oud nieuws", "Scholen"}
    listing = staff_client.get(reverse("dissemination:mailing_list_list"))
    assert rows(listing) == ["Scholen", "Oud nieuws"]  # the archived last

    assert staff_client.post(reverse("dissemination:mailing_list_restore", args=[old.pk])).status_code == 302
    old.refresh_from_db()
    assert old.archived_at is None
    signup = staff_client.get(reverse("newsletter:signup")).context["form"]
    assert [item.name for item in signup.fields["lists"].queryset] == ["Oud nieuws", "Scholen"]
    changes = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(MailingList), object_pk=str(old.pk)
    ).order_by("pk")
    assert [list(entry.changes) for entry in changes.filter(action=LogEntry.Action.UPDATE)] == [
        ["archived_at"],
        ["archived_at"],
    ]


def test_a_new_newsletter_cannot_be_sent_to_an_archived_list(staff_client):
    archived = mailing_list_archive(mailing_list=MailingListFactory(name="Oud nieuws"))
    response = staff_client.post(
        reverse("dissemination:newsletter_create"),
        {"subject": "Nieuws", "body": "Tekst", "lists": [archived.pk]},
    )
    assert response.status_code == 200
    assert "lists" in response.context["form"].errors
    assert not Newsletter.objects.exists()


def test_the_list_page_counts_subscribers_per_list(staff_client):
    news = MailingListFactory(name="Nieuws")
    MailingListFactory(name="Leeg")
    SubscriberFactory.create_batch(2, lists=[news])
    SubscriberFactory(lists=[news], status=SubscriberStatus.PENDING)
    response = staff_client.get(reverse("dissemination:mailing_list_list"))
    counts = {item.name: (item.confirmed_count, item.subscriber_count) for item in response.context["lists"]}
    assert counts == {"Leeg": (0, 0), "Nieuws": (2, 3)}
    assert "2 van 3 bevestigd" in response.content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_page_runs_the_same_queries_however_many_lists(staff_client, count, django_assert_num_queries):
    for number in range(count):
        mailing_list = MailingListFactory(name=f"Lijst {number}", public=number % 2 == 0)
        SubscriberFactory.create_batch(2, lists=[mailing_list])
        NewsletterFactory(lists=[mailing_list])
        if number % 3 == 0:
            mailing_list_archive(mailing_list=mailing_list)
    # the user with roles, the lists with their counts
    with django_assert_num_queries(2):
        response = staff_client.get(reverse("dissemination:mailing_list_list"))
    assert len(rows(response)) == count


@pytest.mark.parametrize("roles", [["ambassador"], ["trainer"], ["master_trainer"]])
def test_only_staff_manage_lists(client, roles):
    mailing_list = MailingListFactory(name="Nieuws")
    client, _user = client_for(client, roles=roles, two_factor=True)
    for name in ("mailing_list_list", "mailing_list_create"):
        assert client.get(reverse(f"dissemination:{name}")).status_code == 403
    assert client.post(reverse("dissemination:mailing_list_create"), {"name": "X", "public": "on"}).status_code == 403
    for name in ("mailing_list_update", "mailing_list_archive", "mailing_list_restore"):
        assert client.post(reverse(f"dissemination:{name}", args=[mailing_list.pk]), {"name": "X"}).status_code == 403
    mailing_list.refresh_from_db()
    assert (mailing_list.name, mailing_list.archived_at) == ("Nieuws", None)
    assert MailingList.objects.count() == 1


def test_staff_reach_the_lists_from_the_newsletter_page(staff_client):
    page = staff_client.get(reverse("dissemination:newsletter_list")).content.decode()
    assert reverse("dissemination:mailing_list_list") in page


# --- the public sign-up form ---


def test_without_a_public_list_the_sign_up_form_says_so_and_shows_no_form(client):
    MailingListFactory(name="Intern", public=False)
    mailing_list_archive(mailing_list=MailingListFactory(name="Oud nieuws"))
    response = client.get(reverse("newsletter:signup"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="signup-closed"' in page
    assert "Er is op dit moment geen nieuwsbrief om je voor aan te melden." in page
    assert 'data-testid="signup-form"' not in page
    response = client.post(
        reverse("newsletter:signup"), {"email": "anna@example.org", "first_name": "Anna", "lists": ["1"]}
    )
    assert 'data-testid="signup-closed"' in response.content.decode()
    assert not Subscriber.objects.exists()


def test_with_public_lists_the_form_offers_them_and_the_only_one_is_chosen_already(client):
    MailingListFactory(name="Intern", public=False)
    only = MailingListFactory(name="Nieuws")
    response = client.get(reverse("newsletter:signup"))
    form = response.context["form"]
    assert [item.name for item in form.fields["lists"].queryset] == ["Nieuws"]
    assert form.fields["lists"].initial == [only.pk]
    assert 'data-testid="signup-closed"' not in response.content.decode()
    assert "checked" in str(form["lists"])

    MailingListFactory(name="Scholen")
    form = client.get(reverse("newsletter:signup")).context["form"]
    assert form.fields["lists"].initial is None
    assert "checked" not in str(form["lists"])


def test_an_archived_public_list_cannot_be_chosen_by_a_crafted_sign_up(client):
    archived = mailing_list_archive(mailing_list=MailingListFactory(name="Oud nieuws"))
    MailingListFactory(name="Nieuws")
    response = client.post(
        reverse("newsletter:signup"), {"email": "anna@example.org", "first_name": "Anna", "lists": [archived.pk]}
    )
    assert response.status_code == 400
    assert "lists" in response.context["form"].errors
    assert not Subscriber.objects.exists()


def test_the_preference_page_offers_an_archived_list_only_to_those_who_follow_it():
    followed = mailing_list_archive(mailing_list=MailingListFactory(name="Oud nieuws"))
    mailing_list_archive(mailing_list=MailingListFactory(name="Oud en niet gevolgd"))
    MailingListFactory(name="Nieuws")
    choices = preferences_choices(consented={followed.pk})
    assert sorted(item.name for item in choices) == ["Nieuws", "Oud nieuws"]
    assert [item.name for item in preferences_choices(consented=set())] == ["Nieuws"]
