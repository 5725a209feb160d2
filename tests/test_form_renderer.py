"""The project's form renderer writes a select in Python: it must give what Django's templates give."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from mentorwijs.forms import FormRenderer

CHOICES = [
    ("", "Alle <regio's> & meer"),
    ('Groep "A" & co', [(1, "één"), (2, 'twee "2"')]),
    (3, "<script>drie</script>"),
]


class CustomOptionSelect(forms.Select):
    option_template_name = "django/forms/widgets/input_option.html"


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.Select(choices=CHOICES, attrs={"class": "form-select", "required": True, "disabled": False}), "2"),
        (forms.Select(choices=CHOICES), None),
        (forms.SelectMultiple(choices=CHOICES, attrs={"aria-describedby": "help"}), ["1", "3"]),
        (forms.NullBooleanSelect(), True),
        (CustomOptionSelect(choices=CHOICES), "3"),
    ],
)
def test_a_select_renders_as_djangos_templates_render_it(widget, value):
    expected = widget.render("field", value, attrs={"id": "id_field"}, renderer=DjangoTemplates())
    assert widget.render("field", value, attrs={"id": "id_field"}, renderer=FormRenderer()) == expected


def test_a_forms_select_goes_through_it_and_escapes_the_labels():
    class RegionForm(forms.Form):
        region = forms.ChoiceField(choices=CHOICES)

    html = str(RegionForm()["region"])
    assert "&lt;script&gt;drie&lt;/script&gt;" in html
    assert "<script>" not in html
    assert RegionForm().renderer.__class__ is FormRenderer
