"""A page kept in the shared cache (Redis) by the web process is not served after the worker wrote:
the worker's UPDATE moves the data generation in the same cache (mentorwijs/page_cache.py)."""

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from tests.factories import TrainingFactory, UserFactory
from trainings.enums import TrainingStatus
from trainings.models import Training
from trainings.tasks import advance_statuses


def status_label(status) -> str:
    with translation.override("nl"):
        return f">{status.label}</span>"


def table_of(page: str) -> str:
    """The list's rows (the status filter above them names every status)."""
    return page.split("<tbody>")[1].split("</tbody>")[0]


def test_a_write_by_the_worker_ends_the_cached_page(client, transactional_db, wait_for):
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower(), "the services tier needs CACHE_URL=rediscache://"
    run = TrainingFactory(
        title="Run die begint", status=TrainingStatus.OPEN, meetings=2, meetings__first_meeting=timezone.now()
    )
    client.force_login(UserFactory(roles=["staff"], two_factor=True))
    url = reverse("trainings:training_list")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        cached = client.get(url).content.decode()
    assert not any("trainings_training" in query["sql"] for query in queries.captured_queries)
    assert status_label(TrainingStatus.OPEN) in table_of(cached)

    # The worker's UPDATE of the run's status (a queryset update: no model signal).
    advance_statuses.delay()
    wait_for(
        lambda: Training.objects.filter(pk=run.pk, status=TrainingStatus.RUNNING).exists(),
        "the worker to start the run",
    )

    rows = table_of(client.get(url).content.decode())
    assert status_label(TrainingStatus.RUNNING) in rows
    assert status_label(TrainingStatus.OPEN) not in rows
