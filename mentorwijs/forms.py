"""What every form of the project shares."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _


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


def parse_id(value) -> int | None:
    """A database id the client sent (a hidden field, a query parameter), or None when it is none.

    `str.isdigit()` is not enough: it accepts "²", which int() refuses, and int() refuses more
    than 4300 digits; either became a 500."""
    value = str(value if value is not None else "").strip()
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


# The widest integer a primary key can hold (BigAutoField).
LARGEST_ID = 2**63 - 1


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, except that an id beyond the database's integer range is an invalid choice.

    Django checks each posted id only for its type and then filters with `pk__in`; on SQLite an id
    of 2**63 or more raised OverflowError there (a 500 on a crafted POST)."""

    def _check_values(self, value):
        if isinstance(value, list | tuple):
            for item in value:
                try:
                    number = int(str(item).strip())
                except ValueError:
                    continue  # Django refuses it as it is
                if not -LARGEST_ID <= number <= LARGEST_ID:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": item}
                    )
        return super()._check_values(value)


# Dates a form takes where the code adds or subtracts days, weeks or years (and converts between
# time zones): the first and last day Python knows overflowed there (a 500).
EARLIEST_DATE, LATEST_DATE = date(1900, 1, 1), date(2999, 12, 31)


def plausible_date(value: date) -> None:
    """Validator: refuses a date before 1900 or after 2999."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(_("Enter a date between 1900 and 2999."), code="implausible_date")


# The browser's own pickers. The value is written in the one format these inputs read (ISO), whatever
# the language of the page: Django's default would be the localised format, which the browser ignores.
class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


SELECT_TEMPLATE = "django/forms/widgets/select.html"
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


class FormRenderer(DjangoTemplates):
    """Django's form renderer (settings.FORM_RENDERER), except that a select is written here in
    Python, as its templates would write it: they include two templates per option, which made a
    filter bar's region select (35 options) cost 4 ms on every request."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            widget = context["widget"]
            groups = widget["optgroups"]
            if all(option["template_name"] == OPTION_TEMPLATE for _name, group, _index in groups for option in group):
                return render_select(widget)
        return super().render(template_name, context, request)


def render_attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: True gives the bare name, False leaves the attribute out."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


def render_select(widget: dict) -> str:
    """django/forms/widgets/select.html with select_option.html for each option."""
    parts = [format_html('<select name="{}"', widget["name"]), render_attrs(widget["attrs"]), ">"]
    for group_name, group, _index in widget["optgroups"]:
        if group_name:
            parts.append(format_html('\n  <optgroup label="{}">', group_name))
        for option in group:
            parts.append(
                format_html(
                    '\n  <option value="{}"{}>{}</option>\n',
                    str(option["value"]),
                    mark_safe(render_attrs(option["attrs"])),
                    conditional_escape(option["label"]),
                )
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))
