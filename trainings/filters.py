import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from dissemination.models import Region
from mentorwijs.forms import DateInput
from mentorwijs.search import every_word
from mentorwijs.sorting import SortOrder, in_choice_order

from .enums import TrainingStatus, Variant
from .models import Location, Meeting, Training


class DatePeriodWidget(django_filters.widgets.DateRangeWidget):
    """Two browser date pickers (from, to), side by side without a separator."""

    template_name = "django/forms/widgets/multiwidget.html"

    def __init__(self, attrs=None):
        widgets = (
            DateInput(attrs={"class": "form-control", "aria-label": _("From")}),
            DateInput(attrs={"class": "form-control", "aria-label": _("To")}),
        )
        super(django_filters.widgets.RangeWidget, self).__init__(widgets, attrs)


class TrainingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="search",
        widget=forms.TextInput(attrs={"placeholder": _("Title, region or location"), "type": "search"}),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), empty_label=_("All regions")
    )
    variant = django_filters.ChoiceFilter(label=_("Variant"), choices=Variant.choices, empty_label=_("All variants"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=TrainingStatus.choices, empty_label=_("All statuses")
    )
    period = django_filters.DateFromToRangeFilter(
        label=_("Meets between"),
        method="meets_in_period",
        widget=DatePeriodWidget(),
    )
    sort = SortOrder(
        columns={
            "title": (_("Title"), Lower("title")),
            "starts": (_("First meeting"), "first_meeting_at"),
            "region": (_("Region"), "region__name"),
            "status": (_("Status"), in_choice_order("status", TrainingStatus)),
        },
        default="-starts",  # queries.scheduling.training_list: the latest first meeting first
    )

    class Meta:
        model = Training
        fields = ["q", "region", "variant", "status", "period", "sort"]

    def search(self, queryset, name, value):
        """Every word in the title, the region or the name of a meeting's location; it only narrows
        the runs the user may see."""

        def matches(word):
            at_location = Meeting.objects.filter(training=OuterRef("pk"), location__name__icontains=word)
            return Q(title__icontains=word) | Q(region__name__icontains=word) | Exists(at_location)

        return every_word(queryset, value, matches)

    def meets_in_period(self, queryset, name, value):
        """Runs with at least one meeting on a day within the period (either end may be open)."""
        meetings = Meeting.objects.filter(training=OuterRef("pk"))
        if value.start:
            meetings = meetings.filter(starts_at__gte=value.start)
        if value.stop:
            meetings = meetings.filter(starts_at__lte=value.stop)
        return queryset.filter(Exists(meetings))


class LocationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or place"), method="search")
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), empty_label=_("All regions")
    )
    state = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("active", _("Offered for new meetings")), ("archived", _("Archived"))],
        empty_label=_("All locations"),
        method="in_state",
    )

    # No default: the query puts the active locations first, then by city and name.
    sort = SortOrder(
        columns={
            "name": (_("Name"), Lower("name")),
            "city": (_("City"), Lower("city"), Lower("name")),
            "region": (_("Region"), "region__name"),
            "meetings": (_("Meetings"), "meeting_count"),
        }
    )

    class Meta:
        model = Location
        fields = ["q", "region", "state", "sort"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(city__icontains=value))

    def in_state(self, queryset, name, value):
        return queryset.filter(archived_at__isnull=value == "active")
