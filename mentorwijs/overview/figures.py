"""The dashboard's figures, computed once and kept in the shared cache until what they count changes.

The figures of a filter choice take seconds at national scale (bench/pages, issue 7), so they are
kept in the cache under an explicit key: the filters, today's date (the default period, the
trainers "certified on the last day" and a goal's "running" move with it) and the *generation* of
the counted data. The generation is a number in the shared cache; every change to a row the
dashboard counts (contacts, organisations and their people, enrolments and their runs,
certifications and ambassadors, goals, regions) raises it once its transaction has committed, so
the next visit computes fresh figures and the figures kept under the old generation are never read
again (they expire after FIGURES_TIMEOUT). Nothing expires by the clock: the page says when its
figures were computed (`DashboardFigures.computed_at`).

Who raises it: the receivers below, connected by OverviewConfig.ready() to the counted models'
post_save and post_delete, so every service, the admin, a merge (its duplicate is deleted) and an
erasure raise it without the apps knowing of the dashboard. A save that names its `update_fields`
and touches none of the counted fields (a follow-up ticked off, a new token) leaves the figures
alone. Bulk writes (`QuerySet.update`, `bulk_create`) send no signal: whatever changes counted
fields that way calls `figures_changed()` itself (seed_large does). The two bulk updates of counted
models in the services change no figure: `certification_expire` (EXPIRED counts as granted, and only
up to valid_until) and `profile_link_accepted_invitation` (a new account holds no certification yet);
a merge moves rows with an update but deletes the duplicate, which raises the generation.

Only data is kept (tables with lazy labels, numbers, goals), never HTML: the page is rendered for
each visitor in their language, and their time zone shows the time of computing.
"""

import hashlib
import time
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from . import dashboard
from .goals import GoalProgress, goal_progress

GENERATION_KEY = "overview:figures:generation"
# Only bounds the memory a generation that was left behind holds; freshness comes from the key.
FIGURES_TIMEOUT = 24 * 60 * 60

# The fields whose change changes a figure, per counted model (None: every field). A save without
# update_fields, a new row and a deleted row always count.
COUNTED_FIELDS: dict[str, set[str] | None] = {
    "dissemination.OutreachContact": {"organisation", "date", "channel", "stage"},
    "dissemination.Organisation": {"target_group", "region"},
    "dissemination.Person": {"organisation"},
    "dissemination.Goal": None,
    "dissemination.Region": {"name"},
    "trainings.Training": {"region"},
    "trainings.Enrolment": {"person", "training", "status", "created_at", "completed_at", "source"},
    "ambassadors.Certification": {"holder", "status", "valid_from", "valid_until"},
    "ambassadors.Ambassador": {"user", "organisation", "region"},
}


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # never set, evicted or a restarted cache: start a generation never used before
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def figures_changed() -> None:
    """Something the dashboard counts changed: raise the generation once the transaction commits
    (at once outside a transaction), so no visit between the change and its commit keeps the old
    figures under the new generation. Side effect: one counter in the shared cache; a cache that
    fails is logged, never fails the commit."""
    transaction.on_commit(_bump, robust=True)


def figures_generation() -> int:
    """The current generation (set to one never used before when the cache has none)."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY, 0)
    return generation


def _changed(sender, *, instance=None, created=False, update_fields=None, raw=False, **kwargs) -> None:
    if raw:  # loaddata
        return
    counted = COUNTED_FIELDS[sender._meta.label]
    untouched = update_fields and not {name.removesuffix("_id") for name in update_fields} & (counted or set())
    if untouched and not created and counted is not None:
        return
    figures_changed()


def connect_receivers() -> None:
    """Raise the generation on every save and delete of a counted model (OverviewConfig.ready)."""
    from django.apps import apps

    for label in COUNTED_FIELDS:
        model = apps.get_model(label)
        post_save.connect(_changed, sender=model, dispatch_uid=f"overview_figures_save_{label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"overview_figures_delete_{label}")


@dataclass(frozen=True)
class DashboardFigures:
    """Everything the dashboard shows for one filter choice, and when it was computed."""

    computed_at: datetime
    funnel: dashboard.Table
    funnel_regions: dashboard.Table
    reached: dashboard.Table
    people: dict
    goal_rows: list[GoalProgress]
    channels: dashboard.Table
    enrolments: dashboard.Table
    heard_of: dashboard.Table


def compute_figures(filters: dashboard.DashboardFilters) -> DashboardFigures:
    """All of the page's figures: a fixed number of queries (see tests/overview/test_dashboard.py)."""
    groups = dashboard.funnel_groups(filters)  # one query feeds the funnel, its regions and reach
    return DashboardFigures(
        computed_at=timezone.now(),
        funnel=dashboard.funnel_per_target_group(filters, groups),
        funnel_regions=dashboard.funnel_per_region(filters, groups),
        reached=dashboard.reached_per_target_group_and_region(filters, groups),
        people=dashboard.people(filters),
        goal_rows=goal_progress(dashboard.goals_for(filters), region=filters.region),
        channels=dashboard.contacts_per_channel_per_month(filters),
        enrolments=dashboard.enrolments_per_month(filters),
        heard_of=dashboard.heard_of(filters),
    )


def figures_key(filters: dashboard.DashboardFilters) -> str:
    """The cache key of a filter choice's figures: generation, today and the filters."""
    choice = f"{filters.date_from}|{filters.date_to}|{filters.target_group}|{getattr(filters.region, 'pk', '')}"
    digest = hashlib.sha256(choice.encode()).hexdigest()[:32]
    return f"overview:figures:{figures_generation()}:{timezone.localdate():%Y%m%d}:{digest}"


def dashboard_figures(filters: dashboard.DashboardFilters) -> DashboardFigures:
    """The figures of a filter choice: from the cache, or computed and kept there."""
    key = figures_key(filters)
    figures = cache.get(key)
    if figures is None:
        figures = compute_figures(filters)
        cache.set(key, figures, FIGURES_TIMEOUT)
    return figures
