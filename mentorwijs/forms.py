"""What every form of the project shares."""

from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Put a service's refusal next to the form field it concerns (renamed through `field_map`
    where the service and the form name a field differently), or above the form."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        field = field_map.get(field, field)
        form.add_error(field if field in form.fields else None, errors)
