"""The hook through which every app exports and erases its own personal data.

mentorwijs.privacy (on top) builds a person's export and erasure, and an account holder's, from the
parts the apps register here from their AppConfig.ready; it reads and writes no app's rows itself.
The hook sits on the floor so that every app can register without importing privacy.

A part (`PersonalData`) is one app's concern, by key ("relations", "outreach", "newsletters",
"trainings", "ambassadors", "accounts", "outbox"), with any of these callables:
- person_query(queryset) -> queryset: what its export reads through the Person row (select_related),
  so the person is read in one query;
- person_export(person) -> {section: data}: its sections of the person's export (JSON-ready);
- person_refusals(person) -> [ValidationError]: why the person cannot be erased now;
- person_erase(erasure: PersonErasure) -> Erased: clear what it holds about the person. Runs inside
  privacy's transaction, after the Person row was locked;
- account_query(queryset, brief) -> queryset, account_export(user, brief) -> {section: data}: the
  same for an account holder; `brief` is the account part of a person's export (the account row,
  certifications and profile), read with fewer queries;
- account_refusals(user) -> [ValidationError], account_erase(erasure: AccountErasure) -> Erased.

Erased.counts go into the erasure record's summary; Erased.audit names the rows whose audit-trail
entries lose the erased values, cleaned by privacy after every part ran (the audit trail is privacy's).
Privacy decides the order of the parts (mentorwijs.privacy.services.parts).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class AuditRedaction:
    """The audit-trail entries of rows `pks` (a queryset is read when the trail is cleaned, after every
    part ran) of `model` lose the values of `fields` (all fields when None) and, with `name`, the
    object's name."""

    model: Any
    pks: Iterable
    fields: list[str] | None = None
    name: bool = True


@dataclass(frozen=True)
class AuditNames:
    """These names (the str() auditlog stored) leave the many-to-many changes of `field` in every
    audit-trail entry of `model`."""

    model: Any
    field: str
    names: set[str]


@dataclass
class Erased:
    counts: dict[str, int] = field(default_factory=dict)
    audit: list[AuditRedaction | AuditNames] = field(default_factory=list)


@dataclass(frozen=True)
class PersonErasure:
    """What every part of a person's erasure gets: the locked Person row and the address it had."""

    person: Any
    email: str


@dataclass(frozen=True)
class AccountErasure:
    """What every part of an account's erasure gets: the locked User row as it was before any part ran
    (its name and address), and the live sessions read once for many accounts (or None)."""

    user: Any
    email: str
    sessions: dict[str, list[str]] | None = None


@dataclass(frozen=True)
class PersonalData:
    key: str
    person_query: Callable | None = None
    person_export: Callable[[Any], dict] | None = None
    person_refusals: Callable[[Any], list] | None = None
    person_erase: Callable[[PersonErasure], Erased] | None = None
    account_query: Callable | None = None
    account_export: Callable[..., dict] | None = None
    account_refusals: Callable[[Any], list] | None = None
    account_erase: Callable[[AccountErasure], Erased] | None = None


PERSONAL_DATA: dict[str, PersonalData] = {}


def register_personal_data(part: PersonalData) -> None:
    """Add (or replace) an app's part; called from AppConfig.ready."""
    PERSONAL_DATA[part.key] = part


# JSON-ready values, the same in every part of an export.


def iso(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def name(user) -> str | None:
    return (user.get_full_name() or user.email) if user else None


def choice(instance, field: str) -> dict:
    """A choice field as its stored code and its label in the active language."""
    return {field: getattr(instance, field), f"{field}_label": str(getattr(instance, f"get_{field}_display")())}
