"""Row locks on PostgreSQL in the ambassadors app: one trainer assigned to two runs at the same time,
and one address invited twice, at the same moment, never both succeed."""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from ambassadors.models import Ambassador
from ambassadors.services.assignments import assignment_add
from ambassadors.services.profiles import ambassador_invite
from dissemination.models import Person, Region
from mentorwijs.accounts.models import Invitation
from tests.factories import CertificationFactory, PersonFactory, TrainingFactory, UserFactory
from tests.services.threads import at_once
from trainings.models import Assignment


@pytest.fixture(autouse=True)
def region(transactional_db):
    """transactional_db empties the tables after each test, the regions of the data migration too."""
    return Region.objects.get_or_create(name="Rivierenland")[0]


def test_one_trainer_assigned_to_two_overlapping_runs_at_once_gives_only_one(region):
    trainer = UserFactory(roles=["trainer"])
    CertificationFactory(holder=trainer)
    staff = UserFactory(roles=["staff"])
    first = timezone.now() + timedelta(days=10)
    runs = {
        name: TrainingFactory(title=name, region=region, meetings=3, meetings__first_meeting=first)
        for name in ("Tiel", "Culemborg")
    }

    outcomes = at_once(
        lambda name: assignment_add(training=runs[name], trainer=trainer, role="lead", assigned_by=staff), list(runs)
    )

    refused = [outcome for outcome in outcomes.values() if isinstance(outcome, ValidationError)]
    assert len(refused) == 1, outcomes
    assert Assignment.objects.filter(trainer=trainer).count() == 1


@pytest.mark.parametrize("known", ["nobody", "person", "account"])
def test_two_staff_inviting_one_address_at_once_make_one_profile(known):
    """The second invitation waits for the first (the Person row is the lock), then is refused."""
    if known == "person":
        PersonFactory(email="tegelijk@example.org")
    if known == "account":
        UserFactory(email="tegelijk@example.org")
    staff = {name: UserFactory(roles=["staff"]) for name in ("one", "two")}

    def invite(name):
        return ambassador_invite(
            email="tegelijk@example.org",
            first_name="Noor",
            last_name="Jansen",
            kind="professional",
            organisation=None,
            region=None,
            offers=["speak_at_events"],
            invited_by=staff[name],
        )

    outcomes = at_once(invite, list(staff))

    refused = [outcome for outcome in outcomes.values() if isinstance(outcome, ValidationError)]
    made = [outcome for outcome in outcomes.values() if isinstance(outcome, Ambassador)]
    assert (len(made), len(refused)) == (1, 1), outcomes
    assert set(refused[0].message_dict) == {"email"}
    assert Ambassador.objects.get().pk == made[0].pk
    assert Person.objects.filter(email="tegelijk@example.org").count() == 1
    assert Invitation.objects.count() == (0 if known == "account" else 1)
    # The worker mails the invitation; let it finish before the tables are emptied under it.
    deadline = time.monotonic() + 20
    while Invitation.objects.filter(sent_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not Invitation.objects.filter(sent_at__isnull=True).exists()
