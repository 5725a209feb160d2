"""Sorting the team list and the invitations (issue 17, lists)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorwijs.accounts.models import Invitation
from tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_team_list_sorts_by_name_address_and_last_login(staff_client, staff_user):
    staff_user.first_name, staff_user.last_name, staff_user.email = "Mira", "Staf", "m@example.org"
    staff_user.last_login = timezone.now()
    staff_user.save()
    UserFactory(first_name="anna", last_name="Smit", email="z@example.org", last_login=timezone.now() - timedelta(9))
    UserFactory(first_name="Bert", last_name="Bos", email="a@example.org", last_login=None)

    def names(**query):
        response = staff_client.get(reverse("accounts:team_list"), query)
        return [account.first_name for account in response.context["object_list"]]

    assert names(sort="name") == ["anna", "Bert", "Mira"]  # without regard to case
    assert names(sort="-name") == ["Mira", "Bert", "anna"]
    assert names(sort="email") == ["Bert", "Mira", "anna"]
    assert names(sort="last_login") == ["anna", "Mira", "Bert"]  # never logged in: last
    assert names(sort="-last_login") == ["Mira", "anna", "Bert"]
    assert names(sort="-name", q="b") == ["Bert"]


def test_the_invitations_sort_by_address_inviter_date_and_status(staff_client, settings):
    now = timezone.now()
    expired_at = now - timedelta(days=settings.INVITATION_VALID_DAYS + 1)
    ans, bas = UserFactory(first_name="ans", roles=["staff"]), UserFactory(first_name="Bas", roles=["staff"])
    InvitationFactory(email="b@example.org", invited_by=bas, created_at=now - timedelta(days=1))  # open
    InvitationFactory(email="A@example.org", invited_by=None, created_at=expired_at)  # command line; expired
    InvitationFactory(email="c@example.org", invited_by=ans, created_at=now, revoked_at=now)  # revoked
    InvitationFactory(email="d@example.org", invited_by=bas, created_at=now - timedelta(days=2), accepted_at=now)

    def emails(**query):
        response = staff_client.get(reverse("accounts:invitation_list"), query)
        return [invitation.email for invitation in response.context["object_list"]]

    assert emails() == ["c@example.org", "b@example.org", "d@example.org", "A@example.org"]  # the newest first
    assert emails(sort="email") == ["A@example.org", "b@example.org", "c@example.org", "d@example.org"]
    assert emails(sort="created") == ["A@example.org", "d@example.org", "b@example.org", "c@example.org"]
    assert emails(sort="invited_by") == ["c@example.org", "b@example.org", "d@example.org", "A@example.org"]
    # open, accepted, expired, revoked: as Invitation.Status lists them
    assert emails(sort="status") == ["b@example.org", "d@example.org", "A@example.org", "c@example.org"]
    found = staff_client.get(reverse("accounts:invitation_list"), {"sort": "status"}).context["object_list"]
    assert [invitation.status for invitation in found] == list(Invitation.Status)
    assert emails(sort="-status")[0] == "c@example.org"
    assert emails(sort="created_by_whom") == emails()  # an unknown key: the default order


def test_the_invitations_are_paged_by_25_and_keep_their_order(staff_client):
    now = timezone.now()
    for number in range(27):
        InvitationFactory(email=f"i{number:02d}@example.org", created_at=now - timedelta(minutes=number))
    second = staff_client.get(reverse("accounts:invitation_list"), {"sort": "-email", "page": 2})
    assert [invitation.email for invitation in second.context["object_list"]] == ["i01@example.org", "i00@example.org"]
    html = second.content.decode()
    assert "Pagina 2 van 2" in html
    assert 'href="?sort=-email&amp;page=1" rel="prev"' in html


@pytest.mark.parametrize("rows", [1, 30])
def test_a_sorted_invitation_list_runs_fixed_queries(staff_client, django_assert_num_queries, rows):
    staff = UserFactory(roles=["staff"])
    InvitationFactory.create_batch(rows, invited_by=staff)
    # the user with roles, the count, the page with inviters and accounts: as unsorted
    with django_assert_num_queries(3):
        response = staff_client.get(reverse("accounts:invitation_list"), {"sort": "status"})
    assert len(response.context["object_list"]) == min(rows, 25)
