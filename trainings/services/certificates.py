"""Certificates of participation: issue once on completion, revoke with a reason, look up a code.

The PDF itself is rendered on request from the stored fields (trainings/certificates.py)."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..enums import MessageKind, MessageStatus
from ..models import Certificate, Enrolment, ScheduledMessage
from .messages import message_schedule

CODE_CHARACTERS = re.compile(r"[^A-Z0-9]")


def certificate_issue(*, enrolment: Enrolment) -> Certificate:
    """Give a completed enrolment its certificate, once.

    Side effects: creates the Certificate row and schedules one CERTIFICATE mail (sent on commit)
    the first time; a second call returns the existing certificate and sends nothing."""
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().filter(enrolment=enrolment).first()
        if certificate is not None:
            return certificate
        certificate = Certificate.objects.create(enrolment=enrolment)
        message_schedule(kind=MessageKind.CERTIFICATE, enrolment=enrolment)
    return certificate


def certificate_revoke(*, certificate: Certificate, by, reason: str) -> Certificate:
    """Revoke a certificate. Verification then says it was revoked (and when), and the personal
    download answers 404.

    Side effects: sets revoked_at/revoked_by/revocation_reason; cancels a CERTIFICATE mail that has
    not gone out yet. Refuses an empty reason and a certificate that is already revoked."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for revoking the certificate.")})
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.is_revoked:
            raise ValidationError(_("This certificate has already been revoked."))
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = by
        certificate.revocation_reason = reason
        certificate.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        ScheduledMessage.objects.filter(
            kind=MessageKind.CERTIFICATE, enrolment_id=certificate.enrolment_id, status=MessageStatus.PENDING
        ).update(status=MessageStatus.CANCELLED)
    return certificate


def certificates_forget_reasons(*, enrolment_ids) -> int:
    """Empty the revocation reasons of these enrolments' certificates (free text about the person,
    cleared when they are erased); that and when a certificate was revoked stays. Returns the rows
    changed."""
    return (
        Certificate.objects.filter(enrolment_id__in=list(enrolment_ids))
        .exclude(revocation_reason="")
        .update(revocation_reason="")
    )


def certificate_code_normalise(code: str) -> str:
    """What someone typed into the stored form: upper case, grouped as XXXX-XXXX-XXXX.
    Spaces, dashes and other separators are ignored; anything not twelve characters is returned
    as typed (upper case, without separators) and will simply not be found."""
    raw = CODE_CHARACTERS.sub("", (code or "").upper())
    if len(raw) != 12:
        return raw
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def certificate_find(code: str) -> Certificate | None:
    """The certificate with this code (any case, with or without dashes), or None."""
    normalised = certificate_code_normalise(code)
    if len(normalised) != 14:
        return None
    return (
        Certificate.objects.select_related("enrolment__person", "enrolment__training__region")
        .filter(code=normalised)
        .first()
    )
