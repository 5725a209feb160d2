from django.db import models
from django.utils.translation import gettext_lazy as _

# The states of a service-mail row live with the one outbox; imported here too, as before.
from mentorwijs.outbox.enums import MessageStatus  # noqa: F401


class Variant(models.TextChoices):
    STANDARD = "standard", _("Mentorwijs (standard)")
    INTERNSHIP = "internship", _("Internship supervisors (practical education)")
    IN_COMPANY = "in_company", _("In-company")
    TRAIN_THE_TRAINER = "train_the_trainer", _("Train-the-trainer")


class TrainingStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for enrolment")
    FULL = "full", _("Full")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


# Variants open to anyone: on the public list and calendar feed, with the public enrolment form. The
# others (in-company, train-the-trainer) take enrolments only through the link staff send.
PUBLIC_VARIANTS = [Variant.STANDARD, Variant.INTERNSHIP]

# Runs shown to the public (page and calendar feed), of a public variant.
PUBLIC_STATUSES = [TrainingStatus.OPEN, TrainingStatus.FULL, TrainingStatus.RUNNING]
# Runs that take enrolments (a full run puts them on the waiting list).
ENROLLABLE_STATUSES = [TrainingStatus.OPEN, TrainingStatus.FULL]
# Runs staff may still add someone to: those above, and a running one (late, with a reason).
STAFF_ENROLLABLE_STATUSES = [*ENROLLABLE_STATUSES, TrainingStatus.RUNNING]


class ActiveComponent(models.TextChoices):
    """The six active components (werkzame bestanddelen) of DOMAIN.md."""

    INCLUSIVE_CLIMATE = "inclusive_climate", _("Inclusive work climate")
    UNDERSTANDING = "understanding", _("Understanding of limitations")
    QUALITIES = "qualities", _("Focus on qualities")
    LEARNING = "learning", _("Learning-rich work")
    AUTONOMY = "autonomy", _("Autonomy")
    LEADERSHIP = "leadership", _("Transformational leadership")


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("Lead trainer")
    CO_TRAINER = "co_trainer", _("Co-trainer")
    CANDIDATE = "candidate", _("Candidate (supervised practice)")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class EnrolmentStatus(models.TextChoices):
    REGISTERED = "registered", _("Enrolled")
    WAITLISTED = "waitlisted", _("On the waiting list")
    OFFERED = "offered", _("Offered a place")
    CANCELLED = "cancelled", _("Cancelled")
    COMPLETED = "completed", _("Completed")
    DROPPED_OUT = "dropped_out", _("Dropped out")


# Statuses that hold one of the run's places.
PLACE_HOLDING_STATUSES = [EnrolmentStatus.REGISTERED, EnrolmentStatus.OFFERED, EnrolmentStatus.COMPLETED]
# Statuses of someone still taking part (mails, feeds, attendance lists).
ACTIVE_STATUSES = [EnrolmentStatus.REGISTERED, EnrolmentStatus.COMPLETED]
# Enrolments still under way: they may be cancelled or moved.
LIVE_STATUSES = [EnrolmentStatus.REGISTERED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.OFFERED]


class EvaluationMoment(models.TextChoices):
    BEFORE = "before", _("Before the first meeting")
    AFTER = "after", _("After the last meeting")


class SelfEfficacyItem(models.TextChoices):
    """Self-efficacy as a mentor: each answered on a five-point scale."""

    EXPLAIN_TASKS = "explain_tasks", _("I can explain a task so that my employee understands it.")
    SPOT_PROBLEMS = "spot_problems", _("I notice early when my employee has trouble.")
    DISCUSS = "discuss", _("I can talk about problems at work with my employee.")
    STRENGTHS = "strengths", _("I know how to use my employee's strengths.")
    SUPPORT = "support", _("I know where to find support when I need it.")


class MessageKind(models.TextChoices):
    ENROLMENT_CONFIRMED = "enrolment_confirmed", _("Enrolment confirmation")
    WAITLIST_CONFIRMED = "waitlist_confirmed", _("Waiting-list confirmation")
    ENROLMENT_CANCELLED = "enrolment_cancelled", _("Cancellation confirmation")
    WAITLIST_OFFER = "waitlist_offer", _("Waiting-list offer")
    OFFER_LAPSED = "offer_lapsed", _("Waiting-list offer lapsed")
    MEETING_REMINDER = "meeting_reminder", _("Meeting reminder")
    MEETING_MOVED = "meeting_moved", _("Meeting moved")
    MEETING_CANCELLED = "meeting_cancelled", _("Meeting cancelled")
    TRAINING_CANCELLED = "training_cancelled", _("Training run cancelled")
    EVALUATION_BEFORE = "evaluation_before", _("Evaluation request (before)")
    EVALUATION_AFTER = "evaluation_after", _("Evaluation request (after)")
    CERTIFICATE = "certificate", _("Certificate of participation")
    EMAIL_CHANGED = "email_changed", _("Email address changed (to the old address)")
    PERSONAL_LINKS = "personal_links", _("New personal links (to the new address)")
    RUN_MESSAGE = "run_message", _("Message to the participants")


class RunMessageKind(models.TextChoices):
    """What an entry of a run's mail history is (trainings.models.RunMessage)."""

    MESSAGE = "message", _("Message")
    CANCELLATION = "cancellation", _("Cancellation of the run")
