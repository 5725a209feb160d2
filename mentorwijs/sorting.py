"""Sorting a list by its columns: one OrderingFilter for every FilterSet, set by `?sort=` from the
column headers (templates/includes/sort_header.html) or the filter form's "Sort by" choice."""

import django_filters
from django.db.models import Case, F, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _


def in_choice_order(path: str, choices) -> Case:
    """A column of TextChoices in the order its choices are listed (a run's status from draft to
    cancelled), not by the stored code."""
    positions = [When(**{path: value}, then=Value(i)) for i, value in enumerate(choices.values)]
    return Case(*positions, output_field=IntegerField())


class SortOrder(django_filters.OrderingFilter):
    """`?sort=<key>` or `?sort=-<key>` (descending), one column at a time.

    `columns` maps the key in the address to its Dutch label and one or more ORM paths or expressions.
    `default` names the order the query already has when nothing is asked, so that its header shows
    as sorted; it is not applied: an unsorted list keeps its query's order, and its query counts.
    Empty values come last both ways and the primary key (or the `tiebreak` columns) breaks ties, so
    no row shows on two pages.
    A key the list does not know (an old bookmark, a hand-made address) is ignored: the list shows in its
    default order instead of finding nothing."""

    descending_fmt = _("%s (descending)")

    def __init__(self, *, columns: dict, default: str = "", tiebreak: tuple = ("pk",), **kwargs):
        self.columns = {
            key: [F(p) if isinstance(p, str) else p for p in paths] for key, (label, *paths) in columns.items()
        }
        choices = []
        for key, (label, *_paths) in columns.items():
            choices += [(key, label), (f"-{key}", self.descending_fmt % label)]
        kwargs.setdefault("label", _("Sort by"))
        kwargs.setdefault("empty_label", _("Default order"))
        super().__init__(choices=choices, **kwargs)
        self.default_order = default
        self.tiebreak = tiebreak  # columns that make the order total (a union of dicts has no pk)

        class LenientField(self.field_class):
            def clean(self, value):
                if value is not None:
                    value = [param for param in value if self.valid_value(param)]
                return super().clean(value)

        LenientField.__name__ = self.field_class.__name__
        self.field_class = LenientField

    def filter(self, qs, value):
        params = [param for param in value or () if param][:1]
        if not params:
            return qs
        descending = params[0].startswith("-")
        expressions = self.columns[params[0].removeprefix("-")]
        if descending:
            return qs.order_by(*(e.desc(nulls_last=True) for e in expressions), *(f"-{c}" for c in self.tiebreak))
        return qs.order_by(*(e.asc(nulls_last=True) for e in expressions), *self.tiebreak)
