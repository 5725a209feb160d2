"""The outreach log: my contacts, logging one, changing it, follow-ups, handing over (staff), the
read-only summary per organisation, and the organisation search of the log form.

An ambassador's querysets hold only their own contacts, so another ambassador's contact answers 404;
a role without the permission gets 403."""

import django_filters
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import FormView, ListView
from django_filters.views import FilterView
from rules.contrib.views import PermissionRequiredMixin, permission_required

from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role
from mentorwijs.forms import add_service_errors, parse_id
from mentorwijs.http import safe_next

from ..enums import STAGE_ORDER, Stage
from ..forms.outreach import ContactEditForm, ContactLogForm, ContactReassignForm
from ..models import Organisation, OutreachContact
from ..queries import outreach as outreach_queries
from ..queries import relations as queries
from ..services.outreach import contact_log, contact_reassign, contact_update, follow_up_done


class ContactFilter(django_filters.FilterSet):
    """Staff filter the contacts by ambassador."""

    logged_by = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Ambassador"), queryset=User.objects.none(), empty_label=gettext_lazy("All ambassadors")
    )

    class Meta:
        model = OutreachContact
        fields = ["logged_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["logged_by"].queryset = (
            User.objects.filter(Q(groups__name=Role.AMBASSADOR) | Q(outreach_contacts__isnull=False))
            .distinct()
            .order_by("first_name", "last_name", "pk")
        )


class ContactListView(PermissionRequiredMixin, FilterView):
    permission_required = "dissemination.log_outreach"
    template_name = "dissemination/outreach/contact_list.html"
    filterset_class = ContactFilter
    paginate_by = 25

    def get_queryset(self):
        return outreach_queries.outreach_contacts(self.request.user)

    def get_filterset(self, filterset_class):
        if not self.request.user.has_perm("dissemination.manage_outreach"):
            return filterset_class(None, queryset=self.get_queryset(), request=self.request)
        return super().get_filterset(filterset_class)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            can_manage=self.request.user.has_perm("dissemination.manage_outreach"), **kwargs
        )


class ContactLogView(PermissionRequiredMixin, FormView):
    permission_required = "dissemination.log_outreach"
    template_name = "dissemination/outreach/contact_log.html"
    form_class = ContactLogForm

    def get_initial(self):
        """?organisation=<pk> (and &person=<pk>) start the form with a known organisation."""
        initial = super().get_initial()
        value = self.request.GET.get("organisation", "")
        organisation = Organisation.objects.filter(pk=value).first() if parse_id(value) else None
        if organisation is not None:
            initial.update(organisation=organisation.pk, organisation_name=organisation.name)
            person = self.request.GET.get("person", "")
            people = queries.organisation_people(self.request.user, organisation)
            if parse_id(person) and people.filter(pk=person).exists():
                initial["person"] = person
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            contact = contact_log(by=self.request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Contact with %(name)s logged.") % {"name": contact.organisation.name})
        return redirect("dissemination:contact_list")


def _contact_for(request, pk) -> OutreachContact:
    return get_object_or_404(outreach_queries.outreach_contacts(request.user), pk=pk)


class ContactDetailView(PermissionRequiredMixin, FormView):
    """A contact of mine (staff: any) with its fields to change."""

    permission_required = "dissemination.log_outreach"
    template_name = "dissemination/outreach/contact_detail.html"
    form_class = ContactEditForm

    @cached_property
    def contact(self):
        return _contact_for(self.request, self.kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        del kwargs["initial"]  # FormView's empty initial would hide the contact's values; the form fills them
        return {**kwargs, "contact": self.contact, "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            contact=self.contact, can_manage=self.request.user.has_perm("dissemination.manage_outreach"), **kwargs
        )

    def form_valid(self, form):
        try:
            contact_update(contact=self.contact, by=self.request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Contact saved."))
        return redirect("dissemination:contact_detail", pk=self.contact.pk)


@require_POST
@permission_required("dissemination.log_outreach", raise_exception=True)
def contact_follow_up_done(request, pk):
    contact = _contact_for(request, pk)
    try:
        follow_up_done(contact=contact, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Follow-up marked as done."))
    return redirect(safe_next(request, request.POST.get("next"), reverse("dissemination:follow_up_list")))


class ContactReassignView(PermissionRequiredMixin, FormView):
    permission_required = "dissemination.manage_outreach"
    template_name = "dissemination/outreach/contact_reassign.html"
    form_class = ContactReassignForm

    @cached_property
    def contact(self):
        return _contact_for(self.request, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(contact=self.contact, **kwargs)

    def form_valid(self, form):
        try:
            contact_reassign(contact=self.contact, to_user=form.cleaned_data["to_user"], by=self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Contact handed over."))
        return redirect("dissemination:contact_detail", pk=self.contact.pk)


class FollowUpListView(PermissionRequiredMixin, ListView):
    """My open follow-ups, the earliest first; overdue and due within a week are marked."""

    permission_required = "dissemination.log_outreach"
    template_name = "dissemination/outreach/follow_up_list.html"
    paginate_by = 50

    def get_queryset(self):
        return outreach_queries.follow_ups_open(self.request.user)

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        return super().get_context_data(
            today=today, due_until=today + timezone.timedelta(days=outreach_queries.FOLLOW_UP_WINDOW_DAYS), **kwargs
        )


class OrganisationSummaryView(PermissionRequiredMixin, ListView):
    """Who had contact with an organisation, when, and how far it came: no notes, nobody's details."""

    permission_required = "dissemination.view_outreach_summary"
    template_name = "dissemination/outreach/organisation_summary.html"
    context_object_name = "ambassadors"

    def get_queryset(self):
        self.organisation = get_object_or_404(Organisation.objects.select_related("region"), pk=self.kwargs["pk"])
        rows = list(outreach_queries.organisation_outreach_summary(self.organisation))
        for row in rows:
            row["stage"] = Stage(STAGE_ORDER[row["rank"]])
        return rows

    def get_context_data(self, **kwargs):
        rows = self.object_list
        furthest = max((row["rank"] for row in rows), default=None)
        return super().get_context_data(
            organisation=self.organisation,
            furthest_stage=None if furthest is None else Stage(STAGE_ORDER[furthest]),
            **kwargs,
        )
