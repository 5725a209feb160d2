"""The rehearsal's test data, made in `manage.py shell` (deploy/rehearse) through the services: a public
run open for enrolment. Prints the run's id. (The staff member is not made here: deploy/rehearse runs
`manage.py createstaff` and check.py accepts the invitation on the pages, as an operator does.)"""

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from dissemination.models import Region
from trainings.models import Location
from trainings.services.scheduling import training_create, training_update

transaction.set_autocommit(False)
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
