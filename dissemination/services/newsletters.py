"""Newsletter campaigns: compose, test, schedule, cancel, start and send.

A campaign goes DRAFT → SCHEDULED → SENDING → SENT (or CANCELLED before sending starts). Starting it
creates one Delivery row per recipient (unique per campaign and subscriber). Senders claim PENDING rows
with SELECT ... FOR UPDATE SKIP LOCKED, mark them SENDING in one update, send them over one SMTP
connection and mark each row SENT right after the server accepted it. That per-message write is what
keeps the promise of the issue: a worker killed mid-batch leaves at most the one message it was sending
without a SENT mark; its row goes back to PENDING after STALE_AFTER and is sent again with the same
Message-ID. (Marking the whole batch SENT at its end would resend the whole batch after a kill.)

Every claim stamps its rows with a fresh token, and every later write of the batch (sent, failed,
skipped, reset) is filtered by that token and status SENDING: a sender that was too slow and whose
rows were handed back and claimed by another never marks or resets the other's rows, and stops.

The periodic task keeps at most PARALLEL_SENDERS senders per campaign: each holds a lease (a cache
key per slot, taken with cache.add, renewed after each batch, expiring after LEASE_TTL when its
worker died) and sends at most BATCHES_PER_SENDER batches, so the shared queue keeps room for
service mail and the next tick takes over.
"""

import logging
import re
import smtplib
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPEmailBackend
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorwijs import mail

from .. import newsletter_mail
from ..enums import DeliveryStatus, NewsletterStatus, SubscriberStatus, TargetGroup
from ..models import Delivery, Newsletter, Subscriber

logger = logging.getLogger(__name__)

# A batch starts no new send after BATCH_TIME_LIMIT; a live batch then still needs the connection's
# open (connect, EHLO, STARTTLS, AUTH) and the message in flight (MAIL, RCPT, DATA, end of data), each
# step up to EMAIL_TIMEOUT (30 s): about 60 + 8 × 30 = 300 s at worst. A row left SENDING for
# STALE_AFTER is therefore one whose worker died, and is handed back.
BATCH_TIME_LIMIT = 60  # seconds
STALE_AFTER = timedelta(seconds=settings.NEWSLETTER_STALE_SECONDS)  # default 600 s
MAX_ATTEMPTS = 5
# A row that one recipient's server refused for now (4xx, e.g. greylisting) is claimed again after this.
RETRY_AFTER = timedelta(minutes=5)
# Senders (batch tasks) per sending campaign at most: parallel SMTP connections.
PARALLEL_SENDERS = 4
BATCHES_PER_SENDER = 10
# A sender's lease outlives one batch at worst; it is renewed after each batch.
LEASE_TTL = int(STALE_AFTER.total_seconds())
INSERT_CHUNK = 5000

NOT_A_DRAFT = _("Only a draft can be changed.")
LISTS_REQUIRED = _("Choose at least one list.")
LIST_ARCHIVED = _("An archived list cannot be chosen for a newsletter; restore it first.")
IN_THE_PAST = _("Choose a moment in the future, or send now.")
ALREADY_STARTED = _("Sending has started; it can no longer be cancelled.")
NEWSLETTER_FIELDS = ("subject", "body", "subject_en", "body_en", "lists", "target_groups", "regions")
ENGLISH_INCOMPLETE = _("The English version needs both a subject and a text, or neither.")
# The mail adds the greeting and the sign-off (newsletter_mail.fixed_parts): a text with its own would
# reach its readers with two of each.
OWN_GREETING = re.compile(
    r"^(hallo|hoi|beste|geachte|lieve|dag|goedemorgen|goedemiddag|hello|hi|dear)\b[^\n]{0,40},?\s*$", re.IGNORECASE
)
OWN_SIGN_OFF = re.compile(
    r"((met )?(vriendelijke|hartelijke|warme|zonnige) groet(en)?|groet(en|jes)|(with )?(kind|best|warm) regards|"
    r"(yours )?sincerely|best wishes)[,.!]?",
    re.IGNORECASE,
)
OWN_GREETING_ERROR = _(
    "The mail opens with “Hello {first name},” by itself: remove “%(line)s” at the start of the text."
)
OWN_SIGN_OFF_ERROR = _(
    "The mail closes with “Kind regards, Mentorwijs · Werkzaak Rivierenland” by itself: remove “%(line)s”."
)


def own_greeting_errors(body: str) -> list[ValidationError]:
    """A greeting as the text's first line or a sign-off among its last three lines: the mail adds
    both, so they would be there twice."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    bare = [re.sub(r"[*_#>]", "", line).strip() for line in lines]  # without the Markdown around the words
    errors = []
    if lines and OWN_GREETING.match(bare[0]):
        errors.append(ValidationError(OWN_GREETING_ERROR, code="own_greeting", params={"line": lines[0][:60]}))
    for line, words in list(zip(lines, bare, strict=True))[-3:]:
        if OWN_SIGN_OFF.fullmatch(words):
            errors.append(ValidationError(OWN_SIGN_OFF_ERROR, code="own_sign_off", params={"line": line[:60]}))
            break
    return errors


# Compose ----------------------------------------------------------------------------------------


@transaction.atomic
def newsletter_save(*, newsletter: Newsletter, data: dict, created_by=None) -> Newsletter:
    """Set `data` (keys from NEWSLETTER_FIELDS; lists and regions as iterables of objects) on a new or
    draft newsletter and save it. Refuses a newsletter that is no longer a draft, an empty subject or
    body, an English version with only a subject or only a text, a text with a greeting or sign-off of
    its own (the mail adds those), no list, an archived list it did not have yet, an unknown target
    group (ValidationError by field, nothing saved).
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
    newsletter.subject_en = " ".join(str(data.get("subject_en", newsletter.subject_en)).split())
    newsletter.body_en = str(data.get("body_en", newsletter.body_en)).strip()
    newsletter.target_groups = sorted(set(data.get("target_groups") or []))
    lists = list(data.get("lists") or [])
    regions = list(data.get("regions") or [])
    errors: dict[str, list] = {}
    try:
        newsletter.full_clean(exclude=["created_by"] if newsletter.created_by_id is None else [])
    except ValidationError as error:
        errors.update(error.error_dict)
    for field in ("body", "body_en"):
        if own := own_greeting_errors(getattr(newsletter, field)):
            errors.setdefault(field, []).extend(own)
    if bool(newsletter.subject_en) != bool(newsletter.body_en):
        missing = "body_en" if newsletter.subject_en else "subject_en"
        errors.setdefault(missing, []).append(ValidationError(ENGLISH_INCOMPLETE, code="english_incomplete"))
    if not lists:
        errors["lists"] = [ValidationError(LISTS_REQUIRED, code="lists_required")]
    had = set(newsletter.lists.values_list("pk", flat=True)) if newsletter.pk else set()
    if any(item.archived_at is not None and item.pk not in had for item in lists):
        errors["lists"] = [ValidationError(LIST_ARCHIVED, code="list_archived")]
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
    """Mail the campaign as it stands to `user`'s own address, marked [TEST], once per version it has
    (Dutch, and English when written): no Delivery row, no unsubscribe headers. Side effects: a task
    queued on commit (dissemination.send_newsletter_test)."""
    from ..tasks import send_newsletter_test

    transaction.on_commit(lambda: send_newsletter_test.delay(newsletter_id=newsletter.pk, user_id=user.pk), robust=True)


def tester_subscription(user) -> Subscriber | None:
    """The staff member's own subscription (their address), whose personal links a test mail carries."""
    return Subscriber.objects.alias(email_lower=Lower("email")).filter(email_lower=user.email.strip().lower()).first()


def newsletter_test_mail_send(*, newsletter_id: int, user_id: int) -> bool:
    """Send the test mails now (the task's work): one per version, greeting the user by first name; the
    personal links are those of the user's own subscription when their address has one, else links to
    a page that says what they do. False when the newsletter or user is gone."""
    newsletter = Newsletter.objects.filter(pk=newsletter_id).first()
    user = get_user_model().objects.filter(pk=user_id).first()
    if newsletter is None or user is None:
        return False
    subscriber = tester_subscription(user)
    for rendered in newsletter_mail.campaign_versions(newsletter).values():
        newsletter_mail.build_test_message(
            rendered=rendered, to=user.email, name=user.first_name, subscriber=subscriber
        ).send()
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
    if not newsletter.is_cancellable:
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
        status=DeliveryStatus.FAILED, claim=None, last_error="the worker stopped while sending, too often"
    )
    return stale.update(status=DeliveryStatus.PENDING, claim=None)


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
    deferred: int = 0  # rows one recipient's server refused for now (4xx): back to PENDING, batch went on
    retry_later: bool = False  # a temporary error stopped the batch: try again on the next tick
    lost_claim: bool = False  # our rows were handed to another sender: this batch stopped


def _claim(*, newsletter_id: int, limit: int) -> tuple[uuid.UUID, list[int]]:
    """Claim up to `limit` PENDING rows (not those deferred less than RETRY_AFTER ago) under a new token."""
    token = uuid.uuid4()
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(newsletter_id=newsletter_id, status=DeliveryStatus.PENDING)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - RETRY_AFTER))
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Delivery.objects.filter(pk__in=ids).update(
                status=DeliveryStatus.SENDING, claim=token, claimed_at=now, attempts=F("attempts") + 1
            )
    return token, ids


def _ours(token: uuid.UUID, ids):
    """The rows among `ids` this batch still holds: claimed with `token` and still SENDING."""
    return Delivery.objects.filter(pk__in=ids, claim=token, status=DeliveryStatus.SENDING)


def _skip_departed(newsletter: Newsletter, deliveries: list[Delivery], token: uuid.UUID) -> list[Delivery]:
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
        _ours(token, [delivery.pk for delivery in skip]).update(status=DeliveryStatus.SKIPPED)
    return keep


def _only_this_recipient_deferred(error: Exception) -> bool:
    """A temporary refusal of this message's recipient only (4xx to RCPT, e.g. greylisting or a full
    mailbox): smtplib reset the transaction and the connection serves the next message. A 421 is the
    server closing the connection: that stops the batch."""
    if not isinstance(error, smtplib.SMTPRecipientsRefused):
        return False
    codes = [code for code, _reply in error.recipients.values()]
    return bool(codes) and all(400 <= code < 500 and code != 421 for code in codes)


class _SentMarker:
    """Marks one row SENT, when it is still SENDING under the batch's claim token, with one fixed UPDATE:
    building the ORM's update per message cost more than the database's work (bench/newsletter)."""

    def __init__(self, token: uuid.UUID):
        field = Delivery._meta.get_field
        self.sql = (
            f"UPDATE {Delivery._meta.db_table} SET {field('status').column} = %s, {field('sent_at').column} = %s, "
            f"{field('message_id').column} = %s WHERE {field('id').column} = %s AND {field('claim').column} = %s "
            f"AND {field('status').column} = %s"
        )
        self.sent_at = field("sent_at")
        self.claim = field("claim").get_db_prep_value(token, db_connection)

    def __call__(self, pk: int, message_id: str) -> bool:
        sent_at = self.sent_at.get_db_prep_value(timezone.now(), db_connection)
        with db_connection.cursor() as cursor:
            cursor.execute(
                self.sql,
                [DeliveryStatus.SENT.value, sent_at, message_id, pk, self.claim, DeliveryStatus.SENDING.value],
            )
            return cursor.rowcount == 1


def _asynchronous_commits(on: bool) -> None:
    """On PostgreSQL, let this connection's commits return before their WAL reaches the disk while a batch
    marks its rows, one commit per message. Without it every message waits for an fsync, the largest cost
    of a send. A crash of the database server (not of a worker) may then lose the last fraction of a
    second of SENT marks, and those few messages would go out again, with the same Message-ID."""
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO OFF" if on else "RESET synchronous_commit")


def deliveries_send_batch(*, newsletter_id: int, limit: int | None = None) -> BatchResult:
    """Claim up to `limit` (default NEWSLETTER_BATCH_SIZE) PENDING rows of a SENDING campaign and
    send them over one SMTP connection. Safe to run twice and side by side: SKIP LOCKED hands every
    row to one sender only, and the claim token keeps a slow sender off rows handed to another.

    Side effects: claimed rows SENDING with a new claim token (one update, attempts + 1); each accepted
    message → SENT with sent_at and Message-ID (one update per message, so a crash leaves at most the
    message in flight unmarked); a refused one → FAILED with the error; one recipient refused for now
    (4xx) → that row back to PENDING (retried after RETRY_AFTER; FAILED after MAX_ATTEMPTS) and the
    batch goes on; any other temporary error puts the row back likewise, the untried rest as they
    were, and stops the batch; the mail server refusing the connection for good (e.g. 535) counts as
    an attempt for every row (PENDING again, FAILED after MAX_ATTEMPTS); departed subscribers →
    SKIPPED; every write only on rows still SENDING under this batch's token (when one turns out
    handed to another sender, the batch stops); stale rows of the campaign handed back first; the
    campaign → SENT when nothing is left."""
    result = BatchResult()
    newsletter = Newsletter.objects.filter(pk=newsletter_id, status=NewsletterStatus.SENDING).first()
    if newsletter is None:
        return result
    deliveries_hand_back_stale(newsletter_id=newsletter_id)
    token, ids = _claim(newsletter_id=newsletter_id, limit=limit or settings.NEWSLETTER_BATCH_SIZE)
    result.claimed = len(ids)
    if not ids:
        newsletter_finish_if_done(newsletter_id=newsletter_id)
        return result
    started = time.monotonic()
    deliveries = list(Delivery.objects.filter(pk__in=ids).select_related("subscriber").order_by("pk"))
    keep = _skip_departed(newsletter, deliveries, token)
    result.skipped = len(deliveries) - len(keep)
    versions = newsletter_mail.campaign_versions(newsletter)  # rendered once per process (cached)
    connection = get_connection()
    # Plain SMTP: the serialized message built once per campaign, personal parts filled in per recipient
    # (newsletter_mail.build_raw_message). Any other backend (outbox, locmem in tests) gets EmailMessages.
    fast = type(connection) is SMTPEmailBackend
    unsent = [delivery.pk for delivery in keep]
    mark_sent = _SentMarker(token)
    _asynchronous_commits(True)
    try:
        if keep:
            try:
                connection.open()  # one connection for the whole batch (send() alone opens one per message)
            except Exception as error:
                result.retry_later = True
                if mail.is_temporary(error):  # the server is away: nobody's attempt, all back as they were
                    logger.warning("newsletter %s: no mail connection: %s", newsletter.pk, error)
                else:  # e.g. 535 authentication failed: counts as an attempt, so it cannot loop forever
                    logger.error("newsletter %s: the mail server refused the connection: %s", newsletter.pk, error)
                    last_error = f"{type(error).__name__}: {error}"[:1000]
                    worn_out = [delivery.pk for delivery in keep if delivery.attempts >= MAX_ATTEMPTS]
                    result.failed = _ours(token, worn_out).update(status=DeliveryStatus.FAILED, last_error=last_error)
                    _ours(token, unsent).update(status=DeliveryStatus.PENDING, last_error=last_error)
                    unsent = []
                keep = []
        for delivery in keep:
            if time.monotonic() - started > BATCH_TIME_LIMIT:
                break  # the rest goes back below, before anyone could think these rows stale
            rendered = newsletter_mail.version_for(versions, delivery.subscriber.language)
            try:
                # Built inside the try: a message that cannot be built fails on its own (not temporary),
                # instead of sending its whole batch back to PENDING again and again.
                raw = (
                    newsletter_mail.build_raw_message(
                        rendered=rendered, newsletter_id=newsletter.pk, subscriber=delivery.subscriber
                    )
                    if fast
                    else None
                )
                message = (
                    newsletter_mail.build_message(
                        rendered=rendered,
                        newsletter_id=newsletter.pk,
                        subscriber=delivery.subscriber,
                        connection=connection,
                    )
                    if raw is None
                    else None
                )
                sent_id = raw.message_id if raw is not None else message.extra_headers["Message-ID"]
                if raw is not None:  # the batch's SMTP connection, as the backend's send_messages would use it
                    connection.connection.sendmail(raw.from_email, [raw.to], raw.data)
                else:
                    message.send()
            except Exception as error:
                unsent.remove(delivery.pk)
                if mail.is_temporary(error):
                    status = DeliveryStatus.FAILED if delivery.attempts >= MAX_ATTEMPTS else DeliveryStatus.PENDING
                    if not _ours(token, [delivery.pk]).update(status=status, last_error=str(error)[:1000]):
                        result.lost_claim = True
                        break
                    result.failed += status == DeliveryStatus.FAILED
                    logger.warning("newsletter %s delivery %s not sent: %s", newsletter.pk, delivery.pk, error)
                    if _only_this_recipient_deferred(error):
                        result.deferred += status == DeliveryStatus.PENDING
                        continue
                    result.retry_later = True
                    break
                if not _ours(token, [delivery.pk]).update(
                    status=DeliveryStatus.FAILED, last_error=f"{type(error).__name__}: {error}"[:1000]
                ):
                    result.lost_claim = True
                    break
                result.failed += 1
                logger.warning("newsletter %s delivery %s refused: %s", newsletter.pk, delivery.pk, error)
                continue
            unsent.remove(delivery.pk)
            if not mark_sent(delivery.pk, sent_id):
                result.lost_claim = True  # handed to another sender meanwhile: leave the rest to it
                break
            result.sent += 1
    finally:
        connection.close()
        if unsent:  # never attempted: back as they were, at once claimable
            _ours(token, unsent).update(status=DeliveryStatus.PENDING, claimed_at=None, attempts=F("attempts") - 1)
        _asynchronous_commits(False)
    if result.lost_claim:
        logger.warning("newsletter %s: a batch lost its rows to another sender and stopped", newsletter.pk)
    newsletter_finish_if_done(newsletter_id=newsletter_id)
    return result


# Senders ------------------------------------------------------------------------------------------


def _lease_key(newsletter_id: int, slot: int) -> str:
    return f"dissemination:newsletter-sender:{newsletter_id}:{slot}"


def sender_leases_take(*, newsletter_id: int) -> list[tuple[int, str]]:
    """Take the campaign's free sender slots (PARALLEL_SENDERS in all) and return (slot, token) for each
    taken one: the senders to queue. Side effects: one cache key per slot taken (cache.add, so two
    ticks never take the same slot), expiring after LEASE_TTL unless its sender renews it."""
    taken = []
    for slot in range(PARALLEL_SENDERS):
        token = uuid.uuid4().hex
        if cache.add(_lease_key(newsletter_id, slot), token, timeout=LEASE_TTL):
            taken.append((slot, token))
    return taken


def sender_lease_renew(*, newsletter_id: int, slot: int, token: str) -> bool:
    """Whether the sender still holds its slot; if so, its lease runs LEASE_TTL from now."""
    key = _lease_key(newsletter_id, slot)
    if cache.get(key) != token:
        return False
    cache.touch(key, LEASE_TTL)
    return True


def sender_lease_release(*, newsletter_id: int, slot: int, token: str) -> None:
    """Free the slot when the sender still holds it (the next tick may queue a sender for it)."""
    key = _lease_key(newsletter_id, slot)
    if cache.get(key) == token:
        cache.delete(key)


def newsletter_send(
    *, newsletter_id: int, max_batches: int | None = BATCHES_PER_SENDER, lease: tuple[int, str] | None = None
) -> int:
    """Send up to `max_batches` batches, fewer when none is left, a temporary error asks to wait, or
    the sender's `lease` (slot, token) turns out taken by another. Returns messages sent.

    Side effects: those of deliveries_send_batch; the lease renewed before each batch. A sender that
    used all its batches with rows left queues its successor on the same lease (after commit), so a
    campaign keeps PARALLEL_SENDERS busy without waiting for the next tick, while other tasks still
    get the worker between senders; otherwise the lease is freed."""
    sent = batches = 0
    successor = False
    try:
        while max_batches is None or batches < max_batches:
            if lease and not sender_lease_renew(newsletter_id=newsletter_id, slot=lease[0], token=lease[1]):
                break  # queued too long ago: its slot expired and went to another sender
            result = deliveries_send_batch(newsletter_id=newsletter_id)
            sent += result.sent
            batches += 1
            if result.claimed == 0 or result.retry_later or result.lost_claim:
                break
        else:
            successor = lease is not None
    finally:
        if lease and not successor:
            sender_lease_release(newsletter_id=newsletter_id, slot=lease[0], token=lease[1])
    if successor:
        from ..tasks import send_newsletter_batch

        transaction.on_commit(
            partial(send_newsletter_batch.delay, newsletter_id=newsletter_id, slot=lease[0], token=lease[1]),
            robust=True,
        )
    return sent
