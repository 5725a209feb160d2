"""Sorting the privacy lists (issue 17, lists): the audit trail and the accounts."""

from datetime import timedelta

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from mentorwijs.accounts.models import User
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


def change_phone(person, actor, number):
    with set_actor(actor):
        person.phone = number
        person.save()


def test_the_audit_trail_sorts_by_time_and_by_who(staff_client, staff_user):
    person = PersonFactory()
    bert, anna = UserFactory(first_name="Bert", roles=["staff"]), UserFactory(first_name="anna", roles=["staff"])
    LogEntry.objects.all().delete()
    change_phone(person, bert, "0611111111")
    change_phone(person, anna, "0622222222")
    person.phone = "0633333333"  # the system itself: no one
    person.save()
    first, second, third = LogEntry.objects.order_by("pk").values_list("pk", flat=True)
    LogEntry.objects.filter(pk=first).update(timestamp=timezone.now() - timedelta(days=3))

    def entries(**query):
        response = staff_client.get(reverse("privacy:audit"), query)
        return [row["entry"].pk for row in response.context["rows"]]

    assert entries() == [third, second, first]  # the newest first, as before
    assert entries(sort="when") == [first, second, third]
    assert entries(sort="who") == [second, first, third]  # anna, Bert, then the system
    assert entries(sort="-who") == [first, second, third]  # Bert, anna, the system still last
    assert entries(sort="who", actor=bert.pk) == [first]
    assert entries(sort="nobody") == entries()
    html = staff_client.get(reverse("privacy:audit"), {"sort": "who", "actor": bert.pk}).content.decode()
    assert '<input type="hidden" name="sort" value="who">' in html  # filtering keeps the order
    assert f'href="?sort=-who&amp;actor={bert.pk}" data-sort="who"' in html


def test_the_audit_trail_is_paged_by_50(staff_client, staff_user):
    people = PersonFactory.create_batch(52)
    LogEntry.objects.all().delete()
    for person in people:
        change_phone(person, staff_user, "0600000000")
    oldest = LogEntry.objects.order_by("pk").values_list("pk", flat=True)[:2]
    second = staff_client.get(reverse("privacy:audit"), {"page": 2})
    assert [row["entry"].pk for row in second.context["rows"]] == list(reversed(oldest))


@pytest.mark.parametrize("count", [3, 120])
def test_a_sorted_audit_trail_runs_fixed_queries(staff_client, staff_user, count, django_assert_num_queries):
    for person in PersonFactory.create_batch(count):
        change_phone(person, staff_user, "0600000000")
    staff_client.get(reverse("privacy:audit"))  # warm the content-type cache
    # the user with roles, the actors of the filter, the count, the entries with their actors
    with django_assert_num_queries(4):
        response = staff_client.get(reverse("privacy:audit"), {"sort": "who"})
    assert len(response.context["rows"]) == min(LogEntry.objects.count(), 50)


def test_the_accounts_sort_by_name_last_login_and_status(staff_client, staff_user):
    User.objects.filter(pk=staff_user.pk).update(first_name="Mira", last_login=timezone.now())
    UserFactory(first_name="anna", roles=["trainer"], last_login=timezone.now() - timedelta(days=5))
    gone = UserFactory(first_name="Bert", roles=["trainer"])
    User.objects.filter(pk=gone.pk).update(is_active=False)

    def names(**query):
        response = staff_client.get(reverse("privacy:account_list"), query)
        return [account.first_name for account in response.context["object_list"]]

    assert names() == ["anna", "Bert", "Mira"]
    assert names(sort="-name") == ["Mira", "Bert", "anna"]
    assert names(sort="-last_login") == ["Mira", "anna", "Bert"]  # never logged in: last
    assert names(sort="status") == ["Bert", "Mira", "anna"]  # deactivated first, then by pk
    assert names(sort="-name", role="trainer") == ["Bert", "anna"]
    assert names(sort="?") == names()


@pytest.mark.parametrize("count", [1, 60])
def test_a_sorted_account_list_runs_fixed_queries(staff_client, count, django_assert_num_queries):
    for number in range(count):
        UserFactory(roles=["trainer"], first_name=f"Trainer{number:02d}")
    # as unsorted: the user with roles, the count, the page, their roles
    with django_assert_num_queries(4):
        response = staff_client.get(reverse("privacy:account_list"), {"sort": "-name"})
    assert response.context["object_list"][0].first_name == f"Trainer{count - 1:02d}"
    second = staff_client.get(reverse("privacy:account_list"), {"sort": "-name", "page": 2})
    assert second.status_code == (200 if count + 1 > 50 else 404)
