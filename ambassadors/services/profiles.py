"""Ambassador profiles: inviting ambassadors (by address or from a completed enrolment), the
user's own profile and its public-listing consent.

A profile belongs to an account (`user`) or, until its invitation is accepted, to a dissemination
Person and the open accounts Invitation (ambassadors.signals links the new account on acceptance)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dissemination.models import Person
from dissemination.services.relations import person_find_or_add
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


def _locked_person(
    *, email: str, first_name: str, last_name: str, organisation, person: Person | None, by: User
) -> Person:
    """The dissemination Person with this address (or `person`), stored first when there is none,
    and locked until commit. Person's email is unique whatever its case, so this row is the lock of
    the address: a second invitation of the same address waits here, then finds the first one's
    profile and invitation. Were both to store the Person at once, PostgreSQL makes the second
    insert wait for the first commit and refuse it; the second then locks the stored row
    (dissemination's person_find_or_add).

    FOR NO KEY UPDATE: it serialises invitations, yet lets another transaction insert a row that
    points at this Person (a profile saved from the own profile page), so no lock cycle arises."""
    if person is not None:
        return Person.objects.select_for_update(no_key=True).get(pk=person.pk)
    return person_find_or_add(
        email=email, first_name=first_name, last_name=last_name, organisation=organisation, added_by=by, no_key=True
    )


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

    First the dissemination Person with this address is found or stored (from the names and
    organisation given) and locked, so invitations of one address run one after the other.
    An existing account gets the ambassador role (its other roles kept) and a profile; nobody mails
    them. Any other address gets an accounts Invitation with the ambassador role (its mail is sent
    after commit by the accounts app). The profile holds that Person when no other profile does. A
    profile still waiting for an account whose invitation lapsed gets the new invitation.

    Refuses (ValidationError on "email") an address that already has a profile with an account, or
    an open invitation, also when another request made that profile at the same moment; on "kind"
    and "offers" an unknown choice. Nothing is stored when it refuses.
    Side effects: Person row (when new); Ambassador row created or updated; Group membership or
    Invitation row.
    """
    email = email.strip().lower()
    if kind not in AmbassadorKind.values:
        raise ValidationError({"kind": _("Choose a kind of ambassador.")})
    offers = _checked_offers(offers)
    person = _locked_person(
        email=email, first_name=first_name, last_name=last_name, organisation=organisation, person=person, by=invited_by
    )
    user = User.objects.select_for_update(no_key=True).filter(email__iexact=email).first()
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
    if profile.person_id is None and not Ambassador.objects.filter(person=person).exists():
        profile.person = person

    if user is not None:
        user_set_roles(user=user, roles=user.roles | {Role.AMBASSADOR})
        profile.user = user
        profile.invitation = None
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
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as error:  # a profile for this account or person stored since the checks
        raise ValidationError({"email": _("This email address already has an ambassador profile.")}) from error
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
    # The lock of the address (see _locked_person), taken before the check: the same person's
    # enrolment in another run may be invited at the same moment.
    Person.objects.select_for_update(no_key=True).filter(pk=person.pk).first()
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


def profile_or_new(*, user: User) -> Ambassador:
    """The user's own profile, or an unsaved one to fill in (kind trainer for trainers and master
    trainers, else trained supervisor). Reads only: a profile is stored by profile_save."""
    profile = Ambassador.objects.select_related("organisation", "region").filter(user=user).first()
    return profile or Ambassador(user=user, kind=_default_kind(user))


@transaction.atomic
def profile_save(*, user: User, organisation, region, offers, public_listing: bool) -> Ambassador:
    """Store the user's own profile: its organisation, region, offers and public-listing consent.

    The first save creates it, with the kind of profile_or_new and the dissemination Person with
    the user's address when no other profile holds them. The moment of consent
    (`public_listing_changed_at`) is set whenever the consent changes (a new profile starts
    without consent), and only then. The user's row is locked first, so two saves of one user, or
    a save and a staff invitation of their address, run one after the other.

    Refuses (ValidationError on "offers") an unknown offer; (without a field) a profile that could
    not be stored because another one took its person at the same moment.
    Side effects: one Ambassador row inserted or updated."""
    offers = _checked_offers(offers)
    user = User.objects.select_for_update(no_key=True).get(pk=user.pk)
    profile = Ambassador.objects.select_for_update(of=("self",)).filter(user=user).first()
    if profile is None:
        profile = Ambassador(user=user, kind=_default_kind(user), person=_free_person(user.email))
    consent = bool(public_listing)
    if consent != profile.public_listing:
        profile.public_listing_changed_at = timezone.now()
    profile.organisation = organisation
    profile.region = region
    profile.offers = offers
    profile.public_listing = consent
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as error:
        raise ValidationError(_("Your profile could not be saved just now. Please try again.")) from error
    return profile
