from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dissemination.enums import CommunicationGoal, TargetGroup
from dissemination.models import Goal
from dissemination.services.goals import goal_delete, goal_save
from tests.factories import GoalFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        "staff": UserFactory(roles=["staff"], two_factor=True),
        "ambassador": UserFactory(roles=["ambassador"]),
        "master_trainer": UserFactory(roles=["master_trainer"], two_factor=True),
        "trainer": UserFactory(roles=["trainer"]),
    }


@pytest.fixture
def goal(db):
    return GoalFactory(
        goal=CommunicationGoal.INFORM,
        target_group=TargetGroup.EMPLOYERS,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        target=40,
    )


def _url(name, goal):
    if name in ("goal_update", "goal_delete"):
        return reverse(f"dissemination:{name}", args=[goal.pk])
    return reverse(f"dissemination:{name}")


URL_NAMES = ["goal_list", "goal_create", "goal_update", "goal_delete"]


def _form_data(**overrides):
    data = {
        "goal": CommunicationGoal.CONVINCE,
        "target_group": TargetGroup.SCHOOLS,
        "starts_on": "2026-01-01",
        "ends_on": "2026-06-30",
        "target": "12",
        "note": "Half the schools in Rivierenland",
    }
    data.update(overrides)
    return data


# Permissions -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize(
    ("who", "status"), [("staff", 200), ("ambassador", 403), ("master_trainer", 403), ("trainer", 403)]
)
def test_each_goal_page_is_for_staff_only(client, people, goal, name, who, status):
    client.force_login(people[who])
    assert client.get(_url(name, goal)).status_code == status


@pytest.mark.parametrize("name", URL_NAMES)
def test_each_goal_page_sends_anonymous_visitors_to_the_login(client, goal, name):
    response = client.get(_url(name, goal))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_ambassador_cannot_create_change_or_delete_a_goal(client, people, goal):
    client.force_login(people["ambassador"])
    assert client.post(reverse("dissemination:goal_create"), _form_data()).status_code == 403
    assert client.post(_url("goal_update", goal), _form_data()).status_code == 403
    assert client.post(_url("goal_delete", goal)).status_code == 403
    goal.refresh_from_db()
    assert (Goal.objects.count(), goal.goal, goal.target) == (1, CommunicationGoal.INFORM, 40)


def test_an_unknown_goal_answers_404(staff_client):
    assert staff_client.get(reverse("dissemination:goal_update", args=[999])).status_code == 404
    assert staff_client.post(reverse("dissemination:goal_delete", args=[999])).status_code == 404


# Create, change, delete --------------------------------------------------------------------------


def test_staff_create_a_goal(staff_client):
    response = staff_client.post(reverse("dissemination:goal_create"), _form_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("dissemination:goal_list")
    stored = Goal.objects.get()
    assert (stored.goal, stored.target_group, stored.starts_on, stored.ends_on, stored.target, stored.note) == (
        CommunicationGoal.CONVINCE,
        TargetGroup.SCHOOLS,
        date(2026, 1, 1),
        date(2026, 6, 30),
        12,
        "Half the schools in Rivierenland",
    )


def test_staff_change_a_goal(staff_client, goal):
    response = staff_client.get(_url("goal_update", goal))
    assert response.context["form"].initial["target"] == 40
    response = staff_client.post(_url("goal_update", goal), _form_data(target="55", note=""))
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.goal, goal.target_group, goal.ends_on, goal.target, goal.note) == (
        CommunicationGoal.CONVINCE,
        TargetGroup.SCHOOLS,
        date(2026, 6, 30),
        55,
        "",
    )


def test_changing_a_goal_without_changing_its_period_is_not_a_duplicate_of_itself(staff_client, goal):
    data = _form_data(goal=goal.goal, target_group=goal.target_group, starts_on="2026-01-01", ends_on="2026-12-31")
    response = staff_client.post(_url("goal_update", goal), data)
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.target == 12


def test_the_delete_page_asks_first_and_deletes_on_post(staff_client, goal):
    confirm = staff_client.get(_url("goal_delete", goal))
    assert confirm.status_code == 200
    assert b'data-testid="goal-delete-form"' in confirm.content
    assert Goal.objects.filter(pk=goal.pk).exists()
    response = staff_client.post(_url("goal_delete", goal))
    assert response.status_code == 302
    assert not Goal.objects.filter(pk=goal.pk).exists()


def test_the_form_shows_the_privacy_warning_at_the_note(staff_client):
    response = staff_client.get(reverse("dissemination:goal_create"))
    assert b'data-testid="privacy-warning"' in response.content


# Refusals ----------------------------------------------------------------------------------------


def test_the_same_goal_target_group_and_period_twice_is_refused_at_the_target_group(staff_client, goal):
    data = _form_data(goal=goal.goal, target_group=goal.target_group, starts_on="2026-01-01", ends_on="2026-12-31")
    response = staff_client.post(reverse("dissemination:goal_create"), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"target_group"}
    assert Goal.objects.count() == 1


def test_changing_a_goal_into_another_existing_one_is_refused(staff_client, goal):
    other = GoalFactory(goal=CommunicationGoal.TRAIN, target_group=goal.target_group, starts_on=goal.starts_on)
    data = _form_data(goal=goal.goal, target_group=goal.target_group, starts_on="2026-01-01", ends_on="2026-12-31")
    response = staff_client.post(_url("goal_update", other), data)
    assert set(response.context["form"].errors) == {"target_group"}
    other.refresh_from_db()
    assert other.goal == CommunicationGoal.TRAIN


def test_another_period_for_the_same_goal_and_target_group_is_fine(staff_client, goal):
    data = _form_data(goal=goal.goal, target_group=goal.target_group, starts_on="2027-01-01", ends_on="2027-12-31")
    assert staff_client.post(reverse("dissemination:goal_create"), data).status_code == 302
    assert Goal.objects.count() == 2


def test_an_end_before_the_start_is_refused_at_the_end(staff_client):
    response = staff_client.post(reverse("dissemination:goal_create"), _form_data(ends_on="2025-12-31"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"ends_on"}
    assert not Goal.objects.exists()


def test_a_one_day_period_is_fine(staff_client):
    response = staff_client.post(reverse("dissemination:goal_create"), _form_data(ends_on="2026-01-01"))
    assert response.status_code == 302
    assert Goal.objects.get().ends_on == date(2026, 1, 1)


@pytest.mark.parametrize("target", ["0", "-3", "many", ""])
def test_a_target_below_one_is_refused_at_the_target(staff_client, target):
    response = staff_client.post(reverse("dissemination:goal_create"), _form_data(target=target))
    assert set(response.context["form"].errors) == {"target"}
    assert not Goal.objects.exists()


def test_an_unknown_goal_or_target_group_is_refused_at_the_field(staff_client):
    response = staff_client.post(
        reverse("dissemination:goal_create"), _form_data(goal="dazzle", target_group="astronauts")
    )
    assert set(response.context["form"].errors) == {"goal", "target_group"}
    assert not Goal.objects.exists()


def test_the_service_refuses_a_duplicate_and_a_bad_period_by_field(goal):
    duplicate = {
        "goal": goal.goal,
        "target_group": goal.target_group,
        "starts_on": goal.starts_on,
        "ends_on": goal.ends_on,
        "target": 5,
        "note": "",
    }
    with pytest.raises(ValidationError) as refused:
        goal_save(goal=Goal(), data=duplicate)
    assert set(refused.value.message_dict) == {"target_group"}
    with pytest.raises(ValidationError) as refused:
        goal_save(goal=Goal(), data={**duplicate, "ends_on": date(2025, 12, 1)})
    assert set(refused.value.message_dict) == {"ends_on"}
    with pytest.raises(ValidationError) as refused:
        goal_save(goal=Goal(), data={**duplicate, "goal": CommunicationGoal.TRAIN, "target": 0})
    assert set(refused.value.message_dict) == {"target"}
    assert Goal.objects.count() == 1


def test_the_service_refuses_fields_it_does_not_know(goal):
    with pytest.raises(ValueError, match="not a goal field"):
        goal_save(goal=goal, data={"reached": 3})


def test_the_service_deletes_a_goal(goal):
    goal_delete(goal=goal)
    assert not Goal.objects.exists()


# The list ----------------------------------------------------------------------------------------


def test_the_list_groups_the_goals_per_period_the_latest_first_in_funnel_order(staff_client):
    year = {"starts_on": date(2026, 1, 1), "ends_on": date(2026, 12, 31)}
    half = {"starts_on": date(2026, 1, 1), "ends_on": date(2026, 6, 30)}
    last_year = {"starts_on": date(2025, 1, 1), "ends_on": date(2025, 12, 31)}
    train = GoalFactory(goal=CommunicationGoal.TRAIN, target_group=TargetGroup.EMPLOYERS, **year)
    inform_schools = GoalFactory(goal=CommunicationGoal.INFORM, target_group=TargetGroup.SCHOOLS, **year)
    inform_employers = GoalFactory(goal=CommunicationGoal.INFORM, target_group=TargetGroup.EMPLOYERS, **year)
    convince = GoalFactory(goal=CommunicationGoal.CONVINCE, target_group=TargetGroup.EMPLOYERS, **year)
    first_half = GoalFactory(goal=CommunicationGoal.INFORM, target_group=TargetGroup.AGENCIES, **half)
    old = GoalFactory(goal=CommunicationGoal.INFORM, target_group=TargetGroup.EMPLOYERS, **last_year)

    response = staff_client.get(reverse("dissemination:goal_list"))

    periods = [(p["starts_on"], p["ends_on"], p["goals"]) for p in response.context["periods"]]
    assert periods == [
        (date(2026, 1, 1), date(2026, 12, 31), [inform_employers, inform_schools, convince, train]),
        (date(2026, 1, 1), date(2026, 6, 30), [first_half]),
        (date(2025, 1, 1), date(2025, 12, 31), [old]),
    ]
    assert response.content.count(b'data-testid="goal-row"') == 6
    assert b'data-testid="goal-progress-link"' in response.content


def test_the_list_says_when_there_are_no_goals(staff_client):
    response = staff_client.get(reverse("dissemination:goal_list"))
    assert b'data-testid="no-goals"' in response.content


@pytest.mark.parametrize("goals", [2, 20])
def test_the_list_runs_a_fixed_number_of_queries(client, people, django_assert_num_queries, goals):
    for number in range(goals):
        GoalFactory(target_group=TargetGroup.values[number % 8], starts_on=date(2020 + number // 8, 1, 1))
    client.force_login(people["staff"])
    # the user with roles and two-factor state, the goals
    with django_assert_num_queries(2):
        response = client.get(reverse("dissemination:goal_list"))
    assert response.content.count(b'data-testid="goal-row"') == goals


@pytest.mark.parametrize("name", URL_NAMES)
def test_the_goal_pages_have_no_inline_style_or_script(staff_client, goal, name):
    content = staff_client.get(_url(name, goal)).content
    assert b"style=" not in content
    assert b"<script>" not in content
