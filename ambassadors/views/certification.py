"""Certification pages: the request (or renewal), the detail with its history and evidence, the
review queue and the review page, and the evidence download.

Trainers see only their own certifications and evidence (another's answers 404); reviewers
(staff, master trainers) see all; other roles get 403 on the role-level pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_safe
from rules.contrib.views import permission_required

from mentorwijs.accounts.rules import is_staff_member
from mentorwijs.forms import parse_id
from mentorwijs.http import filter_page, form_data

from ..enums import GRANTED_STATUSES, OPEN_STATUSES, CertificationStatus
from ..forms.certification import (
    AddInfoForm,
    ApproveForm,
    AskInfoForm,
    CertificationRequestForm,
    CertificationReviewFilter,
    RejectForm,
    RevokeForm,
    add_service_errors,
)
from ..models import Certification
from ..queries import certification as queries
from ..queries.supervision import supervised_practice
from ..services import certification as services
from ..services.renewal import renewal_progress, renewal_rules_met


def _renews(request) -> Certification | None:
    """?renews=<pk>: one of the user's own granted certifications, else 404."""
    pk = request.GET.get("renews")
    if not pk:
        return None
    if not parse_id(pk):
        raise Http404
    own = Certification.objects.filter(holder_id=request.user.pk, status__in=GRANTED_STATUSES)
    return get_object_or_404(own, pk=pk)


@permission_required("ambassadors.request_certification", raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def certification_request_view(request):
    renews = _renews(request)
    form = CertificationRequestForm(**form_data(request), runs=queries.train_the_trainer_runs(), renews=renews)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                certification = services.certification_request(
                    holder=request.user,
                    level=data["level"],
                    training=data["training"],
                    note=data["note"],
                    files=data["files"],
                    renews=renews,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your request was sent. You get an email when it has been reviewed."))
                return redirect("ambassadors:certification_detail", pk=certification.pk)
        status = 400
    else:
        status = 200
    return render(request, "ambassadors/certification_request.html", {"form": form, "renews": renews}, status=status)


def summary_context(certification: Certification) -> dict:
    return {
        "certification": certification,
        "events": list(certification.events.all()),
        "evidence": list(certification.evidence.all()),
    }


@require_http_methods(["GET", "POST"])
def certification_detail_view(request, pk):
    """Status, period, history and evidence; the holder answers a question for more here."""
    # Found before the permission is asked, as the permission is on the object: another's that the
    # user may not see answers 404.
    certification = get_object_or_404(queries.certification_detail(request.user), pk=pk)
    if not request.user.has_perm("ambassadors.view_certification", certification):
        raise PermissionDenied
    may_add_info = (
        certification.holder_id == request.user.pk and certification.status == CertificationStatus.INFO_REQUESTED
    )
    form, status = (AddInfoForm() if may_add_info else None), 200
    if request.method == "POST":
        form = AddInfoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.certification_add_info(
                    certification=certification,
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
                return redirect("ambassadors:certification_detail", pk=certification.pk)
        status = 400
    context = {
        **summary_context(certification),
        "form": form,
        "may_review": certification.holder_id != request.user.pk
        and request.user.has_perm("ambassadors.review_certifications"),
    }
    return render(request, "ambassadors/certification_detail.html", context, status=status)


@permission_required("ambassadors.review_certifications", raise_exception=True)
@require_safe
def review_list_view(request):
    """Open requests for reviewers, oldest first or sorted by a column, 50 a page."""
    requests = CertificationReviewFilter(
        request.GET or None, queryset=queries.open_requests(reviewer=request.user), request=request
    )
    return render(request, "ambassadors/review_list.html", filter_page(request, requests, 50, name="requests"))


DECISIONS = {
    "approve": ApproveForm,
    "ask_info": AskInfoForm,
    "reject": RejectForm,
    "revoke": RevokeForm,
}


def _decisions(certification) -> list[str]:
    status = certification.status
    if status == CertificationStatus.REQUESTED:
        return ["approve", "ask_info", "reject"]
    if status in OPEN_STATUSES:
        return ["approve", "reject"]
    if status == CertificationStatus.APPROVED:
        return ["revoke"]
    return []


def _decision_form(request, certification, action, data=None):
    kwargs = {"prefix": action}
    if action == "approve":
        today = timezone.localdate()
        kwargs.update(
            certifiers=queries.master_trainers_on(today).exclude(pk=certification.holder_id),
            reviewer_certifies=queries.holds_master_certification(request.user, today),
            may_name_original=is_staff_member(request.user),
            is_renewal=certification.renews_id is not None,
        )
    return DECISIONS[action](data, **kwargs)


def _done_message(action) -> str:
    return {
        "approve": _("The certification of %(name)s is approved."),
        "ask_info": _("Your question was sent to %(name)s."),
        "reject": _("The request of %(name)s is rejected."),
        "revoke": _("The certification of %(name)s is revoked."),
    }[action]


def _decide(certification, user, action, data) -> None:
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


@require_http_methods(["GET", "POST"])
@permission_required("ambassadors.review_certifications", raise_exception=True)
def certification_review_view(request, pk):
    """Approve, ask for more or reject an open request; revoke an approved certification. A
    reviewer's own certification answers 404: somebody else reviews it."""
    visible = queries.certification_detail(request.user).exclude(holder_id=request.user.pk)
    certification = get_object_or_404(visible, pk=pk)
    bound, status = {}, 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in _decisions(certification):
            messages.error(request, _("This decision is no longer possible: the request has changed."))
            return redirect("ambassadors:certification_review", pk=certification.pk)
        form = _decision_form(request, certification, action, request.POST)
        if form.is_valid():
            try:
                _decide(certification, request.user, action, form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _done_message(action) % {"name": certification.holder})
                if action == "revoke":
                    return redirect("ambassadors:certification_detail", pk=certification.pk)
                return redirect("ambassadors:review_list")
        bound, status = {action: form}, 400
    forms = {
        action: bound.get(action) or _decision_form(request, certification, action)
        for action in _decisions(certification)
    }
    renews = certification.renews
    progress = renewal_progress(certification=renews) if renews is not None else None
    context = {
        **summary_context(certification),
        "forms": forms,
        "renewal_progress": progress,
        "renewal_rules_met": progress is not None and renewal_rules_met(progress),
        "supervised": supervised_practice(holder_id=certification.holder_id),
    }
    return render(request, "ambassadors/certification_review.html", context, status=status)


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
