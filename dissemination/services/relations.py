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
(person_address_changed): the old address gets a notice, and links mailed to it stop working.

Every app that meets a person or an organisation by name or address (enrolment, outreach,
ambassador invitations, the import) finds or adds it here: person_find_or_add and
organisation_find_or_add, never with Person or Organisation rows of its own."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
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
# What person_find_or_add may fill in on a person it finds (never the address it was found by).
PERSON_FILLABLE = ("first_name", "last_name", "phone", "function", "organisation")


def fill_empty_fields(record: models.Model, values: dict) -> list[str]:
    """Give each field of `record` named in `values` its value there, where the field is empty and
    the value is not: nothing the record holds is overwritten. A related record may be given as an
    instance or its key. Returns the names of the fields filled (for save(update_fields=...));
    saves nothing."""
    filled = []
    for name, value in values.items():
        attname = type(record)._meta.get_field(name).attname
        if isinstance(value, models.Model):
            value = value.pk
        if getattr(record, attname) in (None, "") and value not in (None, ""):
            setattr(record, attname, value)
            filled.append(name)
    return filled


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


def person_find(*, email: str, no_key: bool = False) -> Person | None:
    """The person with this address (any case), locked until commit; None when there is none or
    the address is empty. Person's address is unique whatever its case, so this row is the lock of
    the address. `no_key`: FOR NO KEY UPDATE (PostgreSQL), which still lets other transactions
    store rows that point at the person."""
    email = email.strip()
    if not email:
        return None
    return Person.objects.select_for_update(no_key=no_key).filter(email__iexact=email).first()


def _email_taken(error: ValidationError) -> bool:
    refusals = getattr(error, "error_dict", {}).get("email", [])
    return any(getattr(refusal, "code", None) == "email_taken" for refusal in refusals)


@transaction.atomic
def person_find_or_add(
    *,
    email: str,
    first_name: str,
    last_name: str,
    phone: str = "",
    function: str = "",
    organisation: Organisation | None = None,
    added_by: User | None = None,
    fill_empty: Iterable[str] = (),
    check_existing: Callable[[Person], None] | None = None,
    no_key: bool = False,
) -> Person:
    """The one person with this email address (any case), locked until commit (person_find; with
    `no_key` FOR NO KEY UPDATE), or a new one with the values given. An empty address finds nobody:
    then a new person is always added.

    A new person is stored through person_save (the duplicate guard; added_by = `added_by`, None
    for a visitor). When another request stores the same address at the same moment, PostgreSQL
    makes this insert wait for its commit and refuse; that person is then found and locked instead.
    A person found (also that one) is first given to `check_existing`, which raises ValidationError
    to refuse them; then the fields named in `fill_empty` (from PERSON_FILLABLE) take the values
    given where they are empty (fill_empty_fields): nothing a person holds is overwritten.

    Refuses (ValidationError by field) what person_save refuses. Side effects: one Person row
    inserted, or updated when fields were filled."""
    values = {
        "first_name": first_name,
        "last_name": last_name,
        "phone": phone,
        "function": function,
        "organisation": organisation,
    }
    fill_empty = tuple(fill_empty)
    if set(fill_empty) - set(PERSON_FILLABLE):
        raise ValueError(f"not a fillable person field: {set(fill_empty) - set(PERSON_FILLABLE)}")
    person = person_find(email=email, no_key=no_key)
    if person is None:
        try:
            return person_save(person=Person(), data={**values, "email": email}, by=added_by)
        except ValidationError as error:
            person = person_find(email=email, no_key=no_key) if _email_taken(error) else None
            if person is None:
                raise
    if check_existing is not None:
        check_existing(person)
    filled = fill_empty_fields(person, {field: values[field] for field in fill_empty})
    if filled:
        person.save(update_fields=filled)
    return person


@transaction.atomic
def organisation_find_or_add(
    *, name: str, city: str = "", target_group: str, region, named_by_participant: bool = False
) -> Organisation:
    """The organisation with this name in this city (ignoring case; the oldest when there are
    several), or a new one with the target group and region given. Without a script nobody picks
    from a list, so the same name in the same city is taken to be the same organisation; a
    near-identical name is added all the same (staff merge it, dissemination.services.matching).
    `named_by_participant`: typed on a public page, so the public search leaves it out until staff
    confirm it (named_by_participant_at).

    Stored through organisation_save (a name is required, the choices are checked). Side effects:
    at most one Organisation row inserted."""
    name, city = name.strip(), " ".join(city.split())
    existing = Organisation.objects.filter(name__iexact=name, city__iexact=city).order_by("pk").first()
    if existing is not None:
        return existing
    return organisation_save(
        organisation=Organisation(named_by_participant_at=timezone.now() if named_by_participant else None),
        data={"name": name, "city": city, "target_group": target_group, "region": region},
        allow_similar_name=True,
    )
