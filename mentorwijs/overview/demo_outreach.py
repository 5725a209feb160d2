"""Demo outreach: the demo ambassador's contacts with employers and a school, some with a follow-up
due. Logged through the service, once (nothing is added when the ambassador has contacts)."""

from datetime import timedelta

from django.utils import timezone

from dissemination.enums import KeyMessage, MaterialShared, OutreachChannel, Stage
from dissemination.models import Organisation, OutreachContact
from dissemination.services.outreach import contact_log
from mentorwijs.accounts.models import User

# organisation, days ago, channel, stage, materials, follow-up in days (None: no follow-up)
CONTACTS = [
    ("Bakkerij De Lingehoeve", 40, OutreachChannel.CONVERSATION, Stage.CONVINCED, [MaterialShared.FACTSHEET], None),
    ("Fruitbedrijf Betuwse Bongerd", 20, OutreachChannel.PHONE, Stage.INTERESTED, [MaterialShared.FACTSHEET], -2),
    ("Praktijkschool De Waalstroom", 12, OutreachChannel.NETWORK_MEETING, Stage.INFORMED,
     [MaterialShared.POWERPOINT, MaterialShared.HANDBOOK], 3),
    ("Uitzendbureau Rivierwerk", 5, OutreachChannel.EMAIL, Stage.INFORMED, [MaterialShared.FACTSHEET], 14),
]  # fmt: skip


def seed_outreach() -> int:
    ambassador = User.objects.filter(email="ambassadeur@werkzaak.example").first()
    if ambassador is None or OutreachContact.objects.filter(logged_by=ambassador).exists():
        return OutreachContact.objects.count()
    today = timezone.localdate()
    for name, days_ago, channel, stage, materials, follow_up in CONTACTS:
        contact_log(
            by=ambassador,
            organisation=Organisation.objects.get(name=name),
            date=today - timedelta(days=days_ago),
            channel=channel,
            stage=stage,
            materials=materials,
            key_messages=[KeyMessage.ADDED_VALUE, KeyMessage.FREE],
            notes="Gesprek met de bedrijfsleider over stageplekken en begeleiding.",
            follow_up_on=None if follow_up is None else today + timedelta(days=follow_up),
        )
    return OutreachContact.objects.count()
