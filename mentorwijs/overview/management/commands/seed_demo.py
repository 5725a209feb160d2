"""Demo data with invented Dutch people and organisations; safe to run again and again."""

import secrets

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from dissemination.enums import TargetGroup
from dissemination.models import Organisation, Person, Region
from mentorwijs.accounts.models import User
from mentorwijs.accounts.roles import TWO_FACTOR_ROLES, Role, role_labels
from mentorwijs.accounts.services import user_set_roles
from mentorwijs.overview.demo_ambassadors import seed_certifications, seed_quality
from mentorwijs.overview.demo_dissemination import seed_dissemination, seed_newsletters
from mentorwijs.overview.demo_outreach import seed_outreach
from mentorwijs.overview.demo_trainings import seed_trainings

DEMO_PASSWORD = "mentorwijs-demo-2026"
# A fixed TOTP secret, so every demo account (every role needs two-factor) can log in locally (make totp).
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPMENTORWIJS234567"

DEMO_USERS = [
    ("staf@werkzaak.example", "Sanne", "Verbeek", [Role.STAFF]),
    ("opleider@werkzaak.example", "Ruud", "Hendriks", [Role.MASTER_TRAINER, Role.TRAINER]),
    ("trainer@werkzaak.example", "Fatima", "El Amrani", [Role.TRAINER]),
    ("ambassadeur@werkzaak.example", "Joost", "van Dijk", [Role.AMBASSADOR]),
]

# name, target group, region, city, postcode, kvk
ORGANISATIONS = [
    ("Bakkerij De Lingehoeve", TargetGroup.EMPLOYERS, "Rivierenland", "Tiel", "4001 AB", "90000001"),
    ("Fruitbedrijf Betuwse Bongerd", TargetGroup.EMPLOYERS, "Rivierenland", "Buren", "4116 CD", "90000002"),
    ("Installatietechniek Van Maasdriel", TargetGroup.EMPLOYERS, "Rivierenland", "Maasdriel", "5331 EF", "90000003"),
    ("Hovenier Groen & Zo", TargetGroup.EMPLOYERS, "Rivierenland", "Culemborg", "4101 GH", "90000004"),
    ("Logistiek Centrum Waalhaven-Oost", TargetGroup.EMPLOYERS, "Rijnmond", "Rotterdam", "3089 JK", "90000005"),
    ("Ondernemersvereniging Rivierenland", TargetGroup.EMPLOYER_ORGANISATIONS, "Rivierenland", "Tiel", "4002 LM", ""),
    (
        "Werkgeverskring Gelderland-Zuid",
        TargetGroup.EMPLOYER_ORGANISATIONS,
        "Rijk van Nijmegen",
        "Nijmegen",
        "6511 NP",
        "",
    ),
    ("Cliëntenraad Werk en Inkomen Betuwe", TargetGroup.REPRESENTATIVES, "Rivierenland", "Tiel", "4003 RS", ""),
    ("Vakbondsafdeling Rivierenland", TargetGroup.REPRESENTATIVES, "Rivierenland", "Zaltbommel", "5301 TV", ""),
    ("Gemeente West Betuwe (demo)", TargetGroup.MUNICIPALITIES, "Rivierenland", "Geldermalsen", "4191 WX", ""),
    ("Werkgeversservicepunt Rivierenland", TargetGroup.MUNICIPALITIES, "Rivierenland", "Tiel", "4004 YZ", ""),
    ("SW-bedrijf De Kromme Rijn (demo)", TargetGroup.MUNICIPALITIES, "Midden-Utrecht", "Houten", "3991 AA", ""),
    ("Praktijkschool De Waalstroom", TargetGroup.SCHOOLS, "Rivierenland", "Tiel", "4005 BB", ""),
    ("VSO De Bommelerwaard", TargetGroup.SCHOOLS, "Rivierenland", "Zaltbommel", "5302 CC", ""),
    ("MBO College Betuwe (demo)", TargetGroup.SCHOOLS, "Rivierenland", "Culemborg", "4102 DD", ""),
    ("Jobcoach Kompas", TargetGroup.JOB_COACHING, "Rivierenland", "Neder-Betuwe", "4041 EE", "90000016"),
    ("Re-integratiebureau Stap Verder", TargetGroup.JOB_COACHING, "Food Valley", "Ede", "6711 FF", "90000017"),
    ("Uitzendbureau Rivierwerk", TargetGroup.AGENCIES, "Rivierenland", "Tiel", "4006 GG", "90000018"),
    ("Detacheringsbureau Dijkwerk", TargetGroup.AGENCIES, "Drechtsteden", "Dordrecht", "3311 HH", "90000019"),
    (
        "Landelijk Platform Inclusief Werk (demo)",
        TargetGroup.INTERMEDIARIES,
        "Groot Amsterdam",
        "Amsterdam",
        "1011 JJ",
        "",
    ),
    ("Regionaal Werkbedrijf Rivierenland", TargetGroup.INTERMEDIARIES, "Rivierenland", "Tiel", "4007 KK", ""),
]

FIRST_NAMES = ["Anouk", "Bram", "Chantal", "Daan", "Esra", "Freek", "Gerda", "Hamza", "Iris", "Jeroen", "Kim",
               "Lotte", "Mehmet", "Noor", "Olaf", "Petra", "Quinten", "Rosa", "Sven", "Tamara", "Umut"]  # fmt: skip
LAST_NAMES = ["Bakker", "van den Berg", "Claassen", "Dekker", "Ertürk", "de Graaf", "Hoekstra", "Janssen",
              "Kramer", "van Leeuwen", "Mulder", "Nijhof", "Ouwehand", "Peters", "de Ridder", "Smit", "Timmer",
              "Verhoeven", "Willems", "Yilmaz", "Zwart"]  # fmt: skip
FUNCTIONS = ["Teamleider", "Bedrijfsleider", "Praktijkopleider", "Stagecoördinator", "Accountmanager",
             "HR-adviseur", "Werkmeester"]  # fmt: skip


class Command(BaseCommand):
    help = "Load idempotent demo data: invented organisations and people, and one user per role."

    @transaction.atomic
    def handle(self, *args, **options):
        local = settings.DEBUG
        password = DEMO_PASSWORD if local else None
        for email, first_name, last_name, roles in DEMO_USERS:
            user, _created = User.objects.update_or_create(
                email=email, defaults={"first_name": first_name, "last_name": last_name, "is_active": True}
            )
            if password:
                user.set_password(password)
            else:
                user.set_password(secrets.token_urlsafe(24))  # nobody can log in with it; use password reset
            user.save()
            user_set_roles(user=user, roles=roles)
            EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            # The demo secret is public: it may only protect accounts on a local machine.
            demo_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)
            if not local:
                demo_totp.delete()
            elif set(roles) & TWO_FACTOR_ROLES and not demo_totp.exists():
                TOTP.activate(user, DEMO_TOTP_SECRET)

        regions = {region.name: region for region in Region.objects.all()}
        for index, (name, group, region, city, postcode, kvk) in enumerate(ORGANISATIONS):
            organisation, _created = Organisation.objects.update_or_create(
                name=name,
                defaults={
                    "target_group": group,
                    "region": regions[region],
                    "city": city,
                    "postcode": postcode,
                    "kvk_number": kvk,
                    "website": "",
                },
            )
            for offset in range(2):
                n = index * 2 + offset
                first, last = FIRST_NAMES[n % len(FIRST_NAMES)], LAST_NAMES[(n * 7) % len(LAST_NAMES)]
                email = f"{first}.{last}".lower().replace(" ", "") + f"{n}@demo.example"
                Person.objects.update_or_create(
                    email=email,
                    defaults={
                        "first_name": first,
                        "last_name": last,
                        "organisation": organisation,
                        "function": FUNCTIONS[n % len(FUNCTIONS)],
                        "phone": f"06-{10000000 + n * 7919:08d}",
                    },
                )

        seed_certifications()
        runs = seed_trainings()
        contacts = seed_outreach()
        certifications = seed_quality()
        seed_dissemination()
        seed_newsletters()
        self.stdout.write(
            f"Demo data: {len(DEMO_USERS)} users, {Organisation.objects.count()} organisations, "
            f"{Person.objects.count()} people, {runs} training runs, {contacts} outreach contacts, "
            f"{certifications} certifications."
        )
        if local:
            self.stdout.write("Demo logins (local use only):")
            for email, _first, _last, roles in DEMO_USERS:
                self.stdout.write(f"  {email:32} {DEMO_PASSWORD}   {', '.join(role_labels(roles))}")
            self.stdout.write(
                "  Every role uses two-factor authentication: `make totp` prints the current code (the same for all)."
            )
