"""Everything the system holds about one account holder (a trainer, ambassador, master trainer or
staff member; AVG art. 15), as JSON-ready data: the account and its roles, sign-in addresses and
second factors (never a secret or the password), the invitation that brought them in,
certifications with their steps and evidence (file names and sizes, not the files), the ambassador
profile, the outreach contacts they logged, the runs they were assigned to, their offers to give a
run, fidelity reviews they wrote or that are about runs they gave, refresher meetings, events they
spoke at and the service mails sent to them.

Each app exports its own sections (mentorwijs.personal_data: mentorwijs.accounts.personal_data,
ambassadors.services.privacy, dissemination.services.privacy, trainings.services.privacy); this
module reads the account once with what the parts prefetch, and puts the sections in order
(services.parts). A fixed number of queries, whatever the amount of data (test_account_data.py pins
it)."""

from django.utils import timezone

from mentorwijs.accounts.models import User
from mentorwijs.personal_data import iso

from .parts import ACCOUNT_SECTIONS, exported, ordered, queried


def account_data(*, user: User) -> dict:
    """Everything held about the account holder `user`, JSON-ready (dates and times as ISO 8601 in
    local time). Reads only; every part is selected by this account's id."""
    user = queried(User.objects.all(), "account_query", False).get(pk=user.pk)
    return {"generated_at": iso(timezone.now()), **ordered(exported("account_export", user, False), ACCOUNT_SECTIONS)}
