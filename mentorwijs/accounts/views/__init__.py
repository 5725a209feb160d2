from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from rules.contrib.views import permission_required

from mentorwijs.http import filter_page, form_data, safe_next

from .. import services
from ..filters import InvitationFilter
from ..forms import InvitationAcceptForm, InvitationForm, LanguageForm
from ..models import Invitation
from ..tokens import invitation_id_from_token

INVITATION_LIST_PAGE_SIZE = 25


@permission_required("accounts.manage_invitations", raise_exception=True)
@require_safe
def invitation_list(request):
    """Every invitation, the newest first or sorted by a column, 25 a page."""
    invitations = InvitationFilter(
        request.GET or None, queryset=Invitation.objects.select_related("invited_by", "accepted_user"), request=request
    )
    context = filter_page(request, invitations, INVITATION_LIST_PAGE_SIZE, name="invitation_list")
    context["valid_days"] = settings.INVITATION_VALID_DAYS
    return render(request, "accounts/invitation_list.html", context)


@permission_required("accounts.manage_invitations", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_create(request):
    form = InvitationForm(**form_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(invited_by=request.user, **form.cleaned_data)
        except services.AccountExists as exists:
            # Re-inviting someone who has an account leads to that account (issue 15).
            message = _("%(email)s already has an account: change its roles or access here.")
            messages.info(request, message % {"email": exists.user.email})
            return redirect("accounts:account_detail", pk=exists.user.pk)
        except services.InvitationError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("accounts:invitation_list")
    return render(request, "accounts/invitation_form.html", {"form": form})


@require_POST
@permission_required("accounts.manage_invitations", raise_exception=True)
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation)
    except services.InvitationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Invitation for %(email)s revoked.") % {"email": invitation.email})
    return redirect("accounts:invitation_list")


@require_safe
def two_factor_setup(request):
    """Choose the second step: a passkey (the easy way on a phone) or an authenticator app; allauth's
    pages then set it up. RequireTwoFactorMiddleware sends every role here until one is set up;
    a user who has one already manages it on allauth's two-factor page."""
    if request.user.has_two_factor:
        return redirect("mfa_index")
    return render(request, "accounts/two_factor_setup.html")


def _invitation_refused(request, reason):
    return render(request, "accounts/invitation_refused.html", {"reason": reason}, status=410)


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_accept(request, token):
    """The link from the invitation mail: choose a name and password, then you are logged in."""
    try:
        invitation_id = invitation_id_from_token(token)
    except signing.SignatureExpired:
        return _invitation_refused(request, str(services.INVITATION_EXPIRED))
    except signing.BadSignature:
        return _invitation_refused(
            request, _("This invitation link is not valid. Check that you copied the whole link.")
        )
    invitation = get_object_or_404(Invitation, pk=invitation_id)
    try:
        services.invitation_check(invitation=invitation)
    except services.InvitationError as error:
        return _invitation_refused(request, str(error))
    if request.method != "POST":
        form = InvitationAcceptForm(invitation=invitation)
    else:
        form = InvitationAcceptForm(request.POST, invitation=invitation)
        if form.is_valid():
            try:
                user = services.invitation_accept(
                    invitation=invitation,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                )
            except services.InvitationError as error:
                return _invitation_refused(request, str(error))
            except ValidationError as error:
                form.add_error("password1", error)
            else:
                login(request, user, backend="mentorwijs.accounts.backends.AuthenticationBackend")
                messages.success(request, _("Welcome to Mentorwijs, %(name)s.") % {"name": user.first_name})
                # Every role needs a second step first (RequireTwoFactorMiddleware): straight to choosing one.
                return redirect(
                    "accounts:two_factor_setup" if user.requires_two_factor else settings.LOGIN_REDIRECT_URL
                )
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})


@login_not_required
@require_POST
def switch_language(request):
    """Store the chosen language in a cookie and, when logged in, on the user."""
    form = LanguageForm(request.POST)
    next_url = safe_next(request, request.POST.get("next"), "/")  # only back to a page of this site
    response = HttpResponseRedirect(next_url)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    return response
