"""Fuzz cases of the ambassadors forms (see tests/security/fuzz.py)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from hypothesis import strategies as st

from ambassadors.models import (
    Ambassador,
    AssignmentOffer,
    Certification,
    CertificationEvent,
    CertificationEvidence,
    CertificationNotice,
    FidelityReview,
    RefresherMeeting,
    RenewalRule,
)
from dissemination.models import Organisation
from mentorwijs.accounts.models import Invitation, User
from tests.factories import AmbassadorFactory, AssignmentFactory, CertificationFactory, TrainingFactory, UserFactory
from trainings.models import Assignment

from .form_helpers import PDF, in_days, latest, login, setup_staff, snapshot
from .fuzz import FormCase, file, text, upload, value

# --- ambassadors ----------------------------------------------------------------------------


def setup_ambassador_invite(client):
    login(client, ["staff"])
    return {"url": reverse("ambassadors:ambassador_invite")}


def setup_my_profile(client):
    user = login(client, ["ambassador"])
    ambassador = AmbassadorFactory(user=user)
    return {"url": reverse("ambassadors:my_profile"), "object": ambassador}


def setup_certification_request(client):
    login(client, ["trainer"])
    return {"url": reverse("ambassadors:certification_request")}


def setup_certification_review(action):
    def setup(client):
        login(client, ["staff"])
        certification = CertificationFactory(status="approved" if action == "revoke" else "requested")
        return {
            "url": reverse("ambassadors:certification_review", args=[certification.pk]),
            "object": certification,
            "extra": {"action": action},
        }

    return setup


def setup_add_info(client):
    user = login(client, ["trainer"])
    certification = CertificationFactory(holder=user, status="info_requested")
    return {"url": reverse("ambassadors:certification_detail", args=[certification.pk]), "object": certification}


def setup_fidelity(client):
    user = login(client, ["trainer"])
    CertificationFactory(holder=user)
    started = timezone.now() - timedelta(days=30)
    training = TrainingFactory(meetings=2, meetings__first_meeting=started, status="completed")
    AssignmentFactory(training=training, trainer=user, role="lead")
    from ambassadors.enums import ChecklistItem
    from ambassadors.services.fidelity import score_field
    from trainings.enums import ActiveComponent

    fields = {score_field(component): value("3") for component in ActiveComponent.values}
    fields.update({item: value("on") for item in ChecklistItem.values})
    fields["notes"] = text(4000, required=False)
    return {"url": reverse("ambassadors:fidelity_review", args=[training.pk]), "fields": fields}


def setup_offer(client):
    user = login(client, ["trainer"])
    CertificationFactory(holder=user)
    training = TrainingFactory(meetings=2)
    return {
        "url": reverse("ambassadors:open_runs"),
        "extra": {"action": "offer"},
        "fields": {
            "training": value(str(training.pk)),
            f"run-{training.pk}-role": value("co_trainer"),
            f"run-{training.pk}-note": text(500, required=False),
        },
    }


def setup_assignments(action):
    def setup(client):
        login(client, ["staff"])
        training = TrainingFactory(meetings=2)
        trainer = UserFactory(roles=["trainer"])
        CertificationFactory(holder=trainer)
        url = reverse("ambassadors:training_assignments", args=[training.pk])
        if action == "add":
            fields = {"trainer": value(str(trainer.pk)), "role": value("lead"), "action": value("add")}
        else:
            offer = AssignmentOffer.objects.create(training=training, trainer=trainer, role="lead")
            fields = {
                "offer": value(str(offer.pk)),
                f"offer-{offer.pk}-reason": text(500),
                "action": value("decline"),
            }
        return {"url": url, "fields": fields, "object": training}

    return setup


def setup_certification_request_with_files(client):
    login(client, ["trainer"])
    return {
        "url": reverse("ambassadors:certification_request"),
        "fields": {
            "level": value("co_trainer"),
            "note": text(4000, required=False),
            "files": file(st.builds(lambda: upload("bewijs.pdf", PDF))),
        },
    }


CASES = [
    # ambassadors
    FormCase(
        "ambassador_invite",
        setup_ambassador_invite,
        fields={
            "email": value("ambassadeur@example.org"),
            "first_name": text(100),
            "last_name": text(150),
            "kind": value("professional"),
            "organisation_name": value(""),
            "organisation": value(""),
            "region": value("1"),
            "offers": value([]),
            "language": value("nl"),
        },
        models=(Ambassador, Invitation, User),
        stored=latest(Invitation),
        stored_fields={"first_name": "first_name"},
        show=lambda ctx, obj: reverse("ambassadors:ambassador_list"),
        shown_fields=(),
    ),
    FormCase(
        "ambassador_list_filter",
        setup_staff("ambassadors:ambassador_list"),
        method="get",
        fields={"kind": value("professional"), "region": value("1"), "offer": value("speaker"), "page": value("1")},
    ),
    FormCase(
        "public_register_filter",
        lambda client: {"url": reverse("ambassadors:public_register")},
        method="get",
        fields={"region": value("1"), "level": value("trainer"), "page": value("1")},
    ),
    FormCase(
        "my_profile",
        setup_my_profile,
        fields={
            "organisation_name": value(""),
            "organisation": value(""),
            "region": value("1"),
            "offers": value([]),
            "public_listing": value(""),
        },
        models=(Ambassador, Organisation),
        snapshot=snapshot(Ambassador, "organisation", "region", "offers", "public_listing"),
    ),
    FormCase(
        "certification_request",
        setup_certification_request,
        fields={"level": value("co_trainer"), "training": value(""), "note": text(4000, required=False)},
        models=(Certification, CertificationEvent, CertificationNotice),
        stored=lambda ctx, data: CertificationEvent.objects.order_by("-pk").first(),
        stored_fields={"note": "note"},
        show=lambda ctx, obj: reverse("ambassadors:certification_detail", args=[obj.certification_id]),
    ),
    FormCase(
        "certification_request_evidence",
        setup_certification_request_with_files,
        models=(Certification, CertificationEvent, CertificationEvidence),
        stored=lambda ctx, data: CertificationEvent.objects.order_by("-pk").first(),
        stored_fields={"note": "note"},
    ),
    FormCase(
        "certification_add_info",
        setup_add_info,
        fields={"note": text(4000)},
        models=(Certification, CertificationEvent, CertificationNotice),
        snapshot=snapshot(Certification, "status"),
    ),
    FormCase(
        "certification_approve",
        setup_certification_review("approve"),
        fields={
            "approve-certified_by": value(""),
            "approve-original": value("on"),
            "approve-valid_from": value(""),
            "approve-valid_until": value(""),
            "approve-note": text(4000, required=False),
        },
        models=(Certification, CertificationEvent, CertificationNotice),
        snapshot=snapshot(Certification, "status", "valid_from", "valid_until", "certified_by"),
    ),
    FormCase(
        "certification_reject",
        setup_certification_review("reject"),
        fields={"reject-reason": text(4000)},
        models=(Certification, CertificationEvent, CertificationNotice),
        snapshot=snapshot(Certification, "status"),
        stored=lambda ctx, data: CertificationEvent.objects.order_by("-pk").first(),
        stored_fields={"reject-reason": "note"},
        show=lambda ctx, obj: reverse("ambassadors:certification_review", args=[obj.certification_id]),
    ),
    FormCase(
        "certification_ask_info",
        setup_certification_review("ask_info"),
        fields={"ask_info-note": text(4000)},
        models=(Certification, CertificationEvent, CertificationNotice),
        snapshot=snapshot(Certification, "status"),
    ),
    FormCase(
        "certification_revoke",
        setup_certification_review("revoke"),
        fields={"revoke-reason": text(4000)},
        models=(Certification, CertificationEvent, CertificationNotice),
        snapshot=snapshot(Certification, "status"),
    ),
    FormCase(
        "fidelity_review",
        setup_fidelity,
        models=(FidelityReview,),
        stored=latest(FidelityReview),
        stored_fields={"notes": "notes"},
    ),
    FormCase("offer", setup_offer, models=(AssignmentOffer,)),
    FormCase(
        "assignment_add",
        setup_assignments("add"),
        models=(Assignment, AssignmentOffer),
    ),
    FormCase(
        "offer_decline",
        setup_assignments("decline"),
        models=(Assignment,),
        snapshot=lambda ctx: list(AssignmentOffer.objects.values("status", "decision_note")),
    ),
    FormCase(
        "renewal_rule_create",
        setup_staff("ambassadors:renewal_rule_create"),
        fields={
            "level": value("trainer"),
            "kind": value("supervised_runs"),
            "minimum": value("2"),
            "minimum_score": value(""),
        },
        models=(RenewalRule,),
    ),
    FormCase(
        "refresher_create",
        setup_staff("ambassadors:refresher_create"),
        fields={"title": text(200), "held_on": value(in_days(-10)), "attendees": value([])},
        models=(RefresherMeeting,),
        stored=latest(RefresherMeeting),
        stored_fields={"title": "title"},
        show=lambda ctx, obj: reverse("ambassadors:refresher_list"),
    ),
]
