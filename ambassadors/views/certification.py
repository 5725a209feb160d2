"""Certification pages: the request (or renewal), the detail with its history and evidence, the
review queue and the review page, and the evidence download.

Trainers see only their own certifications and evidence (another's answers 404); reviewers
(staff, master trainers) see all; other roles get 403 on the role-level pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET, require_http_methods
from django.views.generic import FormView, ListView
from rules.contrib.views import PermissionRequiredMixin

from mentorwijs.accounts.rules import is_staff_member
from mentorwijs.forms import parse_id
from mentorwijs.http import RoleOnlyPermissionMixin

from ..enums import GRANTED_STATUSES, OPEN_STATUSES, CertificationStatus
from ..forms.certification import (
    AddInfoForm,
    ApproveForm,
    AskInfoForm,
    CertificationRequestForm,
    RejectForm,
    RevokeForm,
    add_service_errors,
)
from ..models import Certification
from ..queries import certification as queries
from ..queries.supervision import supervised_practice
from ..services import certification as services
from ..services.renewal import renewal_progress, renewal_rules_met


class CertificationRequestView(RoleOnlyPermissionMixin, FormView):
    permission_required = "ambassadors.request_certification"
    template_name = "ambassadors/certification_request.html"
    form_class = CertificationRequestForm

    @cached_property
    def renews(self) -> Certification | None:
        """?renews=<pk>: one of the user's own granted certifications, else 404."""
        pk = self.request.GET.get("renews")
        if not pk:
            return None
        if not parse_id(pk):
            raise Http404
        own = Certification.objects.filter(holder_id=self.request.user.pk, status__in=GRANTED_STATUSES)
        return get_object_or_404(own, pk=pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "runs": queries.train_the_trainer_runs(), "renews": self.renews}

    def get_context_data(self, **kwargs):
        return super().get_context_data(renews=self.renews, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            certification = services.certification_request(
                holder=self.request.user,
                level=data["level"],
                training=data["training"],
                note=data["note"],
                files=data["files"],
                renews=self.renews,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(self.request, _("Your request was sent. You get an email when it has been reviewed."))
        return redirect("ambassadors:certification_detail", pk=certification.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


def summary_context(certification: Certification) -> dict:
    return {
        "certification": certification,
        "events": list(certification.events.all()),
        "evidence": list(certification.evidence.all()),
    }


@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")
class CertificationDetailView(PermissionRequiredMixin, View):
    """Status, period, history and evidence; the holder answers a question for more here."""

    permission_required = "ambassadors.view_certification"
    template_name = "ambassadors/certification_detail.html"

    def get_permission_object(self):
        self.certification = get_object_or_404(queries.certification_detail(self.request.user), pk=self.kwargs["pk"])
        return self.certification

    def get(self, request, pk):
        return self.show(AddInfoForm() if self.may_add_info else None)

    def post(self, request, pk):
        form = AddInfoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.certification_add_info(
                    certification=self.certification,
                    by=request.user,
                    note=form.cleaned_data["note"],
                    files=form.cleaned_data["files"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Thank you: your information was added and the request goes back to review.")
                )
                return redirect("ambassadors:certification_detail", pk=self.certification.pk)
        return self.show(form, status=400)

    @property
    def may_add_info(self) -> bool:
        return (
            self.certification.holder_id == self.request.user.pk
            and self.certification.status == CertificationStatus.INFO_REQUESTED
        )

    def show(self, form, status=200):
        context = {
            **summary_context(self.certification),
            "form": form,
            "may_review": self.certification.holder_id != self.request.user.pk
            and self.request.user.has_perm("ambassadors.review_certifications"),
        }
        return render(self.request, self.template_name, context, status=status)


class ReviewListView(RoleOnlyPermissionMixin, ListView):
    """Open requests for reviewers, oldest first."""

    permission_required = "ambassadors.review_certifications"
    template_name = "ambassadors/review_list.html"
    context_object_name = "requests"
    paginate_by = 50

    def get_queryset(self):
        return queries.open_requests(reviewer=self.request.user)


DECISIONS = {
    "approve": ApproveForm,
    "ask_info": AskInfoForm,
    "reject": RejectForm,
    "revoke": RevokeForm,
}


@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")
class CertificationReviewView(RoleOnlyPermissionMixin, View):
    """Approve, ask for more or reject an open request; revoke an approved certification. A
    reviewer's own certification answers 404: somebody else reviews it."""

    permission_required = "ambassadors.review_certifications"
    template_name = "ambassadors/certification_review.html"

    def load(self):
        visible = queries.certification_detail(self.request.user).exclude(holder_id=self.request.user.pk)
        self.certification = get_object_or_404(visible, pk=self.kwargs["pk"])

    def decisions(self) -> list[str]:
        status = self.certification.status
        if status == CertificationStatus.REQUESTED:
            return ["approve", "ask_info", "reject"]
        if status in OPEN_STATUSES:
            return ["approve", "reject"]
        if status == CertificationStatus.APPROVED:
            return ["revoke"]
        return []

    def form_for(self, action, data=None):
        kwargs = {"prefix": action}
        if action == "approve":
            today = timezone.localdate()
            kwargs.update(
                certifiers=queries.master_trainers_on(today).exclude(pk=self.certification.holder_id),
                reviewer_certifies=queries.holds_master_certification(self.request.user, today),
                may_name_original=is_staff_member(self.request.user),
                is_renewal=self.certification.renews_id is not None,
            )
        return DECISIONS[action](data, **kwargs)

    def get(self, request, pk):
        self.load()
        return self.show({})

    def post(self, request, pk):
        self.load()
        action = request.POST.get("action")
        if action not in self.decisions():
            messages.error(request, _("This decision is no longer possible: the request has changed."))
            return redirect("ambassadors:certification_review", pk=self.certification.pk)
        form = self.form_for(action, request.POST)
        if form.is_valid():
            try:
                self.decide(action, form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return self.done(action)
        return self.show({action: form}, status=400)

    def decide(self, action, data):
        certification, user = self.certification, self.request.user
        if action == "approve":
            services.certification_approve(
                certification=certification,
                reviewer=user,
                certified_by=data["certified_by"],
                valid_from=data["valid_from"],
                valid_until=data["valid_until"],
                note=data["note"],
                original=data.get("original", False),
                override_rules=data.get("override_rules", False),
            )
        elif action == "ask_info":
            services.certification_ask_info(certification=certification, reviewer=user, note=data["note"])
        elif action == "reject":
            services.certification_reject(certification=certification, reviewer=user, reason=data["reason"])
        else:
            services.certification_revoke(certification=certification, by=user, reason=data["reason"])

    def done(self, action):
        name = self.certification.holder
        text = {
            "approve": _("The certification of %(name)s is approved."),
            "ask_info": _("Your question was sent to %(name)s."),
            "reject": _("The request of %(name)s is rejected."),
            "revoke": _("The certification of %(name)s is revoked."),
        }[action]
        messages.success(self.request, text % {"name": name})
        if action == "revoke":
            return redirect("ambassadors:certification_detail", pk=self.certification.pk)
        return redirect("ambassadors:review_list")

    def show(self, bound, status=200):
        forms = {action: bound.get(action) or self.form_for(action) for action in self.decisions()}
        renews = self.certification.renews
        progress = renewal_progress(certification=renews) if renews is not None else None
        context = {
            **summary_context(self.certification),
            "forms": forms,
            "renewal_progress": progress,
            "renewal_rules_met": progress is not None and renewal_rules_met(progress),
            "supervised": supervised_practice(holder_id=self.certification.holder_id),
        }
        return render(self.request, self.template_name, context, status=status)


@require_GET
def evidence_download(request, pk):
    """The file as an attachment, to the holder and reviewers; anybody else gets 404."""
    evidence = get_object_or_404(queries.evidence_visible_to(request.user), pk=pk)
    if not request.user.has_perm("ambassadors.view_certification", evidence.certification):
        raise Http404
    if not evidence.file:  # deleted after its retention period (ambassadors.services.erasure)
        raise Http404
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
