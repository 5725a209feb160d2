"""Read paths of the privacy pages: the account list and what an account's pages show beside it."""

from django.db.models import Q
from django.db.models.functions import Lower

from dissemination.models import Person
from mentorwijs.accounts.models import User

ACTIVE, INACTIVE = "active", "inactive"


def account_list(*, q: str = "", role: str = "", state: str = ""):
    """Every account with its roles (prefetched: a fixed number of queries whatever the number of
    accounts), by name whatever its case; narrowed by up to five words of the name or address, a role, and ACTIVE or
    INACTIVE."""
    accounts = User.objects.prefetch_related("groups").order_by(
        Lower("first_name"), Lower("last_name"), Lower("email"), "pk"
    )
    for word in q.split()[:5]:
        accounts = accounts.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    if role:
        accounts = accounts.filter(groups__name=role)
    if state == ACTIVE:
        accounts = accounts.filter(is_active=True)
    elif state == INACTIVE:
        accounts = accounts.filter(is_active=False)
    return accounts


def people_with_address_of(user: User):
    """Persons with the account's address (compared as the index on LOWER(email) does): they have
    their own privacy page and erasure, which the account's pages link to."""
    people = Person.objects.alias(email_lower=Lower("email")).exclude(email="")
    return people.filter(email_lower=user.email.lower())
