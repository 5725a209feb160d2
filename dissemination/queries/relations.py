"""The read paths of relations: organisations and people, who may see whom, and the look-ups that find
duplicates."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from mentorwijs.forms import parse_id

from ..models import Organisation, Person


def organisation_list():
    return Organisation.objects.select_related("region")


# --- organisations and people (helper H) ------------------------------------------------------

# Legal-form words left out when names are compared: "Bakkerij Linge B.V." is "Bakkerij Linge".
LEGAL_FORM_WORDS = frozenset({"bv", "nv", "vof", "cv"})


def _name_words(name: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().replace(".", "")
    words = re.findall(r"[a-z0-9]+", plain)
    while words and words[-1] in LEGAL_FORM_WORDS:
        words.pop()
    return words


def organisation_name_key(name: str) -> str:
    """The name as compared by the duplicate guard: case, accents, whitespace, punctuation and a
    trailing legal form (B.V., BV, N.V., V.O.F., C.V.) do not count."""
    return "".join(_name_words(name))


def similar_organisations(*, name: str, city: str, exclude_pk=None) -> list:
    """Organisations in the same city (case-insensitive) whose name key equals that of `name`.

    The database narrows the candidates to names containing the longest word of `name`; the key is
    compared here. Two queries at most, whatever the number of organisations."""
    key = organisation_name_key(name)
    city = " ".join(city.split())
    if not key or not city:
        return []
    longest = max(_name_words(name), key=len)
    candidates = Organisation.objects.filter(city__iexact=city, name__icontains=longest)
    if exclude_pk is not None:
        candidates = candidates.exclude(pk=exclude_pk)
    return [org for org in candidates.select_related("region")[:50] if organisation_name_key(org.name) == key]


def organisation_with_kvk(*, kvk_number: str, exclude_pk=None):
    if not kvk_number:
        return None
    found = Organisation.objects.filter(kvk_number=kvk_number)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.first()


def person_with_email(*, email: str, exclude_pk=None):
    email = email.strip()
    if not email:
        return None
    found = Person.objects.filter(email__iexact=email)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return found.first()


def organisation_detail():
    return Organisation.objects.select_related("region")


# --- who sees which people (docs/security.md, "Who sees which people") ----------------------------


def people_visible_to(user):
    """The people a user may see and change in the directory: staff (and superusers) everyone; an
    ambassador the people they added and the contact persons of their own outreach contacts; every
    other role nobody (trainers see their runs' participants in trainings, not here)."""
    from ..models import OutreachContact

    if user.has_perm("dissemination.manage_relations"):
        return Person.objects.all()
    if not user.has_perm("dissemination.edit_relations"):
        return Person.objects.none()
    own_contacts = OutreachContact.objects.filter(logged_by=user, person=OuterRef("pk"))
    return Person.objects.filter(Q(added_by=user) | Exists(own_contacts))


def person_visible_to(user, person) -> bool:
    """Whether `user` may see `person` (one query for an ambassador, none for staff)."""
    if person is None or person.pk is None:
        return False
    if user.has_perm("dissemination.manage_relations"):
        return True
    return people_visible_to(user).filter(pk=person.pk).exists()


def person_list(user):
    """The people list of `user`, by name, with their organisation (one query)."""
    return people_visible_to(user).select_related("organisation").order_by("last_name", "first_name", "pk")


def organisation_people(user, organisation):
    """The people of an organisation that `user` may see, by name."""
    return people_visible_to(user).filter(organisation=organisation).order_by("last_name", "first_name", "pk")


def organisations_awaiting_match():
    """Organisations a participant named on the public enrolment form that staff have not confirmed
    or merged yet, oldest first, with the number of people who work there (one query)."""
    return (
        Organisation.objects.filter(named_by_participant_at__isnull=False, public_since__isnull=True)
        .select_related("region")
        .annotate(people_count=Count("people"))
        .order_by("named_by_participant_at", "pk")
    )


def organisations_named(q: str, limit: int = 10):
    """For the organisation search boxes: at most `limit` organisations whose name contains q
    (nothing for fewer than two characters)."""
    q = q.strip()
    if len(q) < 2:
        return []
    return list(
        Organisation.objects.filter(name__icontains=q).order_by("name", "pk").values("id", "name", "city")[:limit]
    )


def picked_organisation(picked, name: str, *, among=None):
    """The organisation a search box picked (its hidden id), unless the typed name was changed
    after picking; None then, or when nothing (valid) was picked. `among` (a queryset) limits what
    may be picked: an id outside it counts as no pick."""
    picked = str(picked or "").strip()
    among = Organisation.objects.all() if among is None else among
    organisation = among.filter(pk=picked).first() if parse_id(picked) else None
    if organisation is not None and organisation.name.strip().lower() != (name or "").strip().lower():
        return None
    return organisation


def organisation_chosen(picked, name: str):
    """The organisation chosen in a search box (hidden id `picked`, typed `name`): the one picked from
    the list, else the one named exactly; None for an empty box. Raises ValidationError for a name
    that matches no single organisation."""
    name = (name or "").strip()
    organisation = picked_organisation(picked, name)
    if organisation is None and name:
        organisation = organisation_named_exactly(name)
        if organisation is None:
            raise ValidationError(_("Choose the organisation from the list, or leave it empty."))
    return organisation


def organisation_named_exactly(name: str):
    """Without the search script: the one organisation with exactly this name (any case), or None
    when there is none or more than one."""
    matches = list(Organisation.objects.filter(name__iexact=(name or "").strip())[:2])
    return matches[0] if len(matches) == 1 else None
