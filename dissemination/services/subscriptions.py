"""Newsletter subscribers: double opt-in sign-up, confirmation, preferences, unsubscribe, import.

Consent is proven by ConsentRecord rows (append-only): one GIVEN row per list when consent arrives
and one WITHDRAWN row when it leaves. The lists a subscriber has consented to are those whose latest
record says GIVEN (consented_list_ids); for a confirmed subscriber `lists` mirrors exactly that set.
Nothing but the confirmation mail goes to an address before it is confirmed, and nothing is
recorded until the confirmation link is opened: the link itself carries the lists being confirmed.

Service mail (reminders, certificates, invitations) never reads Subscriber: leaving the newsletter
never stops it."""

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentorwijs import mail

from ..enums import ConsentAction, ConsentSource, SubscriberStatus, TargetGroup
from ..models import ConsentRecord, MailingList, Region, Subscriber, first_name_of
from .imports import HEADER_ROWS, NOT_IMPORTED, ImportReport, RowError, spreadsheet_read

logger = logging.getLogger(__name__)

# Addresses that said no (or whose mail fails) are never signed up again by an import; only the
# person themselves can come back, through the sign-up form and its confirmation link.
BLOCKED_STATUSES = (SubscriberStatus.UNSUBSCRIBED, SubscriberStatus.BOUNCED, SubscriberStatus.COMPLAINED)

# Every confirmation mail goes to an address someone typed in: at most one per address in this
# interval, and far fewer to an address that left, bounced or complained.
CONFIRMATION_INTERVAL = timedelta(minutes=10)
BLOCKED_CONFIRMATION_INTERVAL = timedelta(days=1)

# The sweep (send_pending_confirmations, every 5 minutes) leaves a request this long to the task
# queued on commit, and gives up on requests older than SUBSCRIPTION_CONFIRM_DAYS.
CONFIRMATION_SWEEP_GRACE = timedelta(minutes=2)
CONFIRMATION_SWEEP_LIMIT = 500


def normalise_email(email: str) -> str:
    """Addresses are stored lower-cased (the unique index is on Lower("email"))."""
    return email.strip().lower()


def consented_list_ids(subscriber: Subscriber) -> set[int]:
    """The lists whose latest consent record for this subscriber says GIVEN. One query."""
    latest: dict[int, str] = {}
    for list_id, action in subscriber.consents.order_by("at", "pk").values_list("mailing_list_id", "action"):
        latest[list_id] = action
    return {list_id for list_id, action in latest.items() if action == ConsentAction.GIVEN}


def consent_records_add(
    subscriber: Subscriber, list_ids, *, action: str, source: str, proof: str = "", version: str = ""
) -> None:
    """One append-only ConsentRecord per list: given or withdrawn, with source, proof and wording version."""
    now = timezone.now()
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            subscriber=subscriber,
            email=subscriber.email,
            mailing_list_id=list_id,
            action=action,
            wording_version=version or settings.CONSENT_WORDING_VERSION,
            source=source,
            proof=proof,
            at=now,
        )
        for list_id in sorted(list_ids)
    )


def _confirmation_allowed(subscriber: Subscriber, now: datetime) -> bool:
    """Whether a new confirmation mail may be requested for this (locked) subscriber now."""
    if subscriber.confirmation_sent_at is None:
        return True
    interval = BLOCKED_CONFIRMATION_INTERVAL if subscriber.status in BLOCKED_STATUSES else CONFIRMATION_INTERVAL
    return now - subscriber.confirmation_sent_at >= interval


def _confirmation_request(list_ids, *, version: str) -> dict:
    """What the row keeps of an open request, so the sweep can send it when the queued task is lost."""
    return {"lists": sorted(list_ids), "version": version or settings.CONSENT_WORDING_VERSION}


def _on_commit_confirmation(subscriber_id: int, list_ids, *, requested_at: datetime, version: str) -> None:
    """Queue the mail on commit; a broker outage only logs (robust): the request is on the row."""
    from ..tasks import send_subscription_confirmation

    kwargs = {
        "subscriber_id": subscriber_id,
        "list_ids": sorted(list_ids),
        "requested_at": requested_at.isoformat(),
        "wording_version": version or settings.CONSENT_WORDING_VERSION,
    }
    transaction.on_commit(lambda: send_subscription_confirmation.delay(**kwargs), robust=True)


def _queue_confirmation(subscriber: Subscriber, list_ids, *, version: str = "") -> bool:
    """Request a confirmation mail for these lists on commit, unless one was requested recently
    (the subscriber must be locked). The request is kept on the row: confirmation_sent_at holds the
    request time until the task has sent the mail (then the time it was sent), so a task that runs
    twice sends once, and confirmation_request holds the lists and wording version until then, so
    the sweep sends it if the queued task is lost (broker down). Returns whether a mail was requested."""
    now = timezone.now()
    if not _confirmation_allowed(subscriber, now):
        return False
    subscriber.confirmation_sent_at = now
    subscriber.confirmation_request = _confirmation_request(list_ids, version=version)
    subscriber.save(update_fields=["confirmation_sent_at", "confirmation_request"])
    _on_commit_confirmation(subscriber.pk, list_ids, requested_at=now, version=version)
    return True


def _locked(email: str) -> Subscriber | None:
    """The subscriber of this (normalised) address, locked; the lookup uses the Lower("email") index."""
    return Subscriber.objects.select_for_update().alias(email_lower=Lower("email")).filter(email_lower=email).first()


@transaction.atomic
def subscriber_sign_up(
    *,
    email: str,
    name: str,
    lists,
    organisation_name: str = "",
    target_group: str = "",
    region: Region | None = None,
    first_name: str = "",
    language: str = "nl",
    wording_version: str = "",
) -> Subscriber:
    """The public sign-up: create or refresh a PENDING subscriber with the chosen lists and queue the
    confirmation mail (only that mail) on commit. A confirmed address is not changed at all: it gets
    a confirmation mail for the lists it does not follow yet (none when it follows them all). An
    address that unsubscribed, bounced or complained is not changed either; it gets a confirmation
    mail for the chosen lists, and only opening that link brings it back. No mail (and for a pending
    address no change) when a confirmation was requested within CONFIRMATION_INTERVAL (a day for an
    address that left, bounced or complained). `wording_version` is the version of the consent text
    shown on the form (default: the current one); the link carries it and the confirmation records
    it. `first_name` is the greeting's (default: the first word of `name`); `region` the subscriber's
    labour-market region, which regional newsletters reach. Records no consent."""
    email = normalise_email(email)
    first_name = " ".join(first_name.split())[:100] or first_name_of(name)
    list_ids = {mailing_list.pk for mailing_list in lists}
    if not list_ids:
        raise ValidationError({"lists": _("Choose at least one newsletter.")})
    subscriber = _locked(email)
    if subscriber is None:
        try:
            with transaction.atomic():
                subscriber = Subscriber.objects.create(
                    email=email,
                    name=name.strip(),
                    first_name=first_name,
                    organisation_name=organisation_name.strip(),
                    target_group=target_group,
                    region=region,
                    language=language,
                )
        except IntegrityError:  # the same address signed up at the same moment
            subscriber = _locked(email)
    if not _confirmation_allowed(subscriber, timezone.now()):
        return subscriber
    if subscriber.status == SubscriberStatus.PENDING:
        subscriber.name = name.strip()
        subscriber.first_name = first_name
        subscriber.organisation_name = organisation_name.strip()
        subscriber.target_group = target_group
        subscriber.region = region
        subscriber.language = language
        subscriber.save(update_fields=["name", "first_name", "organisation_name", "target_group", "region", "language"])
        subscriber.lists.set(list_ids)
        to_confirm = list_ids
    elif subscriber.status == SubscriberStatus.CONFIRMED:
        to_confirm = list_ids - consented_list_ids(subscriber)
    else:
        to_confirm = list_ids
    if to_confirm:
        _queue_confirmation(subscriber, to_confirm, version=wording_version)
    return subscriber


def subscription_confirmation_send(
    *, subscriber_id: int, list_ids, requested_at: datetime | None = None, wording_version: str = ""
) -> bool:
    """Mail the confirmation link for these lists (carrying the consent text version) if the
    request of `requested_at` is still open on the row, and note the time it was sent in
    confirmation_sent_at (which closes the request: a second run of the task sends nothing, and a
    superseded request neither) and clear confirmation_request. Without requested_at it sends
    unconditionally. Errors of the mail server propagate and leave the request open. Returns whether
    a mail was sent."""
    from ..tokens import confirm_url

    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        if subscriber is None:
            return False
        if requested_at is not None and subscriber.confirmation_sent_at != requested_at:
            return False
        lists = list(MailingList.objects.filter(pk__in=list_ids))
        if not lists:
            if requested_at is not None:  # the lists are gone: nothing left to confirm
                subscriber.confirmation_request = None
                subscriber.save(update_fields=["confirmation_request"])
            return False
        mail.send(
            template="dissemination/subscription_confirm",
            to=subscriber.email,
            language=subscriber.language,
            context={
                "lists": lists,
                "confirm_url": confirm_url(
                    subscriber,
                    list_ids=[mailing_list.pk for mailing_list in lists],
                    wording_version=wording_version,
                ),
                "valid_days": settings.SUBSCRIPTION_CONFIRM_DAYS,
            },
        )
        sent_at = timezone.now()
        if sent_at == requested_at:
            sent_at += timedelta(microseconds=1)
        subscriber.confirmation_sent_at = sent_at
        subscriber.confirmation_request = None
        subscriber.save(update_fields=["confirmation_sent_at", "confirmation_request"])
    return True


def subscription_confirmation_abandon(*, subscriber_id: int, requested_at: datetime) -> bool:
    """Close the open request of `requested_at` without mail (the mail server refused it for good),
    so the sweep does not try it again. Returns whether a request was closed."""
    closed = Subscriber.objects.filter(
        pk=subscriber_id, confirmation_sent_at=requested_at, confirmation_request__isnull=False
    ).update(confirmation_request=None)
    return bool(closed)


def subscription_confirmations_send_pending(*, limit: int = CONFIRMATION_SWEEP_LIMIT) -> int:
    """The sweep: send every confirmation requested at least CONFIRMATION_SWEEP_GRACE ago (and
    within SUBSCRIPTION_CONFIRM_DAYS) whose mail has not left, e.g. because the broker was down when
    it was requested and the queued task was lost. Each goes through subscription_confirmation_send
    with the row's own request time: the row is locked and the request closed with the mail, so a
    request is mailed once whether the task, a retry or the sweep gets there first (only a worker
    killed between the SMTP call and the commit can cause one repeat). Requests stay throttled:
    nothing here creates one. A temporary mail error leaves the request for the next sweep, a
    permanent one closes it. Returns how many mails were sent."""
    now = timezone.now()
    open_requests = (
        Subscriber.objects.filter(
            confirmation_request__isnull=False,
            confirmation_sent_at__lte=now - CONFIRMATION_SWEEP_GRACE,
            confirmation_sent_at__gte=now - timedelta(days=settings.SUBSCRIPTION_CONFIRM_DAYS),
        )
        .order_by("confirmation_sent_at", "pk")
        .values_list("pk", "confirmation_sent_at", "confirmation_request")[:limit]
    )
    sent = 0
    for subscriber_id, requested_at, request in list(open_requests):
        try:
            sent += subscription_confirmation_send(
                subscriber_id=subscriber_id,
                list_ids=request.get("lists", []),
                requested_at=requested_at,
                wording_version=request.get("version", ""),
            )
        except Exception as error:
            if mail.is_temporary(error):
                logger.warning("confirmation mail for subscriber %s not sent: %s", subscriber_id, error)
                continue
            logger.exception("confirmation mail for subscriber %s failed", subscriber_id)
            subscription_confirmation_abandon(subscriber_id=subscriber_id, requested_at=requested_at)
    return sent


def _confirm(subscriber: Subscriber, list_ids, *, source: str, proof: str = "", version: str = "") -> set[int]:
    """Give consent for the lists not consented yet; the subscriber becomes CONFIRMED whenever it is
    not and the lists (existing ones) are consented, also when all of them were consented already (an
    address that bounced or complained comes back)."""
    consented = consented_list_ids(subscriber)
    valid = set(MailingList.objects.filter(pk__in=list_ids).values_list("pk", flat=True))
    new = valid - consented
    consent_records_add(subscriber, new, action=ConsentAction.GIVEN, source=source, proof=proof, version=version)
    if valid and subscriber.status != SubscriberStatus.CONFIRMED:
        subscriber.status = SubscriberStatus.CONFIRMED
        subscriber.confirmed_at = timezone.now()
        subscriber.soft_bounces = 0
        subscriber.save(update_fields=["status", "confirmed_at", "soft_bounces"])
    subscriber.lists.set(consented | new)
    return new


@transaction.atomic
def subscriber_confirm(*, subscriber: Subscriber, list_ids, wording_version: str = "") -> set[int]:
    """The confirmation link was opened: a ConsentRecord GIVEN (source FORM, the wording version the
    link carries, else the current one) for every list of the link not consented yet, status
    CONFIRMED (also for an address that was unsubscribed, bounced or complained: the link reached
    it), `lists` set to the consented lists. Opening the link again records nothing. Returns the ids
    of the newly given lists."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    return _confirm(subscriber, list_ids, source=ConsentSource.FORM, version=wording_version)


def preferences_choices(*, consented: set[int]):
    """The lists a subscriber may choose on the preference page: the public ones that are not archived,
    and those they follow."""
    return MailingList.objects.filter(Q(public=True, archived_at__isnull=True) | Q(pk__in=consented))


@transaction.atomic
def preferences_update(*, subscriber: Subscriber, lists) -> dict:
    """Save the lists chosen on the preference page (reached by a link mailed to the address): a
    WITHDRAWN record for every list left (source PREFERENCES); no lists at all means UNSUBSCRIBED.
    A CONFIRMED subscriber gets a GIVEN record for every list added. Any other subscriber (pending,
    unsubscribed, bounced, complained) is not reactivated here: the chosen lists get a confirmation
    mail (throttled like the sign-up), and only opening its link brings the address back. Refuses
    a list that is not public unless it is followed already.
    Returns {"added": ids, "removed": ids, "to_confirm": ids mailed for confirmation}."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    consented = consented_list_ids(subscriber)
    chosen = {mailing_list.pk for mailing_list in lists}
    allowed = set(preferences_choices(consented=consented).values_list("pk", flat=True))
    if chosen - allowed:
        raise ValidationError({"lists": _("You cannot choose this newsletter.")})
    if not chosen:
        removed = _unsubscribe(subscriber, source=ConsentSource.PREFERENCES)
        return {"added": set(), "removed": removed, "to_confirm": set()}
    removed = consented - chosen
    consent_records_add(subscriber, removed, action=ConsentAction.WITHDRAWN, source=ConsentSource.PREFERENCES)
    if subscriber.status != SubscriberStatus.CONFIRMED:
        subscriber.lists.set(chosen if subscriber.status == SubscriberStatus.PENDING else consented - removed)
        queued = _queue_confirmation(subscriber, chosen)
        return {"added": set(), "removed": removed, "to_confirm": chosen if queued else set()}
    subscriber.lists.set(consented - removed)
    added = _confirm(subscriber, chosen, source=ConsentSource.PREFERENCES)
    return {"added": added, "removed": removed, "to_confirm": set()}


@transaction.atomic
def subscriber_settings_update(*, subscriber: Subscriber, language: str, region: Region | None) -> Subscriber:
    """The language the newsletters come in (English where a newsletter has an English version) and
    the region regional newsletters reach, as chosen on the preference page. Refuses a language the
    site does not offer. Side effects: the subscriber's language and region saved."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose a language the site offers.")})
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    subscriber.language, subscriber.region = language, region
    subscriber.save(update_fields=["language", "region"])
    return subscriber


def _unsubscribe(subscriber: Subscriber, *, source: str) -> set[int]:
    consented = consented_list_ids(subscriber)
    consent_records_add(subscriber, consented, action=ConsentAction.WITHDRAWN, source=source)
    subscriber.lists.clear()
    if subscriber.status in (SubscriberStatus.PENDING, SubscriberStatus.CONFIRMED):
        subscriber.status = SubscriberStatus.UNSUBSCRIBED
        subscriber.unsubscribed_at = timezone.now()
        subscriber.save(update_fields=["status", "unsubscribed_at"])
    return consented


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: Subscriber, source: str = ConsentSource.UNSUBSCRIBE) -> bool:
    """Leave every list: a WITHDRAWN record per consented list, `lists` emptied, status
    UNSUBSCRIBED (a bounced or complained status is kept). Harmless twice: the second call records
    nothing. Service mail is not affected. Returns whether anything changed."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    before = subscriber.status
    removed = _unsubscribe(subscriber, source=source)
    return bool(removed) or subscriber.status != before


# Import from a spreadsheet

IMPORT_COLUMNS = ["email", "name", "organisation", "target_group", "lists", "consent_source", "proof"]
REQUIRED_IMPORT_COLUMNS = ["email", "lists"]
IMPORT_SOURCES = (ConsentSource.IMPORT, ConsentSource.EVENT)

NO_ROWS = _("The file has no subscribers below the header row.")


@dataclass
class SubscriberImportReport(ImportReport):
    confirmed: int = 0  # rows with a consent source
    pending: int = 0  # rows that get a confirmation request
    skipped: list[int] = field(default_factory=list)  # rows of addresses that left or are blocked

    counts_consent = True


def subscribers_import_read(*, content: bytes, filename: str) -> list[dict]:
    """The rows of an uploaded file (imports.spreadsheet_read) as dicts of every import column, each
    cell a stripped string. Refuses what spreadsheet_read refuses. No side effects."""
    dataset = spreadsheet_read(
        content=content, filename=filename, columns=IMPORT_COLUMNS, required=REQUIRED_IMPORT_COLUMNS, no_rows=NO_ROWS
    )
    return [
        {column: str("" if row.get(column) is None else row[column]).strip() for column in IMPORT_COLUMNS}
        for row in dataset.dict
    ]


def _target_group(value: str) -> str | None:
    """A target group given by its value or its label (any case); "" for none, None if unknown."""
    if not value:
        return ""
    wanted = value.strip().lower()
    for choice, label in TargetGroup.choices:
        if wanted in (choice, str(label).lower()):
            return choice
    return None


def _check_rows(rows: list[dict], *, lock: bool = False) -> tuple[SubscriberImportReport, list[dict]]:
    """Validate every row; the checked rows get `list_ids`, `target` and `existing` (with `lock`,
    the existing subscribers are locked). Two queries."""
    report = SubscriberImportReport(rows=len(rows))
    lists_by_name = {mailing_list.name.lower(): mailing_list.pk for mailing_list in MailingList.objects.all()}
    emails = {normalise_email(row["email"]) for row in rows if row["email"]}
    found = Subscriber.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    if lock:
        found = found.select_for_update(of=("self",))
    existing = {subscriber.email_lower: subscriber for subscriber in found}
    seen: dict[str, int] = {}
    checked = []
    for number, row in enumerate(rows, 1 + HEADER_ROWS):
        errors_before = len(report.errors)

        def error(column, message, number=number):
            report.errors.append(RowError(row=number, column=column, messages=[str(message)]))

        email = row["email"]
        try:
            validate_email(email)
        except ValidationError:
            error("email", _("Enter a valid email address."))
        else:
            if email.lower() in seen:
                error("email", _("This address is on row %(row)s already.") % {"row": seen[email.lower()]})
            seen.setdefault(email.lower(), number)
        names = [name.strip() for name in re.split(r"[;,|]", row["lists"]) if name.strip()]
        unknown = [name for name in names if name.lower() not in lists_by_name]
        if not names:
            error("lists", _("Name at least one newsletter list."))
        elif unknown:
            error("lists", _("Unknown lists: %(names)s.") % {"names": ", ".join(unknown)})
        target = _target_group(row["target_group"])
        if target is None:
            error("target_group", _("Unknown target group."))
        source = row["consent_source"].lower()
        if source and source not in IMPORT_SOURCES:
            error("consent_source", _("Use import or event, or leave it empty to ask for confirmation."))
        elif source == ConsentSource.IMPORT and not row["proof"]:
            error("proof", _("Describe the proof of consent (for example: paper form of 12 March, archived)."))
        if len(row["name"]) > 200 or len(row["organisation"]) > 200 or len(row["proof"]) > 300:
            error("", _("A value in this row is too long."))
        if len(report.errors) > errors_before:
            continue
        subscriber = existing.get(email.lower())
        if subscriber is not None and subscriber.status in BLOCKED_STATUSES:
            report.skipped.append(number)
            continue
        if source:
            report.confirmed += 1
        else:
            report.pending += 1
        checked.append(
            {
                **row,
                "consent_source": source,
                "target": target,
                "list_ids": {lists_by_name[name.lower()] for name in names},
                "existing": subscriber,
            }
        )
    return report, checked


def subscribers_import_preview(*, rows: list[dict]) -> SubscriberImportReport:
    """The errors per row and how many rows would be confirmed, pending or skipped. No side effects."""
    return _check_rows(rows)[0]


@transaction.atomic
def subscribers_import(*, rows: list[dict], by) -> SubscriberImportReport:
    """Import checked rows, all or none (ValidationError with any bad row). A row with a consent
    source (import with proof, or event) is CONFIRMED with a GIVEN record per list carrying that
    source and proof; a row without one is a PENDING subscriber (or, for a confirmed address, its
    new lists) that gets a confirmation request on commit (unless one was requested recently), and
    no consent is recorded. Addresses that unsubscribed, bounced or complained are skipped and left
    as they are. A fixed number of bulk statements whatever the number of rows."""
    report, checked = _check_rows(rows, lock=True)
    if not report.ok:
        raise ValidationError(NOT_IMPORTED, code="bad_rows")
    now = timezone.now()
    existing = {row["existing"].pk: row["existing"] for row in checked if row["existing"] is not None}
    latest: dict[tuple[int, int], str] = {}
    consents = ConsentRecord.objects.filter(subscriber_id__in=existing).order_by("at", "pk")
    for subscriber_id, list_id, action in consents.values_list("subscriber_id", "mailing_list_id", "action"):
        latest[(subscriber_id, list_id)] = action
    consented: dict[int, set[int]] = defaultdict(set)
    for (subscriber_id, list_id), action in latest.items():
        if action == ConsentAction.GIVEN:
            consented[subscriber_id].add(list_id)

    created = [
        Subscriber(
            email=normalise_email(row["email"]),
            name=row["name"],
            first_name=first_name_of(row["name"]),
            organisation_name=row["organisation"],
            target_group=row["target"],
            status=SubscriberStatus.CONFIRMED if row["consent_source"] else SubscriberStatus.PENDING,
            confirmed_at=now if row["consent_source"] else None,
            confirmation_sent_at=None if row["consent_source"] else now,
            confirmation_request=None if row["consent_source"] else _confirmation_request(row["list_ids"], version=""),
        )
        for row in checked
        if row["existing"] is None
    ]
    try:
        with transaction.atomic():
            Subscriber.objects.bulk_create(created)
    except IntegrityError as error:  # an address of the file signed up at this very moment
        raise ValidationError(
            _("An address in the file signed up just now. Import the file again."), code="race"
        ) from error
    created_iter = iter(created)

    records, memberships = [], set()
    confirm_existing, reset_lists, asked_existing, confirmations = [], [], [], []
    for row in checked:
        subscriber = row["existing"] or next(created_iter)
        is_new = row["existing"] is None
        have = consented[subscriber.pk]
        if row["consent_source"]:
            for list_id in sorted(row["list_ids"] - have):
                records.append(
                    ConsentRecord(
                        subscriber=subscriber,
                        email=subscriber.email,
                        mailing_list_id=list_id,
                        action=ConsentAction.GIVEN,
                        wording_version=settings.CONSENT_WORDING_VERSION,
                        source=row["consent_source"],
                        proof=row["proof"],
                        at=now,
                    )
                )
            if not is_new and subscriber.status != SubscriberStatus.CONFIRMED:
                confirm_existing.append(subscriber.pk)
                reset_lists.append(subscriber.pk)  # pending lists without consent do not stay
            memberships.update((subscriber.pk, list_id) for list_id in row["list_ids"] | have)
            continue
        if subscriber.status == SubscriberStatus.CONFIRMED:
            to_confirm = row["list_ids"] - have
        else:  # pending
            to_confirm = row["list_ids"]
            memberships.update((subscriber.pk, list_id) for list_id in to_confirm)
        if not to_confirm:
            continue
        if not is_new:
            if not _confirmation_allowed(subscriber, now):
                continue
            subscriber.confirmation_sent_at = now
            subscriber.confirmation_request = _confirmation_request(to_confirm, version="")
            asked_existing.append(subscriber)
        confirmations.append((subscriber.pk, to_confirm))

    if confirm_existing:
        Subscriber.objects.filter(pk__in=confirm_existing).update(
            status=SubscriberStatus.CONFIRMED, confirmed_at=now, soft_bounces=0
        )
    if asked_existing:
        Subscriber.objects.bulk_update(asked_existing, ["confirmation_sent_at", "confirmation_request"])
    Membership = Subscriber.lists.through
    if reset_lists:
        Membership.objects.filter(subscriber_id__in=reset_lists).delete()
    ConsentRecord.objects.bulk_create(records)
    Membership.objects.bulk_create(
        [
            Membership(subscriber_id=subscriber_id, mailinglist_id=list_id)
            for subscriber_id, list_id in sorted(memberships)
        ],
        ignore_conflicts=True,
    )
    for subscriber_id, list_ids in confirmations:
        _on_commit_confirmation(subscriber_id, list_ids, requested_at=now, version="")
    logger.info(
        "imported subscribers by user %s: %s confirmed, %s pending, %s skipped",
        getattr(by, "pk", None),
        report.confirmed,
        report.pending,
        len(report.skipped),
    )
    return report
