"""How privacy asks the apps: the parts registered in mentorwijs.personal_data, in the order privacy
decides. Privacy reads and writes no app's rows itself; it locks the subject (the Person or User
row), calls every part and cleans the audit trail of what the parts changed.

A part registered but not named in an order below still runs (or shows) after the named ones: an
app's new personal data is never left out of an export or an erasure for want of a place here
(tests/privacy/test_parts.py checks that every part in use has one)."""

from mentorwijs.personal_data import PERSONAL_DATA, Erased, PersonalData

# A person's erasure: the subscribers first, while the address is still known; the person row
# itself last, so the parts before it still find them as they were.
PERSON_ERASURE_ORDER = ("newsletters", "outbox", "trainings", "outreach", "ambassadors", "relations")
# An account's erasure: the certification notes and files, the reminders, then the account itself
# (it loses its address), then the caught mail to the old address.
ACCOUNT_ERASURE_ORDER = ("ambassadors", "trainings", "accounts", "outbox")

# The sections of the exports, in the order the JSON shows them.
PERSON_SECTIONS = (
    "person",
    "organisation",
    "enrolments",
    "event_guests",
    "outreach_contacts",
    "subscriptions",
    "account",
    "ambassador",
)
ACCOUNT_SECTIONS = (
    "account",
    "email_addresses",
    "second_factors",
    "invitation",
    "certifications",
    "ambassador",
    "outreach_contacts",
    "assignments",
    "offers",
    "fidelity_reviews",
    "refresher_meetings",
    "events_spoken",
    "messages",
)


def parts(hook: str, order: tuple[str, ...] = ()) -> list[PersonalData]:
    """The registered parts that have `hook`, those named in `order` first and in that order."""
    with_hook = [part for part in PERSONAL_DATA.values() if getattr(part, hook) is not None]
    rank = {key: index for index, key in enumerate(order)}
    return sorted(with_hook, key=lambda part: rank.get(part.key, len(order)))  # stable: registration order after


def ordered(sections: dict, order: tuple[str, ...]) -> dict:
    """`sections` with the keys in `order` first, in that order, then any others as they came."""
    return {
        **{key: sections[key] for key in order if key in sections},
        **{key: value for key, value in sections.items() if key not in order},
    }


def queried(queryset, hook: str, *args):
    """`queryset` with what every part's `hook` adds (select_related, prefetch_related)."""
    for part in parts(hook):
        queryset = getattr(part, hook)(queryset, *args)
    return queryset


def exported(hook: str, subject, *args) -> dict:
    """Every part's sections of `subject`'s export, merged (not yet in order)."""
    sections = {}
    for part in parts(hook):
        sections.update(getattr(part, hook)(subject, *args))
    return sections


def refusals(hook: str, subject) -> list:
    return [error for part in parts(hook) for error in getattr(part, hook)(subject)]


def erased(hook: str, order: tuple[str, ...], erasure) -> Erased:
    """Call every part's `hook` in `order` with `erasure`; their counts and audit redactions together."""
    total = Erased()
    for part in parts(hook, order):
        result = getattr(part, hook)(erasure)
        total.counts.update(result.counts)
        total.audit.extend(result.audit)
    return total
