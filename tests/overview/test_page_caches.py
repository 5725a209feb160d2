"""The three pages whose figures take long at national scale (bench/pages, issue 7) compute them
once and keep them in the cache: a second visit runs none of their queries and shows the same
figures; another filter, region or language is kept apart. The dashboard keeps its figures until
something they count changes (tests/overview/test_dashboard_freshness.py), the other two by the clock."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ambassadors.views.lineage import LINEAGE_CACHE_SECONDS
from dissemination.models import Region
from tests.conftest import client_for
from tests.factories import CertificationFactory, OutreachContactFactory, TrainingFactory
from trainings.enums import TrainingStatus
from trainings.views.public import PUBLIC_LIST_CACHE_SECONDS

pytestmark = pytest.mark.django_db


def queries_of(client, url, params=None) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries), response.content


def test_cached_fragments_are_kept_minutes_not_longer():
    assert (LINEAGE_CACHE_SECONDS, PUBLIC_LIST_CACHE_SECONDS) == (300, 60)


def test_dashboard_second_visit_reads_no_figures_and_shows_the_same(client):
    client, _user = client_for(client, roles=["staff"], two_factor=True)
    OutreachContactFactory.create_batch(3)
    url = reverse("overview:dashboard")

    first, first_page = queries_of(client, url)
    again, again_page = queries_of(client, url)

    # The user (with roles and two-factor state) and the form's regions stay; the figures do not.
    assert again < first - 7
    assert '<section class="mt-4" aria-labelledby="reached-heading">' in again_page.decode()
    assert again_page.count(b'data-testid="export-') == first_page.count(b'data-testid="export-') == 7


def test_dashboard_with_another_filter_computes_its_own_figures(client):
    client, _user = client_for(client, roles=["staff"], two_factor=True)
    url = reverse("overview:dashboard")
    first, _page = queries_of(client, url)

    other, _page = queries_of(client, url, {"target_group": "schools"})

    assert other == first


def test_lineage_second_visit_reads_no_tree(client):
    client, _user = client_for(client, roles=["staff"], two_factor=True)
    CertificationFactory.create_batch(3)
    url = reverse("ambassadors:lineage")

    first, first_page = queries_of(client, url)
    again, again_page = queries_of(client, url)

    assert again < first
    assert again_page.count(b'data-testid="lineage-row"') == first_page.count(b'data-testid="lineage-row"') == 3


def test_public_list_second_visit_reads_no_runs_and_each_region_has_its_own(client):
    zeeland = Region.objects.get(name="Zeeland")
    TrainingFactory.create_batch(2, status=TrainingStatus.OPEN, meetings=2)
    TrainingFactory(status=TrainingStatus.OPEN, meetings=2, region=zeeland)
    url = reverse("trainings:public_list")

    first, first_page = queries_of(client, url)
    again, again_page = queries_of(client, url)
    regional, regional_page = queries_of(client, url, {"region": zeeland.pk})

    # The regions, the count, the runs and their meetings; the regions are kept too.
    assert (first, again) == (4, 0)
    assert again_page.count(b'data-testid="run"') == first_page.count(b'data-testid="run"') == 3
    assert regional == 3
    assert regional_page.count(b'data-testid="run"') == 1
