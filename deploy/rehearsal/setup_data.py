"""The rehearsal's data, made in `manage.py shell` (deploy/rehearse): a staff member with two-factor
(the TOTP secret from STAFF_TOTP_SECRET) and a public run open for enrolment. Prints the run's id.
Until `manage.py createstaff` exists the staff member is made here; afterwards this could call it."""

import os
from datetime import datetime, time, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone

from dissemination.models import Region
from mentorwijs.accounts.models import User
from mentorwijs.accounts.services import user_set_roles
from trainings.models import Location
from trainings.services.scheduling import training_create, training_update

transaction.set_autocommit(False)
email = os.environ["STAFF_EMAIL"]
user = User.objects.create_user(
    email=email, password=os.environ["STAFF_PASSWORD"], first_name="Rehearsal", last_name="Staff"
)
EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
user_set_roles(user=user, roles=["staff"])
TOTP.activate(user, os.environ["STAFF_TOTP_SECRET"])

region = Region.objects.get(name="Rivierenland")
location = Location.objects.create(name="Repetitiezaal", address="Stationsstraat 1", city="Tiel", region=region)
starts = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=21), time(18, 0)))
training = training_create(
    title="Mentorwijs repetitie",
    region=region,
    first_meeting_starts_at=starts,
    first_meeting_ends_at=starts + timedelta(hours=3),
    location=location,
)
training_update(training=training, status="open")
transaction.commit()
print(training.pk)
