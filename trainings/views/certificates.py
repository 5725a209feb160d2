"""Certificates of participation: the participant's PDF, staff PDF and revocation, and the public
verification page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_GET, require_http_methods
from rules.contrib.views import PermissionRequiredMixin

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


class StaffCertificateView(PermissionRequiredMixin, View):
    permission_required = "trainings.manage_trainings"


@method_decorator(require_GET, name="dispatch")
class CertificatePdfView(StaffCertificateView):
    def get(self, request, pk):
        return pdf_response(get_object_or_404(CERTIFICATES, pk=pk))


@method_decorator(require_http_methods(["GET", "POST"]), name="dispatch")
class CertificateRevokeView(StaffCertificateView):
    template_name = "trainings/certificate_revoke.html"

    def get(self, request, pk):
        return self.show(get_object_or_404(CERTIFICATES, pk=pk), CertificateRevokeForm())

    def post(self, request, pk):
        certificate = get_object_or_404(CERTIFICATES, pk=pk)
        form = CertificateRevokeForm(request.POST)
        if form.is_valid():
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
        return self.show(certificate, form, status=400)

    def show(self, certificate, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"certificate": certificate, "enrolment": certificate.enrolment, "form": form},
            status=status,
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
