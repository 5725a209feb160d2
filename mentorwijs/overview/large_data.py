"""National-scale data for the page benchmark (issue 7): invented people only.

`seed_large(scale=1.0)` writes, with bulk_create in chunks and, on PostgreSQL, COPY for the big
tables (no signals, no services per row: no mail, no task, no audit entry), the figures of the issue
times `scale`: 2,000 trainers, 3,000 training runs with 15,000 meetings, 40,000
persons, 45,000 enrolments, 10,000 organisations, 60,000 outreach contacts and 100,000
subscribers, in 30 regions; plus what the pages need to look real: staff and ambassadors, locations,
lead and co-trainers, attendance on past meetings, certificates, fidelity reviews, certifications
with their history and a train-the-trainer lineage, ambassador profiles, mailing lists with consent
records, goals. Dates are relative to today; everything else follows from `seed` (deterministic).

Names are generated ("Deelnemer 12345", "Trainer 17"), addresses end in example.org.
"""

import random
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import generate_totp_secret
from allauth.mfa.utils import encrypt
from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone

from ambassadors.enums import (
    AmbassadorKind,
    AmbassadorOffer,
    CertificationAction,
    CertificationStatus,
    Level,
    ReviewKind,
)
from ambassadors.models import Ambassador, Certification, CertificationEvent, FidelityReview, FidelityScore
from dissemination.enums import (
    Channel,
    CommunicationGoal,
    ConsentAction,
    ConsentSource,
    KeyMessage,
    MaterialShared,
    OutreachChannel,
    Stage,
    SubscriberStatus,
    TargetGroup,
)
from dissemination.models import (
    ConsentRecord,
    Goal,
    MailingList,
    Organisation,
    OutreachContact,
    Person,
    Region,
    Subscriber,
)
from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import Role
from mentorwijs.overview.figures import figures_changed
from trainings.enums import (
    ActiveComponent,
    AssignmentRole,
    EnrolmentStatus,
    MeetingStatus,
    TrainingStatus,
    Variant,
)
from trainings.models import Assignment, Attendance, Certificate, Enrolment, Location, Meeting, Training

CHUNK = 5_000
REGIONS = 30  # not scaled: the country has them whatever the size of the data

# The figures of issue 7 at scale 1.
FULL = {
    "staff": 20,
    "trainers": 2_000,
    "ambassadors": 300,
    "organisations": 10_000,
    "persons": 40_000,
    "trainings": 3_000,
    "enrolments_per_run": 15,
    "outreach_contacts": 60_000,
    "subscribers": 100_000,
    "locations_per_region": 10,
}
MEETINGS_PER_RUN = 5
MASTER_EVERY = 33  # about 3 % of the trainers are master trainers
ORIGINAL_MASTERS = 4  # the first master trainers, certified by nobody
HISTORY_DAYS = 3 * 365  # the first runs started three years ago
AHEAD_DAYS = 180  # and runs are planned half a year ahead
CERTIFICATION_YEARS = 2

COMPONENTS_PER_MEETING = [
    [ActiveComponent.INCLUSIVE_CLIMATE, ActiveComponent.UNDERSTANDING],
    [ActiveComponent.UNDERSTANDING, ActiveComponent.QUALITIES],
    [ActiveComponent.QUALITIES, ActiveComponent.LEARNING],
    [ActiveComponent.AUTONOMY, ActiveComponent.LEADERSHIP],
    [ActiveComponent.LEADERSHIP, ActiveComponent.INCLUSIVE_CLIMATE],
]
# Target groups weighted as the dissemination plan meets them: mostly employers.
TARGET_GROUP_WEIGHTS = [
    (TargetGroup.EMPLOYERS, 55),
    (TargetGroup.EMPLOYER_ORGANISATIONS, 4),
    (TargetGroup.REPRESENTATIVES, 5),
    (TargetGroup.MUNICIPALITIES, 8),
    (TargetGroup.SCHOOLS, 12),
    (TargetGroup.JOB_COACHING, 7),
    (TargetGroup.AGENCIES, 6),
    (TargetGroup.INTERMEDIARIES, 3),
]
ORGANISATION_WORDS = {
    TargetGroup.EMPLOYERS: "Bedrijf",
    TargetGroup.EMPLOYER_ORGANISATIONS: "Werkgeversvereniging",
    TargetGroup.REPRESENTATIVES: "Cliëntenraad",
    TargetGroup.MUNICIPALITIES: "Gemeente",
    TargetGroup.SCHOOLS: "School",
    TargetGroup.JOB_COACHING: "Jobcoachbureau",
    TargetGroup.AGENCIES: "Uitzendbureau",
    TargetGroup.INTERMEDIARIES: "Intermediair",
}
STAGE_WEIGHTS = [
    (Stage.INFORMED, 45),
    (Stage.INTERESTED, 25),
    (Stage.CONVINCED, 15),
    (Stage.SUPERVISORS_REGISTERED, 10),
    (Stage.TRAINED, 5),
]
VARIANT_WEIGHTS = [
    (Variant.STANDARD, 70),
    (Variant.INTERNSHIP, 15),
    (Variant.IN_COMPANY, 12),
    (Variant.TRAIN_THE_TRAINER, 3),
]
SUBSCRIBER_STATUS_WEIGHTS = [
    (SubscriberStatus.CONFIRMED, 85),
    (SubscriberStatus.UNSUBSCRIBED, 8),
    (SubscriberStatus.PENDING, 5),
    (SubscriberStatus.BOUNCED, 2),
]
MAILING_LISTS = [
    ("Landelijk nieuws", "Het nieuws van Mentorwijs in het hele land."),
    ("Werkgevers", "Voor werkgevers en leidinggevenden."),
    ("Scholen", "Voor scholen en stagebegeleiders."),
]
OUTREACH_NOTES = [
    "Kennismaking met de bedrijfsleider; factsheet achtergelaten.",
    "Gebeld over de volgende training in de regio.",
    "Gesprek op de netwerkbijeenkomst; wil de leidinggevenden aanmelden.",
    "Mail gestuurd met de data van het voorjaar.",
    "",
]


def scaled(full: int, scale: float) -> int:
    """`full` times `scale`, at least one."""
    return max(1, round(full * scale))


@dataclass
class Counts:
    """What one run created, for the command's report and the test."""

    rows: dict

    def __str__(self):
        return "\n".join(f"  {name:28} {count:>9,}" for name, count in self.rows.items())


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _bulk(model, objects):
    return model.objects.bulk_create(objects, batch_size=CHUNK)


def _copy(model, rows: list[dict]) -> int:
    """Insert plain rows ({attname: value}; fields left out take their default) without building
    model instances: PostgreSQL's COPY, ten times faster than bulk_create for the big tables;
    bulk_create on other databases. Returns nothing useful but the number of rows: read the keys
    back with a query where they are needed."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        _bulk(model, [model(**row) for row in rows])
        return len(rows)
    from psycopg.types.json import Jsonb

    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    json_fields = {f.attname for f in fields if isinstance(f, models.JSONField)}

    def value(field, row):
        if field.attname in row:
            given = row[field.attname]
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            given = now
        else:
            given = field.get_default()
        return Jsonb(given) if field.attname in json_fields and given is not None else given

    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([value(f, row) for f in fields])
    return len(rows)


class LargeData:
    def __init__(self, *, scale: float, seed: int):
        self.scale = scale
        self.rng = random.Random(seed)
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.rows: dict[str, int] = {}
        self.password = make_password(None)  # unusable: the bench logs in with sessions

    def count(self, name: str, number: int):
        self.rows[name] = self.rows.get(name, 0) + number

    # --- people who log in ---

    def users(self):
        n_staff = scaled(FULL["staff"], self.scale)
        n_trainers = scaled(FULL["trainers"], self.scale)
        n_ambassadors = scaled(FULL["ambassadors"], self.scale)
        joined = self.now - timedelta(days=HISTORY_DAYS + 200)

        def user(email, first, last):
            return User(
                email=email, first_name=first, last_name=last, password=self.password, is_active=True,
                date_joined=joined, language="nl",
            )  # fmt: skip

        staff = _bulk(User, [user(f"staf{i}@example.org", "Medewerker", str(i)) for i in range(1, n_staff + 1)])
        trainers = _bulk(User, [user(f"trainer{i}@example.org", "Trainer", str(i)) for i in range(1, n_trainers + 1)])
        ambassadors = _bulk(
            User,
            [user(f"ambassadeur{i}@example.org", "Ambassadeur", str(i)) for i in range(1, n_ambassadors + 1)],
        )
        # Trainers in the order they were first certified: the first ones are the original master
        # trainers, about one in MASTER_EVERY later ones is a master trainer too.
        first_day = self.today - timedelta(days=HISTORY_DAYS + 180)
        last_day = self.today - timedelta(days=60)
        span = (last_day - first_day).days
        self.trainer_starts = [
            first_day + timedelta(days=span * i // max(1, n_trainers - 1)) for i in range(n_trainers)
        ]
        self.masters = [index for index in range(n_trainers) if index < ORIGINAL_MASTERS or index % MASTER_EVERY == 0]
        master_set = set(self.masters)

        groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
        through = User.groups.through
        memberships = [through(user_id=u.pk, group_id=groups[Role.STAFF].pk) for u in staff]
        memberships += [through(user_id=u.pk, group_id=groups[Role.TRAINER].pk) for u in trainers]
        memberships += [through(user_id=trainers[i].pk, group_id=groups[Role.MASTER_TRAINER].pk) for i in self.masters]
        memberships += [through(user_id=u.pk, group_id=groups[Role.AMBASSADOR].pk) for u in ambassadors]
        _bulk(through, memberships)
        everyone = [*staff, *trainers, *ambassadors]
        _bulk(EmailAddress, [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in everyone])
        # Every role must use two-factor authentication; nobody knows these secrets.
        two_factor = everyone
        _bulk(
            Authenticator,
            [
                Authenticator(user=u, type=Authenticator.Type.TOTP, data={"secret": encrypt(generate_totp_secret())})
                for u in two_factor
            ],
        )
        self.staff, self.trainers, self.ambassador_users = staff, trainers, ambassadors
        self.count("users", len(everyone))
        self.count("  staff", len(staff))
        self.count("  trainers", len(trainers))
        self.count("  of which master trainers", len(master_set))
        self.count("  ambassadors", len(ambassadors))
        self.count("two-factor devices", len(two_factor))

    # --- organisations and people ---

    def relations(self):
        rng = self.rng
        self.regions = list(Region.objects.order_by("pk")[:REGIONS])
        n_orgs = scaled(FULL["organisations"], self.scale)
        organisations = []
        for i in range(1, n_orgs + 1):
            group = _weighted(rng, TARGET_GROUP_WEIGHTS)
            region = self.regions[i % len(self.regions)]
            organisations.append(
                Organisation(
                    name=f"{ORGANISATION_WORDS[group]} {i:05d}",
                    kvk_number=f"{80_000_000 + i}" if group == TargetGroup.EMPLOYERS else "",
                    target_group=group,
                    region=region,
                    postcode=f"{1000 + i % 8999} AB",
                    city=region.name.split(" ")[0].split("/")[0],
                    website=f"https://organisatie{i}.example.org/",
                )
            )
        self.organisations = _bulk(Organisation, organisations)
        self.orgs_by_region: dict[int, list[Organisation]] = {}
        for organisation in self.organisations:
            self.orgs_by_region.setdefault(organisation.region_id, []).append(organisation)
        n_persons = scaled(FULL["persons"], self.scale)
        _copy(
            Person,
            [
                {
                    "first_name": "Deelnemer",
                    "last_name": str(i),
                    "email": f"deelnemer{i}@example.org",
                    "phone": f"06-{10_000_000 + i:08d}",
                    "organisation_id": self.organisations[(i * 7) % n_orgs].pk,
                    "function": ["Teamleider", "Leidinggevende", "Praktijkopleider", "Werkbegeleider"][i % 4],
                }
                for i in range(1, n_persons + 1)
            ],
        )
        people = list(Person.objects.order_by("pk").values_list("pk", "organisation_id"))
        self.person_ids = [pk for pk, _organisation in people]
        self.persons_by_org: dict[int, list[int]] = {}
        for pk, organisation_id in people:
            self.persons_by_org.setdefault(organisation_id, []).append(pk)
        self.count("regions used", len(self.regions))
        self.count("organisations", len(self.organisations))
        self.count("persons", len(self.person_ids))

    # --- certifications and the lineage ---

    def certifications(self):
        rng = self.rng
        master_set = set(self.masters)
        certifications, events, renewals = [], [], []
        for index, (trainer, start) in enumerate(zip(self.trainers, self.trainer_starts, strict=True)):
            level = Level.MASTER_TRAINER if index in master_set else (
                Level.CO_TRAINER if index % 10 == 9 else Level.TRAINER
            )  # fmt: skip
            if index < ORIGINAL_MASTERS:
                certifier = None
            else:
                earlier = [m for m in self.masters[: bisect_right(self.masters, index - 1)] if m < index]
                certifier = self.trainers[rng.choice(earlier)] if earlier else None
            end = start + relativedelta(years=CERTIFICATION_YEARS)  # 29 February: the 28th
            expired = end <= self.today
            first = Certification(
                holder=trainer, level=level,
                status=CertificationStatus.EXPIRED if expired else CertificationStatus.APPROVED,
                valid_from=start, valid_until=end, certified_by=certifier, reviewed_by=certifier,
                requested_at=self._at(start - timedelta(days=21)), reviewed_at=self._at(start),
                request_note="Train-de-trainer gevolgd.",
            )  # fmt: skip
            certifications.append(first)
            if expired:  # renewed on the day it lapsed
                renewals.append((first, end, end + relativedelta(years=CERTIFICATION_YEARS), certifier))
        certifications = _bulk(Certification, certifications)
        renewed = _bulk(
            Certification,
            [
                Certification(
                    holder_id=first.holder_id,
                    level=first.level,
                    status=CertificationStatus.APPROVED,
                    valid_from=start,
                    valid_until=end,
                    renews=first,
                    certified_by=certifier,
                    reviewed_by=certifier,
                    requested_at=self._at(start - timedelta(days=30)),
                    reviewed_at=self._at(start),
                )  # fmt: skip
                for first, start, end, certifier in renewals
            ],
        )
        # A few requests wait for a reviewer (the master trainers' home page counts them).
        waiting = _bulk(
            Certification,
            [
                Certification(
                    holder=trainer,
                    level=Level.TRAINER,
                    status=CertificationStatus.REQUESTED,
                    requested_at=self.now - timedelta(days=rng.randint(1, 20)),
                    request_note="Graag beoordelen.",
                )  # fmt: skip
                for trainer in self.trainers[-max(1, len(self.trainers) // 100) :]
            ],
        )
        for certification in [*certifications, *renewed]:
            events.append(
                CertificationEvent(
                    certification=certification,
                    action=CertificationAction.REQUESTED,
                    actor_id=certification.holder_id,
                    at=certification.requested_at,
                )  # fmt: skip
            )
            events.append(
                CertificationEvent(
                    certification=certification,
                    action=CertificationAction.APPROVED,
                    actor_id=certification.certified_by_id,
                    at=certification.reviewed_at,
                )  # fmt: skip
            )
        events += [
            CertificationEvent(
                certification=c, action=CertificationAction.REQUESTED, actor_id=c.holder_id, at=c.requested_at
            )
            for c in waiting
        ]
        _bulk(CertificationEvent, events)
        self.count("certifications", len(certifications) + len(renewed) + len(waiting))
        self.count("certification steps", len(events))

    def ambassador_profiles(self):
        rng = self.rng
        profiles = [
            Ambassador(
                user=trainer,
                kind=AmbassadorKind.TRAINER,
                region=self.regions[index % len(self.regions)],
                offers=[AmbassadorOffer.TELL_NETWORK, AmbassadorOffer.HOST_RUN],
                public_listing=index % 2 == 0,
                public_listing_changed_at=self.now if index % 2 == 0 else None,
                created_at=self._at(self.trainer_starts[index]),
            )  # fmt: skip
            for index, trainer in enumerate(self.trainers)
        ]
        self.ambassador_region: dict[int, Region] = {}
        for index, user in enumerate(self.ambassador_users):
            region = self.regions[index % len(self.regions)]
            self.ambassador_region[user.pk] = region
            profiles.append(
                Ambassador(
                    user=user,
                    region=region,
                    kind=AmbassadorKind.TRAINED_SUPERVISOR if index % 3 else AmbassadorKind.PROFESSIONAL,
                    organisation=rng.choice(self.orgs_by_region[region.pk]),
                    offers=[AmbassadorOffer.TELL_NETWORK, AmbassadorOffer.SPEAK_AT_EVENTS],
                    created_at=self.now - timedelta(days=HISTORY_DAYS),
                )  # fmt: skip
            )
        _bulk(Ambassador, profiles)
        self.count("ambassador profiles", len(profiles))

    # --- training runs ---

    def locations(self):
        per_region = scaled(FULL["locations_per_region"], self.scale)
        self.locations_by_region = {}
        locations = _bulk(
            Location,
            [
                Location(
                    name=f"Leslocatie {k}",
                    address=f"Opleidingsweg {k}",
                    postcode=f"{1000 + region.pk * 10 + k} CD",
                    city=region.name,
                    region=region,
                )  # fmt: skip
                for region in self.regions
                for k in range(1, per_region + 1)
            ],
        )
        for location in locations:
            self.locations_by_region.setdefault(location.region_id, []).append(location)
        self.count("locations", len(locations))

    def trainings(self):
        rng = self.rng
        n_runs = scaled(FULL["trainings"], self.scale)
        first_day = self.today - timedelta(days=HISTORY_DAYS)
        span = HISTORY_DAYS + AHEAD_DAYS
        runs, plans = [], []
        for i in range(n_runs):
            region = self.regions[i % len(self.regions)]
            day = first_day + timedelta(days=span * i // n_runs)
            starts = [
                timezone.make_aware(datetime.combine(day + timedelta(weeks=2 * k), time(16, 30)))
                for k in range(MEETINGS_PER_RUN)
            ]
            ends = [start + timedelta(hours=3, minutes=30) for start in starts]
            if ends[-1] < self.now:
                status = TrainingStatus.COMPLETED
            elif starts[0] < self.now:
                status = TrainingStatus.RUNNING
            elif day > self.today + timedelta(days=120) and i % 5 == 0:
                status = TrainingStatus.DRAFT
            else:
                status = TrainingStatus.OPEN
            if i % 50 == 7:
                status = TrainingStatus.CANCELLED
            host = rng.choice(self.orgs_by_region[region.pk]) if i % 5 < 3 else None
            runs.append(
                Training(
                    variant=_weighted(rng, VARIANT_WEIGHTS),
                    title=f"Mentorwijs {region.name} {day:%Y-%m} #{i + 1}",
                    region=region,
                    host_organisation=host,
                    capacity=15 if status in (TrainingStatus.COMPLETED, TrainingStatus.RUNNING) else 18,
                    status=status,
                    local_adaptations="Met gezamenlijke maaltijd." if i % 3 == 0 else "",
                )  # fmt: skip
            )
            plans.append((region, starts, ends, status))
        runs = _bulk(Training, runs)
        # created_at is auto_now_add: set it to a month before the first meeting, as staff would.
        for run, (_region, starts, _ends, _status) in zip(runs, plans, strict=True):
            run.created_at = starts[0] - timedelta(days=30)
        Training.objects.bulk_update(runs, ["created_at"], batch_size=CHUNK)

        meetings = []
        for run, (region, starts, ends, status) in zip(runs, plans, strict=True):
            location = rng.choice(self.locations_by_region[region.pk])
            for number, (start, end) in enumerate(zip(starts, ends, strict=True), start=1):
                meetings.append(
                    Meeting(
                        training=run,
                        number=number,
                        starts_at=start,
                        ends_at=end,
                        location=location,
                        components=COMPONENTS_PER_MEETING[(number - 1) % len(COMPONENTS_PER_MEETING)],
                        meal_served=run.pk % 2 == 0,
                        status=MeetingStatus.CANCELLED
                        if status == TrainingStatus.CANCELLED
                        else MeetingStatus.SCHEDULED,
                    )  # fmt: skip
                )
        meetings = _bulk(Meeting, meetings)
        self.meetings_by_run: dict[int, list[Meeting]] = {}
        for meeting in meetings:
            self.meetings_by_run.setdefault(meeting.training_id, []).append(meeting)
        self.runs, self.plans = runs, plans
        self.count("training runs", len(runs))
        self.count("meetings", len(meetings))
        self._assignments()

    def _assignments(self):
        """A lead trainer for every run (someone certified by then), a co-trainer for every other."""
        rng = self.rng
        staff = self.staff[0]
        assignments = []
        for index, (run, (_region, starts, _ends, status)) in enumerate(zip(self.runs, self.plans, strict=True)):
            if status == TrainingStatus.DRAFT and index % 2 == 0:
                continue  # still looking for a trainer
            eligible = max(1, bisect_right(self.trainer_starts, starts[0].date()))
            lead = rng.randrange(eligible)
            assignments.append(
                Assignment(training=run, trainer=self.trainers[lead], role=AssignmentRole.LEAD, assigned_by=staff,
                           assigned_at=starts[0] - timedelta(days=40))
            )  # fmt: skip
            if index % 2 == 0 and eligible > 1:
                co = rng.randrange(eligible - 1)
                co = co + 1 if co >= lead else co
                assignments.append(
                    Assignment(training=run, trainer=self.trainers[co], role=AssignmentRole.CO_TRAINER,
                               assigned_by=staff, assigned_at=starts[0] - timedelta(days=40))
                )  # fmt: skip
        _bulk(Assignment, assignments)
        self.lead_of = {a.training_id: a.trainer_id for a in assignments if a.role == AssignmentRole.LEAD}
        self.count("trainer assignments", len(assignments))

    def enrolments(self):
        """Fifteen per run, in order through the persons (so no one twice in a run)."""
        rng = self.rng
        per_run = FULL["enrolments_per_run"]
        n_persons = len(self.person_ids)
        enrolments, next_person = [], 0
        sources = list(Channel.values)
        for run, (_region, starts, ends, status) in zip(self.runs, self.plans, strict=True):
            for k in range(per_run):
                person_id = self.person_ids[next_person % n_persons]
                next_person += 1
                created = starts[0] - timedelta(days=rng.randint(10, 60))
                if status == TrainingStatus.COMPLETED:
                    state = (
                        EnrolmentStatus.CANCELLED if k == 13 else
                        EnrolmentStatus.DROPPED_OUT if k == 14 else EnrolmentStatus.COMPLETED
                    )  # fmt: skip
                elif status == TrainingStatus.CANCELLED:
                    state = EnrolmentStatus.CANCELLED
                elif status == TrainingStatus.DRAFT:
                    state = EnrolmentStatus.REGISTERED if k < 3 else EnrolmentStatus.WAITLISTED
                else:
                    state = EnrolmentStatus.CANCELLED if k == 14 else EnrolmentStatus.REGISTERED
                enrolments.append(
                    {
                        "training_id": run.pk,
                        "person_id": person_id,
                        "status": state,
                        "source": sources[(run.pk + k) % len(sources)],
                        "dietary_wishes": "Vegetarisch" if k % 4 == 0 else "",
                        "privacy_version": "2026-1",
                        "consented_at": created,
                        "created_at": created,
                        "waitlisted_at": created if state == EnrolmentStatus.WAITLISTED else None,
                        "cancelled_at": created + timedelta(days=3) if state == EnrolmentStatus.CANCELLED else None,
                        "completed_at": ends[-1] if state == EnrolmentStatus.COMPLETED else None,
                    }  # fmt: skip
                )
        _copy(Enrolment, enrolments)
        self.enrolment_rows = list(
            Enrolment.objects.order_by("pk").values_list("pk", "training_id", "status", "completed_at")
        )
        self.count("enrolments", len(self.enrolment_rows))

    def attendance(self):
        """Past meetings: nearly everyone present; whoever dropped out missed the last meetings."""
        rows, certificates = [], []
        for pk, training_id, status, completed_at in self.enrolment_rows:
            if status not in (EnrolmentStatus.COMPLETED, EnrolmentStatus.REGISTERED, EnrolmentStatus.DROPPED_OUT):
                continue
            recorder = self.lead_of.get(training_id)
            for meeting in self.meetings_by_run[training_id]:
                if meeting.ends_at >= self.now or meeting.status != MeetingStatus.SCHEDULED:
                    continue
                present = not (
                    (status == EnrolmentStatus.DROPPED_OUT and meeting.number >= 3)
                    or (pk % 9 == 0 and meeting.number == 2)
                )
                rows.append(
                    {
                        "enrolment_id": pk,
                        "meeting_id": meeting.pk,
                        "present": present,
                        "absence_reason": "" if present else "Ziek",
                        "recorded_by_id": recorder,
                        "recorded_at": meeting.ends_at + timedelta(hours=1),
                    }  # fmt: skip
                )
            if status == EnrolmentStatus.COMPLETED:
                certificates.append({"enrolment_id": pk, "issued_at": completed_at})
        _copy(Attendance, rows)
        _copy(Certificate, certificates)
        self.count("attendance rows", len(rows))
        self.count("certificates", len(certificates))

    def fidelity(self):
        """A self-report for two in three completed runs (the rest show as due on the trainers' home)."""
        rng = self.rng
        reviews, score_sets = [], []
        for run, (_region, _starts, ends, status) in zip(self.runs, self.plans, strict=True):
            lead = self.lead_of.get(run.pk)
            if status != TrainingStatus.COMPLETED or lead is None or run.pk % 3 == 0:
                continue
            scores = {component: rng.choice([2, 3, 3, 4]) for component in ActiveComponent.values}
            reviews.append(
                FidelityReview(
                    training=run,
                    kind=ReviewKind.SELF_REPORT,
                    reviewer_id=lead,
                    all_meetings_held=True,
                    group_size_ok=True,
                    own_cases_used=run.pk % 2 == 0,
                    handbook_followed=True,
                    average=round(sum(scores.values()) / len(scores), 2),
                    submitted_at=ends[-1] + timedelta(days=7),
                )  # fmt: skip
            )
            score_sets.append(scores)
        reviews = _bulk(FidelityReview, reviews)
        _bulk(
            FidelityScore,
            [
                FidelityScore(review=review, component=component, score=score)
                for review, scores in zip(reviews, score_sets, strict=True)
                for component, score in scores.items()
            ],
        )
        self.count("fidelity reviews", len(reviews))

    # --- dissemination ---

    def outreach(self):
        rng = self.rng
        n_contacts = scaled(FULL["outreach_contacts"], self.scale)
        users = self.ambassador_users
        contacts = []
        for i in range(n_contacts):
            user = users[i % len(users)]
            organisation = rng.choice(self.orgs_by_region[self.ambassador_region[user.pk].pk])
            people = self.persons_by_org.get(organisation.pk) or [None]
            day = self.today - timedelta(days=rng.randint(0, HISTORY_DAYS))
            follow_up = None
            if rng.random() < 0.2:
                follow_up = day + timedelta(days=rng.randint(7, 60))
            contacts.append(
                {
                    "logged_by_id": user.pk,
                    "organisation_id": organisation.pk,
                    "person_id": rng.choice(people) if rng.random() < 0.7 else None,
                    "date": day,
                    "channel": rng.choice(OutreachChannel.values),
                    "stage": _weighted(rng, STAGE_WEIGHTS),
                    "materials": rng.sample(MaterialShared.values, rng.randint(0, 2)),
                    "key_messages": rng.sample(KeyMessage.values, rng.randint(1, 3)),
                    "notes": rng.choice(OUTREACH_NOTES),
                    "follow_up_on": follow_up,
                    "follow_up_done": follow_up is not None and follow_up < self.today - timedelta(days=14),
                    "created_at": self._at(day),
                }  # fmt: skip
            )
        _copy(OutreachContact, contacts)
        self.count("outreach contacts", len(contacts))

    def subscribers(self):
        rng = self.rng
        lists = [
            MailingList.objects.get_or_create(name=name, defaults={"description": description})[0]
            for name, description in MAILING_LISTS
        ]
        n_subscribers = scaled(FULL["subscribers"], self.scale)
        through = Subscriber.lists.through
        total_subscribers = total_memberships = total_consents = last_pk = 0
        # Chunk by chunk: 100,000 subscribers with their lists and consent would be a lot of memory at once.
        for start in range(0, n_subscribers, CHUNK * 4):
            chunk = []
            for i in range(start + 1, min(start + CHUNK * 4, n_subscribers) + 1):
                status = _weighted(rng, SUBSCRIBER_STATUS_WEIGHTS)
                created = self.now - timedelta(days=rng.randint(1, HISTORY_DAYS))
                group, _weight = TARGET_GROUP_WEIGHTS[i % len(TARGET_GROUP_WEIGHTS)]
                chunk.append(
                    {
                        "email": f"lezer{i}@example.org",
                        "name": f"Lezer {i}",
                        "organisation_name": f"Organisatie {i % 997}",
                        "target_group": group,
                        "region_id": self.regions[i % len(self.regions)].pk,
                        "status": status,
                        "created_at": created,
                        "confirmation_sent_at": created,
                        "confirmed_at": None if status == SubscriberStatus.PENDING else created + timedelta(hours=2),
                        "unsubscribed_at": created + timedelta(days=90)
                        if status == SubscriberStatus.UNSUBSCRIBED
                        else None,
                    }  # fmt: skip
                )
            _copy(Subscriber, chunk)
            stored = list(
                Subscriber.objects.filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", "email", "status", "confirmed_at")
            )
            last_pk = stored[-1][0]
            memberships, consents = [], []
            for pk, email, status, confirmed_at in stored:
                chosen = [lists[0]] + ([lists[1 + pk % 2]] if pk % 3 else [])
                memberships += [{"subscriber_id": pk, "mailinglist_id": ml.pk} for ml in chosen]
                if status == SubscriberStatus.PENDING:
                    continue
                consents += [
                    {
                        "subscriber_id": pk,
                        "email": email,
                        "mailing_list_id": ml.pk,
                        "action": ConsentAction.GIVEN,
                        "wording_version": "2026-1",
                        "source": ConsentSource.FORM,
                        "at": confirmed_at,
                    }  # fmt: skip
                    for ml in chosen
                ]
            _copy(through, memberships)
            _copy(ConsentRecord, consents)
            total_subscribers += len(chunk)
            total_memberships += len(memberships)
            total_consents += len(consents)
        self.count("mailing lists", len(lists))
        self.count("subscribers", total_subscribers)
        self.count("list memberships", total_memberships)
        self.count("consent records", total_consents)

    def goals(self):
        year = self.today.year
        goals = [
            Goal(goal=goal, target_group=group, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31),
                 target=scaled(target, self.scale))
            for group, _weight in TARGET_GROUP_WEIGHTS
            for goal, target in [
                (CommunicationGoal.INFORM, 800), (CommunicationGoal.CONVINCE, 300), (CommunicationGoal.TRAIN, 150)
            ]
        ]  # fmt: skip
        _bulk(Goal, goals)
        self.count("goals", len(goals))

    def _at(self, day: date) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(10, 0)))


def database_is_empty() -> bool:
    """True when nothing but what the migrations add (regions, roles, renewal rules) is stored."""
    return not any(
        model.objects.exists() for model in (User, Organisation, Person, Training, OutreachContact, Subscriber)
    )


@transaction.atomic
def seed_large(*, scale: float = 1.0, seed: int = 2026, progress=None) -> Counts:
    """Write the national-scale data set in one transaction; returns what it created.

    Side effects: inserts rows in most tables (see the module docstring) with bulk_create, which
    sends no signals, so it raises the dashboard's generation itself (figures.figures_changed, on
    commit); mails, tasks and the audit log are not involved. Refuses (ValueError) when
    the database holds users, organisations, persons, runs, contacts or subscribers already."""
    if scale <= 0:
        raise ValueError("The scale must be positive.")
    if not database_is_empty():
        raise ValueError("The database is not empty: seed_large only fills a freshly migrated database.")
    data = LargeData(scale=scale, seed=seed)
    steps = [
        data.users, data.relations, data.certifications, data.ambassador_profiles, data.locations,
        data.trainings, data.enrolments, data.attendance, data.fidelity, data.outreach, data.subscribers,
        data.goals,
    ]  # fmt: skip
    for step in steps:
        step()
        if progress:
            progress(step.__name__)
    figures_changed()
    return Counts(rows=data.rows)
