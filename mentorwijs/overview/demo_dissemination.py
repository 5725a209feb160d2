"""Demo materials, an event and the plan's goals; idempotent. Files are generated (a one-page PDF
per material), so no binary lives in the repository."""

from datetime import date, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from dissemination.enums import CommunicationGoal, EventKind, MaterialKind, TargetGroup
from dissemination.models import Event, Goal, MailingList, Material, Newsletter, Person, Region, Subscriber
from dissemination.services.events import event_invite, event_record_attendance, event_save
from dissemination.services.goals import goal_save
from dissemination.services.materials import material_upload
from dissemination.services.newsletters import newsletter_save
from dissemination.services.subscriptions import subscribers_import, subscribers_import_read
from mentorwijs.accounts.models import User

STAFF = "staf@werkzaak.example"
# kind, title, language, versions (oldest first)
MATERIALS = [
    (MaterialKind.FACTSHEET, "Factsheet Mentorwijs", "nl", ["2025.1", "2026.1"]),
    (MaterialKind.HANDBOOK, "Handboek Mentorwijs voor trainers", "nl", ["3.0"]),
    (MaterialKind.POWERPOINT, "Presentatie voor werkgevers", "nl", ["2026.1"]),
    (MaterialKind.FACTSHEET, "Mentorwijs factsheet", "en", ["2026.1"]),
]
# goal, target group, target for this calendar year
GOALS = [
    (CommunicationGoal.INFORM, TargetGroup.EMPLOYERS, 40),
    (CommunicationGoal.CONVINCE, TargetGroup.EMPLOYERS, 15),
    (CommunicationGoal.TRAIN, TargetGroup.EMPLOYERS, 30),
    (CommunicationGoal.INFORM, TargetGroup.SCHOOLS, 10),
    (CommunicationGoal.TRAIN, TargetGroup.SCHOOLS, 12),
    (CommunicationGoal.INFORM, TargetGroup.MUNICIPALITIES, 8),
]


LISTS = [
    ("Werkgevers", "Nieuws voor werkgevers en leidinggevenden"),
    ("Onderwijs en stages", "Voor praktijkscholen, VSO en stagebegeleiders"),
    ("Landelijk nieuws", "Hoe Mentorwijs zich over het land verspreidt"),
]
# Invented subscribers, as if from the sign-up list of the inspiration meeting (consent with proof).
SUBSCRIBERS_CSV = """email,name,organisation,target_group,lists,consent_source,proof
anouk.demo@demo.example,Anouk de Wit,Bakkerij De Lingehoeve,employers,Werkgevers;Landelijk nieuws,event,Aanmeldlijst
bram.demo@demo.example,Bram Kok,Hovenier Groen & Zo,employers,Werkgevers,event,Aanmeldlijst
chantal.demo@demo.example,Chantal Vos,Praktijkschool De Waalstroom,schools,Onderwijs en stages,event,Aanmeldlijst
daan.demo@demo.example,Daan Post,Gemeente West Betuwe (demo),municipalities,Landelijk nieuws,event,Aanmeldlijst
esra.demo@demo.example,Esra Kaya,VSO De Bommelerwaard,schools,Onderwijs en stages;Landelijk nieuws,,
"""


def _pdf(title: str, version: str) -> bytes:
    """A minimal valid one-page PDF naming the material."""
    text = f"{title} {version}".encode("latin-1", "replace")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def seed_dissemination() -> None:
    staff = User.objects.get(email=STAFF)
    for kind, title, language, versions in MATERIALS:
        for version in versions:
            if not Material.objects.filter(kind=kind, title=title, language=language, version=version).exists():
                upload = ContentFile(_pdf(title, version), name=f"{title}.pdf")
                material_upload(
                    kind=kind, title=title, language=language, version=version, file=upload, uploaded_by=staff
                )

    year = timezone.localdate().year
    for goal, target_group, target in GOALS:
        starts_on, ends_on = date(year, 1, 1), date(year, 12, 31)
        if not Goal.objects.filter(goal=goal, target_group=target_group, starts_on=starts_on, ends_on=ends_on):
            goal_save(
                goal=Goal(),
                data={"goal": goal, "target_group": target_group, "starts_on": starts_on, "ends_on": ends_on,
                      "target": target},
            )  # fmt: skip

    title = "Inspiratiebijeenkomst inclusief werkgeven Rivierenland"
    if not Event.objects.filter(title=title).exists():
        speakers = User.objects.filter(email__in=["ambassadeur@werkzaak.example", "trainer@werkzaak.example"])
        event = event_save(
            by=staff,
            kind=EventKind.INSPIRATION_MEETING,
            title=title,
            date=timezone.localdate() - timedelta(days=21),
            place="Werkzaak Rivierenland, Tiel",
            region=Region.objects.get(name="Rivierenland"),
            description="Werkgevers vertellen hoe zij leidinggevenden met Mentorwijs hebben laten trainen.",
            speakers=list(speakers),
            outcomes="Drie werkgevers willen een incompany-training; de gemeente wil de factsheet verspreiden.",
            follow_up="Offerte incompany-training sturen aan de drie werkgevers.",
            follow_up_on=timezone.localdate() + timedelta(days=7),
        )
        guests = list(Person.objects.exclude(email="").order_by("pk")[:18])
        event_invite(event=event, persons=guests, by=staff)
        event_record_attendance(event=event, present_person_ids=[person.pk for person in guests[::3]], by=staff)


def seed_newsletters() -> None:
    """Three lists, five subscribers (four with consent from the event's sign-up list, one still to
    confirm) and a draft newsletter."""
    staff = User.objects.get(email=STAFF)
    for name, description in LISTS:
        MailingList.objects.get_or_create(name=name, defaults={"description": description})
    if not Subscriber.objects.filter(email__endswith="@demo.example").exists():
        rows = subscribers_import_read(content=SUBSCRIBERS_CSV.encode(), filename="aanmeldlijst.csv")
        subscribers_import(rows=rows, by=staff)
    subject = "Nieuws van Mentorwijs: drie nieuwe trainingen in het voorjaar"
    if not Newsletter.objects.filter(subject=subject).exists():
        newsletter_save(
            newsletter=Newsletter(),
            created_by=staff,
            data={
                "subject": subject,
                "body": "Dit voorjaar starten **drie nieuwe trainingen** in Rivierenland.\n\n"
                "- Tiel, vanaf februari\n- Culemborg, vanaf maart\n- Zaltbommel, vanaf april\n\n"
                "Meld je leidinggevenden aan via de website.",
                "subject_en": "News from Mentorwijs: three new training runs this spring",
                "body_en": "This spring **three new training runs** start in Rivierenland.\n\n"
                "- Tiel, from February\n- Culemborg, from March\n- Zaltbommel, from April\n\n"
                "Sign up your supervisors on the website.",
                "lists": list(MailingList.objects.filter(name__in=["Werkgevers", "Landelijk nieuws"])),
                "target_groups": [],
                "regions": [],
            },
        )
