import pytest
from django.core.management import call_command
from django.urls import reverse

from ambassadors.models import Ambassador, AssignmentOffer, Certification, CertificationNotice, FidelityReview
from dissemination.enums import TargetGroup
from dissemination.models import (
    ConsentRecord,
    Event,
    EventGuest,
    Goal,
    MailingList,
    Material,
    Newsletter,
    Organisation,
    OutreachContact,
    Person,
    Subscriber,
)
from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role
from trainings.models import Enrolment, Training

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the demo materials' files


def seed(settings, debug):
    from io import StringIO

    settings.DEBUG = debug
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_is_idempotent_and_covers_every_target_group_and_role(settings):
    seed(settings, debug=True)

    def counts():
        models = (User, Organisation, Person, Training, Enrolment, OutreachContact, Certification, Ambassador)
        more = (FidelityReview, AssignmentOffer, CertificationNotice, Material, Goal, Event, EventGuest)
        more += (MailingList, Subscriber, ConsentRecord, Newsletter)
        return [model.objects.count() for model in (*models, *more)]

    first = counts()
    seed(settings, debug=True)
    assert counts() == first
    # runs, enrolments, outreach contacts, certifications (master, trainer, a request), profiles,
    # a self-report, an offer to lead, the request's "received" mail
    # ... and five material versions, six goals, one event with its eighteen guests
    # ... and three lists, five subscribers, five consents (one person still to confirm), a draft newsletter
    assert first[3:] == [6, 42, 4, 3, 3, 1, 1, 1, 5, 6, 1, 18, 3, 5, 5, 1]
    assert Material.objects.filter(superseded_at__isnull=False).count() == 1
    assert EventGuest.objects.filter(attended=True).count() == 6
    master = User.objects.get(email="opleider@werkzaak.example")
    assert Certification.objects.get(holder__email="trainer@werkzaak.example").certified_by == master
    assert set(Organisation.objects.values_list("target_group", flat=True)) == set(TargetGroup.values)
    held = set().union(*(user.roles for user in User.objects.prefetch_related("groups")))
    assert held == set(Role.values)
    assert Person.objects.filter(organisation__isnull=True).count() == 0


def test_demo_password_is_printed_and_usable_only_in_local_use(settings):
    from mentorwijs.overview.management.commands.seed_demo import DEMO_PASSWORD

    output = seed(settings, debug=True)
    assert DEMO_PASSWORD in output
    assert User.objects.get(email="trainer@werkzaak.example").check_password(DEMO_PASSWORD)
    output = seed(settings, debug=False)
    assert DEMO_PASSWORD not in output
    assert not User.objects.get(email="trainer@werkzaak.example").check_password(DEMO_PASSWORD)


def test_every_demo_account_logs_in_locally_with_password_and_the_make_totp_code(settings, client):
    """Every role needs two-factor: each demo login works with the password and the code that
    `make totp` (manage.py demo_totp) prints."""
    from io import StringIO

    from mentorwijs.overview.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS

    seed(settings, debug=True)
    out = StringIO()
    call_command("demo_totp", stdout=out)
    code = out.getvalue().split()[-1]
    for email, _first, _last, _roles in DEMO_USERS:
        response = client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
        assert response.url == reverse("mfa_authenticate"), email
        response = client.post(reverse("mfa_authenticate"), {"code": code})
        assert response.url == reverse("overview:home"), email
        assert client.get(reverse("overview:home")).status_code == 200
        client.post(reverse("account_logout"))


def test_the_public_demo_secret_protects_nothing_outside_local_use(settings):
    from allauth.mfa.models import Authenticator

    seed(settings, debug=True)
    assert Authenticator.objects.filter(type=Authenticator.Type.TOTP).count() == 4
    seed(settings, debug=False)
    assert not Authenticator.objects.exists()
