"""The plan's progress dashboard: the funnel on a known data set, organisations reached, people,
contacts per channel per month, how participants heard of Mentorwijs, the filters, the CSV exports,
who may see it, and a fixed query count from 100 to 60,000 outreach contacts."""

import csv
import io
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from ambassadors.models import Certification
from dissemination.enums import STAGE_ORDER, Channel, CommunicationGoal, OutreachChannel, TargetGroup
from dissemination.models import Goal, Organisation, OutreachContact, Region
from mentorwijs.exports import XLSX_CONTENT_TYPE
from mentorwijs.overview import dashboard
from mentorwijs.overview.goals import goal_progress
from tests.factories import (
    AmbassadorFactory,
    CertificationFactory,
    EnrolmentFactory,
    GoalFactory,
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
    context = ambassador_client.get(URL).context
    funnel = context["funnel_regions"]

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
    assert funnel.total == context["funnel"].total


def test_reached_lists_target_group_and_region_with_a_contact_in_the_period(ambassador_client, known):
    reached = ambassador_client.get(URL).context["reached"]

    assert {row.key: row.values for row in reached.rows} == {
        "employers/Groningen": [2, 2],
        "employers/Rivierenland": [4, 2],
        "schools/Groningen": [2, 1],
        "schools/Rivierenland": [2, 2],
    }


def test_people_count_supervisors_registered_trained_and_trainers_certified_on_the_last_day(ambassador_client, known):
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


def test_period_filter_counts_contacts_and_enrolments_dated_in_it(ambassador_client, known):
    period_start, _end = dashboard.default_period()
    earlier = {"date_from": (period_start - timedelta(days=40)).isoformat(), "date_to": period_start - timedelta(1)}

    context = ambassador_client.get(URL, earlier).context

    # Only organisation 3's older contact (stage trained) counts, and organisation 9, whose
    # ambassador was certified on the period's last day (organisation 7's only since a month ago).
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


def test_trainers_are_those_certified_on_the_last_day_of_a_past_period(ambassador_client, known, regions):
    period_start, _end = dashboard.default_period()
    past = {"date_from": (period_start - timedelta(days=40)).isoformat(), "date_to": period_start - timedelta(1)}

    context = ambassador_client.get(URL, past).context

    # Organisation 9 (Rivierenland): its ambassador's certification was valid then, organisation 7's was not yet.
    assert {row.key: _row(context["funnel_regions"], row.key)["trainer"] for row in context["funnel_regions"].rows} == {
        "Groningen": 0,
        "Rivierenland": 1,
    }
    assert ambassador_client.get(URL, {**past, "region": regions["R"].pk}).context["people"]["trainers"] == 1
    assert ambassador_client.get(URL, {**past, "region": regions["G"].pk}).context["people"]["trainers"] == 0
    # Today's period: organisation 7's trainer, not organisation 9's lapsed one.
    today = ambassador_client.get(URL).context
    assert {row.key: _row(today["funnel_regions"], row.key)["trainer"] for row in today["funnel_regions"].rows} == {
        "Groningen": 1,
        "Rivierenland": 0,
    }


def test_a_certification_counts_from_its_first_day_up_to_but_not_on_its_valid_until(regions):
    last_day = date(2026, 6, 30)
    starts = OrganisationFactory(region=regions["R"])
    ends = OrganisationFactory(region=regions["G"])
    first_day = CertificationFactory(valid_from=last_day, valid_until=date(2028, 6, 30))
    AmbassadorFactory(user=first_day.holder, organisation=starts, region=regions["R"])
    expired = CertificationFactory(valid_from=date(2024, 6, 30), valid_until=last_day)
    AmbassadorFactory(user=expired.holder, organisation=ends, region=regions["G"])
    filters = dashboard.DashboardFilters(date(2026, 1, 1), last_day)

    assert dashboard.people(filters)["trainers"] == 1
    assert _total(dashboard.funnel_per_target_group(filters))["trainer"] == 1
    assert [row.key for row in dashboard.funnel_per_region(filters).rows if row.values[-1]] == ["Rivierenland"]


def _goals_for_the_default_period():
    period_start, today = dashboard.default_period()
    for target_group in (TargetGroup.EMPLOYERS, TargetGroup.SCHOOLS):
        for goal in CommunicationGoal.values:
            GoalFactory(goal=goal, target_group=target_group, starts_on=period_start, ends_on=today)
    return Goal.objects.order_by("goal", "target_group")


def _funnel_for(goal, region=None) -> dict:
    """The dashboard's numbers for the goal's target group and period: the funnel's total and people."""
    filters = dashboard.DashboardFilters(goal.starts_on, goal.ends_on, goal.target_group, region)
    return {**_total(dashboard.funnel_per_target_group(filters)), **dashboard.people(filters)}


@pytest.mark.parametrize("region", [None, "R", "G"])
def test_goal_rows_agree_with_the_funnel_and_people_on_the_same_data(known, regions, region):
    # The trainer step does not count for the goals: leave the trainers out, and the rest must agree.
    Certification.objects.all().delete()
    goals = _goals_for_the_default_period()
    region = regions[region] if region else None

    rows = goal_progress(goals, region=region)

    column = {"inform": "informed", "convince": "convinced", "train": "trained"}
    assert [(row.goal.goal, row.goal.target_group, row.reached) for row in rows] == [
        (goal.goal, goal.target_group, _funnel_for(goal, region)[column[goal.goal]]) for goal in goals
    ]
    if region is None:  # convince, inform, train × employers, schools: the data set is not trivial
        assert [row.reached for row in rows] == [1, 3, 4, 4, 0, 1]


def test_a_trainer_alone_neither_informs_nor_convinces_for_the_goals(known):
    # Organisation 7 (employers) was only informed by its contact; its ambassador is a trainer today.
    goals = {
        (row.goal.goal, row.goal.target_group): row.reached for row in goal_progress(_goals_for_the_default_period())
    }
    employers = _funnel_for(Goal.objects.filter(target_group=TargetGroup.EMPLOYERS).first())

    assert (employers["informed"], goals[("inform", "employers")]) == (4, 4)
    assert (employers["convinced"], goals[("convince", "employers")]) == (2, 1)


AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _at(day, hour, minute):
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM)


def test_the_periods_last_day_ends_at_midnight_in_amsterdam(regions):
    first, last = date(2026, 1, 1), date(2026, 6, 30)  # summer time: Amsterdam is UTC+2 on 30 June
    run = TrainingFactory(region=regions["R"])

    def enrolment(created_at, **kwargs):
        organisation = OrganisationFactory(target_group=TargetGroup.EMPLOYERS, region=regions["R"])
        return EnrolmentFactory(
            training=run, person=PersonFactory(organisation=organisation), created_at=created_at, **kwargs
        )

    enrolment(_at(date(2026, 3, 1), 12, 0), status="completed", completed_at=_at(last, 23, 30))  # counts as trained
    enrolment(_at(date(2026, 3, 1), 12, 0), status="completed", completed_at=_at(last + timedelta(days=1), 0, 30))
    enrolment(_at(last, 23, 30), source="website")  # registered on the last day
    enrolment(_at(last + timedelta(days=1), 0, 30), source="congress")  # the day after: not counted
    enrolment(_at(first, 0, 30), source="website")  # still 31 December in UTC: counts
    enrolment(_at(first - timedelta(days=1), 23, 30), source="congress")  # not counted
    filters = dashboard.DashboardFilters(first, last)
    period = {"starts_on": first, "ends_on": last, "target_group": TargetGroup.EMPLOYERS}
    train = GoalFactory(goal=CommunicationGoal.TRAIN, **period)
    convince = GoalFactory(goal=CommunicationGoal.CONVINCE, **period)

    assert dashboard.people(filters) == {"registered": 4, "trained": 1, "trainers": 0}
    funnel = _total(dashboard.funnel_per_target_group(filters))
    assert (funnel["supervisors_registered"], funnel["trained"]) == (4, 1)
    assert {row.key: row.values[0] for row in dashboard.heard_of(filters).rows if row.values[0]} == {
        "network": 2,
        "website": 2,
    }
    assert [row.reached for row in goal_progress([train, convince])] == [1, 4]


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


def test_heard_of_counts_each_participant_once_with_the_answer_of_their_earliest_enrolment(ambassador_client, known):
    period_start, _end = dashboard.default_period()
    person = PersonFactory(organisation=known[1])
    now = timezone.now()
    EnrolmentFactory(person=person, source="congress", created_at=now - timedelta(days=20))
    EnrolmentFactory(person=person, source="website", created_at=now - timedelta(days=10))
    EnrolmentFactory(person=person, source="newsletter", created_at=now - timedelta(days=5), status="completed")
    before = timezone.make_aware(datetime.combine(period_start - timedelta(days=3), time(12)))
    EnrolmentFactory(person=person, source="colleague", created_at=before)  # before the period: not counted

    context = ambassador_client.get(URL).context

    counts = {row.key: row.values[0] for row in context["heard_of"].rows if row.values[0]}
    assert counts == {"network": 1, "website": 1, "congress": 1}
    assert sum(counts.values()) == context["people"]["registered"] == 3


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


def test_reached_and_heard_of_csv_carry_the_numbers(ambassador_client, known):
    reached = _csv(ambassador_client.get(EXPORT_URL, {"table": "reached"}))
    heard_of = _csv(ambassador_client.get(EXPORT_URL, {"table": "heard_of"}))

    assert reached[0] == ["target_group", "region", "organisations", "reached"]
    assert [row[1:] for row in reached[1:]] == [
        ["Groningen", "2", "2"],
        ["Rivierenland", "4", "2"],
        ["Groningen", "2", "1"],
        ["Rivierenland", "2", "2"],
    ]
    assert heard_of[0] == ["channel", "participants"]
    assert [row[1] for row in heard_of[1:]] == [
        {"network": "1", "website": "1"}.get(channel, "0") for channel in Channel.values
    ]


def test_goals_csv_has_each_goals_target_reached_and_percent(ambassador_client, known):
    period_start, today = dashboard.default_period()
    period = {"starts_on": period_start, "ends_on": today}
    GoalFactory(goal=CommunicationGoal.INFORM, target_group=TargetGroup.EMPLOYERS, target=8, **period)
    GoalFactory(goal=CommunicationGoal.CONVINCE, target_group=TargetGroup.SCHOOLS, target=2, **period)
    GoalFactory(goal=CommunicationGoal.TRAIN, target_group=TargetGroup.SCHOOLS, target=3, **period)

    rows = _csv(ambassador_client.get(EXPORT_URL, {"table": "goals"}))

    assert rows[0] == ["goal", "target_group", "starts_on", "ends_on", "target", "reached", "percent", "period_state"]
    assert sorted(row[2:] for row in rows[1:]) == sorted(
        [
            [period_start.isoformat(), today.isoformat(), "8", "4", "50", "running"],
            [period_start.isoformat(), today.isoformat(), "2", "3", "150", "running"],
            [period_start.isoformat(), today.isoformat(), "3", "1", "33", "running"],
        ]
    )


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


def _xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    return list(sheet.iter_rows(values_only=True))


def test_funnel_excel_has_the_pages_dutch_headings_and_numbers_as_numbers(ambassador_client, known):
    rows = _xlsx(ambassador_client.get(EXPORT_URL, {"table": "funnel", "format": "xlsx"}))

    assert rows[0][:3] == ("Doelgroep", "Organisaties", "Bereikt")
    employers = rows[1 + TargetGroup.values.index("employers")]
    assert employers == ("Werkgevers", 6, 4, 4, 3, 2, 1, 1, 1)
    assert rows[-1] == ("Totaal", 10, 7, 8, 6, 5, 4, 2, 1)


def test_every_table_has_an_excel_export_with_a_header_in_english_for_an_english_user(client, known):
    client.force_login(UserFactory(roles=["ambassador"], language="en"))
    for table in ("funnel_regions", "reached", "heard_of"):
        csv_rows = _csv(client.get(EXPORT_URL, {"table": table}))
        xlsx_rows = _xlsx(client.get(EXPORT_URL, {"table": table, "format": "xlsx"}))
        assert len(xlsx_rows) == len(csv_rows)
        assert [str(value) for value in xlsx_rows[1][1:]] == csv_rows[1][1:]
    assert _xlsx(client.get(EXPORT_URL, {"table": "reached", "format": "xlsx"}))[0] == (
        "Target group",
        "Region",
        "Organisations",
        "Reached",
    )


def test_channels_excel_has_months_as_dates(ambassador_client, known):
    rows = _xlsx(ambassador_client.get(EXPORT_URL, {"table": "channels", "format": "xlsx"}))

    assert rows[-2][0].date() == timezone.localdate().replace(day=1)
    assert rows[-1][0] == "Totaal"


def test_goals_excel_has_dates_numbers_and_the_period_state_in_dutch(ambassador_client, known):
    period_start, today = dashboard.default_period()
    period = {"starts_on": period_start, "ends_on": today}
    GoalFactory(goal=CommunicationGoal.INFORM, target_group=TargetGroup.EMPLOYERS, target=8, **period)

    rows = _xlsx(ambassador_client.get(EXPORT_URL, {"table": "goals", "format": "xlsx"}))

    assert rows[0] == ("Doel", "Doelgroep", "Van", "Tot en met", "Streefaantal", "Bereikt", "%", "Periode")
    assert rows[1][2].date() == period_start
    assert rows[1][3].date() == today
    assert rows[1][4:] == (8, 4, 50, "loopt")


def test_excel_cells_that_look_like_a_formula_stay_text(ambassador_client):
    region = Region.objects.create(name='=HYPERLINK("http://evil.example")')
    OutreachContactFactory(organisation=OrganisationFactory(region=region))

    response = ambassador_client.get(EXPORT_URL, {"table": "funnel_regions", "format": "xlsx"})

    cell = load_workbook(io.BytesIO(response.content)).active["A2"]
    assert cell.value == '=HYPERLINK("http://evil.example")'
    assert cell.data_type == "s"


def test_an_unknown_export_table_answers_404(ambassador_client):
    assert ambassador_client.get(EXPORT_URL, {"table": "people"}).status_code == 404


@pytest.mark.parametrize(
    ("roles", "status"),
    [(["staff"], 200), (["master_trainer"], 200), (["ambassador"], 200), (["trainer"], 403), ([], 403)],
)
@pytest.mark.parametrize("url", [URL, EXPORT_URL + "?table=funnel"])
def test_staff_master_trainers_and_ambassadors_may_see_the_dashboard(client, roles, status, url):
    client.force_login(UserFactory(roles=roles))

    assert client.get(url).status_code == status


@pytest.mark.parametrize("url", [URL, EXPORT_URL + "?table=funnel"])
def test_anonymous_visitors_are_sent_to_the_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- a fixed number of queries, whatever the number of contacts ------------------------------------

# The user with their roles (the session comes from the cache); the organisations per target group,
# region, step and contact rank (one query feeds the funnel, its regions and reach); people (two);
# contacts per month and per channel; registrations and completions per month; heard of; the region
# choices of the filter form. The goals' own query is measured apart below, so that its module keeps
# its own count. A second visit reads the figures from the cache (test_page_caches.py).
DASHBOARD_QUERIES = 9
DASHBOARD_QUERIES_CACHED = 2


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

    # Again, nothing changed: the figures come from the cache (the user and the region choices remain).
    with django_assert_num_queries(DASHBOARD_QUERIES_CACHED):
        again = ambassador_client.get(URL)
    assert sum(again.context["channels"].total) == contacts


def test_the_default_period_is_the_last_twelve_months():
    assert dashboard.default_period(date(2026, 3, 15)) == (date(2025, 4, 1), date(2026, 3, 15))
    assert dashboard.default_period(date(2026, 12, 31)) == (date(2026, 1, 1), date(2026, 12, 31))
