"""Organisations that participants named on the public enrolment form, matched by staff.

The public organisation search finds only public organisations (trainings.queries.public_organisations).
A participant who does not find their employer types its name, city and kind; the enrolment adds it
with `named_by_participant_at`. Staff then either confirm it as a new organisation, or merge it into
the existing organisation it stands for. Either way the organisation that stays becomes public
(`public_since`): the next colleague finds it in the search."""

import logging

from django.db import transaction
from django.utils import timezone

from ..models import Organisation
from .merge import Move, organisation_merge

logger = logging.getLogger(__name__)


@transaction.atomic
def organisation_confirm_public(*, organisation: Organisation, by) -> Organisation:
    """Confirm `organisation` as a real organisation of its own. Side effect: public_since is set
    (once; confirming again changes nothing), so the public search finds it from now on."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.public_since is None:
        organisation.public_since = timezone.now()
        organisation.save(update_fields=["public_since"])
        logger.info("organisation %s confirmed as public by user %s", organisation.pk, getattr(by, "pk", None))
    return organisation


@transaction.atomic
def organisation_match(*, named: Organisation, existing: Organisation, by) -> list[Move]:
    """`named` (typed in by a participant) is `existing`: organisation_merge moves its people (with
    their enrolments) and everything else onto `existing` and deletes `named`; then `existing` is
    confirmed as public. All or nothing: a merge the merge service refuses raises ValidationError
    and changes nothing. Returns what moved."""
    moves = organisation_merge(keep=existing, remove=named, by=by)
    organisation_confirm_public(organisation=existing, by=by)
    return moves
