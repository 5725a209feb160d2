"""Forms of the trainings pages, one module per area."""

from mentorwijs.forms import add_service_errors

__all__ = ["add_service_errors"]
