"""Newsletter campaigns: compose, test, schedule, cancel, start and send.

A campaign goes DRAFT → SCHEDULED → SENDING → SENT (or CANCELLED before sending starts). Starting it
creates one Delivery row per recipient (unique per campaign and subscriber). Senders claim PENDING rows
with SELECT ... FOR UPDATE SKIP LOCKED, mark them SENDING in one update, send them over one SMTP
connection and mark each row SENT right after the server accepted it. That per-message write is what
keeps the promise of the issue: a worker killed mid-batch leaves at most the one message it was sending
without a SENT mark; its row goes back to PENDING after STALE_AFTER and is sent again with the same
Message-ID. (Marking the whole batch SENT at its end would resend the whole batch after a kill.)
"""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorwijs import mail

from .. import newsletter_mail
from ..enums import DeliveryStatus, NewsletterStatus, SubscriberStatus, TargetGroup
from ..models import Delivery, Newsletter, Subscriber

logger = logging.getLogger(__name__)

# A row left SENDING this long is handed back (its worker died). A batch stops claiming new sends
# after BATCH_TIME_LIMIT, so a live sender never holds rows this long (plus one EMAIL_TIMEOUT).
STALE_AFTER = timedelta(minutes=2)
BATCH_TIME_LIMIT = 60  # seconds
MAX_ATTEMPTS = 5
# Batch tasks queued per sending campaign by the periodic task: parallel SMTP connections.
PARALLEL_SENDERS = 4
INSERT_CHUNK = 5000

NOT_A_DRAFT = _("Only a draft can be changed.")
LISTS_REQUIRED = _("Choose at least one list.")
IN_THE_PAST = _("Choose a moment in the future, or send now.")
ALREADY_STARTED = _("Sending has started; it can no longer be cancelled.")
NEWSLETTER_FIELDS = ("subject", "body", "lists", "target_groups", "regions")


# Compose ----------------------------------------------------------------------------------------


@transaction.atomic
def newsletter_save(*, newsletter: Newsletter, data: dict, created_by=None) -> Newsletter:
    """Set `data` (keys from NEWSLETTER_FIELDS; lists and regions as iterables of objects) on a new or
    draft newsletter and save it. Refuses a newsletter that is no longer a draft, an empty subject or
    body, no list, an unknown target group (ValidationError by field, nothing saved).
    Side effects: one Newsletter row inserted or updated, its lists and regions replaced."""
    if newsletter.pk:
        newsletter = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
        if newsletter.status != NewsletterStatus.DRAFT:
            raise ValidationError(NOT_A_DRAFT, code="not_a_draft")
    elif created_by is not None:
        newsletter.created_by = created_by
    for field in data:
        if field not in NEWSLETTER_FIELDS:
            raise ValueError(f"not a newsletter field: {field}")
    newsletter.subject = " ".join(str(data.get("subject", newsletter.subject)).split())
    newsletter.body = str(data.get("body", newsletter.body)).strip()
    newsletter.target_groups = sorted(set(data.get("target_groups") or []))
    lists = list(data.get("lists") or [])
    regions = list(data.get("regions") or [])
    errors: dict[str, list] = {}
    try:
        newsletter.full_clean(exclude=["created_by"] if newsletter.created_by_id is None else [])
    except ValidationError as error:
        errors.update(error.error_dict)
    if not lists:
        errors["lists"] = [ValidationError(LISTS_REQUIRED, code="lists_required")]
    unknown = set(newsletter.target_groups) - set(TargetGroup.values)
    if unknown:
        errors["target_groups"] = [ValidationError(_("Unknown target group."), code="unknown_target_group")]
    if errors:
        raise ValidationError(errors)
    newsletter.save()
    newsletter.lists.set(lists)
    newsletter.regions.set(regions)
    return newsletter


def newsletter_test_send(*, newsletter: Newsletter, user) -> None:
    """Mail the campaign as it stands to `user`'s own address, marked [TEST]: no Delivery row, no
    unsubscribe headers. Side effects: a task queued on commit (dissemination.send_newsletter_test)."""
    from ..tasks import send_newsletter_test

    transaction.on_commit(lambda: send_newsletter_test.delay(newsletter_id=newsletter.pk, user_id=user.pk), robust=True)


def newsletter_test_mail_send(*, newsletter_id: int, user_id: int) -> bool:
    """Send the test mail now (the task's work). False when the newsletter or user is gone."""
    newsletter = Newsletter.objects.filter(pk=newsletter_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if newsletter is None or user is None:
        return False
    rendered = newsletter_mail.render_campaign(subject=newsletter.subject, body=newsletter.body)
    newsletter_mail.build_test_message(rendered=rendered, to=user.email, name=user.first_name).send()
    return True


# Schedule and cancel ------------------------------------------------------------------------------


@transaction.atomic
def newsletter_schedule(*, newsletter: Newsletter, at=None) -> Newsletter:
    """Schedule a draft for `at` (an aware datetime in the future) or, when None, now. Refuses anything
    but a draft, a draft without a list, a moment in the past. Side effects: status SCHEDULED and
    scheduled_at set; when due now, dissemination.start_due_newsletters is queued on commit so it
    goes within seconds (else the periodic task starts it)."""
    newsletter = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
    now = timezone.now()
    if newsletter.status != NewsletterStatus.DRAFT:
        raise ValidationError(NOT_A_DRAFT, code="not_a_draft")
    if not newsletter.lists.exists():
        raise ValidationError({"lists": LISTS_REQUIRED}, code="lists_required")
    if at is not None and at <= now:
        raise ValidationError({"scheduled_at": IN_THE_PAST}, code="in_the_past")
    Newsletter.objects.filter(pk=newsletter.pk).update(status=NewsletterStatus.SCHEDULED, scheduled_at=at or now)
    newsletter.refresh_from_db()
    if at is None:
        from ..tasks import start_due_newsletters

        transaction.on_commit(start_due_newsletters.delay, robust=True)
    return newsletter


@transaction.atomic
def newsletter_cancel(*, newsletter: Newsletter) -> Newsletter:
    """Cancel a draft or scheduled campaign. Refuses one whose sending has started (the row lock
    waits for a start that is running at this moment). Side effects: status CANCELLED."""
    newsletter = Newsletter.objects.select_for_update().get(pk=newsletter.pk)
    if newsletter.status not in (NewsletterStatus.DRAFT, NewsletterStatus.SCHEDULED):
        raise ValidationError(ALREADY_STARTED, code="already_started")
    newsletter.status = NewsletterStatus.CANCELLED
    newsletter.save(update_fields=["status"])
    return newsletter


# Start --------------------------------------------------------------------------------------------


def audience(newsletter: Newsletter):
    """Confirmed subscribers on any of the campaign's lists, narrowed by its target groups and
    regions when it has them. A queryset of Subscriber (distinct)."""
    subscribers = Subscriber.objects.filter(status=SubscriberStatus.CONFIRMED, lists__in=newsletter.lists.values("pk"))
    if newsletter.target_groups:
        subscribers = subscribers.filter(target_group__in=newsletter.target_groups)
    regions = list(newsletter.regions.all())  # the prefetched ones on a page
    if regions:
        subscribers = subscribers.filter(region__in=regions)
    return subscribers.distinct()


@transaction.atomic
def newsletter_start(*, newsletter_id: int) -> bool:
    """Start a SCHEDULED campaign that is due. Returns True when this call started it.

    Side effects: status SENDING and started_at; one PENDING Delivery per subscriber in the audience,
    inserted in bulk with ignore_conflicts (the unique constraint: a second call creates nothing). A
    campaign that is not scheduled, not yet due, or already started is left as it is."""
    newsletter = Newsletter.objects.select_for_update().filter(pk=newsletter_id).first()
    now = timezone.now()
    if newsletter is None or newsletter.status != NewsletterStatus.SCHEDULED or (newsletter.scheduled_at or now) > now:
        return False
    subscriber_ids = audience(newsletter).order_by().values_list("pk", flat=True)
    chunk = []
    for subscriber_id in subscriber_ids.iterator(chunk_size=INSERT_CHUNK):
        chunk.append(Delivery(newsletter_id=newsletter.pk, subscriber_id=subscriber_id))
        if len(chunk) >= INSERT_CHUNK:
            Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
            chunk = []
    if chunk:
        Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
    Newsletter.objects.filter(pk=newsletter.pk).update(status=NewsletterStatus.SENDING, started_at=now)
    return True


def deliveries_hand_back_stale(*, newsletter_id: int | None = None) -> int:
    """Rows a dead worker left SENDING longer than STALE_AFTER go back to PENDING (FAILED after
    MAX_ATTEMPTS claims: such a row keeps killing its worker). Returns how many went back."""
    stale = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=timezone.now() - STALE_AFTER)
    if newsletter_id is not None:
        stale = stale.filter(newsletter_id=newsletter_id)
    stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=DeliveryStatus.FAILED, last_error="the worker stopped while sending, too often"
    )
    return stale.update(status=DeliveryStatus.PENDING)


def newsletters_start_due() -> list[int]:
    """The periodic job: start every due campaign, hand back stale rows, and return the ids of the
    SENDING campaigns that have rows to send (the caller queues batch tasks for them)."""
    due = Newsletter.objects.filter(status=NewsletterStatus.SCHEDULED, scheduled_at__lte=timezone.now())
    for newsletter_id in list(due.values_list("pk", flat=True)):
        newsletter_start(newsletter_id=newsletter_id)
    deliveries_hand_back_stale()
    sending = Newsletter.objects.filter(status=NewsletterStatus.SENDING)
    with_work = set(
        Delivery.objects.filter(newsletter__in=sending, status=DeliveryStatus.PENDING)
        .values_list("newsletter_id", flat=True)
        .distinct()
    )
    for newsletter_id in sending.values_list("pk", flat=True):
        if newsletter_id not in with_work:
            newsletter_finish_if_done(newsletter_id=newsletter_id)
    return sorted(with_work)


def newsletter_finish_if_done(*, newsletter_id: int) -> bool:
    """Mark a SENDING campaign SENT when none of its rows is PENDING or SENDING."""
    open_rows = Delivery.objects.filter(
        newsletter_id=newsletter_id, status__in=(DeliveryStatus.PENDING, DeliveryStatus.SENDING)
    )
    if open_rows.exists():
        return False
    return bool(
        Newsletter.objects.filter(pk=newsletter_id, status=NewsletterStatus.SENDING).update(
            status=NewsletterStatus.SENT, finished_at=timezone.now()
        )
    )


# Send ---------------------------------------------------------------------------------------------


@dataclass
class BatchResult:
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retry_later: bool = False  # a temporary error stopped the batch: try again on the next tick


def _claim(*, newsletter_id: int, limit: int) -> list[int]:
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(newsletter_id=newsletter_id, status=DeliveryStatus.PENDING)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                status=DeliveryStatus.SENDING, claimed_at=timezone.now(), attempts=F("attempts") + 1
            )
    return ids


def _skip_departed(newsletter: Newsletter, deliveries: list[Delivery]) -> list[Delivery]:
    """Mark SKIPPED the rows whose subscriber unsubscribed, bounced or left the campaign's lists
    since the start; return the others."""
    still_on_lists = set(
        Subscriber.lists.through.objects.filter(
            subscriber_id__in=[delivery.subscriber_id for delivery in deliveries],
            mailinglist_id__in=newsletter.lists.values("pk"),
        ).values_list("subscriber_id", flat=True)
    )
    keep, skip = [], []
    for delivery in deliveries:
        subscribed = delivery.subscriber.status == SubscriberStatus.CONFIRMED
        (keep if subscribed and delivery.subscriber_id in still_on_lists else skip).append(delivery)
    if skip:
        Delivery.objects.filter(pk__in=[delivery.pk for delivery in skip]).update(status=DeliveryStatus.SKIPPED)
    return keep


def deliveries_send_batch(*, newsletter_id: int, limit: int | None = None) -> BatchResult:
    """Claim up to `limit` (default NEWSLETTER_BATCH_SIZE) PENDING rows of a SENDING campaign and
    send them over one SMTP connection. Safe to run twice and side by side: SKIP LOCKED hands every
    row to one sender only.

    Side effects: claimed rows SENDING (one update, attempts + 1); each accepted message → SENT with
    sent_at and Message-ID (one update per message, so a crash leaves at most the message in flight
    unmarked); a refused one → FAILED with the error; a temporary error puts the row back to PENDING
    (FAILED after MAX_ATTEMPTS) and the rest of the batch too, and stops the batch; departed subscribers
    → SKIPPED; stale rows of the campaign handed back first; the campaign → SENT when nothing is left."""
    result = BatchResult()
    newsletter = Newsletter.objects.filter(pk=newsletter_id, status=NewsletterStatus.SENDING).first()
    if newsletter is None:
        return result
    deliveries_hand_back_stale(newsletter_id=newsletter_id)
    ids = _claim(newsletter_id=newsletter_id, limit=limit or settings.NEWSLETTER_BATCH_SIZE)
    result.claimed = len(ids)
    if not ids:
        newsletter_finish_if_done(newsletter_id=newsletter_id)
        return result
    started = time.monotonic()
    deliveries = list(Delivery.objects.filter(pk__in=ids).select_related("subscriber").order_by("pk"))
    keep = _skip_departed(newsletter, deliveries)
    result.skipped = len(deliveries) - len(keep)
    rendered = newsletter_mail.render_campaign(subject=newsletter.subject, body=newsletter.body)
    connection = get_connection()
    unsent = [delivery.pk for delivery in keep]
    try:
        if keep:
            try:
                connection.open()  # one connection for the whole batch (send() alone opens one per message)
            except Exception as error:
                if not mail.is_temporary(error):
                    raise
                logger.warning("newsletter %s: no mail connection: %s", newsletter.pk, error)
                result.retry_later = True
                keep = []
        for delivery in keep:
            if time.monotonic() - started > BATCH_TIME_LIMIT:
                break  # the rest goes back below, before anyone could think these rows stale
            message = newsletter_mail.build_message(
                rendered=rendered, newsletter_id=newsletter.pk, subscriber=delivery.subscriber, connection=connection
            )
            try:
                message.send()
            except Exception as error:
                unsent.remove(delivery.pk)
                if mail.is_temporary(error):
                    status = DeliveryStatus.FAILED if delivery.attempts >= MAX_ATTEMPTS else DeliveryStatus.PENDING
                    Delivery.objects.filter(pk=delivery.pk).update(status=status, last_error=str(error)[:1000])
                    result.failed += status == DeliveryStatus.FAILED
                    result.retry_later = True
                    logger.warning("newsletter %s delivery %s not sent: %s", newsletter.pk, delivery.pk, error)
                    break
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=DeliveryStatus.FAILED, last_error=f"{type(error).__name__}: {error}"[:1000]
                )
                result.failed += 1
                logger.warning("newsletter %s delivery %s refused: %s", newsletter.pk, delivery.pk, error)
                continue
            unsent.remove(delivery.pk)
            Delivery.objects.filter(pk=delivery.pk).update(
                status=DeliveryStatus.SENT, sent_at=timezone.now(), message_id=message.extra_headers["Message-ID"]
            )
            result.sent += 1
    finally:
        connection.close()
        if unsent:  # never attempted: back as they were
            Delivery.objects.filter(pk__in=unsent, status=DeliveryStatus.SENDING).update(
                status=DeliveryStatus.PENDING, attempts=F("attempts") - 1
            )
    newsletter_finish_if_done(newsletter_id=newsletter_id)
    return result


def newsletter_send(*, newsletter_id: int, max_batches: int | None = None) -> int:
    """Send batches until none is left (or a temporary error asks to wait). Returns messages sent."""
    sent = batches = 0
    while max_batches is None or batches < max_batches:
        result = deliveries_send_batch(newsletter_id=newsletter_id)
        sent += result.sent
        batches += 1
        if result.claimed == 0 or result.retry_later:
            break
    return sent
