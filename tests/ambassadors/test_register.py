"""The public register: only trainers who opted in and hold a certification valid today."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dissemination.models import Region
from tests.factories import AmbassadorFactory, CertificationFactory, UserFactory

pytestmark = pytest.mark.django_db


def today():
    """The day the test runs (a module constant would be the day the tests were collected)."""
    return timezone.localdate()


URL = reverse("ambassadors:public_register")


def trainer(*, listed=True, region=None, certifications=({},), **user_kwargs):
    """A trainer with an ambassador profile (opted in unless listed=False) and certifications,
    each given as CertificationFactory keyword arguments."""
    user = UserFactory(roles=["trainer"], **user_kwargs)
    AmbassadorFactory(user=user, kind="trainer", public_listing=listed, **({"region": region} if region else {}))
    for kwargs in certifications:
        CertificationFactory(holder=user, **kwargs)
    return user


def listed_emails(response):
    return {ambassador.user.email for ambassador in response.context["object_list"]}


def test_the_register_is_public_and_lists_consenting_trainers_certified_today(client):
    listed = trainer(last_name="Aalders")
    no_consent = trainer(listed=False)
    no_profile = UserFactory(roles=["trainer"])
    CertificationFactory(holder=no_profile)
    expired = trainer(
        certifications=[
            {
                "status": "expired",
                "valid_from": today() - timedelta(days=800),
                "valid_until": today() - timedelta(days=70),
            }
        ]
    )
    lapses_today = trainer(
        certifications=[
            {"valid_from": today() - timedelta(days=730), "valid_until": today()}
        ]  # the task has not run yet
    )
    revoked = trainer(certifications=[{"status": "revoked"}])
    requested = trainer(certifications=[{"status": "requested", "valid_from": None, "valid_until": None}])
    rejected = trainer(certifications=[{"status": "rejected", "valid_from": None, "valid_until": None}])
    not_yet = trainer(
        certifications=[{"valid_from": today() + timedelta(days=1), "valid_until": today() + timedelta(days=731)}]
    )
    left = trainer(is_active=False)

    response = client.get(URL)

    assert response.status_code == 200
    assert listed_emails(response) == {listed.email}
    refused = [no_consent, no_profile, expired, lapses_today, revoked, requested, rejected, not_yet, left]
    assert not listed_emails(response) & {user.email for user in refused}
    content = response.content.decode()
    assert content.count('data-testid="registered-trainer"') == 1
    assert "Aalders" in content
    assert listed.email not in content  # no contact details in public


def test_each_trainer_appears_once_with_the_highest_current_level(client):
    until = today() + timedelta(days=300)
    user = trainer(
        certifications=[
            {"level": "trainer", "valid_until": today() + timedelta(days=600)},
            {"level": "master_trainer", "valid_until": until},
            {"level": "master_trainer", "status": "revoked", "valid_until": today() + timedelta(days=700)},
        ]
    )
    response = client.get(URL)
    [row] = response.context["object_list"]
    assert row.user == user
    assert (row.level, row.valid_until) == ("master_trainer", until)
    assert 'data-level="master_trainer"' in response.content.decode()


def test_the_register_filters_by_region_and_level(client):
    rivierenland = Region.objects.get(name="Rivierenland")
    other_region = Region.objects.exclude(pk=rivierenland.pk).first()
    here_trainer = trainer(region=rivierenland)
    here_master = trainer(region=rivierenland, certifications=[{"level": "master_trainer"}])
    elsewhere = trainer(region=other_region)

    assert listed_emails(client.get(URL)) == {here_trainer.email, here_master.email, elsewhere.email}
    assert listed_emails(client.get(URL, {"region": rivierenland.pk})) == {here_trainer.email, here_master.email}
    assert listed_emails(client.get(URL, {"level": "trainer"})) == {here_trainer.email, elsewhere.email}
    assert listed_emails(client.get(URL, {"region": rivierenland.pk, "level": "master_trainer"})) == {here_master.email}
    assert listed_emails(client.get(URL, {"region": other_region.pk, "level": "master_trainer"})) == set()


@pytest.mark.parametrize("count", [3, 40])
def test_the_register_runs_a_fixed_number_of_queries(client, count, django_assert_num_queries):
    for _ in range(count):
        trainer()
    # count, page, the regions of the filter
    with django_assert_num_queries(3):
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["object_list"]) == min(count, 25)
    assert response.context["paginator"].count == count


def test_the_register_is_paginated_by_25(client):
    for _ in range(27):
        trainer()
    assert len(client.get(URL, {"page": 2}).context["object_list"]) == 2


def test_the_register_gives_the_day_the_certification_expires(client):
    """valid_until is exclusive: the register shows it as the expiry day, in the datetime attribute."""
    expires_on = today() + timedelta(days=300)
    trainer(certifications=[{"valid_until": expires_on}])
    response = client.get(URL)
    [row] = response.context["object_list"]
    assert row.valid_until == expires_on
    content = response.content.decode()
    assert f'<time datetime="{expires_on.isoformat()}" data-testid="expires-on">' in content
