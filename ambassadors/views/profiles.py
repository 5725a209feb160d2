"""Ambassador profiles: the staff list and invitation, the one-click invitation of a participant
who completed a run, and everyone's own profile."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView
from django_filters.views import FilterView
from rules.contrib.views import PermissionRequiredMixin

from mentorwijs.forms import add_service_errors
from trainings.models import Enrolment

from ..enums import AmbassadorOffer
from ..forms.profiles import AmbassadorFilter, AmbassadorInviteForm, ProfileForm
from ..queries import profiles as queries_profiles
from ..services.profiles import ambassador_invite, ambassador_invite_participant, profile_or_new, profile_save

OFFER_LABELS = dict(AmbassadorOffer.choices)


class AmbassadorListView(PermissionRequiredMixin, FilterView):
    permission_required = "ambassadors.manage_ambassadors"
    filterset_class = AmbassadorFilter
    template_name = "ambassadors/ambassador_list.html"
    paginate_by = 50

    def get_queryset(self):
        return queries_profiles.ambassador_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for ambassador in context["object_list"]:
            ambassador.offer_labels = [OFFER_LABELS[code] for code in ambassador.offers if code in OFFER_LABELS]
        return context


class AmbassadorInviteView(PermissionRequiredMixin, FormView):
    permission_required = "ambassadors.manage_ambassadors"
    template_name = "ambassadors/ambassador_invite.html"
    form_class = AmbassadorInviteForm
    success_url = reverse_lazy("ambassadors:ambassador_list")

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            ambassador = ambassador_invite(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                kind=data["kind"],
                organisation=data["organisation"],
                region=data["region"],
                offers=data["offers"],
                language=data["language"],
                invited_by=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if ambassador.invitation_id:
            messages.success(self.request, _("Invitation sent to %(email)s.") % {"email": data["email"]})
        else:
            messages.success(
                self.request, _("%(name)s already had an account and is now an ambassador.") % {"name": ambassador}
            )
        return super().form_valid(form)


class InviteParticipantView(PermissionRequiredMixin, View):
    """A POST from the participant list of a run; back to that run with the outcome."""

    permission_required = "ambassadors.manage_ambassadors"
    http_method_names = ["post"]

    def post(self, request, pk):
        enrolment = get_object_or_404(Enrolment.objects.select_related("person"), pk=pk)
        try:
            ambassador_invite_participant(enrolment=enrolment, invited_by=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("%(name)s is invited as an ambassador.") % {"name": enrolment.person})
        return redirect("trainings:training_detail", pk=enrolment.training_id)


class MyProfileView(PermissionRequiredMixin, FormView):
    """The user's own profile; there is no other profile to reach from here. Until the first valid
    save the form shows an unsaved profile: looking at the page stores nothing."""

    permission_required = "ambassadors.edit_own_profile"
    template_name = "ambassadors/profile_form.html"
    success_url = reverse_lazy("ambassadors:my_profile")

    def get_form(self, form_class=None):
        self.ambassador = profile_or_new(user=self.request.user)
        # A trainer may not browse the directory (dissemination rules): they search public organisations.
        may_browse = self.request.user.has_perm("dissemination.browse_organisations")
        search = "dissemination:organisation_search" if may_browse else "trainings:organisation_search"
        return ProfileForm(**self.get_form_kwargs(), ambassador=self.ambassador, search_url_name=search)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("initial", None)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)  # builds the form, and so finds the profile
        context["ambassador"] = self.ambassador
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            profile_save(
                user=self.request.user,
                organisation=data["organisation"],
                region=data["region"],
                offers=data["offers"],
                public_listing=data["public_listing"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your profile is saved."))
        return super().form_valid(form)
