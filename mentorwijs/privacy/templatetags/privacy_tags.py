from datetime import date, datetime

from django import template

register = template.Library()


@register.filter
def iso(value):
    """An ISO 8601 string from person_data back into a date or datetime, for the `date` filter."""
    if not value or not isinstance(value, str):
        return value
    try:
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    except ValueError:
        return value


@register.filter
def label_in(code, labels):
    """The label of `code` in the dict `labels`, or the code itself."""
    return labels.get(code, code) if isinstance(labels, dict) else code
