"""Everything the system holds about one person (AVG art. 15: right of access), as JSON-ready data.

A person is found through the `Person` row and everything that points at it, plus the rows that
carry the same email address without a link: newsletter subscribers (compared without case) and a
user account. Each app exports its own sections (mentorwijs.personal_data: relations, outreach and
newsletters in dissemination.services.privacy, trainings.services.privacy,
ambassadors.services.privacy, mentorwijs.accounts.personal_data); this module reads the person
row once with what the parts ask for, and puts the sections in order (services.parts). A fixed
number of queries, whatever the amount of data (at most 17; fewer when the person has no email
address, no subscriptions or no account).
"""

from django.utils import timezone

from dissemination.models import Person
from mentorwijs.accounts.models import User
from mentorwijs.personal_data import iso

from .parts import ACCOUNT_SECTIONS, PERSON_SECTIONS, exported, ordered, queried


def _account(person: Person) -> dict | None:
    """The account with the person's address, briefly: the account row, certifications and profile."""
    if not person.email:
        return None
    user = queried(User.objects.filter(email__iexact=person.email), "account_query", True).first()
    if user is None:
        return None
    sections = exported("account_export", user, True)
    return {**sections.pop("account"), **ordered(sections, ACCOUNT_SECTIONS)}


def person_data(*, person: Person) -> dict:
    """Everything held about `person`, JSON-ready (dates and times as ISO 8601 strings in local time).
    Reads only. Another person's rows never appear: every part is selected by this person's id or
    by their own (non-empty) email address."""
    person = queried(Person.objects.all(), "person_query").get(pk=person.pk)
    sections = {**exported("person_export", person), "account": _account(person)}
    return {"generated_at": iso(timezone.now()), **ordered(sections, PERSON_SECTIONS)}
