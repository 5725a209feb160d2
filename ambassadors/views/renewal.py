"""A trainer's own certifications with their renewal progress, and the public register.

The public register needs no login: employers and the national database of social interventions
check there who is certified. It lists only trainers who opted in (Ambassador.public_listing)."""

import django_filters
from django.contrib.auth.decorators import login_not_required
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from django_filters.views import FilterView
from rules.contrib.views import PermissionRequiredMixin

from dissemination.models import Region

from ..enums import Level
from ..models import Ambassador
from ..queries import renewal as queries_renewal
from ..services.renewal import renewal_progress


@method_decorator(require_GET, name="dispatch")
class MyCertificationView(PermissionRequiredMixin, TemplateView):
    """Trainers and master trainers: their own certifications only, the current one first."""

    permission_required = "ambassadors.request_certification"
    template_name = "ambassadors/my_certification.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        certifications = queries_renewal.my_certifications(user=self.request.user)
        current = queries_renewal.current_certification(certifications, today=today)
        if current is not None:
            certifications.remove(current)
            certifications.insert(0, current)
            current.days_left = (current.valid_until - today).days
        progress = renewal_progress(certification=current, today=today) if current else []
        return super().get_context_data(
            certifications=certifications,
            current=current,
            progress=progress,
            all_met=bool(progress) and all(item.met for item in progress),
            open_renewal=queries_renewal.open_renewal(certifications, current=current),
            **kwargs,
        )


class RegisterFilter(django_filters.FilterSet):
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), empty_label=_("All regions")
    )
    level = django_filters.ChoiceFilter(label=_("Level"), choices=Level.choices, empty_label=_("All levels"))

    class Meta:
        model = Ambassador
        fields = ["region", "level"]


@method_decorator([login_not_required, require_GET], name="dispatch")
class PublicRegisterView(FilterView):
    """Anyone: trainers certified today who opted in, by name, filtered by region and level."""

    filterset_class = RegisterFilter
    template_name = "ambassadors/register.html"
    paginate_by = 25

    def get_queryset(self):
        return queries_renewal.public_register()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        labels = dict(Level.choices)
        for ambassador in context["object_list"]:
            ambassador.level_label = labels.get(ambassador.level, "")
        return context
