"""Creating and changing organisations and persons, with the duplicate guard, and who may change
the address that mail goes to.

The rules: a KvK number belongs to one organisation; an organisation with a near-identical name in
the same city (queries.similar_organisations) is saved only when the user confirms it is another
organisation; an email address belongs to one person (case-insensitive). The database constraints
back up the first and the last when two requests race.

A person's email address is where mail goes once they take part in a run, subscribe or hold an
account; from then on only staff, or the person through their own personal link, change it
(person_email_may_change). Apps that mail a person's address register a PersonMailUse (trainings:
participants), so this module imports none of them; on every change of that address (person_save,
and person_merge, which moves one person's rows to another address) each of them is told
(person_address_changed): the old address gets a notice, and links mailed to it stop working."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from mentorwijs.accounts.models import User

from ..models import Organisation, Person, Subscriber
from ..queries import relations as queries

KVK_TAKEN = _("Another organisation already has this KvK number.")
SIMILAR_NAME = _("An organisation with a near-identical name exists in this city. Check it is another one.")
EMAIL_TAKEN = _("Another person already has this email address.")
EMAIL_LOCKED = _("Mentorwijs sends mail to this address: only Werkzaak staff or the person themselves can change it.")


class ThePerson:
    """`by` for a change the person makes themselves, through their own personal link (the caller
    checked the link)."""

    def __repr__(self):
        return "THE_PERSON"


THE_PERSON = ThePerson()


@dataclass(frozen=True)
class PersonMailUse:
    """An app that sends service mail to a person's address.

    receives_mail(person) says whether it mails this person; address_changed(person=, old_email=,
    new_email=, by_themselves=) is called when the address its mail to `person` goes to changes from
    `old_email` to `new_email` (either may be empty): it tells the old address (a notice without
    the new address or any link), makes every personal link it mailed to the old address stop
    working and sends the new ones to the new address (rows, sent after commit). Both run inside
    the transaction of the change (person_save, person_merge)."""

    receives_mail: Callable[[Person], bool]
    address_changed: Callable[..., None]


PERSON_MAIL_USES: list[PersonMailUse] = []


def register_person_mail_use(use: PersonMailUse) -> None:
    """Called from an app's ready(); registering twice keeps one."""
    if use not in PERSON_MAIL_USES:
        PERSON_MAIL_USES.append(use)


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


def _is_staff(by) -> bool:
    return isinstance(by, User) and by.has_perm("dissemination.manage_relations")


def person_receives_mail(person: Person, *, email: str | None = None) -> bool:
    """Whether mail goes to the person's address (`email`: the stored one, when the instance holds
    an unsaved change): a registered app mails them (trainings: they enrolled), a newsletter
    subscriber is them or has the address, or an account has the address. At most four queries."""
    email = (person.email if email is None else email).strip()
    if person.pk is not None:
        if any(use.receives_mail(person) for use in PERSON_MAIL_USES):
            return True
        if Subscriber.objects.filter(person_id=person.pk).exists():
            return True
    if not email:
        return False
    return Subscriber.objects.filter(email__iexact=email).exists() or User.objects.filter(email__iexact=email).exists()


def person_email_may_change(*, person: Person, by, email: str | None = None) -> bool:
    """The one rule for who changes a person's email address: the address of a new person is typed
    by whoever adds them; staff change any; the person themselves (`by` THE_PERSON) their own; an
    ambassador only while no mail goes to it (person_receives_mail; `email`: the stored address)."""
    if person.pk is None or by is THE_PERSON or _is_staff(by):
        return True
    return not person_receives_mail(person, email=email)


def same_address(old: str, new: str) -> bool:
    return old.strip().lower() == new.strip().lower()


def person_address_changed(*, person: Person, old_email: str, new_email: str, by_themselves: bool) -> None:
    """Tell every app that mails `person` that the address its mail goes to changed from
    `old_email` to `new_email` (PersonMailUse.address_changed). Call inside the transaction of the
    change; `person` is whoever holds the app's rows at that moment (for a merge: the person who
    goes, before their rows move)."""
    for use in PERSON_MAIL_USES:
        if use.receives_mail(person):
            use.address_changed(person=person, old_email=old_email, new_email=new_email, by_themselves=by_themselves)


@transaction.atomic
def person_save(*, person: Person, data: dict, by) -> Person:
    """Set `data` (keys from PERSON_FIELDS) on `person` (new or existing) and save it, as `by`: the
    user who saves, or THE_PERSON (the person through their own personal link).

    Refuses (PermissionDenied) a user who may not see an existing person (queries.people_visible_to),
    and (ValidationError on "email") an email address another person has, whatever its case, or a
    changed address that `by` may not change (person_email_may_change).
    Side effects: one Person row inserted (added_by = the user) or updated; when the address of
    someone mail goes to changes, person_address_changed (each registered PersonMailUse: a notice
    to the old address, new personal links to the new one), and the audit entry of a change
    through the personal link says so (Person.get_additional_data)."""
    stored_email = None
    if person.pk is not None:
        stored_email = Person.objects.select_for_update().filter(pk=person.pk).values_list("email", flat=True).first()
        if isinstance(by, User) and not queries.person_visible_to(by, person):
            raise PermissionDenied
    for field, value in data.items():
        if field not in PERSON_FIELDS:
            raise ValueError(f"not a person field: {field}")
        setattr(person, field, value.strip() if isinstance(value, str) else value)
    email_changed = stored_email is not None and not same_address(stored_email, person.email)
    if email_changed and not person_email_may_change(person=person, by=by, email=stored_email):
        raise ValidationError({"email": ValidationError(EMAIL_LOCKED, code="email_locked")})
    if queries.person_with_email(email=person.email, exclude_pk=person.pk):
        raise ValidationError({"email": ValidationError(EMAIL_TAKEN, code="email_taken")})
    if person.pk is None and isinstance(by, User):
        person.added_by = by
    person.changed_through = "personal_link" if (email_changed and by is THE_PERSON) else ""
    try:
        with transaction.atomic():
            person.full_clean(validate_unique=False, validate_constraints=False)
            person.save()
    except IntegrityError as error:
        raise ValidationError({"email": ValidationError(EMAIL_TAKEN, code="email_taken")}) from error
    finally:
        person.changed_through = ""
    if email_changed:
        person_address_changed(
            person=person, old_email=stored_email.strip(), new_email=person.email, by_themselves=by is THE_PERSON
        )
    return person
