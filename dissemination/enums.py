from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetGroup(models.TextChoices):
    """The eight target groups of the dissemination plan (DOMAIN.md)."""

    EMPLOYERS = "employers", _("Employers")
    EMPLOYER_ORGANISATIONS = "employer_organisations", _("Employers' organisations")
    REPRESENTATIVES = "representatives", _("Employee and client representatives")
    MUNICIPALITIES = "municipalities", _("Municipalities, UWV and sheltered work")
    SCHOOLS = "schools", _("Schools and internship supervisors")
    JOB_COACHING = "job_coaching", _("Job-coach and re-integration companies")
    AGENCIES = "agencies", _("Temporary-work and secondment agencies")
    INTERMEDIARIES = "intermediaries", _("Intermediaries and national bodies")


class Channel(models.TextChoices):
    """How someone heard of Mentorwijs (DOMAIN.md, channels)."""

    NETWORK = "network", _("Own professional network")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    NATIONAL_ORGANISATION = "national_organisation", _("National employers' or employees' organisation")
    PROGRAMMARAAD = "programmaraad", _("Programmaraad, Cedris or SBCM")
    MOVISIE = "movisie", _("Movisie database")
    WERKBEDRIJF = "werkbedrijf", _("Regional werkbedrijf")
    CONGRESS = "congress", _("Divosa congress or workshop")
    NEWSLETTER = "newsletter", _("Newsletter")
    WEBSITE = "website", _("Link on a website")
    ALUMNI = "alumni", _("Someone who followed the training")
    OTHER = "other", _("Other")


class OutreachChannel(models.TextChoices):
    """How an ambassador made contact with an organisation."""

    CONVERSATION = "conversation", _("Personal conversation")
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    NETWORK_MEETING = "network_meeting", _("Network meeting")
    CONGRESS = "congress", _("Congress")
    NEWSLETTER = "newsletter", _("Newsletter")
    WEBSITE = "website", _("Website")
    OTHER = "other", _("Other")


class MaterialShared(models.TextChoices):
    """The products of the dissemination plan an ambassador can hand over (DOMAIN.md)."""

    HANDBOOK = "handbook", _("Handbook")
    FACTSHEET = "factsheet", _("Factsheet")
    POWERPOINT = "powerpoint", _("PowerPoint")
    GOOD_PRACTICES = "good_practices", _("Good-practice booklet")


class KeyMessage(models.TextChoices):
    """The five elements of the key message (kernboodschap, DOMAIN.md)."""

    ADDED_VALUE = "added_value", _("Added value")
    SCIENTIFIC = "scientific", _("Scientifically grounded")
    ADAPTABLE = "adaptable", _("Adaptable to the local situation")
    LAWFUL = "lawful", _("Within law and regulation")
    FREE = "free", _("Free of charge")


class Stage(models.TextChoices):
    """How far an organisation has come, in the order of the funnel (see STAGE_ORDER)."""

    INFORMED = "informed", _("Informed")
    INTERESTED = "interested", _("Interested")
    CONVINCED = "convinced", _("Convinced")
    SUPERVISORS_REGISTERED = "supervisors_registered", _("Supervisors registered")
    TRAINED = "trained", _("Trained")


# The funnel order: a later stage is further. Stage.values is in this order too.
STAGE_ORDER = list(Stage.values)


def stage_rank(stage: str) -> int:
    """0 for informed up to 4 for trained: compare stages by their rank."""
    return STAGE_ORDER.index(stage)


class MaterialKind(models.TextChoices):
    HANDBOOK = "handbook", _("Handbook")
    FACTSHEET = "factsheet", _("Factsheet")
    POWERPOINT = "powerpoint", _("PowerPoint")
    GOOD_PRACTICES = "good_practices", _("Good-practice booklet")
    OTHER = "other", _("Other")


class EventKind(models.TextChoices):
    CONGRESS = "congress", _("Congress")
    INSPIRATION_MEETING = "inspiration_meeting", _("Inspiration meeting")
    CONFERENCE = "conference", _("Conference")
    NETWORK_MEETING = "network_meeting", _("Network meeting")
    WORKSHOP = "workshop", _("Workshop")
    OTHER = "other", _("Other")


class RsvpAnswer(models.TextChoices):
    """A guest's answer to an event invitation (empty: no answer yet)."""

    YES = "yes", _("Coming")
    NO = "no", _("Not coming")


class EventMailKind(models.TextChoices):
    INVITATION = "invitation", _("Event invitation")
    REMINDER = "reminder", _("Event reminder")


class CommunicationGoal(models.TextChoices):
    """The three communication goals of the dissemination plan, in funnel order."""

    INFORM = "inform", _("Inform")
    CONVINCE = "convince", _("Convince")
    TRAIN = "train", _("Train")


class SubscriberStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    BOUNCED = "bounced", _("Address bounces")
    COMPLAINED = "complained", _("Marked as spam")


class ConsentAction(models.TextChoices):
    GIVEN = "given", _("Consent given")
    WITHDRAWN = "withdrawn", _("Consent withdrawn")


class ConsentSource(models.TextChoices):
    FORM = "form", _("Sign-up form (confirmed by email)")
    IMPORT = "import", _("Import with proof of consent")
    EVENT = "event", _("Given at an event")
    PREFERENCES = "preferences", _("Preference page")
    UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
    STAFF = "staff", _("Recorded by staff")


class NewsletterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


# A campaign that has not started sending can still be cancelled.
NEWSLETTER_CANCELLABLE = [NewsletterStatus.DRAFT, NewsletterStatus.SCHEDULED]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (no longer subscribed)")


class MailEventKind(models.TextChoices):
    HARD_BOUNCE = "hard_bounce", _("Hard bounce")
    SOFT_BOUNCE = "soft_bounce", _("Soft bounce")
    COMPLAINT = "complaint", _("Complaint")
