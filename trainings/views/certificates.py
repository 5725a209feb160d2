"""Certificates of participation: the participant's PDF, staff PDF and revocation, and the public
verification page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from rules.contrib.views import permission_required

from ..certificates import certificate_disposition, certificate_pdf
from ..forms.attendance import CertificateRevokeForm
from ..models import Certificate
from ..services.certificates import certificate_find, certificate_revoke

CERTIFICATES = Certificate.objects.select_related("enrolment__person", "enrolment__training__region")


def pdf_response(certificate: Certificate) -> HttpResponse:
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = certificate_disposition(certificate)
    response["Cache-Control"] = "private, no-store"
    return response


@login_not_required
@require_GET
def personal_certificate(request, token):
    """The participant's own PDF through the personal link; 404 when there is none or it was revoked."""
    certificate = get_object_or_404(CERTIFICATES, enrolment__token=token, revoked_at__isnull=True)
    return pdf_response(certificate)


@require_GET
@permission_required("trainings.manage_trainings", raise_exception=True)
def certificate_pdf_view(request, pk):
    """Any certificate's PDF for staff, a revoked one too."""
    return pdf_response(get_object_or_404(CERTIFICATES, pk=pk))


@require_http_methods(["GET", "POST"])
@permission_required("trainings.manage_trainings", raise_exception=True)
def certificate_revoke_view(request, pk):
    """Revoke a certificate with a reason; the verification page then answers "revoked"."""
    certificate = get_object_or_404(CERTIFICATES, pk=pk)
    form = CertificateRevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            certificate_revoke(certificate=certificate, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            if hasattr(error, "error_dict") and "reason" in error.error_dict:
                form.add_error("reason", error.message_dict["reason"])
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(
                request, _("The certificate of %(name)s is revoked.") % {"name": certificate.enrolment.person}
            )
            return redirect(f"{reverse('trainings:verify')}?{urlencode({'code': certificate.code})}")
    return render(
        request,
        "trainings/certificate_revoke.html",
        {"certificate": certificate, "enrolment": certificate.enrolment, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@login_not_required
@require_GET
def verify(request):
    """Anyone can check a code: valid (name, run, date), revoked (with the date) or unknown."""
    code = request.GET.get("code", "").strip()[:40]
    certificate = certificate_find(code) if code else None
    if not code:
        result = None
    elif certificate is None:
        result = "unknown"
    elif certificate.is_revoked:
        result = "revoked"
    else:
        result = "valid"
    return render(
        request,
        "trainings/verify.html",
        {"code": code, "certificate": certificate, "result": result},
    )
