"""Row locks on PostgreSQL: one invitation, two people accepting it at the same moment."""

import threading

from allauth.account.models import EmailAddress
from django.db import connection

from mentorwijs.accounts.models import Invitation, User
from mentorwijs.accounts.services import InvitationError, invitation_accept
from tests.factories import PASSWORD, InvitationFactory

JOIN_TIMEOUT = 30


def test_two_simultaneous_accepts_create_one_user(transactional_db):
    invitation = InvitationFactory(email="race@example.org", roles=["trainer"])
    barrier = threading.Barrier(2, timeout=10)
    outcomes = {}

    def accept(name):
        try:
            # Each thread has its own database connection (Django's are per thread).
            mine = Invitation.objects.get(pk=invitation.pk)
            barrier.wait()
            outcomes[name] = invitation_accept(invitation=mine, first_name=name, last_name="Race", password=PASSWORD)
        except Exception as error:  # recorded and asserted below
            outcomes[name] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(name,)) for name in ("Anna", "Bram")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    assert [thread.is_alive() for thread in threads] == [False, False]

    users = [outcome for outcome in outcomes.values() if isinstance(outcome, User)]
    errors = [outcome for outcome in outcomes.values() if isinstance(outcome, InvitationError)]
    assert len(outcomes) == 2
    assert len(users) == 1, outcomes
    assert len(errors) == 1, outcomes
    assert str(errors[0]) == "Deze uitnodiging is al gebruikt. Log in met je e-mailadres."

    user = User.objects.get(email="race@example.org")  # the only one: email is unique, and so is the winner
    assert user.pk == users[0].pk
    assert user.first_name == users[0].first_name
    assert sorted(user.roles) == ["trainer"]
    assert EmailAddress.objects.filter(email="race@example.org").count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_user == user
    assert invitation.status == Invitation.Status.ACCEPTED
