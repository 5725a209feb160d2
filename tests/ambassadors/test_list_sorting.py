"""Sorting the lists of ambassadors (issue 17, lists): the ambassador list, the public register,
certification requests, refresher meetings, the fidelity heat map and the lineage's trainers."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import Certification, CertificationEvidence, FidelityReview, FidelityScore, RefresherMeeting
from dissemination.models import Region
from tests.ambassadors.test_fidelity import bulk_reviews
from tests.ambassadors.test_lineage import tree  # noqa: F401 (a fixture)
from tests.factories import AmbassadorFactory, CertificationFactory, OrganisationFactory, UserFactory
from trainings.enums import ActiveComponent, AssignmentRole
from trainings.models import Assignment, Training

pytestmark = pytest.mark.django_db


def test_the_ambassador_list_sorts_by_name_kind_organisation_and_region(staff_client):
    now = timezone.now()
    AmbassadorFactory(
        user=UserFactory(first_name="Bo", roles=["ambassador"]),
        kind="trainer",
        organisation=OrganisationFactory(name="Zorg"),
        created_at=now - timedelta(days=2),
    )
    AmbassadorFactory(
        user=UserFactory(first_name="anna", roles=["ambassador"]),
        kind="professional",
        organisation=OrganisationFactory(name="bakkerij"),
        region=Region.objects.get(name="Achterhoek"),
        created_at=now,
    )
    AmbassadorFactory(
        user=UserFactory(first_name="Cas", roles=["ambassador"]),
        kind="trained_supervisor",
        created_at=now - timedelta(days=1),
    )

    def names(**query):
        response = staff_client.get(reverse("ambassadors:ambassador_list"), query)
        return [ambassador.user.first_name for ambassador in response.context["object_list"]]

    assert names() == ["anna", "Cas", "Bo"]  # the newest first, as before
    assert names(sort="name") == ["anna", "Bo", "Cas"]
    assert names(sort="-name") == ["Cas", "Bo", "anna"]
    assert names(sort="kind") == ["Cas", "anna", "Bo"]  # trained supervisor, professional, trainer
    assert names(sort="organisation") == ["anna", "Bo", "Cas"]  # none: last
    assert names(sort="-organisation") == ["Bo", "anna", "Cas"]
    assert names(sort="region") == ["anna", "Bo", "Cas"]  # Achterhoek, then Rivierenland by pk


def test_an_unknown_sort_key_keeps_the_default_order(staff_client):
    now = timezone.now()
    AmbassadorFactory(user=UserFactory(first_name="Oud", roles=["ambassador"]), created_at=now - timedelta(days=1))
    AmbassadorFactory(user=UserFactory(first_name="Nieuw", roles=["ambassador"]), created_at=now)

    response = staff_client.get(reverse("ambassadors:ambassador_list"), {"sort": "salary"})
    assert [ambassador.user.first_name for ambassador in response.context["object_list"]] == ["Nieuw", "Oud"]


# --- the public register ---


def registered(first_name, last_name, *, level="trainer", region="Rivierenland", until_days=300):
    user = UserFactory(first_name=first_name, last_name=last_name, roles=["trainer"])
    AmbassadorFactory(user=user, kind="trainer", public_listing=True, region=Region.objects.get(name=region))
    today = timezone.localdate()
    CertificationFactory(holder=user, level=level, valid_until=today + timedelta(days=until_days))
    return user


def test_the_public_register_sorts_by_name_level_region_and_expiry(client):
    registered("Ank", "Zwart", level="master_trainer", until_days=500)
    registered("Bas", "de Vries", region="Achterhoek", until_days=100)
    registered("Cor", "Appel", level="co_trainer", until_days=300)

    def names(**query):
        response = client.get(reverse("ambassadors:public_register"), query)
        return [ambassador.user.first_name for ambassador in response.context["object_list"]]

    assert names() == ["Cor", "Bas", "Ank"]  # by last name, as before: Appel, de Vries, Zwart
    assert names(sort="-name") == ["Ank", "Bas", "Cor"]
    assert names(sort="level") == ["Cor", "Bas", "Ank"]  # co-trainer, trainer, master trainer
    assert names(sort="-level") == ["Ank", "Bas", "Cor"]
    assert names(sort="region") == ["Bas", "Ank", "Cor"]  # Achterhoek, then Rivierenland by pk
    assert names(sort="expires") == ["Bas", "Cor", "Ank"]
    assert names(sort="expires", level="trainer") == ["Bas"]
    assert names(sort="nonsense") == ["Cor", "Bas", "Ank"]
    html = client.get(reverse("ambassadors:public_register"), {"sort": "-expires"}).content.decode()
    assert 'aria-sort="descending"><a class="text-nowrap fw-semibold" href="?sort=expires"' in html


@pytest.mark.parametrize("count", [3, 40])
def test_a_sorted_register_runs_fixed_queries(client, count, django_assert_num_queries):
    for number in range(count):
        registered(f"T{number}", f"Trainer {number}", until_days=100 + number)
    # count, page, the regions of the filter: as unsorted
    with django_assert_num_queries(3):
        response = client.get(reverse("ambassadors:public_register"), {"sort": "-expires"})
    found = list(response.context["object_list"])
    assert len(found) == min(count, 25)
    assert found[0].user.first_name == f"T{count - 1}"


# --- certification requests ---


def open_request(first_name, *, level, days_ago, status="requested"):
    return CertificationFactory(
        holder=UserFactory(first_name=first_name, last_name="X", roles=["trainer"]),
        level=level,
        status=status,
        valid_from=None,
        valid_until=None,
        requested_at=timezone.now() - timedelta(days=days_ago),
    )


def test_the_certification_requests_sort_by_trainer_level_status_and_date(staff_client):
    open_request("Bram", level="trainer", days_ago=1)
    open_request("anna", level="master_trainer", days_ago=3, status="info_requested")
    open_request("Cas", level="co_trainer", days_ago=2)
    CertificationEvidence.objects.create(
        certification=Certification.objects.get(holder__first_name="Cas"),
        file="evidence/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=1,
    )

    def names(**query):
        response = staff_client.get(reverse("ambassadors:review_list"), query)
        return [request.holder.first_name for request in response.context["requests"]]

    assert names() == ["anna", "Cas", "Bram"]  # the oldest first, as before
    assert names(sort="-requested") == ["Bram", "Cas", "anna"]
    assert names(sort="trainer") == ["anna", "Bram", "Cas"]
    assert names(sort="level") == ["Cas", "Bram", "anna"]  # co-trainer, trainer, master trainer
    assert names(sort="status") == ["Bram", "Cas", "anna"]  # requested (by pk), then more information asked
    assert names(sort="-files") == ["Cas", "anna", "Bram"]  # 1, then 0 by pk descending
    assert names(sort="bogus") == ["anna", "Cas", "Bram"]


@pytest.mark.parametrize("count", [2, 30])
def test_sorted_certification_requests_run_fixed_queries(staff_client, count, django_assert_num_queries):
    for number in range(count):
        open_request(f"T{number:02d}", level="trainer", days_ago=number)
    # the user with roles, the count, the page with holders and their files
    with django_assert_num_queries(3):
        response = staff_client.get(reverse("ambassadors:review_list"), {"sort": "-trainer"})
    assert [request.holder.first_name for request in response.context["requests"]][:1] == [f"T{count - 1:02d}"]


# --- refresher meetings ---


def test_refresher_meetings_sort_by_date_title_and_attendance(staff_client):
    today = timezone.localdate()
    early = RefresherMeeting.objects.create(title="b-dag", held_on=today - timedelta(days=60))
    late = RefresherMeeting.objects.create(title="Appeldag", held_on=today - timedelta(days=5))
    middle = RefresherMeeting.objects.create(title="Cursusdag", held_on=today - timedelta(days=30))
    early.attendees.set(UserFactory.create_batch(2, roles=["trainer"]))
    middle.attendees.set([UserFactory(roles=["trainer"])])

    def titles(**query):
        response = staff_client.get(reverse("ambassadors:refresher_list"), query)
        return [meeting.title for meeting in response.context["meetings"]]

    assert titles() == [late.title, middle.title, early.title]  # the latest first, as before
    assert titles(sort="held_on") == [early.title, middle.title, late.title]
    assert titles(sort="title") == ["Appeldag", "b-dag", "Cursusdag"]
    assert titles(sort="-attended") == ["b-dag", "Cursusdag", "Appeldag"]
    assert titles(sort="-nothing") == [late.title, middle.title, early.title]


def test_refresher_meetings_are_paged_by_25(staff_client):
    today = timezone.localdate()
    RefresherMeeting.objects.bulk_create(
        RefresherMeeting(title=f"Dag {number:02d}", held_on=today - timedelta(days=number)) for number in range(27)
    )
    first = staff_client.get(reverse("ambassadors:refresher_list"))
    second = staff_client.get(reverse("ambassadors:refresher_list"), {"page": 2, "sort": "title"})
    assert len(first.context["meetings"]) == 25
    assert [meeting.title for meeting in second.context["meetings"]] == ["Dag 25", "Dag 26"]
    assert "Pagina 2 van 2" in second.content.decode()
    assert staff_client.get(reverse("ambassadors:refresher_list"), {"page": 3}).status_code == 404


@pytest.mark.parametrize("count", [1, 40])
def test_sorted_refresher_meetings_run_fixed_queries(staff_client, count, django_assert_num_queries):
    today = timezone.localdate()
    RefresherMeeting.objects.bulk_create(
        RefresherMeeting(title=f"Dag {number:02d}", held_on=today - timedelta(days=number)) for number in range(count)
    )
    # the user with roles, the page of meetings with their counts and the number of rows
    with django_assert_num_queries(2):
        response = staff_client.get(reverse("ambassadors:refresher_list"), {"sort": "-title"})
    assert len(response.context["meetings"]) == min(count, 25)
    assert response.context["paginator"].count == count


# --- the fidelity heat map per trainer ---


def test_the_heat_map_per_trainer_sorts_by_name_runs_and_a_component(staff_client):
    region = Region.objects.get(name="Rivierenland")
    scores = {"Ans": (4, 1), "Bert": (1, 2), "Cees": (3, 1)}  # (score on autonomy, reviewed runs)
    for first_name, (score, runs) in scores.items():
        user = UserFactory(first_name=first_name, last_name="Trainer", roles=["trainer"])
        for number in range(runs):
            run = Training.objects.create(title=f"{first_name} {number}", region=region, status="completed")
            Assignment.objects.create(training=run, trainer=user, role=AssignmentRole.LEAD)
            review = FidelityReview.objects.create(training=run, reviewer=user, kind="self_report", average=score)
            FidelityScore.objects.bulk_create(
                FidelityScore(review=review, component=component, score=score if component == "autonomy" else 2)
                for component in ActiveComponent.values
            )

    def names(**query):
        response = staff_client.get(reverse("ambassadors:fidelity_overview"), query)
        return [trainer.first_name for trainer in response.context["trainers"]]

    assert names() == ["Ans", "Bert", "Cees"]
    assert names(sort="-name") == ["Cees", "Bert", "Ans"]
    assert names(sort="-runs") == ["Bert", "Cees", "Ans"]  # 2, then 1 by pk descending
    assert names(sort="autonomy") == ["Bert", "Cees", "Ans"]  # the weakest first
    assert names(sort="-autonomy") == ["Ans", "Cees", "Bert"]
    assert names(sort="x") == ["Ans", "Bert", "Cees"]
    html = staff_client.get(reverse("ambassadors:fidelity_overview"), {"sort": "autonomy"}).content.decode()
    assert 'aria-sort="ascending"><a class="text-wrap fw-semibold" href="?sort=-autonomy"' in html


@pytest.mark.parametrize("trainers", [10, 200])
def test_a_sorted_heat_map_runs_fixed_queries(client, django_assert_num_queries, trainers):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    bulk_reviews(trainers)
    # as unsorted: the user; trainers count and page; runs and their leads; runs without review and their count
    with django_assert_num_queries(7):
        response = client.get(reverse("ambassadors:fidelity_overview"), {"sort": "-runs"})
    assert len(response.context["trainers"]) == min(trainers, 50)


# --- the lineage's trainers ---


@pytest.mark.usefixtures("tree")
def test_the_lineages_trainers_sort_as_a_flat_list(client):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    url = reverse("ambassadors:lineage")

    def names(**query):
        response = client.get(url, query)
        return [row.name for row in response.context["page_obj"].object_list], response.content.decode()

    in_tree, html = names()
    assert in_tree[:2] == ["T Aa-original", "T Ba"]  # the tree: o1, then a below it
    assert 'data-testid="lineage-flat"' not in html
    by_name, html = names(sort="name")
    assert by_name == sorted(in_tree)
    assert 'data-testid="lineage-flat"' in html
    assert "lineage-indent-4" not in html  # flat: no indent
    runs, _html = names(sort="-runs")
    # a gave 2 runs; o1, d and f one each, by pk descending
    assert runs[:4] == ["T Ba", "T Cc", "T Ca", "T Aa-original"]
    last_run, _html = names(sort="-last_run")
    # a (co-trainer) and o1 2 months ago, by pk descending; d 5, f 18 months ago
    assert last_run[:4] == ["T Ba", "T Aa-original", "T Ca", "T Cc"]
    assert len(last_run) == 11  # those without a run last
    generation, _html = names(sort="-generation")
    assert [name[2] for name in generation[:4]] == ["C", "C", "C", "C"]
    assert names(sort="whatever")[0] == in_tree
