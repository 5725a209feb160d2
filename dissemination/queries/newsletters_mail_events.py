"""The staff page of mail events: bounces and complaints (MailEvent), failed newsletter deliveries,
and failed service mail of every app, as one list.

Service mail lives in the apps that send it (trainings' ScheduledMessage, ambassadors'
CertificationNotice, accounts' Invitation), and dissemination imports neither trainings nor
ambassadors: each app registers a MailSource in SERVICE_MAIL_SOURCES (from its AppConfig.ready),
like trainings' MEETING_CONFLICT_CHECKS; an app whose mail is an outbox of mentorwijs.outbox
registers it with register_outbox. A source gives its failed rows as a values() queryset with
the columns of COLUMNS (mail_rows builds it) and a service of its own app that sends one again.

The list is one UNION of the sources' querysets, filtered per part, ordered and paginated in the
database: a page costs a count and a page query whatever the number of rows and sources."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import CharField, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _

from mentorwijs.outbox.enums import MessageStatus

from ..enums import DeliveryStatus, MailEventKind
from ..models import Delivery, MailEvent

# What the page calls a row; a MailEvent keeps its own kind (hard or soft bounce, complaint).
FAILED_NEWSLETTER = "failed_newsletter"
FAILED_SERVICE_MAIL = "failed_service_mail"
KIND_LABELS = {
    **dict(MailEventKind.choices),
    FAILED_NEWSLETTER: _("Newsletter not sent"),
    FAILED_SERVICE_MAIL: _("Service mail not sent"),
}
# The kind filter: each choice and the row kinds it shows.
KIND_FILTERS = {
    "bounce": (MailEventKind.HARD_BOUNCE, MailEventKind.SOFT_BOUNCE),
    "complaint": (MailEventKind.COMPLAINT,),
    "failed_newsletter": (FAILED_NEWSLETTER,),
    "failed_service_mail": (FAILED_SERVICE_MAIL,),
}
KIND_FILTER_CHOICES = [
    ("bounce", _("Bounces")),
    ("complaint", _("Complaints")),
    ("failed_newsletter", _("Newsletters not sent")),
    ("failed_service_mail", _("Service mail not sent")),
]
# The columns of every part of the union, in this order.
COLUMNS = ("ev_source", "ev_pk", "ev_at", "ev_kind", "ev_email", "ev_detail", "ev_newsletter", "ev_subject", "ev_what")


def mail_rows(queryset: QuerySet, *, source: str, at, kind, email, detail, what, newsletter=None, subject=None):
    """`queryset` as rows of the mail-events list: each argument an expression (or field name) for
    its column. Ordering is dropped (a part of a UNION has none)."""

    def text(value):
        return Cast(Value(value), CharField()) if not hasattr(value, "resolve_expression") else value

    return queryset.order_by().values(
        ev_source=Cast(Value(source), CharField()),
        ev_pk=F("pk"),
        ev_at=at,
        ev_kind=text(kind),
        ev_email=Cast(email, CharField()),
        ev_detail=text(detail),
        ev_newsletter=Cast(newsletter if newsletter is not None else Value(None), IntegerField()),
        ev_subject=Cast(subject if subject is not None else Value(None), CharField()),
        ev_what=text(what),
    )


def failed_service_mail(queryset: QuerySet, *, source: str, email):
    """Failed rows of a service-mail outbox (status, due_at, claimed_at, last_error, kind) as rows of
    the list: last tried when claimed (else due), the error as detail, the row's kind as what."""
    return mail_rows(
        queryset,
        source=source,
        at=Coalesce("claimed_at", "due_at"),
        kind=FAILED_SERVICE_MAIL,
        email=email,
        detail=F("last_error"),
        what=F("kind"),
    )


@dataclass(frozen=True)
class MailSource:
    """Failed service mail of one app: `failed()` answers its rows (mail_rows), `retry(pk=...)` is the
    owning app's service that sends one again (True when it was queued again, False when the row was
    no longer failed: a second click sends nothing), `labels` names the values of the `what` column."""

    key: str
    failed: Callable[[], QuerySet]
    retry: Callable[..., bool]
    labels: dict = field(default_factory=dict)


SERVICE_MAIL_SOURCES: dict[str, MailSource] = {}


def register_mail_source(source: MailSource) -> None:
    """Add (or replace) an app's source of failed service mail; called from AppConfig.ready."""
    SERVICE_MAIL_SOURCES[source.key] = source


def register_outbox(outbox, *, key: str, email, labels: dict) -> None:
    """Add the failed rows of an app's outbox (mentorwijs.outbox.sender.Outbox) as source `key`:
    `email` the expression of the recipient's address, `labels` the names of the rows' kinds; "send
    again" is the outbox's send_again."""
    register_mail_source(
        MailSource(
            key=key,
            failed=lambda: failed_service_mail(
                outbox.model.objects.filter(status=MessageStatus.FAILED), source=key, email=email
            ),
            retry=lambda *, pk: outbox.send_again(pk),
            labels=labels,
        )
    )


def _events() -> QuerySet:
    return mail_rows(
        MailEvent.objects.all(),
        source="event",
        at=F("at"),
        kind=F("kind"),
        email=F("subscriber__email"),
        detail=F("detail"),
        what="",
        newsletter=F("delivery__newsletter_id"),
        subject=F("delivery__newsletter__subject"),
    )


def _failed_deliveries() -> QuerySet:
    return mail_rows(
        Delivery.objects.filter(status=DeliveryStatus.FAILED),
        source="delivery",
        at=Coalesce("claimed_at", "newsletter__scheduled_at", "newsletter__created_at"),
        kind=FAILED_NEWSLETTER,
        email=F("subscriber__email"),
        detail=F("last_error"),
        what="",
        newsletter=F("newsletter_id"),
        subject=F("newsletter__subject"),
    )


def mail_events(*, kind: str = "", newsletter_id: int | None = None, address: str = "", since=None, until=None):
    """The rows of the page, newest first, as one queryset of dicts (COLUMNS). `since` and `until`
    are aware datetimes (until exclusive)."""
    kinds = KIND_FILTERS.get(kind)
    parts = []
    if kinds is None or set(kinds) & {MailEventKind.HARD_BOUNCE, MailEventKind.SOFT_BOUNCE, MailEventKind.COMPLAINT}:
        events = _events()
        if kinds is not None:
            events = events.filter(ev_kind__in=kinds)
        parts.append(events)
    if kinds is None or FAILED_NEWSLETTER in kinds:
        parts.append(_failed_deliveries())
    if (kinds is None or FAILED_SERVICE_MAIL in kinds) and newsletter_id is None:
        parts.extend(source.failed() for source in SERVICE_MAIL_SOURCES.values())
    filters = Q()
    if newsletter_id is not None:
        filters &= Q(ev_newsletter=newsletter_id)
    if address:
        filters &= Q(ev_email__icontains=address.strip())
    if since is not None:
        filters &= Q(ev_at__gte=since)
    if until is not None:
        filters &= Q(ev_at__lt=until)
    parts = [part.filter(filters) for part in parts]
    if not parts:
        return MailEvent.objects.none().values(*COLUMNS)
    first, *rest = parts
    return (
        first.union(*rest, all=True).order_by("-ev_at", "-ev_pk", "ev_source")
        if rest
        else first.order_by("-ev_at", "-ev_pk")
    )


def mail_event_rows(rows) -> list[dict]:
    """A page's rows with what the template shows: the kind's label, what was sent, whether it can
    be sent again. No queries."""
    result = []
    for row in rows:
        source = SERVICE_MAIL_SOURCES.get(row["ev_source"])
        result.append(
            {
                **row,
                "kind_label": KIND_LABELS.get(row["ev_kind"], row["ev_kind"]),
                "what_label": source.labels.get(row["ev_what"], row["ev_what"]) if source else "",
                "can_retry": source is not None,
            }
        )
    return result


def register_invitations() -> None:
    """Invitations whose mail never left (accounts, on the floor, registers nothing itself)."""
    from mentorwijs.accounts.services import invitation_send_again, invitations_unsent_too_long

    def failed():
        return mail_rows(
            invitations_unsent_too_long(),
            source="accounts.invitation",
            at=F("created_at"),
            kind=FAILED_SERVICE_MAIL,
            email=F("email"),
            detail=Value(str(_("Not sent yet")), output_field=CharField()),
            what="invitation",
        )

    register_mail_source(
        MailSource(
            key="accounts.invitation",
            failed=failed,
            retry=invitation_send_again,
            labels={"invitation": _("Invitation")},
        )
    )
