"""Creating and changing organisations and persons, with the duplicate guard.

The rules: a KvK number belongs to one organisation; an organisation with a near-identical name in
the same city (queries.similar_organisations) is saved only when the user confirms it is another
organisation; an email address belongs to one person (case-insensitive). The database constraints
back up the first and the last when two requests race."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from .. import queries
from ..models import Organisation, Person

KVK_TAKEN = _("Another organisation already has this KvK number.")
SIMILAR_NAME = _("An organisation with a near-identical name exists in this city. Check it is another one.")
EMAIL_TAKEN = _("Another person already has this email address.")

ORGANISATION_FIELDS = ("name", "kvk_number", "target_group", "region", "postcode", "city", "website")
PERSON_FIELDS = ("first_name", "last_name", "email", "phone", "function", "organisation")


@transaction.atomic
def organisation_save(*, organisation: Organisation, data: dict, allow_similar_name: bool = False) -> Organisation:
    """Set `data` (keys from ORGANISATION_FIELDS) on `organisation` (new or existing) and save it.

    Refuses (ValidationError) a KvK number another organisation has, and a near-identical name in the
    same city unless `allow_similar_name`. Side effects: one Organisation row inserted or updated."""
    for field, value in data.items():
        if field not in ORGANISATION_FIELDS:
            raise ValueError(f"not an organisation field: {field}")
        setattr(organisation, field, value.strip() if isinstance(value, str) else value)
    organisation.city = " ".join(organisation.city.split())
    if queries.organisation_with_kvk(kvk_number=organisation.kvk_number, exclude_pk=organisation.pk):
        raise ValidationError({"kvk_number": ValidationError(KVK_TAKEN, code="kvk_taken")})
    if not allow_similar_name and queries.similar_organisations(
        name=organisation.name, city=organisation.city, exclude_pk=organisation.pk
    ):
        raise ValidationError({"name": ValidationError(SIMILAR_NAME, code="similar_name")})
    try:
        with transaction.atomic():
            organisation.full_clean(validate_unique=False, validate_constraints=False)
            organisation.save()
    except IntegrityError as error:  # the same KvK number saved at the same moment
        raise ValidationError({"kvk_number": ValidationError(KVK_TAKEN, code="kvk_taken")}) from error
    return organisation


@transaction.atomic
def person_save(*, person: Person, data: dict) -> Person:
    """Set `data` (keys from PERSON_FIELDS) on `person` (new or existing) and save it.

    Refuses (ValidationError on "email") an email address another person has, whatever its case.
    Side effects: one Person row inserted or updated."""
    for field, value in data.items():
        if field not in PERSON_FIELDS:
            raise ValueError(f"not a person field: {field}")
        setattr(person, field, value.strip() if isinstance(value, str) else value)
    if queries.person_with_email(email=person.email, exclude_pk=person.pk):
        raise ValidationError({"email": ValidationError(EMAIL_TAKEN, code="email_taken")})
    try:
        with transaction.atomic():
            person.full_clean(validate_unique=False, validate_constraints=False)
            person.save()
    except IntegrityError as error:
        raise ValidationError({"email": ValidationError(EMAIL_TAKEN, code="email_taken")}) from error
    return person
