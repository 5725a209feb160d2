import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .enums import TargetGroup
from .models import Organisation, Person, Region


class OrganisationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    target_group = django_filters.ChoiceFilter(
        label=_("Target group"), choices=TargetGroup.choices, empty_label=_("All target groups")
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), empty_label=_("All regions")
    )

    class Meta:
        model = Organisation
        fields = ["q", "target_group", "region"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(city__icontains=value) | Q(kvk_number=value))


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    target_group = django_filters.ChoiceFilter(
        label=_("Target group"),
        field_name="organisation__target_group",
        choices=TargetGroup.choices,
        empty_label=_("All target groups"),
    )

    class Meta:
        model = Person
        fields = ["q", "target_group"]

    def search(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
                | Q(organisation__name__icontains=word)
            )
        return queryset
