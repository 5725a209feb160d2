from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin, permission_required

from mentorwijs.http import safe_next

from .. import services
from ..forms import InvitationAcceptForm, InvitationForm, LanguageForm
from ..models import Invitation
from ..tokens import invitation_id_from_token


class InvitationListView(PermissionRequiredMixin, ListView):
    permission_required = "accounts.manage_invitations"
    template_name = "accounts/invitation_list.html"
    paginate_by = 25

    def get_queryset(self):
        return Invitation.objects.select_related("invited_by", "accepted_user")

    def get_context_data(self, **kwargs):
        return super().get_context_data(valid_days=settings.INVITATION_VALID_DAYS, **kwargs)


class InvitationCreateView(PermissionRequiredMixin, FormView):
    permission_required = "accounts.manage_invitations"
    template_name = "accounts/invitation_form.html"
    form_class = InvitationForm
    success_url = reverse_lazy("accounts:invitation_list")

    def form_valid(self, form):
        try:
            invitation = services.invitation_create(invited_by=self.request.user, **form.cleaned_data)
        except services.AccountExists as exists:
            # Re-inviting someone who has an account leads to that account (issue 15).
            message = _("%(email)s already has an account: change its roles or access here.")
            messages.info(self.request, message % {"email": exists.user.email})
            return redirect("accounts:account_detail", pk=exists.user.pk)
        except services.InvitationError as error:
            form.add_error("email", str(error))
            return self.form_invalid(form)
        messages.success(self.request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return super().form_valid(form)


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


class TwoFactorSetupView(TemplateView):
    """Choose the second step: a passkey (the easy way on a phone) or an authenticator app; allauth's
    pages then set it up. RequireTwoFactorMiddleware sends every role here until one is set up;
    a user who has one already manages it on allauth's two-factor page."""

    template_name = "accounts/two_factor_setup.html"

    def get(self, request, *args, **kwargs):
        if request.user.has_two_factor:
            return redirect("mfa_index")
        return super().get(request, *args, **kwargs)


@method_decorator(login_not_required, name="dispatch")
class InvitationAcceptView(View):
    """The link from the invitation mail: choose a name and password, then you are logged in."""

    template_name = "accounts/invitation_accept.html"

    def dispatch(self, request, token):
        try:
            invitation_id = invitation_id_from_token(token)
        except signing.SignatureExpired:
            return self.refuse(str(services.INVITATION_EXPIRED))
        except signing.BadSignature:
            return self.refuse(_("This invitation link is not valid. Check that you copied the whole link."))
        self.invitation = get_object_or_404(Invitation, pk=invitation_id)
        try:
            services.invitation_check(invitation=self.invitation)
        except services.InvitationError as error:
            return self.refuse(str(error))
        return super().dispatch(request, token)

    def refuse(self, reason):
        return render(self.request, "accounts/invitation_refused.html", {"reason": reason}, status=410)

    def get(self, request, token):
        return self.show(InvitationAcceptForm(invitation=self.invitation))

    def post(self, request, token):
        form = InvitationAcceptForm(request.POST, invitation=self.invitation)
        if not form.is_valid():
            return self.show(form)
        try:
            user = services.invitation_accept(
                invitation=self.invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
        except services.InvitationError as error:
            return self.refuse(str(error))
        except ValidationError as error:
            form.add_error("password1", error)
            return self.show(form)
        login(request, user, backend="mentorwijs.accounts.backends.AuthenticationBackend")
        messages.success(request, _("Welcome to Mentorwijs, %(name)s.") % {"name": user.first_name})
        # Every role needs a second step first (RequireTwoFactorMiddleware): straight to choosing one.
        return redirect("accounts:two_factor_setup" if user.requires_two_factor else settings.LOGIN_REDIRECT_URL)

    def show(self, form):
        return render(self.request, self.template_name, {"form": form, "invitation": self.invitation})


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
