"""No field anywhere for an employee's health, disability or diagnosis (AVG art. 9), and every free-text
field in which people write about others carries the warning not to record such things."""

import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.apps import apps
from django.utils import translation
from django.utils.translation import gettext

from tests.factories import EnrolmentFactory

PROJECT_APPS = {"accounts", "outbox", "dissemination", "trainings", "ambassadors", "overview", "privacy"}
FORM_PACKAGES = [
    "mentorwijs.accounts",
    "mentorwijs.outbox",
    "mentorwijs.overview",
    "dissemination",
    "trainings",
    "ambassadors",
]

# Stems, matched anywhere in a lower-cased name or verbose name (Dutch and English).
HEALTH_WORDS = [
    "gezondheid", "beperking", "handicap", "diagnos", "ziek", "medisch", "medicijn", "medicatie", "arbo",
    "verzuim", "chronisch", "psych", "therap", "zwanger", "allergie", "re-integratie", "reintegratie",
    "health", "disab", "medical", "medication", "illness", "sickness", "sick_leave", "condition", "impairment",
    "therapy", "pregnan", "allerg", "chronic", "symptom", "treatment", "absenteeism",
]  # fmt: skip
HEALTH_PATTERN = re.compile("|".join(re.escape(word) for word in HEALTH_WORDS))

WARNING_MSGID = "Never write anything about an employee's health or disability here."

# Free-text form fields that are not about people, each with the reason.
NOT_ABOUT_PEOPLE = {
    "dissemination.forms.newsletters.NewsletterForm.body": "a public newsletter text",
    "dissemination.forms.newsletters.NewsletterForm.body_en": "a public newsletter text",
    "dissemination.forms.outreach_materials.MaterialUploadForm.description": "describes a public material",
    "dissemination.forms.outreach_events.EventForm.description": "what the event is about, written before it",
}
# Free-text fields on a single line that are still about people (long text inputs are not checked by rule).
ONE_LINE_ABOUT_PEOPLE = {
    "ambassadors.forms.assignments.DeclineForm.reason",
    "trainings.forms.attendance.AttendanceSheetForm.reason_*",
}


def project_models():
    return [model for model in apps.get_models() if model._meta.app_label in PROJECT_APPS]


def _texts(value):
    """The text in Dutch and in English, lower-cased."""
    texts = []
    for language in ("nl", "en"):
        with translation.override(language):
            texts.append(str(value).lower())
    return texts


def test_the_word_list_catches_what_it_should():
    for name in ["gezondheidssituatie", "arbeidsbeperking", "ziekteverzuim", "medical_notes", "disability", "diagnose"]:
        assert HEALTH_PATTERN.search(name), name
    for name in ["first_name", "notes", "absence_reason", "dietary_wishes", "local_adaptations", "kvk_number"]:
        assert not HEALTH_PATTERN.search(name), name


def test_no_model_has_a_health_field():
    found = []
    for model in project_models():
        candidates = [("model", model.__name__.lower(), model._meta.verbose_name)]
        for field in model._meta.get_fields():
            if field.auto_created and not field.concrete:
                continue
            candidates.append(("field", field.name, getattr(field, "verbose_name", field.name)))
        for kind, name, verbose_name in candidates:
            for text in [name.lower(), *_texts(verbose_name)]:
                if HEALTH_PATTERN.search(text):
                    found.append(f"{model._meta.label} {kind} {name!r} ({text!r})")
    assert not found, "Fields that look like health, disability or diagnosis data (AVG art. 9): " + "; ".join(found)


def test_the_project_models_are_all_inspected():
    labels = {model._meta.label for model in project_models()}
    assert {"dissemination.Person", "trainings.Attendance", "trainings.Evaluation", "ambassadors.Ambassador"} <= labels


def project_form_classes():
    classes = {}
    for package_name in FORM_PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, package_name + "."):
            if not any(part.startswith("forms") for part in info.name.split(".")[1:]):
                continue
            module = importlib.import_module(info.name)
            for name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    classes[f"{module.__name__}.{name}"] = cls
    return classes


def free_text_fields():
    """(dotted name, field) of every multi-line text field of the project's forms, plus the one-line
    fields about people named above."""
    found = []
    for dotted, cls in project_form_classes().items():
        for name, field in cls.base_fields.items():
            key = f"{dotted}.{name}"
            if isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea):
                if key not in NOT_ABOUT_PEOPLE:
                    found.append((key, field))
            elif key in ONE_LINE_ABOUT_PEOPLE:
                found.append((key, field))
    return found


def _carries_warning(help_text) -> bool:
    with translation.override("nl"):
        return gettext(WARNING_MSGID) in str(help_text)


def test_free_text_fields_about_people_carry_the_warning():
    fields = free_text_fields()
    names = {name for name, _field in fields}
    # The known places where people write about others (a sample: the rule above finds new ones).
    assert {
        "dissemination.forms.outreach.ContactLogForm.notes",
        "dissemination.forms.outreach.ContactEditForm.notes",
        "dissemination.forms.outreach_events.EventForm.outcomes",
        "dissemination.forms.outreach_events.EventForm.follow_up",
        "trainings.forms.evaluation.EvaluationForm.remarks",
        "trainings.forms.attendance.CertificateRevokeForm.reason",
        "trainings.forms.scheduling.TrainingForm.local_adaptations",
        "ambassadors.forms.fidelity.FidelityReviewForm.notes",
        "ambassadors.forms.certification.RejectForm.reason",
        "ambassadors.forms.certification.CertificationRequestForm.note",
        "ambassadors.forms.assignments.OfferForm.note",
        "ambassadors.forms.assignments.DeclineForm.reason",
    } <= names
    missing = [name for name, field in fields if not _carries_warning(field.help_text)]
    assert not missing, "Free-text fields without the health/disability warning in their help text: " + ", ".join(
        missing
    )


def test_the_exemptions_still_exist():
    classes = project_form_classes()
    for key in [*NOT_ABOUT_PEOPLE, *ONE_LINE_ABOUT_PEOPLE]:
        module_and_class, field = key.rsplit(".", 1)
        assert module_and_class in classes, key
        if not field.endswith("*"):
            assert field in classes[module_and_class].base_fields, key


@pytest.mark.django_db
def test_the_absence_reason_carries_the_warning():
    from trainings.forms.attendance import AttendanceSheetForm

    enrolment = EnrolmentFactory()
    form = AttendanceSheetForm(rows=[{"enrolment": enrolment, "attendance": None}])
    assert _carries_warning(form.fields[f"reason_{enrolment.pk}"].help_text)
