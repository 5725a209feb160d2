"""Mail to the holder of a certification as CertificationNotice rows.

Each review step stores a notice due at once (and queues its sending on commit); an approval
stores the two expiry warnings, due months ahead. The periodic task `ambassadors.send_due_notices`
sends what is due through NOTICES, this app's outbox (mentorwijs.outbox.sender: claim, send outside
the row lock, back off, sweep, a Message-ID per row), as trainings' reminders go.
"""

from datetime import datetime, time

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mentorwijs import mail
from mentorwijs.outbox.enums import MessageStatus
from mentorwijs.outbox.sender import Outbox

from ..enums import CertificationStatus, NoticeKind
from ..models import Certification, CertificationNotice

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
    NOTICES.queue_if_due(notice)
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


def _build(notice: CertificationNotice):
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
    return mail.build_message(
        template=f"ambassadors/notice_{notice.kind}", to=holder.email, context=context, language=holder.language
    )


def build_email(notice: CertificationNotice):
    """The mail of one notice, with its fixed Message-ID."""
    return NOTICES.email(notice)


def _queue(pk: int) -> None:
    from ..tasks import send_notice

    send_notice.delay(notice_id=pk)


NOTICES = Outbox(
    model=CertificationNotice,
    name="certification notice",
    message_id_prefix="ambassadors-notice",
    build=_build,
    queue=_queue,
    related=("certification__holder",),
    still_relevant=_still_relevant,
)


def notice_claim(*, notice_id: int) -> CertificationNotice | None:
    return NOTICES.claim(notice_id)


def notice_send(*, notice_id: int) -> bool:
    """Claim and send one notice. Returns True when a mail left."""
    return NOTICES.send(notice_id)


def notices_send_due(*, limit: int = 500) -> int:
    """Hand back rows a dead worker left in SENDING, then send what is due (Outbox.send_due)."""
    return NOTICES.send_due(limit=limit)


def notice_send_again(*, pk: int) -> bool:
    """A failed certification notice sent again (Outbox.send_again)."""
    return NOTICES.send_again(pk)


def register_failed_mail() -> None:
    """Show failed notices on dissemination's page of mail events, with "send again"."""
    from django.db.models import F

    from dissemination.queries.newsletters_mail_events import register_outbox

    register_outbox(
        NOTICES, key="ambassadors.notice", email=F("certification__holder__email"), labels=dict(NoticeKind.choices)
    )
