import re
from datetime import datetime, time, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from ambassadors.enums import CertificationStatus, Level
from ambassadors.models import Certification
from ambassadors.queries.quality import lineage
from ambassadors.views.lineage import LINEAGE_PAGE_SIZE
from dissemination.models import Person, Region
from mentorwijs.accounts.models import User
from tests.factories import (
    AssignmentFactory,
    CertificationFactory,
    EnrolmentFactory,
    LocationFactory,
    MeetingFactory,
    PersonFactory,
    TrainingFactory,
    UserFactory,
)
from trainings.enums import AssignmentRole, EnrolmentStatus, MeetingStatus, TrainingStatus
from trainings.models import Assignment, Enrolment, Meeting, Training

pytestmark = pytest.mark.django_db

LEAD, CO, CANDIDATE = AssignmentRole.LEAD, AssignmentRole.CO_TRAINER, AssignmentRole.CANDIDATE


def months_ago(months: int):
    day = timezone.localdate() - relativedelta(months=months)
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def certify(holder, certified_by=None, level=Level.TRAINER, status=CertificationStatus.APPROVED, years_ago=1):
    valid_from = timezone.localdate() - relativedelta(years=years_ago)
    valid_until = valid_from + relativedelta(years=2)
    return CertificationFactory(
        holder=holder,
        certified_by=certified_by,
        level=level,
        status=status,
        valid_from=valid_from,
        valid_until=valid_until,
    )


def completed_run(*, given_by, when, completers, others=0, status=TrainingStatus.COMPLETED):
    """A run with one meeting at `when`, given by [(user, role)], completed by these persons."""
    run = TrainingFactory(status=status)
    MeetingFactory(training=run, number=1, starts_at=when)
    for user, role in given_by:
        AssignmentFactory(training=run, trainer=user, role=role)
    for person in completers:
        EnrolmentFactory(training=run, person=person, status=EnrolmentStatus.COMPLETED)
    for _ in range(others):
        EnrolmentFactory(training=run, status=EnrolmentStatus.DROPPED_OUT)
    return run


@pytest.fixture
def tree():
    """Two roots, o1 and the outsider (who certified o2 without holding a certification), down to
    generation 4 (names sort as listed); r's only certification was revoked."""
    people = {
        key: UserFactory(first_name="T", last_name=last)
        for key, last in [
            ("o1", "Aa-original"),
            ("o2", "Ab-original"),
            ("a", "Ba"),
            ("b", "Bb"),
            ("c", "Bc"),
            ("d", "Ca"),
            ("e", "Cb"),
            ("f", "Cc"),
            ("g", "Cd"),
            ("r", "Bd-revoked"),
            ("outsider", "Zz-outsider"),
        ]
    }
    p = people
    outsider = p["outsider"]  # certified o1's renewal and o2 but holds no certification: still in the tree
    # o1 first as trainer (certified by nobody: an original), later master trainer; o2 by the outsider.
    certify(p["o1"], level=Level.TRAINER, status=CertificationStatus.EXPIRED, years_ago=5)
    certify(p["o1"], level=Level.MASTER_TRAINER, certified_by=outsider)
    certify(p["o2"], level=Level.MASTER_TRAINER, certified_by=outsider)
    # Generation 2. a's earliest is by o1; its renewal by o2 does not move a.
    certify(p["a"], certified_by=p["o1"], years_ago=3, status=CertificationStatus.EXPIRED)
    certify(p["a"], certified_by=p["o2"], years_ago=1)
    certify(p["b"], certified_by=p["o1"], level=Level.CO_TRAINER)
    certify(p["c"], certified_by=p["o2"])
    # Generation 3. f's only certification has expired: lapsed.
    certify(p["d"], certified_by=p["a"])
    certify(p["e"], certified_by=p["a"])
    certify(p["f"], certified_by=p["b"], years_ago=3, status=CertificationStatus.EXPIRED)
    certify(p["g"], certified_by=p["c"])
    # r's certification was revoked: r stays under o1, shown as revoked.
    certify(p["r"], certified_by=p["o1"], status=CertificationStatus.REVOKED)
    # Ignored: a requested certification puts no one in the tree; a revoked one does not move
    # someone whose place follows from a granted one.
    certify(UserFactory(), certified_by=p["o1"], status=CertificationStatus.REQUESTED)
    certify(p["g"], certified_by=p["o1"], status=CertificationStatus.REVOKED, years_ago=4)

    shared = PersonFactory()
    # run1: o1 leads, a co-trains, g practises as a candidate (gives no run), 2 months ago.
    run1 = completed_run(
        given_by=[(p["o1"], LEAD), (p["a"], CO), (p["g"], CANDIDATE)],
        when=months_ago(2),
        completers=[shared, PersonFactory(), PersonFactory()],
        others=1,
    )
    EnrolmentFactory(training=run1, status=EnrolmentStatus.REGISTERED)
    # run2: a leads, 20 months ago; the shared supervisor completed it too. A later meeting was cancelled.
    run2 = completed_run(given_by=[(p["a"], LEAD)], when=months_ago(20), completers=[shared, PersonFactory()])
    MeetingFactory(training=run2, number=2, starts_at=months_ago(1), status=MeetingStatus.CANCELLED)
    # run3: d leads, 5 months ago. run5: f leads, 18 months ago.
    completed_run(given_by=[(p["d"], LEAD)], when=months_ago(5), completers=[PersonFactory(), PersonFactory()])
    completed_run(given_by=[(p["f"], LEAD)], when=months_ago(18), completers=[PersonFactory()])
    # run4: c leads a run that is still running: not given yet.
    completed_run(
        given_by=[(p["c"], LEAD)], when=months_ago(0), completers=[PersonFactory()], status=TrainingStatus.RUNNING
    )
    return people


def test_the_known_tree_has_exact_numbers_per_person(tree):
    rows = lineage()["rows"]
    by_key = {pk: key for key, user in tree.items() for pk in [user.pk]}
    got = [
        (
            by_key[row.pk],
            row.depth,
            row.level,
            row.active,
            row.runs_given,
            row.supervisors_trained,
            row.last_run,
            row.stale,
            row.state,
        )
        for row in rows
    ]
    day = timezone.localdate
    assert got == [
        ("o1", 1, Level.MASTER_TRAINER, True, 1, 3, day() - relativedelta(months=2), False, "active"),
        ("a", 2, Level.TRAINER, True, 2, 4, day() - relativedelta(months=2), False, "active"),
        ("d", 3, Level.TRAINER, True, 1, 2, day() - relativedelta(months=5), False, "active"),
        ("e", 3, Level.TRAINER, True, 0, 0, None, True, "active"),
        ("b", 2, Level.CO_TRAINER, True, 0, 0, None, True, "active"),
        ("f", 3, Level.TRAINER, False, 1, 1, day() - relativedelta(months=18), True, "lapsed"),
        ("r", 2, Level.TRAINER, False, 0, 0, None, True, "revoked"),
        ("outsider", 1, None, False, 0, 0, None, True, "uncertified"),
        ("o2", 2, Level.MASTER_TRAINER, True, 0, 0, None, True, "active"),
        ("c", 3, Level.TRAINER, True, 0, 0, None, True, "active"),
        ("g", 4, Level.TRAINER, True, 0, 0, None, True, "active"),
    ]
    parents = {by_key[row.pk]: by_key.get(row.parent_id) for row in rows}
    assert parents == {
        "o1": None,
        "a": "o1",
        "d": "a",
        "e": "a",
        "b": "o1",
        "f": "b",
        "r": "o1",
        "outsider": None,
        "o2": "outsider",
        "c": "o2",
        "g": "c",
    }


def test_the_known_tree_has_exact_numbers_per_generation(tree):
    generations = [(g.depth, g.trainers, g.supervisors_trained, g.multiplier) for g in lineage()["generations"]]
    # Generation 2 gave run1 (3 supervisors) and run2 (2, one of whom also did run1): 4 people.
    assert generations == [(1, 2, 3, None), (2, 4, 4, 2.0), (3, 4, 3, 1.0), (4, 1, 0, 0.25)]


def test_a_revoked_trainer_keeps_their_place_and_the_people_they_certified():
    root, mid, leaf = (UserFactory(first_name="T", last_name=name) for name in ("Root", "Mid", "Leaf"))
    certify(root, level=Level.MASTER_TRAINER)
    certify(mid, certified_by=root, level=Level.MASTER_TRAINER, status=CertificationStatus.REVOKED)
    certify(leaf, certified_by=mid)

    rows = lineage()["rows"]

    assert [(row.pk, row.depth, row.parent_id, row.level, row.active, row.state) for row in rows] == [
        (root.pk, 1, None, Level.MASTER_TRAINER, True, "active"),
        (mid.pk, 2, root.pk, Level.MASTER_TRAINER, False, "revoked"),
        (leaf.pk, 3, mid.pk, Level.TRAINER, True, "active"),
    ]
    assert [(g.depth, g.trainers) for g in lineage()["generations"]] == [(1, 1), (2, 1), (3, 1)]


def test_a_loop_of_certifiers_is_shown_once_after_the_true_roots():
    first, second = UserFactory(last_name="Aloop"), UserFactory(last_name="Bloop")
    certify(first, certified_by=second)
    certify(second, certified_by=first)
    own = UserFactory(last_name="Cself")
    certify(own, certified_by=own)

    rows = lineage()["rows"]

    assert [(row.pk, row.depth, row.in_cycle) for row in rows] == [
        (own.pk, 1, False),
        (first.pk, 1, True),
        (second.pk, 2, False),
    ]


def test_the_page_shows_the_tree_to_staff(client, tree):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))

    response = client.get(reverse("ambassadors:lineage"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="lineage-row"') == 11
    assert html.count('data-stale="true"') == 8
    assert f'data-person="{tree["g"].pk}" data-depth="4" data-stale="true" data-state="active"' in html
    assert f'data-person="{tree["r"].pk}" data-depth="2" data-stale="true" data-state="revoked"' in html
    assert html.count('data-state="revoked"') == 1
    assert html.count('data-state="uncertified"') == 1
    assert html.count('data-testid="generation"') == 4


@pytest.mark.parametrize("roles", [["master_trainer"], ["staff"]])
def test_staff_and_master_trainers_see_the_lineage(client, roles):
    client.force_login(UserFactory(roles=roles, two_factor=True))
    assert client.get(reverse("ambassadors:lineage")).status_code == 200


@pytest.mark.parametrize("roles", [["trainer"], ["ambassador"]])
def test_other_roles_are_refused_the_lineage(client, roles):
    client.force_login(UserFactory(roles=roles))
    assert client.get(reverse("ambassadors:lineage")).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("ambassadors:lineage"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def bulk_lineage(count: int) -> None:
    """`count` trainers in a chain of generations (each certifies the next three), each leading
    one completed run with one meeting and two completed enrolments."""
    stamp = timezone.now()
    users = User.objects.bulk_create(
        User(email=f"bulk{n}@example.org", first_name="Bulk", last_name=f"{n:05d}", password="!") for n in range(count)
    )
    today = timezone.localdate()
    Certification.objects.bulk_create(
        Certification(
            holder=user,
            level=Level.TRAINER,
            status=CertificationStatus.APPROVED,
            valid_from=today - timedelta(days=30),
            valid_until=today + timedelta(days=700),
            certified_by=users[(n - 1) // 3] if n else None,
        )
        for n, user in enumerate(users)
    )
    region = Region.objects.get(name="Rivierenland")
    runs = Training.objects.bulk_create(
        Training(title=f"Bulk {n}", region=region, status=TrainingStatus.COMPLETED) for n in range(count)
    )
    location = LocationFactory()
    Meeting.objects.bulk_create(
        Meeting(training=run, number=1, starts_at=stamp, ends_at=stamp + timedelta(hours=3), location=location)
        for run in runs
    )
    Assignment.objects.bulk_create(
        Assignment(training=run, trainer=user, role=AssignmentRole.LEAD) for run, user in zip(runs, users, strict=True)
    )
    persons = Person.objects.bulk_create(Person(first_name="P", last_name=str(n)) for n in range(2 * count))
    Enrolment.objects.bulk_create(
        Enrolment(training=runs[n // 2], person=person, status=EnrolmentStatus.COMPLETED, token=f"bulk-{n}")
        for n, person in enumerate(persons)
    )


@pytest.mark.parametrize("trainers", [10, 2000])
def test_the_page_runs_fixed_queries(client, django_assert_num_queries, trainers):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    bulk_lineage(trainers)

    # the user with roles and two-factor state; then the five lineage queries.
    with django_assert_num_queries(6):
        response = client.get(reverse("ambassadors:lineage"))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == trainers
    assert sum(row.supervisors_trained for row in rows) == 2 * trainers
    assert response.context["generations"][0].trainers == 1


def test_the_tree_is_shown_a_page_at_a_time_in_its_order(client):
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    bulk_lineage(LINEAGE_PAGE_SIZE + 20)
    url = reverse("ambassadors:lineage")

    first = client.get(url)
    second = client.get(url, {"page": "2"})

    def people(response):
        html = response.content.decode()
        return [int(pk) for pk in re.findall(r'data-testid="lineage-row" data-person="(\d+)"', html)]

    order = [row.pk for row in lineage()["rows"]]
    assert people(first) == order[:LINEAGE_PAGE_SIZE]
    assert people(second) == order[LINEAGE_PAGE_SIZE:]
    assert "Pagina 2 van 2" in second.content.decode()
    # The figures per generation cover the whole tree on every page.
    assert second.content.decode().count('data-testid="generation"') == first.content.decode().count(
        'data-testid="generation"'
    )
