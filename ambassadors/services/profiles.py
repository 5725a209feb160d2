"""Ambassador profiles: inviting ambassadors (by address or from a completed enrolment), the
user's own profile and its public-listing consent.

A profile belongs to an account (`user`) or, until its invitation is accepted, to a dissemination
Person and the open accounts Invitation (ambassadors.signals links the new account on acceptance)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dissemination.models import Person
from dissemination.services.relations import person_save
from mentorwijs.accounts.models import Invitation, User
from mentorwijs.accounts.roles import Role
from mentorwijs.accounts.services import InvitationError, invitation_create, user_set_roles
from trainings.enums import EnrolmentStatus
from trainings.models import Enrolment

from ..enums import AmbassadorKind, AmbassadorOffer
from ..models import Ambassador

TRAINER_ROLES = {Role.TRAINER, Role.MASTER_TRAINER}


def _checked_offers(offers) -> list[str]:
    """The offer codes in the order of AmbassadorOffer; refuses an unknown code."""
    offers = set(offers or [])
    unknown = offers - set(AmbassadorOffer.values)
    if unknown:
        raise ValidationError({"offers": _("Choose what you offer from the list.")})
    return [code for code in AmbassadorOffer.values if code in offers]


def _profile_for_email(email: str) -> Ambassador | None:
    """The profile an email address already has: through its account, its person or its invitation."""
    return (
        Ambassador.objects.select_for_update(of=("self",))
        .filter(
            Q(user__email__iexact=email)
            | Q(person__email__iexact=email)
            | Q(user__isnull=True, invitation__email__iexact=email)
        )
        .order_by("pk")
        .first()
    )


def _free_person(email: str) -> Person | None:
    """The dissemination Person with this address, when no other profile holds them yet."""
    return Person.objects.filter(email__iexact=email, ambassador__isnull=True).first()


@transaction.atomic
def ambassador_invite(
    *,
    email: str,
    first_name: str,
    kind: str,
    organisation,
    region,
    offers,
    invited_by: User,
    last_name: str = "",
    language: str = "nl",
    person: Person | None = None,
) -> Ambassador:
    """Make someone an ambassador.

    An existing account gets the ambassador role (its other roles kept) and a profile; nobody mails
    them. Any other address gets an accounts Invitation with the ambassador role (its mail is sent
    after commit by the accounts app) and a profile holding that invitation and a dissemination
    Person (the one with this address, else a new one). A profile still waiting for an account
    whose invitation lapsed gets the new invitation.

    Refuses (ValidationError on "email") an address that already has a profile with an account, or
    an open invitation; on "kind" and "offers" an unknown choice.
    Side effects: Ambassador row created or updated; Group membership or Invitation (+ Person) row.
    """
    email = email.strip().lower()
    if kind not in AmbassadorKind.values:
        raise ValidationError({"kind": _("Choose a kind of ambassador.")})
    offers = _checked_offers(offers)
    if Invitation.objects.open().filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An invitation for this email address is still open.")})
    profile = _profile_for_email(email)
    if profile is not None and profile.user_id is not None:
        raise ValidationError({"email": _("This email address already has an ambassador profile.")})
    if profile is None:
        profile = Ambassador()
    profile.kind = kind
    profile.organisation = organisation
    profile.region = region
    profile.offers = offers

    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        user_set_roles(user=user, roles=user.roles | {Role.AMBASSADOR})
        profile.user = user
        profile.invitation = None
        if profile.person_id is None:
            profile.person = person or _free_person(email)
    else:
        try:
            profile.invitation = invitation_create(
                email=email,
                roles=[Role.AMBASSADOR],
                invited_by=invited_by,
                first_name=first_name,
                language=language,
            )
        except InvitationError as error:
            raise ValidationError({"email": str(error)}) from error
        if profile.person_id is None:
            profile.person = person or _free_person(email)
        if profile.person is None:
            profile.person = person_save(
                person=Person(),
                data={
                    "first_name": first_name,
                    "last_name": last_name,
                    "email": email,
                    "organisation": organisation,
                },
            )
    profile.save()
    return profile


@transaction.atomic
def ambassador_invite_participant(*, enrolment: Enrolment, invited_by: User) -> Ambassador:
    """One click from a participant who completed a run: a trained-supervisor profile for their
    person, organisation and the run's region, with an invitation (or the role, when they already
    have an account) as ambassador_invite does.

    Refuses (ValidationError on "enrolment") an enrolment that is not completed, a person who
    already has a profile, and (on "email") a person without an email address.
    Side effects: those of ambassador_invite."""
    enrolment = (
        Enrolment.objects.select_for_update(of=("self",))
        .select_related("person__organisation", "training__region")
        .get(pk=enrolment.pk)
    )
    person = enrolment.person
    if enrolment.status != EnrolmentStatus.COMPLETED:
        raise ValidationError({"enrolment": _("Only a participant who completed the training can be invited.")})
    if Ambassador.objects.filter(person=person).exists():
        raise ValidationError({"enrolment": _("%(name)s already has an ambassador profile.") % {"name": person}})
    if not person.email:
        raise ValidationError({"email": _("%(name)s has no email address to invite.") % {"name": person}})
    return ambassador_invite(
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        kind=AmbassadorKind.TRAINED_SUPERVISOR,
        organisation=person.organisation,
        region=enrolment.training.region,
        offers=[],
        invited_by=invited_by,
        language=enrolment.language,
        person=person,
    )


def profile_link_accepted_invitation(*, invitation: Invitation) -> int:
    """After an invitation was accepted: the profile holding it belongs to the new account.
    Returns the number of profiles linked (0 or 1). Side effects: Ambassador.user set."""
    if invitation.accepted_user_id is None or Ambassador.objects.filter(user_id=invitation.accepted_user_id).exists():
        return 0
    return Ambassador.objects.filter(invitation=invitation, user__isnull=True).update(
        user_id=invitation.accepted_user_id
    )


def _default_kind(user: User) -> str:
    return AmbassadorKind.TRAINER if user.roles & TRAINER_ROLES else AmbassadorKind.TRAINED_SUPERVISOR


@transaction.atomic
def profile_for(*, user: User) -> Ambassador:
    """The user's own profile, made on first use: kind trainer for trainers and master trainers,
    else trained supervisor; the dissemination Person with their address is linked when free.
    Side effects: at most one Ambassador row created."""
    profile = Ambassador.objects.select_related("organisation", "region").filter(user=user).first()
    if profile is not None:
        return profile
    profile, _created = Ambassador.objects.get_or_create(
        user=user, defaults={"kind": _default_kind(user), "person": _free_person(user.email)}
    )
    return profile


@transaction.atomic
def profile_update(*, ambassador: Ambassador, organisation, region, offers, public_listing: bool) -> Ambassador:
    """Change a profile's organisation, region, offers and public-listing consent. The moment of
    consent (`public_listing_changed_at`) is set whenever the consent changes, and only then.

    Refuses (ValidationError on "offers") an unknown offer.
    Side effects: the Ambassador row updated."""
    offers = _checked_offers(offers)
    stored = Ambassador.objects.select_for_update().get(pk=ambassador.pk)
    ambassador.organisation = organisation
    ambassador.region = region
    ambassador.offers = offers
    ambassador.public_listing = bool(public_listing)
    ambassador.public_listing_changed_at = stored.public_listing_changed_at
    if stored.public_listing != ambassador.public_listing:
        ambassador.public_listing_changed_at = timezone.now()
    ambassador.save(update_fields=["organisation", "region", "offers", "public_listing", "public_listing_changed_at"])
    return ambassador
