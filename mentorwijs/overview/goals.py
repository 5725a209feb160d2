"""Progress of the dissemination plan's goals (filled by the goals work)."""


def goal_progress(goals) -> list:
    """One row per goal with what was reached in its period."""
    return []
