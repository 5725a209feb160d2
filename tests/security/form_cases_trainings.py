"""Fuzz cases of the trainings forms (see tests/security/fuzz.py)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from dissemination.models import Organisation, Person
from tests.factories import AssignmentFactory, EnrolmentFactory, LocationFactory, OrganisationFactory, TrainingFactory
from trainings.models import (
    Attendance,
    Certificate,
    CompletionRule,
    Enrolment,
    Evaluation,
    Location,
    Meeting,
    RunMessage,
    ScheduledMessage,
    Training,
)

from .form_helpers import in_days, latest, login, rivierenland, setup_staff, snapshot
from .fuzz import FormCase, text, value

# --- trainings ----------------------------------------------------------------------------------


def setup_training_create(client):
    login(client, ["staff"])
    location = LocationFactory()
    return {
        "url": reverse("trainings:training_create"),
        "fields": {
            "title": text(200),
            "variant": value("standard"),
            "region": value(str(rivierenland().pk)),
            "capacity": value("15"),
            "local_adaptations": text(required=False),
            "host_organisation_name": value(""),
            "first_meeting_date": value(in_days(30)),
            "first_meeting_start": value("18:00"),
            "first_meeting_end": value("21:00"),
            "location": value(str(location.pk)),
        },
    }


def setup_run_message(client):
    login(client, ["staff"])
    training = TrainingFactory(meetings=2, status="open")
    EnrolmentFactory(training=training)
    return {
        "url": reverse("trainings:run_message", args=[training.pk]),
        "object": training,
        "fields": {
            "meeting": value(""),
            "subject": text(150),
            "body": text(5000),
        },
    }


def setup_training_cancel(client):
    login(client, ["staff"])
    training = TrainingFactory(meetings=2, status="open")
    EnrolmentFactory(training=training)
    return {
        "url": reverse("trainings:training_cancel", args=[training.pk]),
        "object": training,
        "fields": {"reason": text(1000)},
    }


def setup_training_update(client):
    login(client, ["staff"])
    training = TrainingFactory(meetings=2)
    return {
        "url": reverse("trainings:training_update", args=[training.pk]),
        "object": training,
        "fields": {
            "title": text(200),
            "variant": value("standard"),
            "region": value(str(rivierenland().pk)),
            "capacity": value("15"),
            "status": value("open"),
            "local_adaptations": text(required=False),
        },
    }


def setup_meetings_update(client):
    login(client, ["staff"])
    training = TrainingFactory(meetings=1)
    meeting = training.meetings.get()
    start = timezone.localtime(meeting.starts_at)
    return {
        "url": reverse("trainings:meetings_update", args=[training.pk]),
        "object": training,
        "extra": {
            "meetings-TOTAL_FORMS": "1",
            "meetings-INITIAL_FORMS": "1",
            "meetings-MIN_NUM_FORMS": "0",
            "meetings-MAX_NUM_FORMS": "1000",
            "meetings-0-id": str(meeting.pk),
        },
        "fields": {
            "meetings-0-number": value("1"),
            "meetings-0-date": value(start.date().isoformat()),
            "meetings-0-start_time": value("17:00"),
            "meetings-0-end_time": value("20:00"),
            "meetings-0-location": value(str(meeting.location_id)),
            "meetings-0-components": value("inclusive_climate"),
            "meetings-TOTAL_FORMS": value("1"),
            "meetings-0-id": value(str(meeting.pk)),
        },
    }


def setup_public_enrol(client):
    training = TrainingFactory(meetings=5)
    return {"url": reverse("trainings:public_enrol", args=[training.pk])}


def setup_link_enrol(client):
    """The enrolment link of an in-company run; its host may be picked (the hidden id)."""
    host = OrganisationFactory(name="Zorggroep Lingeland")
    training = TrainingFactory(meetings=5, variant="in_company", host_organisation=host)
    return {
        "url": reverse("trainings:link_enrol", args=[training.enrolment_link_key]),
        "fields": {**PUBLIC_ENROL_FIELDS, "organisation": value(str(host.pk)), "organisation_name": value(host.name)},
    }


def setup_staff_enrol(client):
    login(client, ["staff"])
    training = TrainingFactory(meetings=5)
    return {"url": reverse("trainings:staff_enrol", args=[training.pk])}


def setup_enrolment_move(client):
    login(client, ["staff"])
    enrolment = EnrolmentFactory(training=TrainingFactory(meetings=2))
    other = TrainingFactory(meetings=2)
    return {
        "url": reverse("trainings:enrolment_move", args=[enrolment.pk]),
        "object": enrolment,
        "fields": {"to_training": value(str(other.pk))},
    }


def setup_attendance(client):
    user = login(client, ["trainer"])
    training = TrainingFactory(meetings=2, meetings__first_meeting=timezone.now() - timedelta(days=1))
    AssignmentFactory(training=training, trainer=user)
    enrolment = EnrolmentFactory(training=training)
    meeting = training.meetings.order_by("number").first()
    return {
        "url": reverse("trainings:meeting_attendance", args=[meeting.pk]),
        "fields": {f"present_{enrolment.pk}": value("absent"), f"reason_{enrolment.pk}": text(200)},
    }


def setup_catch_up(client):
    login(client, ["staff"])
    training = TrainingFactory(meetings=2, meetings__first_meeting=timezone.now() - timedelta(days=1))
    other = TrainingFactory(meetings=2, meetings__first_meeting=timezone.now() - timedelta(days=8))
    enrolment = EnrolmentFactory(training=other)
    meeting = training.meetings.order_by("number").first()
    return {
        "url": reverse("trainings:catch_up", args=[meeting.pk]),
        "fields": {"enrolment": value(str(enrolment.pk)), "q": text(100)},
    }


def setup_certificate_revoke(client):
    login(client, ["staff"])
    enrolment = EnrolmentFactory(status="completed")
    certificate = Certificate.objects.create(enrolment=enrolment)
    return {"url": reverse("trainings:certificate_revoke", args=[certificate.pk]), "object": certificate}


def setup_evaluation(client):
    training = TrainingFactory(meetings=2)
    enrolment = EnrolmentFactory(training=training)
    from trainings.enums import EvaluationMoment, SelfEfficacyItem
    from trainings.services.evaluation import MOMENT_SLUGS

    fields = {f"self_efficacy_{item}": value("3") for item in SelfEfficacyItem.values}
    fields["remarks"] = text(2000, required=False)
    url = reverse("trainings:evaluation_form", args=[enrolment.token, MOMENT_SLUGS[EvaluationMoment.BEFORE]])
    return {"url": url, "fields": fields}


def setup_personal_email(client):
    enrolment = EnrolmentFactory(training=TrainingFactory(meetings=2))
    return {"url": reverse("trainings:personal_email", args=[enrolment.token]), "object": enrolment.person}


def setup_location_create(client):
    login(client, ["staff"])
    return {"url": reverse("trainings:location_create")}


def setup_location_update(client):
    login(client, ["staff"])
    location = TrainingFactory(meetings=1).meetings.get().location
    return {"url": reverse("trainings:location_update", args=[location.pk]), "object": location}


def setup_completion_rule_update(client):
    login(client, ["staff"])
    return {
        "url": reverse("trainings:completion_rule_update", args=["standard"]),
        "object": CompletionRule.objects.get(variant="standard"),
    }


def setup_verify(client):
    return {"url": reverse("trainings:verify")}


PUBLIC_ENROL_FIELDS = {
    "first_name": text(100),
    "last_name": text(150),
    "email": value("deelnemer@example.org"),
    "phone": text(20, required=False),
    "organisation_name": text(200),
    "organisation": value(""),
    "organisation_city": text(100),
    "organisation_target_group": value("employers"),
    "function": text(150, required=False),
    "source": value("network"),
    "dietary_wishes": text(200, required=False),
    "consent": value("on"),
}

CASES = [
    # trainings
    FormCase(
        "training_create",
        setup_training_create,
        models=(Training, Meeting, Organisation),
        stored=latest(Training),
        stored_fields={"title": "title", "local_adaptations": "local_adaptations"},
        show=lambda ctx, obj: reverse("trainings:training_detail", args=[obj.pk]),
    ),
    FormCase(
        "training_update",
        setup_training_update,
        models=(Training, Meeting, Enrolment),
        snapshot=snapshot(Training, "title", "variant", "region", "capacity", "status", "local_adaptations"),
        stored=lambda ctx, data: Training.objects.get(pk=ctx["object"].pk),
        stored_fields={"title": "title", "local_adaptations": "local_adaptations"},
        show=lambda ctx, obj: reverse("trainings:training_detail", args=[obj.pk]),
    ),
    FormCase(
        "run_message",
        setup_run_message,
        models=(RunMessage, ScheduledMessage),
        stored=latest(RunMessage),
        stored_fields={"subject": "subject", "body": "body"},
        show=lambda ctx, obj: reverse("trainings:training_detail", args=[obj.training_id]),
    ),
    FormCase(
        "training_cancel",
        setup_training_cancel,
        models=(RunMessage, ScheduledMessage),
        snapshot=snapshot(Training, "status"),
        stored=latest(RunMessage),
        stored_fields={"reason": "body"},
        show=lambda ctx, obj: reverse("trainings:training_detail", args=[obj.training_id]),
    ),
    FormCase(
        "meetings_update",
        setup_meetings_update,
        models=(Meeting,),
        snapshot=lambda ctx: list(Meeting.objects.filter(training=ctx["object"]).values()),
    ),
    FormCase(
        "location_create",
        setup_location_create,
        fields={
            "name": text(200),
            "address": text(200),
            "postcode": text(10, required=False),
            "city": text(100),
            "region": value("1"),
        },
        models=(Location,),
        stored=latest(Location),
        stored_fields={"name": "name", "address": "address", "city": "city"},
    ),
    FormCase(
        "location_update",
        setup_location_update,
        fields={
            "name": text(150),
            "address": text(200, required=False),
            "postcode": text(7, required=False),
            "city": text(100),
            "region": value("1"),
        },
        models=(Location,),
        snapshot=snapshot(Location, "name", "address", "postcode", "city", "region"),
        stored=lambda ctx, data: Location.objects.get(pk=ctx["object"].pk),
        stored_fields={"name": "name", "address": "address", "city": "city"},
        show=lambda ctx, obj: reverse("trainings:location_list"),
        shown_fields=("name", "city"),
    ),
    FormCase(
        "location_list_filter",
        setup_staff("trainings:location_list"),
        method="get",
        fields={"q": text(), "region": value("1"), "state": value("archived"), "page": value("1")},
    ),
    FormCase(
        "completion_rule_update",
        setup_completion_rule_update,
        fields={"meetings_required": value("3")},
        models=(CompletionRule,),
        snapshot=snapshot(CompletionRule, "meetings_required"),
    ),
    FormCase(
        "training_list_filter",
        setup_staff("trainings:training_list"),
        method="get",
        fields={
            "region": value("1"),
            "variant": value("standard"),
            "status": value("open"),
            "period_after": value("2026-01-01"),
            "period_before": value("2026-12-31"),
            "page": value("1"),
        },
    ),
    FormCase(
        "public_training_list",
        lambda client: {"url": reverse("trainings:public_list")},
        method="get",
        fields={"region": value("1")},
    ),
    FormCase(
        "public_organisation_search",
        lambda client: {"url": reverse("trainings:organisation_search")},
        method="get",
        fields={"q": text()},
    ),
    FormCase(
        "public_enrol",
        setup_public_enrol,
        fields=PUBLIC_ENROL_FIELDS,
        models=(Enrolment, Person, Organisation, ScheduledMessage),
        stored=lambda ctx, data: Enrolment.objects.order_by("-pk").first(),
        stored_fields={"dietary_wishes": "dietary_wishes"},
    ),
    FormCase(
        "link_enrol",
        setup_link_enrol,
        models=(Enrolment, Person, Organisation, ScheduledMessage),
        stored=lambda ctx, data: Enrolment.objects.order_by("-pk").first(),
        stored_fields={"dietary_wishes": "dietary_wishes"},
    ),
    FormCase(
        "enrolment_link_renew",
        lambda client: setup_staff("trainings:enrolment_link_renew", TrainingFactory(variant="in_company").pk)(client),
        models=(Training, Enrolment),
    ),
    FormCase(
        "staff_enrol",
        setup_staff_enrol,
        fields={
            "first_name": text(100),
            "last_name": text(150),
            "email": value("deelnemer@example.org"),
            "organisation_name": text(200),
            "organisation_city": text(100),
            "organisation_target_group": value("employers"),
            "dietary_wishes": text(200, required=False),
        },
        models=(Enrolment, Person, Organisation, ScheduledMessage),
        stored=lambda ctx, data: Enrolment.objects.order_by("-pk").first(),
        stored_fields={"dietary_wishes": "dietary_wishes"},
        show=lambda ctx, obj: reverse("trainings:training_detail", args=[obj.training_id]),
    ),
    FormCase(
        "enrolment_move",
        setup_enrolment_move,
        models=(Enrolment, ScheduledMessage),
        snapshot=snapshot(Enrolment, "training", "status"),
    ),
    FormCase("meeting_attendance", setup_attendance, models=(Attendance, Enrolment)),
    FormCase("catch_up", setup_catch_up, models=(Attendance,)),
    FormCase(
        "catch_up_search",
        setup_catch_up,
        method="get",
    ),
    FormCase(
        "certificate_revoke",
        setup_certificate_revoke,
        fields={"reason": text(300)},
        models=(Certificate,),
        snapshot=snapshot(Certificate, "revoked_at", "revocation_reason"),
        stored=lambda ctx, data: Certificate.objects.get(pk=ctx["object"].pk),
        stored_fields={"reason": "revocation_reason"},
    ),
    FormCase(
        "certificate_verify",
        setup_verify,
        method="get",
        fields={"code": text(40)},
    ),
    FormCase(
        "personal_email",
        setup_personal_email,
        fields={"email": value("nieuw@example.org")},
        models=(Person, ScheduledMessage),
        snapshot=snapshot(Person, "email"),
    ),
    FormCase(
        "evaluation",
        setup_evaluation,
        models=(Evaluation,),
        stored=latest(Evaluation),
        stored_fields={"remarks": "remarks"},
    ),
]
