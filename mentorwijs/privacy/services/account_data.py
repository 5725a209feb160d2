"""Everything the system holds about one account holder (a trainer, ambassador, master trainer or
staff member; AVG art. 15), as JSON-ready data: the account and its roles, sign-in addresses and
second factors (never a secret or the password), the invitation that brought them in,
certifications with their steps and evidence (file names and sizes, not the files), the ambassador
profile, the outreach contacts they logged, the runs they were assigned to, their offers to give a
run, fidelity reviews they wrote or that are about runs they gave, refresher meetings, events they
spoke at and the service mails sent to them. A fixed number of queries, whatever the amount of
data (test_account_data.py pins it)."""

from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from ambassadors.models import AssignmentOffer, FidelityReview
from dissemination.models import OutreachContact
from mentorwijs.accounts.models import Invitation, User
from trainings.enums import MeetingStatus
from trainings.models import Assignment, Meeting, ScheduledMessage

from .rows import account_row, ambassador_row, certification_rows, certifications_queryset, choice, iso, name


def _run(training, starts, ends) -> dict:
    return {
        "id": training.pk,
        "title": training.title,
        **choice(training, "variant"),
        **choice(training, "status"),
        "first_meeting": iso(starts),
        "last_meeting_ends": iso(ends),
    }


def _assignments(user: User) -> list[dict]:
    scheduled = Meeting.objects.filter(training=OuterRef("training_id")).exclude(status=MeetingStatus.CANCELLED)
    assignments = (
        Assignment.objects.filter(trainer=user)
        .select_related("training")
        .annotate(
            run_starts=Subquery(scheduled.order_by("starts_at").values("starts_at")[:1]),
            run_ends=Subquery(scheduled.order_by("-ends_at").values("ends_at")[:1]),
        )
        .order_by("assigned_at", "pk")
    )
    return [
        {
            "training": _run(assignment.training, assignment.run_starts, assignment.run_ends),
            **choice(assignment, "role"),
            "assigned_at": iso(assignment.assigned_at),
        }
        for assignment in assignments
    ]


def _fidelity_reviews(user: User) -> list[dict]:
    """Reviews they wrote, and reviews of runs they were assigned to (those are about their work)."""
    their_runs = Assignment.objects.filter(trainer=user).values("training_id")
    reviews = (
        FidelityReview.objects.filter(Q(reviewer=user) | Q(training_id__in=their_runs))
        .select_related("training", "reviewer")
        .prefetch_related("scores")
        .order_by("submitted_at", "pk")
    )
    return [
        {
            "training": review.training.title,
            **choice(review, "kind"),
            "written_by_them": review.reviewer_id == user.pk,
            "reviewer": name(review.reviewer),
            "scores": {score.component: score.score for score in review.scores.all()},
            "average": str(review.average),
            "all_meetings_held": review.all_meetings_held,
            "group_size_ok": review.group_size_ok,
            "own_cases_used": review.own_cases_used,
            "handbook_followed": review.handbook_followed,
            "adaptations_recorded": review.adaptations_recorded,
            "notes": review.notes,
            "submitted_at": iso(review.submitted_at),
        }
        for review in reviews
    ]


def _invitation(user: User) -> dict | None:
    invitation = Invitation.objects.filter(accepted_user=user).select_related("invited_by").first()
    if invitation is None:
        return None
    return {
        "email": invitation.email,
        "first_name": invitation.first_name,
        "roles": list(invitation.roles),
        "invited_by": name(invitation.invited_by),
        "created_at": iso(invitation.created_at),
        "accepted_at": iso(invitation.accepted_at),
    }


def account_data(*, user: User) -> dict:
    """Everything held about the account holder `user`, JSON-ready (dates and times as ISO 8601 in
    local time). Reads only; every part is selected by this account's id."""
    user = (
        User.objects.select_related("ambassador__organisation", "ambassador__region")
        .prefetch_related(
            "groups",
            "emailaddress_set",
            "authenticator_set",
            Prefetch("certifications", queryset=certifications_queryset()),
            Prefetch(
                "outreach_contacts",
                queryset=OutreachContact.objects.select_related("organisation").order_by("date", "pk"),
            ),
            Prefetch(
                "assignment_offers",
                queryset=AssignmentOffer.objects.select_related("training").order_by("created_at", "pk"),
            ),
            "refreshers_attended",
            "events_spoken",
        )
        .get(pk=user.pk)
    )
    messages = ScheduledMessage.objects.filter(user=user).order_by("due_at", "pk")
    return {
        "generated_at": iso(timezone.now()),
        "account": account_row(user),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in sorted(user.emailaddress_set.all(), key=lambda address: address.pk)
        ],
        # What kind of second factor and when it was used; never its secret.
        "second_factors": [
            {
                "type": authenticator.type,
                "type_label": str(authenticator.get_type_display()),
                "name": (authenticator.data or {}).get("name", ""),
                "created_at": iso(authenticator.created_at),
                "last_used_at": iso(authenticator.last_used_at),
            }
            for authenticator in sorted(user.authenticator_set.all(), key=lambda authenticator: authenticator.pk)
        ],
        "invitation": _invitation(user),
        "certifications": certification_rows(user.certifications.all()),
        "ambassador": ambassador_row(getattr(user, "ambassador", None)),
        "outreach_contacts": [
            {
                "id": contact.pk,
                "date": iso(contact.date),
                "organisation": contact.organisation.name,
                "with_contact_person": contact.person_id is not None,
                **choice(contact, "channel"),
                **choice(contact, "stage"),
                "notes": contact.notes,
                "follow_up_on": iso(contact.follow_up_on),
                "follow_up_done": contact.follow_up_done,
            }
            for contact in user.outreach_contacts.all()
        ],
        "assignments": _assignments(user),
        "offers": [
            {
                "training": offer.training.title,
                **choice(offer, "role"),
                **choice(offer, "status"),
                "note": offer.note,
                "created_at": iso(offer.created_at),
                "decided_at": iso(offer.decided_at),
                "decision_note": offer.decision_note,
            }
            for offer in user.assignment_offers.all()
        ],
        "fidelity_reviews": _fidelity_reviews(user),
        "refresher_meetings": [
            {"title": meeting.title, "held_on": iso(meeting.held_on)}
            for meeting in sorted(user.refreshers_attended.all(), key=lambda meeting: (meeting.held_on, meeting.pk))
        ],
        "events_spoken": [
            {"title": event.title, "date": iso(event.date)}
            for event in sorted(user.events_spoken.all(), key=lambda event: (event.date, event.pk))
        ],
        "messages": [
            {
                **choice(message, "kind"),
                **choice(message, "status"),
                "due_at": iso(message.due_at),
                "sent_at": iso(message.sent_at),
            }
            for message in messages
        ],
    }
