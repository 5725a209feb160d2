"""The plan's progress dashboard: the funnel on a known data set, organisations reached, people,
contacts per channel per month, how participants heard of Mentorwijs, the filters, the CSV exports,
who may see it, and a fixed query count from 100 to 60,000 outreach contacts."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dissemination.enums import STAGE_ORDER, OutreachChannel, TargetGroup
from dissemination.models import Organisation, OutreachContact, Region
from mentorwijs.overview import dashboard
from mentorwijs.overview.goals import goal_progress
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

pytestmark = pytest.mark.django_db

URL = reverse("overview:dashboard")
EXPORT_URL = reverse("overview:dashboard_export")
FUNNEL_KEYS = ["organisations", "reached", "informed", "interested", "convinced", "supervisors_registered", "trained"]
FUNNEL_KEYS += ["trainer"]


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


def _row(table, key):
    return dict(zip(FUNNEL_KEYS, next(row.values for row in table.rows if row.key == key), strict=True))


def _total(table):
    return dict(zip(FUNNEL_KEYS, table.total, strict=True))


def test_funnel_counts_each_organisation_in_its_furthest_step_and_every_earlier_one(ambassador_client, known):
    funnel = ambassador_client.get(URL).context["funnel"]

    assert [row.key for row in funnel.rows] == TargetGroup.values  # all eight, zeros included
    assert _row(funnel, "employers") == {
        "organisations": 6,
        "reached": 4,
        "informed": 4,
        "interested": 3,
        "convinced": 2,
        "supervisors_registered": 1,
        "trained": 1,
        "trainer": 1,
    }
    assert _row(funnel, "schools") == {
        "organisations": 4,
        "reached": 3,
        "informed": 4,
        "interested": 3,
        "convinced": 3,
        "supervisors_registered": 3,
        "trained": 1,
        "trainer": 0,
    }
    assert _row(funnel, "agencies") == dict.fromkeys(FUNNEL_KEYS, 0)
    assert _total(funnel) == {
        "organisations": 10,
        "reached": 7,
        "informed": 8,
        "interested": 6,
        "convinced": 5,
        "supervisors_registered": 4,
        "trained": 2,
        "trainer": 1,
    }


def test_funnel_per_region_counts_organisations_by_their_own_region(ambassador_client, known):
    funnel = ambassador_client.get(URL).context["funnel_regions"]

    assert [row.key for row in funnel.rows] == ["Groningen", "Rivierenland"]
    assert _row(funnel, "Rivierenland") == {
        "organisations": 6,
        "reached": 4,
        "informed": 4,
        "interested": 2,
        "convinced": 2,
        "supervisors_registered": 1,
        "trained": 1,
        "trainer": 0,
    }
    assert _row(funnel, "Groningen") == {
        "organisations": 4,
        "reached": 3,
        "informed": 4,
        "interested": 4,
        "convinced": 3,
        "supervisors_registered": 3,
        "trained": 1,
        "trainer": 1,
    }
    assert funnel.total == ambassador_client.get(URL).context["funnel"].total


def test_reached_lists_target_group_and_region_with_a_contact_in_the_period(ambassador_client, known):
    reached = ambassador_client.get(URL).context["reached"]

    assert {row.key: row.values for row in reached.rows} == {
        "employers/Groningen": [2, 2],
        "employers/Rivierenland": [4, 2],
        "schools/Groningen": [2, 1],
        "schools/Rivierenland": [2, 2],
    }


def test_people_count_supervisors_registered_trained_and_trainers_certified_today(ambassador_client, known):
    people = ambassador_client.get(URL).context["people"]

    assert people == {"registered": 2, "trained": 1, "trainers": 1}


def test_target_group_filter_narrows_every_section(ambassador_client, known):
    context = ambassador_client.get(URL, {"target_group": "schools"}).context

    assert [row.key for row in context["funnel"].rows] == ["schools"]
    assert _total(context["funnel"])["organisations"] == 4
    assert [row.key for row in context["reached"].rows] == ["schools/Groningen", "schools/Rivierenland"]
    assert context["people"] == {"registered": 2, "trained": 1, "trainers": 0}
    assert sum(context["channels"].total) == 3
    assert {row.key: row.values[0] for row in context["heard_of"].rows if row.values[0]} == {
        "network": 1,
        "website": 1,
    }


def test_region_filter_counts_organisations_by_theirs_and_participants_by_the_run(ambassador_client, known, regions):
    context = ambassador_client.get(URL, {"region": regions["G"].pk}).context

    assert [row.key for row in context["funnel_regions"].rows] == ["Groningen"]
    assert _total(context["funnel"])["supervisors_registered"] == 3
    assert context["people"] == {"registered": 1, "trained": 0, "trainers": 1}
    assert sum(context["channels"].total) == 4
    assert {row.key: row.values[0] for row in context["heard_of"].rows if row.values[0]} == {"website": 1}


def test_period_filter_counts_contacts_and_enrolments_dated_in_it_and_trainers_today(ambassador_client, known):
    period_start, _end = dashboard.default_period()
    earlier = {"date_from": (period_start - timedelta(days=40)).isoformat(), "date_to": period_start - timedelta(1)}

    context = ambassador_client.get(URL, earlier).context

    # Only organisation 3's older contact (stage trained) counts, and organisation 7's trainer of today.
    assert _total(context["funnel"]) == {
        "organisations": 10,
        "reached": 1,
        "informed": 2,
        "interested": 2,
        "convinced": 2,
        "supervisors_registered": 2,
        "trained": 2,
        "trainer": 1,
    }
    assert context["people"] == {"registered": 0, "trained": 0, "trainers": 1}


def test_an_impossible_period_is_refused_and_the_default_shown(ambassador_client, known):
    today = timezone.localdate()
    response = ambassador_client.get(URL, {"date_from": today.isoformat(), "date_to": today - timedelta(days=1)})

    assert response.status_code == 200
    assert "date_to" in response.context["form"].errors
    filters = response.context["filters"]
    assert (filters.date_from, filters.date_to) == dashboard.default_period()
    assert _total(response.context["funnel"])["reached"] == 7


def test_contacts_per_channel_per_month_fills_every_month_and_channel(ambassador_client, known):
    channels = ambassador_client.get(URL).context["channels"]

    today = timezone.localdate()
    assert len(channels.rows) == 12
    assert channels.rows[-1].key == f"{today:%Y-%m}"
    assert [key for key, _label in channels.columns] == OutreachChannel.values
    per_month = {row.key: dict(zip(OutreachChannel.values, row.values, strict=True)) for row in channels.rows}
    this_month = per_month[f"{today:%Y-%m}"]
    assert this_month["phone"] == 3
    assert this_month["conversation"] == 2
    assert this_month["congress"] == 1
    earlier = today - timedelta(days=40)
    assert per_month[f"{earlier:%Y-%m}"]["email"] == 1
    totals = dict(zip(OutreachChannel.values, channels.total, strict=True))
    assert totals == {
        **dict.fromkeys(OutreachChannel.values, 0),
        "phone": 3,
        "conversation": 2,
        "congress": 1,
        "email": 2,
    }


def test_heard_of_counts_participants_per_channel_and_leaves_out_cancelled_enrolments(ambassador_client, known):
    EnrolmentFactory(person=PersonFactory(organisation=None), source="")

    heard_of = ambassador_client.get(URL).context["heard_of"]

    counts = {row.key: row.values[0] for row in heard_of.rows}
    assert counts["network"] == 1
    assert counts["website"] == 1
    assert counts["not_given"] == 1
    assert sum(counts.values()) == 3


def test_page_shows_each_chart_as_svg_with_titles_and_its_table(ambassador_client, known):
    content = ambassador_client.get(URL).content.decode()

    for chart in ("reached", "funnel", "channels", "heard_of"):
        assert f'data-testid="chart-{chart}"' in content
    for table in ("reached", "funnel", "funnel_regions", "channels", "heard_of"):
        assert f'data-testid="table-{table}"' in content
        assert f'data-testid="export-{table}"' in content
    assert 'id="chart-funnel-title"' in content
    assert 'data-value="8"' in content  # the informed bar of the funnel
    assert "style=" not in content
    assert "<script>" not in content


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_funnel_csv_has_a_header_one_row_per_target_group_and_the_total(ambassador_client, known):
    rows = _csv(ambassador_client.get(EXPORT_URL, {"table": "funnel"}))

    assert rows[0] == ["target_group", *FUNNEL_KEYS]
    assert len(rows) == 1 + len(TargetGroup) + 1
    employers = rows[1 + TargetGroup.values.index("employers")]
    assert employers[1:] == ["6", "4", "4", "3", "2", "1", "1", "1"]
    assert rows[-1] == ["total", "10", "7", "8", "6", "5", "4", "2", "1"]


def test_csv_exports_follow_the_filters(ambassador_client, known, regions):
    rows = _csv(ambassador_client.get(EXPORT_URL, {"table": "funnel_regions", "region": regions["R"].pk}))

    assert rows[1:] == [
        ["Rivierenland", "6", "4", "4", "2", "2", "1", "1", "0"],
        ["total", "6", "4", "4", "2", "2", "1", "1", "0"],
    ]


@pytest.mark.parametrize("table", ["reached", "channels", "heard_of", "goals"])
def test_every_table_exports_as_csv(ambassador_client, known, table):
    rows = _csv(ambassador_client.get(EXPORT_URL, {"table": table}))

    assert rows[0]


def test_channels_csv_has_one_row_per_month(ambassador_client, known):
    rows = _csv(ambassador_client.get(EXPORT_URL, {"table": "channels"}))

    assert rows[0] == ["month", *OutreachChannel.values]
    assert len(rows) == 1 + 12 + 1
    assert rows[-2][0] == timezone.localdate().replace(day=1).isoformat()
    assert rows[-1][0] == "total"


def test_csv_cells_that_would_run_as_a_formula_are_neutralised(ambassador_client):
    region = Region.objects.create(name='=HYPERLINK("http://evil.example")')
    OutreachContactFactory(organisation=OrganisationFactory(region=region))

    rows = _csv(ambassador_client.get(EXPORT_URL, {"table": "funnel_regions"}))

    assert rows[1][0] == '\'=HYPERLINK("http://evil.example")'


def test_an_unknown_export_table_answers_404(ambassador_client):
    assert ambassador_client.get(EXPORT_URL, {"table": "people"}).status_code == 404


@pytest.mark.parametrize(
    ("roles", "status"),
    [(["staff"], 200), (["master_trainer"], 200), (["ambassador"], 200), (["trainer"], 403), ([], 403)],
)
@pytest.mark.parametrize("url", [URL, EXPORT_URL + "?table=funnel"])
def test_staff_master_trainers_and_ambassadors_may_see_the_dashboard(client, roles, status, url):
    client.force_login(UserFactory(roles=roles, two_factor=bool({"staff", "master_trainer"} & set(roles))))

    assert client.get(url).status_code == status


@pytest.mark.parametrize("url", [URL, EXPORT_URL + "?table=funnel"])
def test_anonymous_visitors_are_sent_to_the_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- a fixed number of queries, whatever the number of contacts ------------------------------------

# Session, user, roles; the organisations per target group, region, step and contact rank (one
# query feeds the funnel, its regions and reach); people (two); contacts per month and per channel;
# heard of; the region choices of the filter form. The goals' own query is measured apart below, so
# that its module keeps its own count.
DASHBOARD_QUERIES = 10


def _many_contacts(count: int, organisations: int) -> None:
    regions = list(Region.objects.order_by("pk")[:5])
    groups = TargetGroup.values
    Organisation.objects.bulk_create(
        Organisation(name=f"Bedrijf {n}", target_group=groups[n % len(groups)], region=regions[n % len(regions)])
        for n in range(organisations)
    )
    ids = list(Organisation.objects.values_list("pk", flat=True))
    ambassador = UserFactory(roles=["ambassador"])
    today = timezone.localdate()
    channels = OutreachChannel.values
    OutreachContact.objects.bulk_create(
        (
            OutreachContact(
                logged_by=ambassador,
                organisation_id=ids[n % len(ids)],
                date=today - timedelta(days=n % 300),
                channel=channels[n % len(channels)],
                stage=STAGE_ORDER[n % len(STAGE_ORDER)],
            )
            for n in range(count)
        ),
        batch_size=5000,
    )


@pytest.mark.parametrize(("contacts", "organisations"), [(100, 20), (60_000, 2_000)])
def test_the_dashboard_runs_a_fixed_number_of_queries(
    ambassador_client, django_assert_num_queries, contacts, organisations
):
    _many_contacts(contacts, organisations)
    filters = dashboard.DashboardFilters(*dashboard.default_period())
    with CaptureQueriesContext(connection) as goal_queries:  # the goals' own progress (tested elsewhere)
        goal_progress(dashboard.goals_for(filters))

    with django_assert_num_queries(DASHBOARD_QUERIES + len(goal_queries)):
        response = ambassador_client.get(URL)

    assert response.status_code == 200
    assert _total(response.context["funnel"])["reached"] == organisations
    assert sum(response.context["channels"].total) == contacts


def test_the_default_period_is_the_last_twelve_months():
    assert dashboard.default_period(date(2026, 3, 15)) == (date(2025, 4, 1), date(2026, 3, 15))
    assert dashboard.default_period(date(2026, 12, 31)) == (date(2026, 1, 1), date(2026, 12, 31))
