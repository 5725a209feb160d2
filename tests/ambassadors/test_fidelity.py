from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ambassadors.enums import ChecklistItem, ReviewKind
from ambassadors.models import FidelityReview, FidelityScore
from ambassadors.services.fidelity import fidelity_review_submit
from dissemination.models import Region
from mentorwijs.accounts.models import User
from tests.factories import AssignmentFactory, EnrolmentFactory, EvaluationFactory, TrainingFactory, UserFactory
from trainings.enums import ActiveComponent, AssignmentRole, TrainingStatus
from trainings.models import Assignment, Training

pytestmark = pytest.mark.django_db

SELF, OBSERVATION = ReviewKind.SELF_REPORT, ReviewKind.OBSERVATION
COMPONENTS = ActiveComponent.values


def scores(*values):
    """A score per component: the values in component order, or 3 for every one."""
    values = values or (3,) * len(COMPONENTS)
    return dict(zip(COMPONENTS, values, strict=True))


def checklist(**ticked):
    return {item: ticked.get(item, True) for item in ChecklistItem.values}


def ended_run(status=TrainingStatus.RUNNING):
    """A run (still marked running) whose two meetings lie in the past."""
    first = timezone.now() - timedelta(weeks=3)
    return TrainingFactory(meetings=2, meetings__first_meeting=first, status=status)


def future_run():
    return TrainingFactory(meetings=2, status=TrainingStatus.OPEN)


def started_run():
    """A run whose first meeting was last week and whose second is next week."""
    first = timezone.now() - timedelta(weeks=1)
    return TrainingFactory(meetings=2, meetings__first_meeting=first, status=TrainingStatus.RUNNING)


def lead_of(run, **user_kwargs):
    user_kwargs.setdefault("roles", ["trainer"])
    user = UserFactory(**user_kwargs)
    AssignmentFactory(training=run, trainer=user, role=AssignmentRole.LEAD)
    return user


@pytest.fixture
def run():
    return ended_run()


@pytest.fixture
def lead(run):
    return lead_of(run)


@pytest.fixture
def master():
    return UserFactory(roles=["master_trainer"], two_factor=True)


def submit(run, reviewer, kind=SELF, **kwargs):
    kwargs.setdefault("scores", scores())
    kwargs.setdefault("checklist", checklist())
    return fidelity_review_submit(training=run, reviewer=reviewer, kind=kind, **kwargs)


def refusal_keys(call) -> set[str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return set(caught.value.message_dict)


# --- the service ---


def test_the_lead_sends_a_self_report_after_the_run_with_scores_checklist_and_average(run, lead):
    review = submit(
        run,
        lead,
        scores=scores(4, 4, 3, 3, 3, 2),
        checklist=checklist(handbook_followed=False),
        notes="  Meer eigen casussen.  ",
    )

    review.refresh_from_db()
    assert (review.training, review.reviewer, review.kind) == (run, lead, SELF)
    assert review.average == Decimal("3.17")
    assert dict(review.scores.values_list("component", "score")) == scores(4, 4, 3, 3, 3, 2)
    assert [getattr(review, item) for item in ChecklistItem.values] == [True, True, True, False, True]
    assert review.notes == "Meer eigen casussen."


def test_a_completed_run_takes_a_self_report_even_with_a_meeting_ahead(lead):
    run = future_run()
    AssignmentFactory(training=run, trainer=lead, role=AssignmentRole.LEAD)
    run.status = TrainingStatus.COMPLETED
    run.save()

    assert submit(run, lead).average == Decimal("3.00")


def test_sending_again_updates_the_same_review(run, lead):
    first = submit(run, lead, scores=scores(1, 1, 1, 1, 1, 1), checklist=checklist(all_meetings_held=False))

    again = submit(run, lead, scores=scores(4, 4, 4, 4, 4, 2), notes="Bijgewerkt")

    assert again.pk == first.pk
    assert FidelityReview.objects.count() == 1
    assert FidelityScore.objects.count() == 6
    again.refresh_from_db()
    assert again.average == Decimal("3.67")
    assert again.all_meetings_held is True
    assert dict(again.scores.values_list("component", "score")) == scores(4, 4, 4, 4, 4, 2)
    assert again.notes == "Bijgewerkt"


def test_a_co_trainer_may_not_send_the_self_report(run, lead):
    co_trainer = UserFactory(roles=["trainer"])
    AssignmentFactory(training=run, trainer=co_trainer, role=AssignmentRole.CO_TRAINER)

    assert refusal_keys(lambda: submit(run, co_trainer)) == {"kind"}
    assert not FidelityReview.objects.exists()


def test_the_lead_of_another_run_may_not_send_the_self_report(run, lead):
    other_lead = lead_of(ended_run())

    assert refusal_keys(lambda: submit(run, other_lead)) == {"kind"}
    assert not FidelityReview.objects.exists()


@pytest.mark.parametrize("make_run", [future_run, started_run])
def test_no_self_report_before_the_last_meeting_has_ended(make_run):
    run = make_run()
    lead = lead_of(run)

    assert refusal_keys(lambda: submit(run, lead)) == {"kind"}
    assert not FidelityReview.objects.exists()


def test_a_master_trainer_observes_a_run_once_it_has_started(master):
    run = started_run()

    review = submit(run, master, kind=OBSERVATION, scores=scores(2, 2, 2, 2, 2, 3))

    assert review.kind == OBSERVATION
    assert review.average == Decimal("2.17")


def test_no_observation_before_the_run_has_started(master):
    assert refusal_keys(lambda: submit(future_run(), master, kind=OBSERVATION)) == {"kind"}
    assert not FidelityReview.objects.exists()


@pytest.mark.parametrize("roles", [["trainer"], ["staff"]])
def test_only_a_master_trainer_observes(run, roles):
    observer = UserFactory(roles=roles)

    assert refusal_keys(lambda: submit(run, observer, kind=OBSERVATION)) == {"kind"}
    assert not FidelityReview.objects.exists()


def test_the_lead_and_a_master_trainer_each_keep_their_own_review(run, lead, master):
    submit(run, lead)
    submit(run, master, kind=OBSERVATION)

    assert sorted(FidelityReview.objects.values_list("kind", flat=True)) == sorted([SELF, OBSERVATION])


@pytest.mark.parametrize(
    ("given", "bad"),
    [
        ({**scores(), "autonomy": 5}, "autonomy"),
        ({**scores(), "leadership": -1}, "leadership"),
        ({**scores(), "qualities": "2.5"}, "qualities"),
        ({key: value for key, value in scores().items() if key != "learning"}, "learning"),
        ({**scores(), "understanding": None}, "understanding"),
    ],
)
def test_a_score_outside_0_to_4_or_missing_is_refused_on_its_field(run, lead, given, bad):
    assert refusal_keys(lambda: submit(run, lead, scores=given)) == {f"score_{bad}"}
    assert not FidelityReview.objects.exists()
    assert not FidelityScore.objects.exists()


def test_a_refused_resubmission_keeps_the_first_review(run, lead):
    submit(run, lead, scores=scores(1, 1, 1, 1, 1, 1))

    refusal_keys(lambda: submit(run, lead, scores={**scores(), "autonomy": 9}))

    review = FidelityReview.objects.get()
    assert review.average == Decimal("1.00")
    assert set(review.scores.values_list("score", flat=True)) == {1}


# --- the review page ---


def form_data(*values, **ticked):
    data = {f"score_{component}": value for component, value in scores(*values).items()}
    data.update({item: "on" for item, on in checklist(**ticked).items() if on})
    data["notes"] = ""
    return data


def review_url(run, kind=None):
    url = reverse("ambassadors:fidelity_review", kwargs={"pk": run.pk})
    return f"{url}?kind={kind}" if kind else url


def test_the_lead_sees_the_form_beside_the_participants_evaluation(client, run, lead):
    for score in (3, 5):
        EvaluationFactory(enrolment=EnrolmentFactory(training=run), moment="after", score=score, satisfaction=7)
    EvaluationFactory(enrolment__training=run, moment="before")
    client.force_login(lead)

    response = client.get(review_url(run))

    assert response.status_code == 200
    assert response.context["kind"] == SELF
    assert 'data-testid="review-form"' in response.content.decode()
    assert 'data-testid="privacy-warning"' in response.content.decode()
    evaluation = response.context["evaluation"]
    assert evaluation["averages"].answers_after == 2
    assert evaluation["averages"].satisfaction == 7
    assert dict(evaluation["usefulness"]) == {component: 4.0 for component in ActiveComponent}


def test_the_lead_sends_the_form(client, run, lead):
    client.force_login(lead)

    response = client.post(review_url(run), form_data(4, 4, 4, 4, 2, 2, own_cases_used=False))

    assert response.status_code == 302
    assert response.url == review_url(run, SELF)
    review = FidelityReview.objects.get(training=run, reviewer=lead, kind=SELF)
    assert review.average == Decimal("3.33")
    assert review.own_cases_used is False
    assert review.handbook_followed is True


def test_the_form_starts_from_the_review_already_sent(client, run, lead):
    submit(run, lead, scores=scores(0, 1, 2, 3, 4, 4), notes="Eerder")
    client.force_login(lead)

    form = client.get(review_url(run)).context["form"]

    assert form.initial["score_inclusive_climate"] == 0
    assert form.initial["score_autonomy"] == 4
    assert form.initial["notes"] == "Eerder"


@pytest.mark.parametrize("value", ["5", "-1", "", "x"])
def test_a_bad_score_in_the_form_is_shown_on_its_field_and_nothing_is_saved(client, run, lead, value):
    client.force_login(lead)
    data = form_data()
    data["score_autonomy"] = value

    response = client.post(review_url(run), data)

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"score_autonomy"}
    assert 'data-testid="error-score_autonomy"' in response.content.decode()
    assert not FidelityReview.objects.exists()


def test_the_form_shows_why_it_is_too_early_and_saves_nothing(client):
    run = started_run()
    lead = lead_of(run)
    client.force_login(lead)

    response = client.get(review_url(run))
    assert response.status_code == 200
    assert 'data-testid="review-refusal"' in response.content.decode()

    response = client.post(review_url(run), form_data())
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert not FidelityReview.objects.exists()


def test_a_co_trainer_gets_404(client, run, lead):
    co_trainer = UserFactory(roles=["trainer"])
    AssignmentFactory(training=run, trainer=co_trainer, role=AssignmentRole.CO_TRAINER)
    client.force_login(co_trainer)

    assert client.get(review_url(run)).status_code == 404
    assert client.post(review_url(run), form_data()).status_code == 404
    assert not FidelityReview.objects.exists()


def test_the_lead_of_another_run_gets_404(client, run, lead):
    client.force_login(lead_of(ended_run()))

    assert client.get(review_url(run)).status_code == 404
    assert client.post(review_url(run), form_data()).status_code == 404


@pytest.mark.parametrize("roles", [["staff"], ["ambassador"]])
def test_roles_that_write_no_reviews_get_403(client, run, roles):
    client.force_login(UserFactory(roles=roles, two_factor=True))

    assert client.get(review_url(run)).status_code == 403


def test_anonymous_is_sent_to_log_in(client, run):
    response = client.get(review_url(run))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_master_trainer_gets_the_observation_form(client, run, master):
    client.force_login(master)

    response = client.post(review_url(run), form_data(1, 1, 1, 1, 1, 1))

    assert response.status_code == 302
    assert FidelityReview.objects.get().kind == OBSERVATION


def test_a_lead_who_is_also_master_trainer_gets_only_the_self_report(client, run):
    both = lead_of(run, roles=["trainer", "master_trainer"], two_factor=True)
    client.force_login(both)

    assert client.get(review_url(run)).context["kind"] == SELF
    response = client.get(review_url(run, OBSERVATION))
    assert response.context["kind"] == SELF
    assert [choice[0] for choice in response.context["kind_choices"]] == [SELF]
    client.post(review_url(run, OBSERVATION), form_data())
    assert FidelityReview.objects.get().kind == SELF


@pytest.mark.parametrize("role", [AssignmentRole.LEAD, AssignmentRole.CO_TRAINER, AssignmentRole.CANDIDATE])
def test_a_master_trainer_who_gives_the_run_may_not_observe_it(run, role):
    if role == AssignmentRole.CANDIDATE:
        lead_of(run)
    giver = UserFactory(roles=["trainer", "master_trainer"])
    AssignmentFactory(training=run, trainer=giver, role=role)

    assert refusal_keys(lambda: submit(run, giver, kind=OBSERVATION)) == {"kind"}
    assert not FidelityReview.objects.exists()


def test_a_co_training_master_trainer_gets_no_review_page(client, run, lead):
    co_trainer = UserFactory(roles=["master_trainer"], two_factor=True)
    AssignmentFactory(training=run, trainer=co_trainer, role=AssignmentRole.CO_TRAINER)
    client.force_login(co_trainer)

    assert client.get(review_url(run, OBSERVATION)).status_code == 404
    assert client.post(review_url(run, OBSERVATION), form_data()).status_code == 404
    assert not FidelityReview.objects.exists()


def test_a_master_trainer_without_the_trainer_role_writes_the_self_report_of_a_run_they_lead(client, run):
    master_lead = lead_of(run, roles=["master_trainer"], two_factor=True)
    client.force_login(master_lead)

    response = client.post(review_url(run), form_data())

    assert response.status_code == 302
    assert FidelityReview.objects.get().kind == SELF


def test_the_runs_i_lead_link_to_the_self_report(client, run, lead):
    other = lead_of(ended_run())
    submit(run, lead)
    client.force_login(lead)

    response = client.get(reverse("ambassadors:fidelity_mine"))

    assert response.status_code == 200
    assert [(found.pk, found.has_self_report) for found in response.context["runs"]] == [(run.pk, True)]
    assert review_url(run, SELF) in response.content.decode()
    assert other.pk != lead.pk


# --- the overview ---


def test_the_heat_map_averages_per_trainer_and_per_run(client, master):
    run_a, run_b = ended_run(), ended_run()
    anna, bert = lead_of(run_a, last_name="Aanstoot"), lead_of(run_b, last_name="Bakker")
    AssignmentFactory(training=run_b, trainer=anna, role=AssignmentRole.CO_TRAINER)
    submit(run_a, anna, scores=scores(4, 4, 4, 4, 4, 4))
    submit(run_b, bert, scores=scores(2, 2, 2, 2, 2, 0))
    submit(run_b, master, kind=OBSERVATION, scores=scores(1, 3, 3, 3, 3, 0))
    client.force_login(UserFactory(roles=["staff"], two_factor=True))

    response = client.get(reverse("ambassadors:fidelity_overview"))

    assert response.status_code == 200
    trainers = {
        trainer.pk: (trainer.reviewed_runs, [(cell["value"], cell["band"]) for cell in trainer.cells])
        for trainer in response.context["trainers"]
    }
    # Anna gave both runs: (4 + 2 + 1) / 3 for the first component, (4 + 2 + 3) / 3 for the next.
    assert trainers[anna.pk] == (
        2,
        [(7 / 3, "middle"), (3.0, "high"), (3.0, "high"), (3.0, "high"), (3.0, "high"), (4 / 3, "low")],
    )
    assert trainers[bert.pk] == (
        1,
        [(1.5, "low"), (2.5, "middle"), (2.5, "middle"), (2.5, "middle"), (2.5, "middle"), (0.0, "low")],
    )
    runs = {run.pk: (run.reviews, [cell["value"] for cell in run.cells]) for run in response.context["runs"]}
    assert runs == {run_a.pk: (1, [4.0] * 6), run_b.pk: (2, [1.5, 2.5, 2.5, 2.5, 2.5, 0.0])}
    # The run reviewed last comes first.
    assert [run.pk for run in response.context["runs"]] == [run_b.pk, run_a.pk]
    assert 'data-band="low"' in response.content.decode()


def test_the_list_of_completed_runs_without_a_review(client, run, lead):
    reviewed = ended_run(status=TrainingStatus.COMPLETED)
    submit(reviewed, lead_of(reviewed))
    unreviewed = [ended_run(status=TrainingStatus.COMPLETED) for _ in range(2)]
    ended_run(status=TrainingStatus.CANCELLED)
    client.force_login(UserFactory(roles=["staff"], two_factor=True))

    response = client.get(reverse("ambassadors:fidelity_overview"))

    assert {found.pk for found in response.context["unreviewed"]} == {found.pk for found in unreviewed}
    assert response.context["unreviewed_count"] == 2
    assert 'data-testid="runs-without-review"' in response.content.decode()


@pytest.mark.parametrize("roles", [["trainer"], ["ambassador"]])
def test_the_overview_is_refused_to_other_roles(client, roles):
    client.force_login(UserFactory(roles=roles))
    assert client.get(reverse("ambassadors:fidelity_overview")).status_code == 403


def bulk_reviews(count: int) -> None:
    """`count` trainers, each leading one completed run with a self-report, plus as many
    completed runs without a review."""
    region = Region.objects.get(name="Rivierenland")
    users = User.objects.bulk_create(
        User(email=f"bulk{n}@example.org", first_name="Bulk", last_name=f"{n:05d}", password="!") for n in range(count)
    )
    runs = Training.objects.bulk_create(
        Training(title=f"Bulk {n}", region=region, status=TrainingStatus.COMPLETED) for n in range(2 * count)
    )
    Assignment.objects.bulk_create(
        Assignment(training=run, trainer=user, role=AssignmentRole.LEAD) for run, user in zip(runs, users, strict=False)
    )
    reviews = FidelityReview.objects.bulk_create(
        FidelityReview(training=run, reviewer=user, kind=SELF, average=Decimal("2.50"))
        for run, user in zip(runs, users, strict=False)
    )
    FidelityScore.objects.bulk_create(
        FidelityScore(review=review, component=component, score=n % 5)
        for n, review in enumerate(reviews)
        for component in COMPONENTS
    )


@pytest.mark.parametrize("trainers", [10, 2000])
def test_the_overview_runs_fixed_queries(client, django_assert_num_queries, trainers):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    bulk_reviews(trainers)

    # the user with roles and two-factor state; trainers count and page; runs and their leads;
    # runs without review and their count.
    with django_assert_num_queries(7):
        response = client.get(reverse("ambassadors:fidelity_overview"))

    assert response.status_code == 200
    assert response.context["paginator"].count == trainers
    assert len(response.context["trainers"]) == min(trainers, 50)
    assert len(response.context["runs"]) == min(trainers, 50)
    assert response.context["unreviewed_count"] == trainers
