"""Mail to the holder of a certification as CertificationNotice rows.

Each review step stores a notice due at once (and queues its sending on commit); an approval
stores the two expiry warnings, due months ahead. The periodic task `ambassadors.send_due_notices`
claims due rows with SELECT ... FOR UPDATE SKIP LOCKED and sends them, as trainings' reminders do:
a worker that dies mid-send leaves a row that is handed out again after STALE_AFTER, so at most
that one mail goes out twice, with the same Message-ID.
"""

import logging
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mentorwijs import mail
from trainings.enums import MessageStatus
from trainings.services.messages import MAX_ATTEMPTS, STALE_AFTER, mail_row_send_again

from ..enums import CertificationStatus, NoticeKind
from ..models import Certification, CertificationNotice

logger = logging.getLogger(__name__)

WARNING_KINDS = {6: NoticeKind.EXPIRES_IN_SIX_MONTHS, 1: NoticeKind.EXPIRES_IN_ONE_MONTH}


def notice_schedule(
    *, certification: Certification, kind: str, due_at=None, context=None
) -> CertificationNotice | None:
    """Store one mail for the holder; None when a once-only mail of this kind already exists."""
    now = timezone.now()
    try:
        with transaction.atomic():
            notice = CertificationNotice.objects.create(
                certification=certification, kind=kind, due_at=due_at or now, context=context or {}
            )
    except IntegrityError:
        return None  # ONCE_PER_CERTIFICATION: already stored (a task ran twice)
    if notice.due_at <= now:
        from ..tasks import send_notice

        transaction.on_commit(lambda: send_notice.delay(notice_id=notice.pk), robust=True)
    return notice


def _morning(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(8, 0)))


def warnings_schedule(*, certification: Certification, today=None) -> None:
    """The expiry warnings of an approved certification, each due at 08:00 on its day.

    A warning whose day has passed (a certification approved late, or with a short period) is
    skipped, with one exception: when less than a month but more than zero days remain, the last
    warning (one month) is due at once and the earlier ones are skipped, so the holder never gets
    two mails that contradict each other. A certification that has already lapsed gets none."""
    today = today or timezone.localdate()
    if certification.valid_until is None or certification.valid_until <= today:
        return
    last = min(settings.CERTIFICATION_WARNING_MONTHS)
    for months in settings.CERTIFICATION_WARNING_MONTHS:
        day = certification.valid_until - relativedelta(months=months)
        if day >= today:
            due_at = max(_morning(day), timezone.now())
        elif months == last:
            due_at = timezone.now()  # less than a month to go: warn now
        else:
            continue  # its day has passed: a later warning covers it
        notice_schedule(certification=certification, kind=WARNING_KINDS[months], due_at=due_at)


def notices_cancel(*, certification: Certification) -> None:
    """A revoked or renewed certification warns nobody any more."""
    certification.notices.filter(status=MessageStatus.PENDING).update(status=MessageStatus.CANCELLED)


def _still_relevant(notice: CertificationNotice) -> bool:
    if notice.kind in WARNING_KINDS.values():
        certification = notice.certification
        renewed = certification.renewals.filter(status=CertificationStatus.APPROVED).exists()
        return certification.status == CertificationStatus.APPROVED and not renewed
    return True


def build_email(notice: CertificationNotice):
    certification = notice.certification
    holder = certification.holder
    context = {
        "name": holder.first_name or holder,
        "certification": certification,
        "notice": notice,
        "certification_url": settings.SITE_URL
        + reverse("ambassadors:certification_detail", kwargs={"pk": certification.pk}),
        **notice.context,
    }
    email = mail.build_message(
        template=f"ambassadors/notice_{notice.kind}", to=holder.email, context=context, language=holder.language
    )
    email.extra_headers["Message-ID"] = f"<ambassadors-notice-{notice.pk}@mentorwijs.nl>"
    return email


def notice_claim(*, notice_id: int) -> CertificationNotice | None:
    now = timezone.now()
    with transaction.atomic():
        notice = (
            CertificationNotice.objects.select_for_update(skip_locked=True)
            .filter(pk=notice_id, due_at__lte=now, status=MessageStatus.PENDING)
            .first()
        )
        if notice is None:
            return None
        notice.status = MessageStatus.SENDING
        notice.claimed_at = now
        notice.attempts += 1
        notice.save(update_fields=["status", "claimed_at", "attempts"])
    return notice


def notice_send(*, notice_id: int) -> bool:
    """Claim and send one notice. Returns True when a mail left."""
    if notice_claim(notice_id=notice_id) is None:
        return False
    notice = CertificationNotice.objects.select_related("certification__holder").get(pk=notice_id)
    rows = CertificationNotice.objects.filter(pk=notice.pk)
    if not _still_relevant(notice):
        rows.update(status=MessageStatus.CANCELLED)
        return False
    try:
        email = build_email(notice)
        email.send()
    except Exception as error:
        if mail.is_temporary(error) and notice.attempts < MAX_ATTEMPTS:
            rows.update(
                status=MessageStatus.PENDING,
                due_at=timezone.now() + timedelta(minutes=5 * notice.attempts),
                last_error=str(error)[:1000],
            )
            logger.warning("certification notice %s not sent: %s", notice.pk, error)
        else:
            rows.update(status=MessageStatus.FAILED, last_error=f"{type(error).__name__}: {error}"[:1000])
            logger.exception("certification notice %s failed", notice.pk)
        return False
    rows.update(status=MessageStatus.SENT, sent_at=timezone.now(), message_id=email.extra_headers["Message-ID"])
    return True


def notices_send_due(*, limit: int = 500) -> int:
    """Hand back rows a dead worker left in SENDING, then send what is due."""
    now = timezone.now()
    stale = CertificationNotice.objects.filter(status=MessageStatus.SENDING, claimed_at__lt=now - STALE_AFTER)
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=MessageStatus.FAILED, last_error="the worker stopped while sending, too often"
    )
    stale.update(status=MessageStatus.PENDING)
    due = CertificationNotice.objects.filter(status=MessageStatus.PENDING, due_at__lte=now)
    return sum(notice_send(notice_id=pk) for pk in list(due.values_list("pk", flat=True)[:limit]))


def notice_send_again(*, pk: int) -> bool:
    """A failed certification notice sent again (trainings' mail_row_send_again)."""
    from ..tasks import send_notice

    return mail_row_send_again(CertificationNotice, pk=pk, queue=lambda: send_notice.delay(notice_id=pk))


def register_failed_mail() -> None:
    """Show failed notices on dissemination's page of mail events, with "send again"."""
    from django.db.models import F

    from dissemination.queries.newsletters_mail_events import MailSource, failed_service_mail, register_mail_source

    register_mail_source(
        MailSource(
            key="ambassadors.notice",
            failed=lambda: failed_service_mail(
                CertificationNotice.objects.filter(status=MessageStatus.FAILED),
                source="ambassadors.notice",
                email=F("certification__holder__email"),
            ),
            retry=notice_send_again,
            labels=dict(NoticeKind.choices),
        )
    )
