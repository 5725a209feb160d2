"""Locations where meetings are held: staff add, correct, archive and bring back locations, and
delete one that no meeting ever used. A location with meetings is never deleted: archiving takes it
out of the choices for new meetings while the meetings held there keep it."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Location

LOCATION_FIELDS = ("name", "address", "postcode", "city", "region")


def _refuse_duplicate(location: Location) -> None:
    """One location per name and place, whatever the capitals: the error lands on the name."""
    same = Location.objects.filter(name__iexact=location.name, city__iexact=location.city)
    if location.pk:
        same = same.exclude(pk=location.pk)
    if same.exists():
        raise ValidationError(
            {"name": _("There is already a location with this name in %(city)s.") % {"city": location.city}}
        )


def _save(location: Location) -> Location:
    location.name = location.name.strip()
    location.city = location.city.strip()
    location.full_clean(validate_unique=False, validate_constraints=False)
    _refuse_duplicate(location)
    try:
        with transaction.atomic():
            location.save()
    except IntegrityError:  # the same name was saved by someone else a moment ago
        _refuse_duplicate(location)
        raise
    return location


@transaction.atomic
def location_create(*, name: str, city: str, region, address: str = "", postcode: str = "") -> Location:
    """A new location, offered at once for new meetings. Refused (ValidationError on "name") when
    a location with that name exists in that place."""
    return _save(Location(name=name, address=address, postcode=postcode, city=city, region=region))


@transaction.atomic
def location_update(*, location: Location, **fields) -> Location:
    """Correct a location's name, address, postcode, place or region (LOCATION_FIELDS). The
    meetings held there show the new values (their mails and calendars follow when they are next
    sent). Refused as location_create."""
    location = Location.objects.select_for_update().get(pk=location.pk)
    for name, value in fields.items():
        if name not in LOCATION_FIELDS:
            raise TypeError(f"location_update() got an unexpected field {name!r}")
        setattr(location, name, value)
    return _save(location)


@transaction.atomic
def location_archive(*, location: Location) -> Location:
    """No longer offer the location for new meetings; meetings already planned there keep it.
    Archiving an archived location does nothing."""
    location = Location.objects.select_for_update().get(pk=location.pk)
    if location.archived_at is None:
        location.archived_at = timezone.now()
        location.save(update_fields=["archived_at"])
    return location


@transaction.atomic
def location_restore(*, location: Location) -> Location:
    """Offer an archived location for new meetings again."""
    location = Location.objects.select_for_update().get(pk=location.pk)
    if location.archived_at is not None:
        location.archived_at = None
        location.save(update_fields=["archived_at"])
    return location


def location_in_use(location: Location) -> bool:
    return location.meetings.exists()


@transaction.atomic
def location_delete(*, location: Location) -> None:
    """Delete a location that no meeting (planned, held or cancelled) ever used. Refused
    (ValidationError) for a location in use: archive it instead."""
    location = Location.objects.select_for_update().get(pk=location.pk)
    if location_in_use(location):
        raise ValidationError(_("Meetings are planned or were held at this location: archive it instead."))
    location.delete()
