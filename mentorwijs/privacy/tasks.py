from celery import shared_task

from .retention import apply_retention


@shared_task(name="privacy.apply_retention")
def apply_retention_task():
    """Nightly (beat, 02:30): apply the retention periods. Idempotent; returns the counts per rule
    (None when another run still holds the lock)."""
    return apply_retention()
