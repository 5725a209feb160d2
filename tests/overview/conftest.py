"""The known data set of the dashboard's tests (test_dashboard.py, test_dashboard_freshness.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dissemination.enums import TargetGroup
from dissemination.models import Region
from mentorwijs.overview import dashboard
from tests.factories import (
    AmbassadorFactory,
    CertificationFactory,
    EnrolmentFactory,
    OrganisationFactory,
    OutreachContactFactory,
    PersonFactory,
    TrainingFactory,
    UserFactory,
)


@pytest.fixture
def ambassador_client(client):
    client.force_login(UserFactory(roles=["ambassador"]))
    return client


@pytest.fixture
def regions(db):
    return {"R": Region.objects.get(name="Rivierenland"), "G": Region.objects.get(name="Groningen")}


@pytest.fixture
def known(regions):
    """Ten organisations in two target groups (E employers, S schools) and two regions (R, G), each
    stopping at a known step. Period: the default (the last twelve months)."""
    today = timezone.localdate()
    period_start, _end = dashboard.default_period()
    e, s = TargetGroup.EMPLOYERS, TargetGroup.SCHOOLS

    def org(group, region):
        return OrganisationFactory(target_group=group, region=regions[region])

    orgs = {
        0: org(e, "R"),  # known, never contacted: step 0
        1: org(e, "R"),  # informed
        2: org(e, "G"),  # informed, then interested
        3: org(e, "R"),  # convinced; an older contact (before the period) said trained
        4: org(s, "G"),  # supervisors registered, by the contact's stage
        5: org(s, "R"),  # informed, and a person completed a run: trained
        6: org(s, "G"),  # no contact, a person enrolled publicly: registered, but not "reached"
        7: org(e, "G"),  # informed, and its ambassador is certified as a trainer today: trainer
        8: org(e, "R"),  # only a cancelled enrolment: step 0
        9: org(s, "R"),  # informed; its ambassador's certification expired: step 1
    }
    OutreachContactFactory(organisation=orgs[1], stage="informed", channel="phone")
    OutreachContactFactory(organisation=orgs[2], stage="informed", date=today - timedelta(days=40), channel="email")
    OutreachContactFactory(organisation=orgs[2], stage="interested", channel="conversation")
    OutreachContactFactory(organisation=orgs[3], stage="convinced", channel="conversation")
    OutreachContactFactory(organisation=orgs[3], stage="trained", date=period_start - timedelta(days=10))
    OutreachContactFactory(organisation=orgs[4], stage="supervisors_registered", channel="congress")
    OutreachContactFactory(organisation=orgs[5], stage="informed", channel="phone")
    OutreachContactFactory(organisation=orgs[7], stage="informed", channel="phone")
    OutreachContactFactory(organisation=orgs[9], stage="informed", channel="email")

    run_r = TrainingFactory(region=regions["R"])
    run_g = TrainingFactory(region=regions["G"])
    EnrolmentFactory(
        training=run_r,
        person=PersonFactory(organisation=orgs[5]),
        status="completed",
        completed_at=timezone.now(),
        source="network",
    )
    EnrolmentFactory(training=run_g, person=PersonFactory(organisation=orgs[6]), source="website")
    EnrolmentFactory(training=run_r, person=PersonFactory(organisation=orgs[8]), status="cancelled", source="website")

    trainer = CertificationFactory().holder
    AmbassadorFactory(user=trainer, organisation=orgs[7], region=regions["G"])
    lapsed = CertificationFactory(valid_from=today - timedelta(days=800), valid_until=today - timedelta(days=30))
    AmbassadorFactory(user=lapsed.holder, organisation=orgs[9], region=regions["R"])
    return orgs
