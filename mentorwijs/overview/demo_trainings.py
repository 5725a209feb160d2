"""Demo training runs around today: one completed (attendance, certificates, evaluations), one
running, one full with a waiting list, two open and one draft. Runs are found by title, so running
the seed again changes nothing. Built through the services, as staff would."""

from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from ambassadors.enums import CertificationStatus, Level
from ambassadors.models import Certification
from ambassadors.services.assignments import assignment_add
from dissemination.models import Organisation, Person, Region
from mentorwijs.accounts.models import User
from trainings.enums import (
    ActiveComponent,
    AssignmentRole,
    EvaluationMoment,
    SelfEfficacyItem,
    TrainingStatus,
    Variant,
)
from trainings.models import Enrolment, Evaluation, Location, Meeting, Training
from trainings.services.attendance import attendance_record
from trainings.services.enrolment import enrolment_create
from trainings.services.scheduling import training_create, training_update

LOCATIONS = [
    # name, address, postcode, city, region
    ("Werkzaak Rivierenland", "Kellenseweg 4", "4004 JK", "Tiel", "Rivierenland"),
    ("Praktijkschool De Waalstroom, aula", "Waalstraat 12", "4005 BB", "Tiel", "Rivierenland"),
    ("Restaurant De Lingehoeve", "Achterweg 9", "4101 GH", "Culemborg", "Rivierenland"),
    ("Bedrijfsverzamelgebouw Waalhaven", "Waalhaven Oostzijde 1", "3089 JK", "Rotterdam", "Rijnmond"),
]

COMPONENTS_PER_MEETING = [
    [ActiveComponent.INCLUSIVE_CLIMATE, ActiveComponent.UNDERSTANDING],
    [ActiveComponent.UNDERSTANDING, ActiveComponent.QUALITIES],
    [ActiveComponent.QUALITIES, ActiveComponent.LEARNING],
    [ActiveComponent.AUTONOMY, ActiveComponent.LEADERSHIP],
    [ActiveComponent.LEADERSHIP, ActiveComponent.INCLUSIVE_CLIMATE],
]

# title, variant, region, location, host, weeks from now to the first meeting, final status,
# trainer emails, number of participants, capacity
RUNS = [
    ("Mentorwijs Tiel voorjaar 2026", Variant.STANDARD, "Rivierenland", 0, "Werkgeversservicepunt Rivierenland",
     -26, TrainingStatus.COMPLETED, ["opleider@werkzaak.example", "trainer@werkzaak.example"], 12, 15),
    ("Mentorwijs Culemborg najaar 2026", Variant.STANDARD, "Rivierenland", 2, "Hovenier Groen & Zo",
     -3, TrainingStatus.RUNNING, ["trainer@werkzaak.example"], 10, 15),
    ("Stagebegeleiders Praktijkschool De Waalstroom", Variant.INTERNSHIP, "Rivierenland", 1,
     "Praktijkschool De Waalstroom", 3, TrainingStatus.OPEN, ["trainer@werkzaak.example"], 14, 12),
    ("Mentorwijs Zaltbommel voorjaar 2027", Variant.STANDARD, "Rivierenland", 0, "VSO De Bommelerwaard",
     10, TrainingStatus.OPEN, ["opleider@werkzaak.example"], 4, 15),
    ("Mentorwijs Rotterdam-Zuid", Variant.IN_COMPANY, "Rijnmond", 3, "Logistiek Centrum Waalhaven-Oost",
     6, TrainingStatus.OPEN, [], 2, 15),
    ("Train-de-trainer Rivierenland 2027", Variant.TRAIN_THE_TRAINER, "Rivierenland", 0, "",
     16, TrainingStatus.DRAFT, ["opleider@werkzaak.example"], 0, 8),
]  # fmt: skip


def seed_trainings() -> int:
    regions = {region.name: region for region in Region.objects.all()}
    locations = [
        Location.objects.update_or_create(
            name=name, city=city, defaults={"address": address, "postcode": postcode, "region": regions[region]}
        )[0]
        for name, address, postcode, city, region in LOCATIONS
    ]
    people = list(Person.objects.exclude(email="").select_related("organisation").order_by("pk"))
    for index, run in enumerate(RUNS):
        if not Training.objects.filter(title=run[0]).exists():
            _seed_run(index, run, regions, locations, people)
    return Training.objects.filter(title__in=[run[0] for run in RUNS]).count()


def _seed_run(index, run, regions, locations, people):
    title, variant, region, location, host, weeks, status, trainer_emails, participants, capacity = run
    day = timezone.localdate() + timedelta(weeks=weeks)
    starts_at = timezone.make_aware(datetime.combine(day, time(16, 30)))
    training = training_create(
        title=title,
        variant=variant,
        region=regions[region],
        first_meeting_starts_at=starts_at,
        first_meeting_ends_at=starts_at + timedelta(hours=3, minutes=30),
        location=locations[location],
        host_organisation=Organisation.objects.filter(name=host).first(),
        capacity=capacity,
        local_adaptations="Met gezamenlijke maaltijd; eigen casussen van de deelnemers." if index % 2 == 0 else "",
    )
    for meeting, components in zip(training.meetings.order_by("number"), COMPONENTS_PER_MEETING, strict=False):
        Meeting.objects.filter(pk=meeting.pk).update(components=list(components), meal_served=index % 2 == 0)
    staff = User.objects.filter(email="staf@werkzaak.example").first()
    trainers = sorted(User.objects.filter(email__in=trainer_emails), key=lambda user: trainer_emails.index(user.email))
    for number, trainer in enumerate(trainers):
        _certify(trainer)
        role = AssignmentRole.LEAD if number == 0 else AssignmentRole.CO_TRAINER
        assignment_add(training=training, trainer=trainer, role=role, assigned_by=staff)
    if status == TrainingStatus.DRAFT:
        return
    training_update(training=training, status=TrainingStatus.OPEN)
    # The public path refuses a run whose first meeting has begun: there staff enrol people late.
    enrolled_by = User.objects.filter(email="staf@werkzaak.example").first() if weeks < 0 else None
    enrolments = [
        enrolment_create(
            training=training,
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            organisation=person.organisation,
            # A public enrolment takes only a public organisation by id (pickable_organisations):
            # otherwise the name is typed in, as a participant would, and found by name and city.
            new_organisation=_typed(person.organisation),
            source=["network", "account_manager", "werkbedrijf", "alumni", "newsletter"][n % 5],
            dietary_wishes="Vegetarisch" if n % 4 == 0 else "",
            consent=True,
            enrolled_by=enrolled_by,
            late_reason="Demo" if weeks < 0 else "",
            link_key=training.enrolment_link_key,  # an in-company run: as through the link staff sent
        )
        for n, person in enumerate(people[index * 5 : index * 5 + participants])
    ]
    # A past demo run stands for one its participants enrolled in before it began: no late joiners.
    Enrolment.objects.filter(training=training).update(late_reason="")
    _seed_attendance(training, enrolments)
    if status in (TrainingStatus.RUNNING, TrainingStatus.COMPLETED):
        training_update(training=training, status=status)


def _typed(organisation):
    if organisation is None:
        return None
    return {"name": organisation.name, "city": organisation.city, "target_group": organisation.target_group}


def _certify(trainer):
    """An approved trainer certification valid from a year ago, so the trainer may lead the runs."""
    if not Certification.objects.filter(holder=trainer, status=CertificationStatus.APPROVED).exists():
        valid_from = timezone.localdate() - timedelta(days=365)
        Certification.objects.create(
            holder=trainer,
            level=Level.TRAINER,
            status=CertificationStatus.APPROVED,
            valid_from=valid_from,
            valid_until=valid_from + relativedelta(years=2),
            reviewed_at=timezone.now(),
        )


def _seed_attendance(training, enrolments):
    """Past meetings: almost everyone present; every fourth participant misses two meetings."""
    trainer = training.trainers.first()
    now = timezone.now()
    past = [meeting for meeting in training.meetings.order_by("number") if meeting.ends_at < now]
    for meeting in past:
        entries = [
            (enrolment, not (n % 4 == 3 and meeting.number in (2, 4)), "") for n, enrolment in enumerate(enrolments)
        ]
        entries = [(enrolment, present, "" if present else "Ziek") for enrolment, present, _reason in entries]
        attendance_record(meeting=meeting, entries=entries, by=trainer)
    if not past:
        return
    # Answers as participants gave them (the questionnaires themselves close with the meetings).
    for n, enrolment in enumerate(enrolments):
        before = {item: 2 + (n + i) % 3 for i, item in enumerate(SelfEfficacyItem.values)}
        Evaluation.objects.create(
            enrolment=enrolment,
            moment=EvaluationMoment.BEFORE,
            self_efficacy=before,
            submitted_at=past[0].starts_at - timedelta(days=2),
        )
        if len(past) == training.meetings.count() and n % 5 != 4:
            Evaluation.objects.create(
                enrolment=enrolment,
                moment=EvaluationMoment.AFTER,
                satisfaction=7 + n % 4,
                self_efficacy={item: min(score + 1, 5) for item, score in before.items()},
                usefulness={component: 3 + (n + i) % 3 for i, component in enumerate(ActiveComponent.values)},
                remarks="Fijn om casussen van andere bedrijven te horen." if n % 3 == 0 else "",
                submitted_at=past[-1].ends_at + timedelta(days=1),
            )
