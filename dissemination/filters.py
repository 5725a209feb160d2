import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .enums import TargetGroup
from .models import Organisation, Region


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
