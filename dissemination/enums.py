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
