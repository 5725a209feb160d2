"""Fuzz cases of the privacy forms (see tests/security/fuzz.py): erasing a person or an account, and
the account list's filters."""

from django.urls import reverse

from dissemination.models import Person
from mentorwijs.accounts.models import User
from mentorwijs.privacy.models import ErasureRecord
from tests.factories import PersonFactory, UserFactory

from .form_helpers import login, setup_staff
from .fuzz import FormCase, text, value


def setup_person_erase(client):
    login(client, ["staff"])
    person = PersonFactory(first_name="Anna")
    return {"url": reverse("privacy:person_erase", args=[person.pk]), "object": person}


def setup_account_erase(client):
    login(client, ["staff"])
    account = UserFactory(roles=["ambassador"], first_name="Amber")
    return {"url": reverse("privacy:account_erase", args=[account.pk]), "object": account}


CASES = [
    FormCase(
        "person_erase",
        setup_person_erase,
        fields={"reason": text(500)},
        models=(ErasureRecord,),
        snapshot=lambda ctx: Person.objects.filter(pk=ctx["object"].pk).values("first_name", "email").first(),
        stored=lambda ctx, data: ErasureRecord.objects.get(person_id=ctx["object"].pk),
        stored_fields={"reason": "reason"},
        show=lambda ctx, record: reverse("privacy:person_data", args=[record.person_id]),
    ),
    FormCase(
        "account_erase",
        setup_account_erase,
        fields={"reason": text(500)},
        models=(ErasureRecord,),
        snapshot=lambda ctx: (
            User.objects.filter(pk=ctx["object"].pk).values("first_name", "email", "is_active").first()
        ),
        stored=lambda ctx, data: ErasureRecord.objects.get(user_id=ctx["object"].pk),
        stored_fields={"reason": "reason"},
        show=lambda ctx, record: reverse("privacy:account_data", args=[record.user_id]),
    ),
    FormCase(
        "account_list_filter",
        setup_staff("privacy:account_list"),
        method="get",
        fields={"q": text(100, required=False), "role": value("trainer"), "state": value("active"), "page": value("1")},
    ),
]
