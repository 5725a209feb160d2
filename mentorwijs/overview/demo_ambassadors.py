"""Demo certifications, ambassador profiles and quality work for the demo users; idempotent.

The certifications are stored before the runs are seeded, so the demo trainers may lead them; the
rest (a self-report, a refresher, profiles, a request waiting for review, an offer) after."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from ambassadors.enums import AmbassadorKind, AmbassadorOffer, CertificationAction, CertificationStatus, Level
from ambassadors.models import Ambassador, AssignmentOffer, Certification, CertificationEvent, RefresherMeeting
from ambassadors.services.assignments import offer_create
from ambassadors.services.certification import certification_request
from ambassadors.services.fidelity import fidelity_review_submit
from dissemination.models import Organisation, Region
from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role
from mentorwijs.accounts.services import user_set_roles
from trainings.enums import ActiveComponent, AssignmentRole, TrainingStatus
from trainings.models import Training

MASTER = "opleider@werkzaak.example"
TRAINER = "trainer@werkzaak.example"
AMBASSADOR = "ambassadeur@werkzaak.example"
# A trainer in training who cannot log in: her request waits in the reviewers' queue.
CANDIDATE = ("lotte.degraaf@werkzaak.example", "Lotte", "de Graaf")


def _grant(holder, level, certified_by, days_ago):
    """An approved certification with its history, unless the holder already has one."""
    existing = Certification.objects.filter(holder=holder, level=level, status=CertificationStatus.APPROVED).first()
    if existing:
        return existing
    valid_from = timezone.localdate() - timedelta(days=days_ago)
    certification = Certification.objects.create(
        holder=holder,
        level=level,
        status=CertificationStatus.APPROVED,
        valid_from=valid_from,
        valid_until=valid_from + relativedelta(years=2),
        certified_by=certified_by,
        reviewed_by=certified_by,
        reviewed_at=timezone.now() - timedelta(days=days_ago),
        requested_at=timezone.now() - timedelta(days=days_ago + 14),
    )
    CertificationEvent.objects.bulk_create(
        [
            CertificationEvent(certification=certification, action=CertificationAction.REQUESTED, actor=holder,
                               at=certification.requested_at),
            CertificationEvent(certification=certification, action=CertificationAction.APPROVED, actor=certified_by,
                               at=certification.reviewed_at),
        ]
    )  # fmt: skip
    return certification


def seed_certifications() -> None:
    """Ruud is an original master trainer; he certified Fatima as a trainer."""
    master, trainer = User.objects.get(email=MASTER), User.objects.get(email=TRAINER)
    _grant(master, Level.MASTER_TRAINER, None, days_ago=400)
    _grant(trainer, Level.TRAINER, master, days_ago=380)


def seed_quality() -> int:
    master, trainer = User.objects.get(email=MASTER), User.objects.get(email=TRAINER)
    rivierenland = Region.objects.get(name="Rivierenland")
    completed = Training.objects.filter(
        status=TrainingStatus.COMPLETED, assignments__trainer=master, assignments__role=AssignmentRole.LEAD
    ).first()
    if completed and not completed.fidelity_reviews.exists():
        scores = dict(zip(ActiveComponent.values, [4, 3, 3, 4, 3, 2], strict=True))
        fidelity_review_submit(
            training=completed,
            reviewer=master,
            kind="self_report",
            scores=scores,
            checklist={"all_meetings_held": True, "group_size_ok": True, "own_cases_used": True,
                       "handbook_followed": True, "adaptations_recorded": False},
            notes="Transformationeel leiderschap kwam in bijeenkomst 4 te kort; volgende keer meer oefentijd.",
        )  # fmt: skip
    refresher, _created = RefresherMeeting.objects.get_or_create(
        title="Terugkomdag trainers 2026", defaults={"held_on": timezone.localdate() - timedelta(days=60)}
    )
    refresher.attendees.add(master, trainer)

    bakery = Organisation.objects.filter(name="Bakkerij De Lingehoeve").first()
    profiles = [
        (master, AmbassadorKind.TRAINER, [AmbassadorOffer.SPEAK_AT_EVENTS, AmbassadorOffer.HOST_RUN], True),
        (trainer, AmbassadorKind.TRAINER, [AmbassadorOffer.TELL_NETWORK, AmbassadorOffer.HOST_RUN], True),
        (User.objects.get(email=AMBASSADOR), AmbassadorKind.TRAINED_SUPERVISOR,
         [AmbassadorOffer.TELL_NETWORK, AmbassadorOffer.SPEAK_AT_EVENTS], False),
    ]  # fmt: skip
    for user, kind, offers, listed in profiles:
        Ambassador.objects.get_or_create(
            user=user,
            defaults={
                "kind": kind,
                "region": rivierenland,
                "organisation": bakery if kind == AmbassadorKind.TRAINED_SUPERVISOR else None,
                "offers": offers,
                "public_listing": listed,
                "public_listing_changed_at": timezone.now() if listed else None,
            },
        )

    email, first_name, last_name = CANDIDATE
    candidate, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name}
    )
    if created:
        candidate.set_unusable_password()
        candidate.save()
        user_set_roles(user=candidate, roles=[Role.TRAINER])
    if not Certification.objects.filter(holder=candidate).exists():
        certification_request(
            holder=candidate,
            level=Level.CO_TRAINER,
            note="Train-de-trainer gevolgd bij Ruud Hendriks; twee keer meegedraaid als co-trainer in Tiel.",
        )

    # A coming run without a trainer, and Fatima's offer to lead it.
    needs_lead = Training.objects.filter(status=TrainingStatus.OPEN, assignments__isnull=True).first()
    if needs_lead and not AssignmentOffer.objects.filter(training=needs_lead).exists():
        offer_create(training=needs_lead, trainer=trainer, role=AssignmentRole.LEAD, note="Ik ken het bedrijf al.")
    return Certification.objects.count()
