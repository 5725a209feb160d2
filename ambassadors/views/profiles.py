"""Ambassador profiles: the staff list and invitation, the one-click invitation of a participant
who completed a run, and everyone's own profile."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from rules.contrib.views import permission_required

from mentorwijs.forms import add_service_errors
from mentorwijs.http import filter_page, form_data
from trainings.models import Enrolment

from ..enums import AmbassadorOffer
from ..forms.profiles import AmbassadorFilter, AmbassadorInviteForm, ProfileForm
from ..queries import profiles as queries_profiles
from ..services.profiles import ambassador_invite, ambassador_invite_participant, profile_or_new, profile_save

OFFER_LABELS = dict(AmbassadorOffer.choices)
AMBASSADOR_LIST_PAGE_SIZE = 50


@permission_required("ambassadors.manage_ambassadors", raise_exception=True)
@require_safe
def ambassador_list_view(request):
    queryset = queries_profiles.ambassador_list()
    filterset = AmbassadorFilter(request.GET or None, queryset=queryset, request=request)
    context = filter_page(request, filterset, AMBASSADOR_LIST_PAGE_SIZE, name="ambassador_list")
    for ambassador in context["object_list"]:
        ambassador.offer_labels = [OFFER_LABELS[code] for code in ambassador.offers if code in OFFER_LABELS]
    return render(request, "ambassadors/ambassador_list.html", context)


@permission_required("ambassadors.manage_ambassadors", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def ambassador_invite_view(request):
    form = AmbassadorInviteForm(**form_data(request))
    if request.method == "POST" and form.is_valid():
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
                invited_by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if ambassador.invitation_id:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": data["email"]})
            else:
                messages.success(
                    request, _("%(name)s already had an account and is now an ambassador.") % {"name": ambassador}
                )
            return redirect("ambassadors:ambassador_list")
    return render(request, "ambassadors/ambassador_invite.html", {"form": form})


@permission_required("ambassadors.manage_ambassadors", raise_exception=True)
@require_POST
def participant_invite_view(request, pk):
    """A POST from the participant list of a run; back to that run with the outcome."""
    enrolment = get_object_or_404(Enrolment.objects.select_related("person"), pk=pk)
    try:
        ambassador_invite_participant(enrolment=enrolment, invited_by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(name)s is invited as an ambassador.") % {"name": enrolment.person})
    return redirect("trainings:training_detail", pk=enrolment.training_id)


@permission_required("ambassadors.edit_own_profile", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def my_profile_view(request):
    """The user's own profile; there is no other profile to reach from here. Until the first valid
    save the form shows an unsaved profile: looking at the page stores nothing."""
    ambassador = profile_or_new(user=request.user)
    # A trainer may not browse the directory (dissemination rules): they search public organisations.
    may_browse = request.user.has_perm("dissemination.browse_organisations")
    search = "dissemination:organisation_search" if may_browse else "trainings:organisation_search"
    form = ProfileForm(**form_data(request), ambassador=ambassador, search_url_name=search)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            profile_save(
                user=request.user,
                organisation=data["organisation"],
                region=data["region"],
                offers=data["offers"],
                public_listing=data["public_listing"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("ambassadors:my_profile")
    return render(request, "ambassadors/profile_form.html", {"form": form, "ambassador": ambassador})
