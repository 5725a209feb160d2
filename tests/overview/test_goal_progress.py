from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.context_processors import PermWrapper
from django.template.loader import render_to_string
from django.urls import reverse

from dissemination.enums import CommunicationGoal, Stage, TargetGroup
from dissemination.models import Goal, Region
from mentorwijs.overview.goals import goal_progress
from tests.factories import (
    EnrolmentFactory,
    GoalFactory,
    OrganisationFactory,
    OutreachContactFactory,
    PersonFactory,
    TrainingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FIRST_HALF = {"starts_on": date(2026, 1, 1), "ends_on": date(2026, 6, 30)}


def at(year, month, day, hour=12, minute=0):
    """An aware datetime on a wall clock in Amsterdam."""
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


@pytest.fixture
def ambassador(db):
    return UserFactory(roles=["ambassador"])


@pytest.fixture
def contact(ambassador):
    def make(organisation, day, stage=Stage.INFORMED):
        return OutreachContactFactory(logged_by=ambassador, organisation=organisation, date=day, stage=stage)

    return make


def employer(name):
    return OrganisationFactory(name=name, target_group=TargetGroup.EMPLOYERS)


def school(name):
    return OrganisationFactory(name=name, target_group=TargetGroup.SCHOOLS)


def enrol(organisation, status, created_at, completed_at=None, person=None, **extra):
    person = person or PersonFactory(organisation=organisation)
    return EnrolmentFactory(person=person, status=status, created_at=created_at, completed_at=completed_at, **extra)


def reached(goal):
    [row] = goal_progress(Goal.objects.filter(pk=goal.pk))
    return row.reached


# Inform ------------------------------------------------------------------------------------------


def test_inform_counts_organisations_of_the_group_with_a_contact_in_the_period_once(contact):
    twice = employer("Twee keer")
    contact(twice, date(2026, 1, 1))  # first day of the period
    contact(twice, date(2026, 3, 1), Stage.CONVINCED)  # any stage counts, the organisation once
    contact(employer("Laatste dag"), date(2026, 6, 30), Stage.TRAINED)
    outside = employer("Ervoor en erna")
    contact(outside, date(2025, 12, 31))
    contact(outside, date(2026, 7, 1))
    contact(school("School"), date(2026, 2, 1))  # another target group
    employer("Nooit gesproken")
    goal = GoalFactory(goal=CommunicationGoal.INFORM, target_group=TargetGroup.EMPLOYERS, **FIRST_HALF)
    schools = GoalFactory(goal=CommunicationGoal.INFORM, target_group=TargetGroup.SCHOOLS, **FIRST_HALF)
    last_year = GoalFactory(
        goal=CommunicationGoal.INFORM,
        target_group=TargetGroup.EMPLOYERS,
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
    )

    assert [row.reached for row in goal_progress(Goal.objects.order_by("pk"))] == [2, 1, 1]
    assert (reached(goal), reached(schools), reached(last_year)) == (2, 1, 1)


# Convince ----------------------------------------------------------------------------------------


def test_convince_counts_convinced_contacts_and_enrolments_in_the_period(contact):
    both = employer("Contact en inschrijving")
    contact(both, date(2026, 3, 1), Stage.CONVINCED)
    enrol(both, "registered", at(2026, 3, 2))  # the same organisation: once
    contact(employer("Getraind"), date(2026, 5, 1), Stage.TRAINED)
    contact(employer("Gregistreerd"), date(2026, 5, 1), Stage.SUPERVISORS_REGISTERED)
    contact(employer("Alleen geinteresseerd"), date(2026, 5, 1), Stage.INTERESTED)
    contact(employer("Te vroeg overtuigd"), date(2025, 12, 31), Stage.CONVINCED)
    contact(school("Overtuigde school"), date(2026, 2, 1), Stage.CONVINCED)
    enrol(employer("Wachtlijst"), "waitlisted", at(2026, 2, 1))
    enrol(employer("Aanbod"), "offered", at(2026, 2, 1))
    enrol(employer("Afgerond"), "completed", at(2026, 2, 1), completed_at=at(2026, 8, 1))
    enrol(employer("Nieuwjaarsnacht"), "registered", at(2026, 1, 1, 0, 30))  # 31 Dec 23:30 UTC
    enrol(employer("Afgemeld"), "cancelled", at(2026, 2, 1))
    enrol(employer("Uitgevallen"), "dropped_out", at(2026, 2, 1))
    enrol(employer("Net te laat"), "registered", at(2026, 7, 1, 0, 30))  # 30 Jun 22:30 UTC
    enrol(school("Ingeschreven school"), "registered", at(2026, 2, 1))
    goal = GoalFactory(goal=CommunicationGoal.CONVINCE, target_group=TargetGroup.EMPLOYERS, **FIRST_HALF)

    # both, trained, registered, waitlisted, offered, completed, new year's night
    assert reached(goal) == 7


# Train -------------------------------------------------------------------------------------------


def test_train_counts_persons_of_the_group_who_completed_in_the_period_once(contact):
    first = employer("Eerste")
    twice = PersonFactory(organisation=first)
    enrol(first, "completed", at(2025, 10, 1), completed_at=at(2026, 3, 10), person=twice)
    enrol(first, "completed", at(2026, 2, 1), completed_at=at(2026, 5, 10), person=twice)  # the same person
    second = employer("Tweede")
    enrol(second, "completed", at(2025, 10, 1), completed_at=at(2026, 1, 1, 0, 30))  # 31 Dec 23:30 UTC
    enrol(second, "completed", at(2026, 2, 1), completed_at=at(2026, 7, 1, 0, 30))  # 30 Jun 22:30 UTC
    enrol(second, "completed", at(2025, 2, 1), completed_at=at(2025, 12, 31))
    enrol(second, "registered", at(2026, 2, 1))
    enrol(second, "dropped_out", at(2026, 2, 1))
    enrol(school("School"), "completed", at(2026, 1, 5), completed_at=at(2026, 3, 1))
    contact(second, date(2026, 3, 1), Stage.TRAINED)  # a contact's stage is not a trained person
    goal = GoalFactory(goal=CommunicationGoal.TRAIN, target_group=TargetGroup.EMPLOYERS, **FIRST_HALF)
    schools = GoalFactory(goal=CommunicationGoal.TRAIN, target_group=TargetGroup.SCHOOLS, **FIRST_HALF)

    assert (reached(goal), reached(schools)) == (2, 1)


def test_a_moment_counts_on_its_day_in_amsterdam():
    # 00:30 on New Year's Day in Amsterdam is still 31 December in UTC.
    enrol(employer("Nieuwjaarsnacht"), "completed", at(2026, 1, 1, 0, 30), completed_at=at(2026, 1, 1, 0, 30))
    last_year = {"starts_on": date(2025, 7, 1), "ends_on": date(2025, 12, 31)}
    goals = [
        GoalFactory(goal=CommunicationGoal.CONVINCE, **FIRST_HALF),
        GoalFactory(goal=CommunicationGoal.CONVINCE, **last_year),
        GoalFactory(goal=CommunicationGoal.TRAIN, **FIRST_HALF),
        GoalFactory(goal=CommunicationGoal.TRAIN, **last_year),
    ]
    assert [row.reached for row in goal_progress(goals)] == [1, 0, 1, 0]


# Rows --------------------------------------------------------------------------------------------


def test_rows_keep_the_real_percent_and_cap_the_bar(contact):
    for number in range(3):
        contact(employer(f"Werkgever {number}"), date(2026, 2, 1))
    over = GoalFactory(target=2, **FIRST_HALF)
    under = GoalFactory(
        target=9, target_group=TargetGroup.EMPLOYERS, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    nothing = GoalFactory(target=4, target_group=TargetGroup.SCHOOLS, **FIRST_HALF)

    rows = goal_progress([under, over, nothing])

    assert [row.goal for row in rows] == [under, over, nothing]
    assert [(row.reached, row.target, row.percent, row.bar_percent, row.met) for row in rows] == [
        (3, 9, 33, 33, False),
        (3, 2, 150, 100, True),
        (0, 4, 0, 0, False),
    ]


def test_no_goals_give_no_rows_and_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert goal_progress([]) == []


def test_without_goals_given_all_goals_come_in_the_order_of_the_list():
    older = GoalFactory(starts_on=date(2025, 1, 1))
    newer = GoalFactory(starts_on=date(2026, 1, 1))
    assert [row.goal for row in goal_progress()] == [newer, older]


def test_a_region_counts_organisations_in_theirs_and_trained_persons_in_their_runs(contact):
    twente_region = Region.objects.get(name="Twente")
    contact(employer("In Rivierenland"), date(2026, 2, 1))
    twente = OrganisationFactory(target_group=TargetGroup.EMPLOYERS, region=twente_region)
    contact(twente, date(2026, 2, 1))
    enrol(
        twente, "completed", at(2026, 1, 5), completed_at=at(2026, 3, 1), training=TrainingFactory(region=twente_region)
    )
    enrol(twente, "completed", at(2026, 1, 5), completed_at=at(2026, 3, 1))  # a run in Rivierenland
    inform = GoalFactory(**FIRST_HALF)
    train = GoalFactory(goal=CommunicationGoal.TRAIN, **FIRST_HALF)
    goals = Goal.objects.order_by("pk")

    assert [row.reached for row in goal_progress(goals)] == [2, 2]
    assert [row.reached for row in goal_progress(goals, region=twente_region)] == [1, 1]
    rivierenland = goal_progress(goals, region=Region.objects.get(name="Rivierenland"))
    assert [row.goal for row in rivierenland] == [inform, train]
    # The Twente organisation's person trained in a Rivierenland run counts there, as on the dashboard.
    assert [row.reached for row in rivierenland] == [1, 1]


def test_inform_also_counts_organisations_with_a_person_enrolled_or_completing_in_the_period():
    enrol(employer("Alleen ingeschreven"), "registered", at(2026, 2, 1))
    enrol(employer("Alleen afgerond"), "completed", at(2025, 9, 1), completed_at=at(2026, 3, 1))
    enrol(employer("Ingeschreven ervoor"), "registered", at(2025, 12, 1))
    goal = GoalFactory(goal=CommunicationGoal.INFORM, target_group=TargetGroup.EMPLOYERS, **FIRST_HALF)

    assert reached(goal) == 2


@pytest.mark.parametrize("goals", [2, 20])
def test_progress_takes_one_query_however_many_goals(contact, django_assert_num_queries, goals):
    for organisation in (employer("Werkgever"), school("School")):
        contact(organisation, date(2026, 2, 1), Stage.CONVINCED)
        enrol(organisation, "completed", at(2026, 1, 5), completed_at=at(2026, 3, 1))
    for number in range(goals):
        GoalFactory(
            goal=CommunicationGoal.values[number % 3],
            target_group=[TargetGroup.EMPLOYERS, TargetGroup.SCHOOLS][number % 2],
            starts_on=date(2026 - number // 6, 1, 1),
            ends_on=date(2026 - number // 6, 12, 31),
        )
    queryset = Goal.objects.order_by("pk")
    with django_assert_num_queries(1):
        rows = goal_progress(queryset)
    in_2026 = [row.reached for row in rows if row.goal.starts_on.year == 2026]
    assert in_2026 == [1] * min(goals, 6)
    assert all(row.reached == 0 for row in rows if row.goal.starts_on.year != 2026)
    instances = list(queryset)
    with django_assert_num_queries(1):
        assert [row.reached for row in goal_progress(instances)] == [row.reached for row in rows]


# The dashboard's fragment ------------------------------------------------------------------------


def _render(rows, user):
    return render_to_string("overview/dashboard/goals.html", {"goal_rows": rows, "perms": PermWrapper(user)})


def test_the_fragment_shows_each_goal_with_its_numbers_and_bar(contact):
    for number in range(3):
        contact(employer(f"Werkgever {number}"), date(2026, 2, 1))
    GoalFactory(target=2, **FIRST_HALF)
    html = _render(goal_progress(Goal.objects.all()), UserFactory(roles=["ambassador"]))
    assert html.count('data-testid="goal-progress-row"') == 1
    assert 'data-testid="goal-reached">3<' in html
    assert 'data-testid="goal-target">2<' in html
    assert 'data-testid="goal-percent">150%<' in html
    assert 'data-percent="100"' in html
    assert 'width="100"' in html
    assert "style=" not in html
    assert 'data-testid="goal-list-link"' not in html


def test_the_fragment_without_goals_links_staff_to_the_goal_list():
    staff = _render([], UserFactory(roles=["staff"], two_factor=True))
    assert 'data-testid="goals-empty"' in staff
    assert f'href="{reverse("dissemination:goal_list")}"' in staff
    ambassador = _render([], UserFactory(roles=["ambassador"]))
    assert 'data-testid="goals-empty"' in ambassador
    assert 'data-testid="goal-list-link"' not in ambassador
