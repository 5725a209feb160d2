"""Counting downloads on PostgreSQL: downloads of one material at the same moment, in a month that
has no row yet, are all counted (the INSERT that loses falls back to the UPDATE)."""

import pytest

from dissemination.models import MaterialDownload
from dissemination.services.materials import first_of_month, material_download_count
from tests.factories import MaterialFactory
from tests.services.threads import at_once


@pytest.mark.parametrize("downloads", [2, 8])
def test_downloads_at_the_same_moment_in_a_new_month_are_all_counted(transactional_db, downloads):
    material = MaterialFactory()
    assert not MaterialDownload.objects.exists()  # the month's first downloads: no row to update yet

    outcomes = at_once(lambda _n: material_download_count(material=material), list(range(downloads)))

    assert list(outcomes.values()) == [None] * downloads, outcomes
    assert list(MaterialDownload.objects.values_list("material", "month", "count")) == [
        (material.pk, first_of_month(), downloads)
    ]
