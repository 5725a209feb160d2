"""The questionnaire before and after the training, the averages for staff and the research export."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from mentorwijs.exports import XLSX_CONTENT_TYPE
from tests.factories import (
    EnrolmentFactory,
    EvaluationFactory,
    PersonFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.enums import (
    ActiveComponent,
    EnrolmentStatus,
    EvaluationMoment,
    MessageKind,
    MessageStatus,
    SelfEfficacyItem,
)
from trainings.models import Evaluation, ScheduledMessage
from trainings.services.evaluation import evaluation_submit, person_pseudonym

pytestmark = pytest.mark.django_db

BEFORE, AFTER = EvaluationMoment.BEFORE, EvaluationMoment.AFTER
ITEMS = SelfEfficacyItem.values
COMPONENTS = ActiveComponent.values


def upcoming_run():
    """A run whose first meeting is in three days: the before-questionnaire is open."""
    return TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() + timedelta(days=3))


def finishing_run():
    """A run whose last meeting began an hour ago: the after-questionnaire is open."""
    return TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() - timedelta(weeks=4, hours=1))


def answers(moment, score=4, satisfaction=8, remarks=""):
    after = moment == AFTER
    return {
        "satisfaction": satisfaction if after else None,
        "self_efficacy": dict.fromkeys(ITEMS, score),
        "usefulness": dict.fromkeys(COMPONENTS, score) if after else {},
        "remarks": remarks,
    }


def post_data(moment, score=4, satisfaction=8, remarks=""):
    data = {f"self_efficacy_{item}": str(score) for item in ITEMS}
    if moment == AFTER:
        data["satisfaction"] = str(satisfaction)
        data |= {f"usefulness_{component}": str(score) for component in COMPONENTS}
    data["remarks"] = remarks
    return data


def form_url(enrolment, slug):
    return reverse("trainings:evaluation_form", kwargs={"token": enrolment.token, "moment": slug})


# --- the service ---


def test_before_answers_are_stored_without_satisfaction_or_usefulness():
    enrolment = EnrolmentFactory(training=upcoming_run())

    evaluation = evaluation_submit(enrolment=enrolment, moment=BEFORE, **answers(BEFORE, remarks="  Zin in!  "))

    stored = Evaluation.objects.get()
    assert stored == evaluation
    assert (stored.enrolment, stored.moment, stored.satisfaction) == (enrolment, BEFORE, None)
    assert stored.self_efficacy == dict.fromkeys(ITEMS, 4)
    assert stored.usefulness == {}
    assert stored.remarks == "Zin in!"


def test_after_answers_are_stored_with_satisfaction_and_usefulness():
    enrolment = EnrolmentFactory(training=finishing_run(), status=EnrolmentStatus.COMPLETED)

    evaluation_submit(enrolment=enrolment, moment=AFTER, **answers(AFTER, score=5, satisfaction=9))

    stored = Evaluation.objects.get()
    assert (stored.moment, stored.satisfaction) == (AFTER, 9)
    assert stored.self_efficacy == dict.fromkeys(ITEMS, 5)
    assert stored.usefulness == dict.fromkeys(COMPONENTS, 5)


def test_a_second_submission_of_the_same_moment_is_refused():
    enrolment = EnrolmentFactory(training=upcoming_run())
    evaluation_submit(enrolment=enrolment, moment=BEFORE, **answers(BEFORE))

    with pytest.raises(ValidationError):
        evaluation_submit(enrolment=enrolment, moment=BEFORE, **answers(BEFORE, score=1))

    assert list(Evaluation.objects.values_list("self_efficacy", flat=True)) == [dict.fromkeys(ITEMS, 4)]


def test_the_before_questionnaire_closes_when_the_first_meeting_has_ended():
    training = TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() - timedelta(hours=3, minutes=1))
    enrolment = EnrolmentFactory(training=training)

    with pytest.raises(ValidationError):
        evaluation_submit(enrolment=enrolment, moment=BEFORE, **answers(BEFORE))

    assert not Evaluation.objects.exists()


def test_the_before_questionnaire_is_open_during_the_first_meeting():
    training = TrainingFactory(meetings=5, meetings__first_meeting=timezone.now() - timedelta(hours=1))
    enrolment = EnrolmentFactory(training=training)

    evaluation_submit(enrolment=enrolment, moment=BEFORE, **answers(BEFORE))

    assert Evaluation.objects.filter(enrolment=enrolment, moment=BEFORE).count() == 1


def test_the_after_questionnaire_is_closed_until_the_last_meeting_starts():
    not_yet = TrainingFactory(
        meetings=5, meetings__first_meeting=timezone.now() - timedelta(weeks=4) + timedelta(hours=1)
    )
    enrolment = EnrolmentFactory(training=not_yet)

    with pytest.raises(ValidationError):
        evaluation_submit(enrolment=enrolment, moment=AFTER, **answers(AFTER))

    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (EnrolmentStatus.REGISTERED, True),
        (EnrolmentStatus.COMPLETED, True),
        (EnrolmentStatus.WAITLISTED, False),
        (EnrolmentStatus.OFFERED, False),
        (EnrolmentStatus.CANCELLED, False),
        (EnrolmentStatus.DROPPED_OUT, False),
    ],
)
def test_only_enrolled_or_completed_participants_may_answer(status, allowed):
    enrolment = EnrolmentFactory(training=finishing_run(), status=status)

    if allowed:
        evaluation_submit(enrolment=enrolment, moment=AFTER, **answers(AFTER))
    else:
        with pytest.raises(ValidationError):
            evaluation_submit(enrolment=enrolment, moment=AFTER, **answers(AFTER))

    assert Evaluation.objects.count() == (1 if allowed else 0)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"satisfaction": 0}, "satisfaction"),
        ({"satisfaction": 11}, "satisfaction"),
        ({"satisfaction": None}, "satisfaction"),
        ({"satisfaction": True}, "satisfaction"),
        ({"self_efficacy": dict.fromkeys(ITEMS[:-1], 3)}, "self_efficacy"),
        ({"self_efficacy": dict.fromkeys([*ITEMS, "extra"], 3)}, "self_efficacy"),
        ({"self_efficacy": dict.fromkeys(ITEMS, 6)}, "self_efficacy"),
        ({"self_efficacy": dict.fromkeys(ITEMS, "3")}, "self_efficacy"),
        ({"usefulness": dict.fromkeys(COMPONENTS[:-1], 3)}, "usefulness"),
        ({"usefulness": dict.fromkeys(COMPONENTS, 0)}, "usefulness"),
        ({"remarks": "x" * 2001}, "remarks"),
    ],
)
def test_incomplete_or_out_of_range_answers_are_refused(change, field):
    enrolment = EnrolmentFactory(training=finishing_run())

    with pytest.raises(ValidationError) as refused:
        evaluation_submit(enrolment=enrolment, moment=AFTER, **(answers(AFTER) | change))

    assert list(refused.value.message_dict) == [field]
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"), [({"satisfaction": 7}, "satisfaction"), ({"usefulness": {"autonomy": 3}}, "usefulness")]
)
def test_before_takes_no_satisfaction_or_usefulness(change, field):
    enrolment = EnrolmentFactory(training=upcoming_run())

    with pytest.raises(ValidationError) as refused:
        evaluation_submit(enrolment=enrolment, moment=BEFORE, **(answers(BEFORE) | change))

    assert list(refused.value.message_dict) == [field]


def test_answering_cancels_the_request_that_has_not_gone_out():
    enrolment = EnrolmentFactory(training=finishing_run())
    request = ScheduledMessage.objects.create(
        kind=MessageKind.EVALUATION_AFTER, enrolment=enrolment, due_at=timezone.now() + timedelta(hours=2)
    )

    evaluation_submit(enrolment=enrolment, moment=AFTER, **answers(AFTER))

    assert ScheduledMessage.objects.get(pk=request.pk).status == MessageStatus.CANCELLED


def test_pseudonym_is_sixteen_hex_characters_stable_and_different_per_person():
    anna, bram = PersonFactory(), PersonFactory()
    assert anna.research_key != bram.research_key
    assert person_pseudonym(anna.research_key) == person_pseudonym(anna.research_key)
    assert person_pseudonym(anna.research_key) != person_pseudonym(bram.research_key)
    assert len(person_pseudonym(anna.research_key)) == 16
    int(person_pseudonym(anna.research_key), 16)


def test_pseudonym_says_nothing_about_the_person_id():
    """The old pseudonym was an HMAC of the person id: anyone with the key and an id (an erasure
    record keeps it) could find the person's rows in an earlier export. Now it follows a random key."""
    person = PersonFactory()
    assert person_pseudonym(person.research_key) not in {person_pseudonym(str(person.pk)), person_pseudonym("")}
    assert str(person.pk) != person.research_key


def test_pseudonym_follows_its_own_key_and_survives_a_new_secret_key(settings):
    key = "0123456789abcdef0123456789abcdef"
    before = person_pseudonym(key)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only"
    assert person_pseudonym(key) == before
    settings.EVALUATION_PSEUDONYM_KEY = "another-pseudonym-key-for-this-test-only"
    assert person_pseudonym(key) != before


# --- the questionnaire page ---


def test_the_before_questionnaire_asks_self_efficacy_and_remarks(client):
    enrolment = EnrolmentFactory(training=upcoming_run())

    response = client.get(form_url(enrolment, "voor"))

    assert response.status_code == 200
    assert list(response.context["form"].fields) == [f"self_efficacy_{item}" for item in ITEMS] + ["remarks"]
    assert 'class="btn-check"' in response.content.decode()


def test_the_after_questionnaire_also_asks_satisfaction_and_usefulness(client):
    enrolment = EnrolmentFactory(training=finishing_run())

    response = client.get(form_url(enrolment, "na"))

    assert list(response.context["form"].fields) == [
        "satisfaction",
        *[f"self_efficacy_{item}" for item in ITEMS],
        *[f"usefulness_{component}" for component in COMPONENTS],
        "remarks",
    ]
    assert [value for value, _label in response.context["form"].fields["satisfaction"].choices] == list(range(1, 11))


def test_answers_are_stored_and_the_page_then_thanks_instead_of_asking_again(client):
    enrolment = EnrolmentFactory(training=finishing_run())
    url = form_url(enrolment, "na")

    response = client.post(url, post_data(AFTER, score=2, satisfaction=6, remarks="Goed"))

    assert response.status_code == 302
    assert response.url == url
    evaluation = Evaluation.objects.get(enrolment=enrolment)
    assert (evaluation.moment, evaluation.satisfaction, evaluation.remarks) == (AFTER, 6, "Goed")
    assert evaluation.self_efficacy == dict.fromkeys(ITEMS, 2)
    assert evaluation.usefulness == dict.fromkeys(COMPONENTS, 2)

    again = client.get(url)
    assert again.status_code == 200
    assert [template.name for template in again.templates][0] == "trainings/evaluation_thanks.html"
    assert "form" not in again.context

    posted_again = client.post(url, post_data(AFTER, score=5))
    assert posted_again.status_code == 200
    assert "form" not in posted_again.context
    assert Evaluation.objects.get(enrolment=enrolment).self_efficacy == dict.fromkeys(ITEMS, 2)


def test_a_missing_answer_is_shown_at_its_question_and_nothing_is_saved(client):
    enrolment = EnrolmentFactory(training=upcoming_run())
    data = post_data(BEFORE)
    del data["self_efficacy_discuss"]

    response = client.post(form_url(enrolment, "voor"), data)

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["self_efficacy_discuss"]
    assert "id_self_efficacy_discuss_error" in response.content.decode()
    assert not Evaluation.objects.exists()


def test_a_questionnaire_that_is_not_open_shows_no_form(client):
    enrolment = EnrolmentFactory(training=upcoming_run())

    response = client.get(form_url(enrolment, "na"))
    posted = client.post(form_url(enrolment, "na"), post_data(AFTER))

    assert response.status_code == 200
    assert response.templates[0].name == "trainings/evaluation_closed.html"
    assert "form" not in response.context
    assert posted.status_code == 200
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(("token", "slug"), [("not-a-token", "voor"), (None, "halverwege"), (None, "before")])
def test_an_unknown_link_is_not_found(client, token, slug):
    enrolment = EnrolmentFactory(training=upcoming_run())

    response = client.get(
        reverse("trainings:evaluation_form", kwargs={"token": token or enrolment.token, "moment": slug})
    )

    assert response.status_code == 404


def test_the_personal_page_part_links_to_the_open_questionnaire():
    enrolment = EnrolmentFactory(training=upcoming_run())

    html = render_to_string("trainings/includes/personal_evaluation.html", {"enrolment": enrolment})

    assert f'href="{form_url(enrolment, "voor")}"' in html
    assert "/evaluatie/na/" not in html


def test_the_personal_page_part_shows_an_answered_questionnaire_without_a_link():
    enrolment = EnrolmentFactory(training=finishing_run())
    EvaluationFactory(enrolment=enrolment, moment=AFTER)

    html = render_to_string("trainings/includes/personal_evaluation.html", {"enrolment": enrolment})

    assert 'data-testid="personal-evaluation"' in html
    assert "/evaluatie/" not in html


def test_the_personal_page_part_is_empty_for_someone_on_the_waiting_list():
    enrolment = EnrolmentFactory(training=upcoming_run(), status=EnrolmentStatus.WAITLISTED)

    html = render_to_string("trainings/includes/personal_evaluation.html", {"enrolment": enrolment})

    assert html.strip() == ""


# --- the overview for staff ---


@pytest.mark.parametrize(
    ("roles", "status"), [(["staff"], 200), (["master_trainer"], 200), (["ambassador"], 403), (["trainer"], 403)]
)
def test_evaluations_are_for_staff_and_master_trainers(client, roles, status):
    client.force_login(UserFactory(roles=roles, two_factor=True))

    assert client.get(reverse("trainings:evaluation_overview")).status_code == status
    assert client.get(reverse("trainings:evaluation_export")).status_code == status


def test_overview_averages_per_run_trainer_and_quarter(client):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    trainer = UserFactory(roles=["trainer"], first_name="Tessa", last_name="Trainer")
    early = TrainingFactory(meetings=5, meetings__first_meeting=timezone.make_aware(datetime(2026, 1, 12, 18)))
    late = TrainingFactory(meetings=5, meetings__first_meeting=timezone.make_aware(datetime(2026, 4, 13, 18)))
    early.trainers.add(trainer)
    late.trainers.add(trainer)
    january = timezone.make_aware(datetime(2026, 1, 10, 12))
    march = timezone.make_aware(datetime(2026, 3, 20, 12))
    may = timezone.make_aware(datetime(2026, 5, 20, 12))
    for score in (2, 3):
        enrolment = EnrolmentFactory(training=early)
        EvaluationFactory(enrolment=enrolment, moment=BEFORE, score=score, submitted_at=january)
        EvaluationFactory(
            enrolment=enrolment, moment=AFTER, score=score + 2, satisfaction=score + 5, submitted_at=march
        )
    EvaluationFactory(enrolment__training=late, moment=AFTER, score=5, satisfaction=10, submitted_at=may)

    response = client.get(reverse("trainings:evaluation_overview"))

    runs = response.context["runs"]
    assert [run.pk for run in runs] == [late.pk, early.pk]
    assert [(run.answers_before, run.answers_after) for run in runs] == [(0, 1), (2, 2)]
    assert [run.satisfaction for run in runs] == [10.0, 7.5]
    assert [run.self_efficacy_before for run in runs] == [None, 2.5]
    assert [run.self_efficacy_after for run in runs] == [5.0, 4.5]

    [tessa] = response.context["trainers"]
    assert tessa == trainer
    assert (tessa.runs, tessa.answers_before, tessa.answers_after) == (2, 2, 3)
    assert round(tessa.satisfaction, 3) == round((7 + 8 + 10) / 3, 3)
    assert tessa.self_efficacy_before == 2.5
    assert round(tessa.self_efficacy_after, 3) == round((4 + 5 + 5) / 3, 3)

    quarters = response.context["quarters"]
    assert [(row["quarter"].year, row["quarter"].month) for row in quarters] == [(2026, 1), (2026, 4)]
    assert [(row["answers_before"], row["answers_after"]) for row in quarters] == [(2, 2), (0, 1)]
    assert [row["self_efficacy_before"] for row in quarters] == [2.5, None]
    assert [row["self_efficacy_after"] for row in quarters] == [4.5, 5.0]

    usefulness = dict(response.context["usefulness"])
    assert round(usefulness[ActiveComponent.AUTONOMY], 3) == round((4 + 5 + 5) / 3, 3)


@pytest.mark.parametrize("rows", [5, 200])
def test_overview_runs_fixed_queries(client, django_assert_num_queries, rows):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    trainer = UserFactory(roles=["trainer"])
    runs = [TrainingFactory(meetings=1) for _ in range(3)]
    for run in runs:
        run.trainers.add(trainer)
    for number in range(rows):
        EvaluationFactory(enrolment__training=runs[number % 3], moment=(BEFORE, AFTER)[number % 2])

    with django_assert_num_queries(5):
        response = client.get(reverse("trainings:evaluation_overview"))

    assert response.status_code == 200
    assert sum(run.answers_before + run.answers_after for run in response.context["runs"]) == rows


# --- the research export ---


def read_export(client):
    response = client.get(reverse("trainings:evaluation_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("\ufeff")  # a byte-order mark, so Excel reads UTF-8 (issue 17)
    return list(csv.reader(io.StringIO(body[1:])))


def test_export_has_one_row_per_evaluation_with_a_stable_pseudonym_and_no_names(client):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    anna = PersonFactory(first_name="Annabel", last_name="Zonneveld", email="annabel@example.org")
    bram = PersonFactory(first_name="Brammert", last_name="IJsselstein", email="brammert@example.org")
    first, second = finishing_run(), finishing_run()
    for training in (first, second):
        EvaluationFactory(enrolment__training=training, enrolment__person=anna, moment=BEFORE, score=2)
    EvaluationFactory(enrolment__training=first, enrolment__person=bram, moment=AFTER, score=4, satisfaction=9)

    rows = read_export(client)
    again = read_export(client)

    header, *data = rows
    assert header == [
        "pseudonym",
        "run",
        "variant",
        "region",
        "moment",
        "submitted",
        "satisfaction",
        *[f"self_efficacy_{item}" for item in ITEMS],
        *[f"usefulness_{component}" for component in COMPONENTS],
    ]
    assert rows == again
    assert len(data) == 3
    pseudonyms = [row[0] for row in data]
    anna_rows = [row for row in data if row[4] == BEFORE]
    bram_row = next(row for row in data if row[4] == AFTER)
    assert {row[0] for row in anna_rows} == {person_pseudonym(anna.research_key)}
    assert sorted(row[1] for row in anna_rows) == sorted([str(first.pk), str(second.pk)])
    assert bram_row[0] == person_pseudonym(bram.research_key) != person_pseudonym(anna.research_key)
    assert len(set(pseudonyms)) == 2
    assert bram_row[2:5] == ["standard", "Rivierenland", "after"]
    assert bram_row[5] == timezone.localdate().isoformat()
    assert bram_row[6:] == ["9", *["4"] * len(ITEMS), *["4"] * len(COMPONENTS)]
    assert anna_rows[0][6:] == ["", *["2"] * len(ITEMS), *[""] * len(COMPONENTS)]
    content = "\n".join(",".join(row) for row in rows).lower()
    for word in ("annabel", "zonneveld", "brammert", "ijsselstein", "@example.org"):
        assert word not in content


def test_export_leaves_out_remarks_which_may_name_someone(client):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    EvaluationFactory(moment=BEFORE, remarks="Mijn medewerker Jan de Vries (jan@example.org) had er veel aan.")

    header, row = read_export(client)

    assert "remarks" not in header
    assert not any("Jan" in cell or "@" in cell for cell in row)


def test_the_excel_export_has_the_same_rows_with_dutch_headers_dates_and_numbers(client):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    person = PersonFactory()
    EvaluationFactory(enrolment__training=finishing_run(), enrolment__person=person, moment=AFTER, score=4)

    response = client.get(reverse("trainings:evaluation_export_xlsx"))

    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    header, row = load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    assert header[:7] == ("Pseudoniem", "Training", "Variant", "Regio", "Moment", "Ingestuurd op", "Tevredenheid")
    assert header[7].startswith("Vertrouwen in eigen kunnen: ")
    assert len(header) == len(read_export(client)[0])
    assert row[0] == person_pseudonym(person.research_key)
    assert row[3:5] == ("Rivierenland", "Na de laatste bijeenkomst")
    assert row[5].date() == timezone.localdate()  # a date cell, which openpyxl reads as a datetime
    assert row[6:] == (8, *[4] * len(ITEMS), *[4] * len(COMPONENTS))


@pytest.mark.parametrize(("roles", "status"), [(["staff"], 200), (["master_trainer"], 200), (["trainer"], 403)])
def test_the_excel_export_is_for_staff_and_master_trainers(client, roles, status):
    client.force_login(UserFactory(roles=roles, two_factor=True))

    assert client.get(reverse("trainings:evaluation_export_xlsx")).status_code == status
