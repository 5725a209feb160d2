"""The spreadsheet form of organisations (django-import-export): the columns of the import and the
export, how each cell is read and written.

Every imported row becomes a new organisation, stored through services.relations.organisation_save.
A cell is refused with a message (never a guess): an unknown region or target group, a postcode that
is not Dutch, a KvK number that is not 8 digits or belongs to another organisation (also one earlier
in the same file)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from import_export import fields, resources, widgets
from localflavor.nl.forms import NLZipCodeField

from .enums import TargetGroup
from .models import Organisation, Region
from .services.relations import organisation_save

# Cells that a spreadsheet program would run as a formula (and tab / carriage return, which some
# programs strip first): exported with a leading apostrophe so they stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = ["name", "kvk_number", "target_group", "region", "postcode", "city", "website"]
REQUIRED_COLUMNS = ["name", "target_group", "region"]
# The headings of the Excel export (issue 17); an import takes them as well as the keys above, in
# Dutch and in English (column_aliases), so an exported sheet can be imported again.
COLUMN_HEADINGS = {
    "name": _lazy("Name"),
    "kvk_number": _lazy("KvK number"),
    "target_group": _lazy("Target group"),
    "region": _lazy("Region"),
    "postcode": _lazy("Postcode"),
    "city": _lazy("City"),
    "website": _lazy("Website"),
}


def column_aliases() -> dict[str, str]:
    """{heading in lower case, in every language of the site: column key}."""
    aliases = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            aliases.update({str(heading).lower(): key for key, heading in COLUMN_HEADINGS.items()})
    return aliases


def neutralise(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return "" if value is None else str(value).strip()


class KvkWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        # A spreadsheet keeps 01234567 as the number 1234567: put the leading zeros back.
        if isinstance(value, int | float) and not isinstance(value, bool) and float(value).is_integer():
            return f"{int(value):08d}" if 0 <= value < 10**8 else str(int(value))
        return "".join(super().clean(value).split())


class PostcodeWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        value = super().clean(value)
        if not value:
            return ""
        try:
            return NLZipCodeField().clean(value)
        except ValidationError as error:
            raise ValueError(_("Not a Dutch postcode: %(value)s") % {"value": value}) from error


class TargetGroupWidget(widgets.Widget):
    """The code (employers) or the label in the current language or in English."""

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            raise ValueError(_("The target group is missing."))
        wanted = text.lower()
        for code, label in TargetGroup.choices:
            with translation.override("en"):
                english = str(label).lower()
            if wanted in (code, str(label).lower(), english):
                return code
        raise ValueError(_("Unknown target group: %(value)s") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return value or ""


class RegionWidget(widgets.ForeignKeyWidget):
    """A labour-market region by its name, case-insensitive."""

    def __init__(self):
        super().__init__(Region, field="name")
        self._regions = None

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            raise ValueError(_("The region is missing."))
        if self._regions is None:  # once per import, not once per row
            self._regions = {region.name.lower(): region for region in Region.objects.all()}
        region = self._regions.get(text.lower())
        if region is None:
            raise ValueError(_("Unknown region: %(value)s") % {"value": text})
        return region


class OrganisationResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name="name", widget=TextWidget())
    kvk_number = fields.Field(attribute="kvk_number", column_name="kvk_number", widget=KvkWidget())
    target_group = fields.Field(attribute="target_group", column_name="target_group", widget=TargetGroupWidget())
    region = fields.Field(attribute="region", column_name="region", widget=RegionWidget())
    postcode = fields.Field(attribute="postcode", column_name="postcode", widget=PostcodeWidget())
    city = fields.Field(attribute="city", column_name="city", widget=TextWidget())
    website = fields.Field(attribute="website", column_name="website", widget=TextWidget())

    class Meta:
        model = Organisation
        fields = COLUMNS
        export_order = COLUMNS
        force_init_instance = True  # every row is a new organisation
        clean_model_instances = True  # model validation: KvK format and uniqueness, URL, lengths
        skip_diff = True

    def do_instance_save(self, instance, is_create):
        # Stored as every organisation is (relations.organisation_save), so a KvK number stored by
        # someone else since the row was checked is refused on its row. Near-identical names are the
        # preview's warnings (services.imports), not refusals.
        organisation_save(organisation=instance, data={}, allow_similar_name=True)

    def export_field(self, field, instance, **kwargs):
        return neutralise(super().export_field(field, instance, **kwargs))
