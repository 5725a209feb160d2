"""manage.py seed_large at a small scale: the figures of issue 7 times the scale, repeatable, and
only ever into an empty database."""

from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count

from ambassadors.enums import CertificationStatus
from ambassadors.models import Ambassador, Certification
from dissemination.models import ConsentRecord, Organisation, OutreachContact, Person, Region, Subscriber
from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role
from trainings.enums import EnrolmentStatus, TrainingStatus
from trainings.models import Assignment, Attendance, Certificate, Enrolment, Meeting, Training

pytestmark = pytest.mark.django_db

SCALE = 0.01


def seed(scale=SCALE, seed=2026) -> str:
    out = StringIO()
    call_command("seed_large", "--scale", str(scale), "--seed", str(seed), stdout=out)
    return out.getvalue()


def fingerprint() -> list:
    """What the random choices decided: stages of the contacts, lead trainers, host organisations."""
    return [
        list(OutreachContact.objects.order_by("pk").values_list("organisation__name", "stage", "person__email")),
        list(Assignment.objects.order_by("training__title", "role").values_list("training__title", "trainer__email")),
        list(Training.objects.order_by("title").values_list("title", "variant", "status", "host_organisation__name")),
    ]


def test_seed_large_creates_the_issue_figures_times_the_scale():
    output = seed()

    assert Region.objects.count() == 35  # the migration's regions; the data uses 30 of them
    assert Organisation.objects.values("region").distinct().count() == 30
    assert User.objects.filter(groups__name=Role.TRAINER).count() == 20
    assert Training.objects.count() == 30
    assert Meeting.objects.count() == 150
    assert Person.objects.count() == 400
    assert Enrolment.objects.count() == 450
    assert Organisation.objects.count() == 100
    assert OutreachContact.objects.count() == 600
    assert Subscriber.objects.count() == 1000
    assert "training runs" in output
    assert "outreach contacts" in output
    # Invented people only: generated names and example.org addresses.
    assert not Person.objects.exclude(email__endswith="@example.org").exists()
    assert not User.objects.exclude(email__endswith="@example.org").exists()
    assert not Subscriber.objects.exclude(email__endswith="@example.org").exists()
    assert set(Person.objects.values_list("first_name", flat=True)) == {"Deelnemer"}


def test_seed_large_data_is_what_the_pages_need():
    seed()

    # Everyone with a role has two-factor set up (every role needs it); nobody has a usable password.
    two_factor = User.objects.filter(groups__name__in=Role.values).distinct()
    assert two_factor.exists()
    assert set(Authenticator.objects.values_list("user_id", flat=True)) == set(two_factor.values_list("pk", flat=True))
    assert not any(user.has_usable_password() for user in User.objects.all())
    # No run twice for one person; completed runs have attendance on every meeting and certificates.
    assert not Enrolment.objects.values("training", "person").annotate(n=Count("pk")).filter(n__gt=1).exists()
    completed = Training.objects.filter(status=TrainingStatus.COMPLETED)
    assert completed.exists()
    assert (
        Attendance.objects.filter(meeting__training__in=completed).count()
        == 5
        * Enrolment.objects.filter(
            training__in=completed, status__in=[EnrolmentStatus.COMPLETED, EnrolmentStatus.DROPPED_OUT]
        ).count()
    )
    assert Certificate.objects.count() == Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED).count()
    assert Training.objects.filter(status=TrainingStatus.OPEN).exists()
    assert Training.objects.filter(status=TrainingStatus.RUNNING).exists()
    # Every trainer holds a certification valid today; the lineage starts with trainers certified by nobody.
    certified = Certification.objects.filter(status=CertificationStatus.APPROVED)
    assert set(certified.values_list("holder", flat=True)) == set(
        User.objects.filter(groups__name=Role.TRAINER).values_list("pk", flat=True)
    )
    assert certified.filter(certified_by__isnull=True).exists()
    assert certified.filter(certified_by__isnull=False).exists()
    # Ambassadors log the contacts; confirmed subscribers have consent records.
    assert set(OutreachContact.objects.values_list("logged_by__groups__name", flat=True)) == {Role.AMBASSADOR}
    assert Ambassador.objects.count() == User.objects.filter(groups__name__in=[Role.TRAINER, Role.AMBASSADOR]).count()
    assert ConsentRecord.objects.exists()
    assert not ConsentRecord.objects.filter(subscriber__status="pending").exists()


def test_seed_large_is_repeatable():
    with transaction.atomic():
        seed()
        first = fingerprint()
        transaction.set_rollback(True)
    assert not Training.objects.exists()

    seed()

    assert fingerprint() == first


def test_seed_large_refuses_a_database_with_data():
    seed()
    counts = (Person.objects.count(), Training.objects.count(), Subscriber.objects.count())

    with pytest.raises(CommandError, match="not empty"):
        seed()

    assert (Person.objects.count(), Training.objects.count(), Subscriber.objects.count()) == counts


def test_seed_large_refuses_a_scale_of_zero():
    with pytest.raises(CommandError, match="positive"):
        seed(scale=0)

    assert not User.objects.exists()
