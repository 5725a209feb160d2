"""Forms of the materials library: uploading a material or a new version of one, and the
language filter of the public list."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from ..enums import MaterialKind

ACCEPTED_FILES = ".pdf,.pptx,.docx,.jpg,.jpeg,.png"


class MaterialUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MaterialKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="nl")
    version = forms.CharField(
        label=_("Version"), max_length=20, help_text=_("For example 2.1 or 2024-03; every version once.")
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, PowerPoint (.pptx), Word (.docx), JPEG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_FILES}),
    )

    def service_kwargs(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.base_fields}


class LanguageFilterForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("All languages")), *settings.LANGUAGES], required=False
    )
