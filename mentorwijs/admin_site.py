"""The project's admin site: Django's, with crafted input answered by a message instead of a 500.

Every ModelAdmin registered on it (ours and the third-party ones: django-celery-beat, auditlog,
allauth, auth's groups) gets `CraftedInputGuard` mixed in at registration, so a new admin is covered
without remembering it. Django's admin checks ids from the client for their type only where it
fetches one row; where it filters with `pk__in` (list actions, list_editable, the autocomplete
widget's selected values, many-to-many choices) an id like "²", 5,000 digits or 2**63 raised
ValueError or, on SQLite, OverflowError: a 500. So did a date hierarchy year beyond datetime's
range and a list filter reading its value unchecked. tests/security/test_admin_fuzz.py feeds every
admin such input."""

from celery import schedules
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from mentorwijs.forms import ModelMultipleChoiceField


def is_valid_key(field, value) -> bool:
    """Can `value` (sent by the client) be looked up in this model field? Its type and the range of
    the database column (Django's integer fields carry the column's range as validators)."""
    try:
        field.clean(value, None)
    except (ValidationError, TypeError):
        return False
    return True


class SafeAutocompleteMixin:
    """Django's autocomplete widget looks up the selected values of a re-rendered form with `__in`,
    unchecked: leave out those that cannot be a key (the field itself already refused them)."""

    def optgroups(self, name, value, attr=None):
        remote_opts = self.field.remote_field.model._meta
        target = remote_opts.get_field(getattr(self.field.remote_field, "field_name", None) or remote_opts.pk.name)
        return super().optgroups(name, [item for item in value if is_valid_key(target, item)], attr)


class SafeAutocompleteSelect(SafeAutocompleteMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(SafeAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class CraftedInputGuard:
    """Mixed into every ModelAdmin by `AdminSite.register`."""

    def response_action(self, request, queryset):
        """Selected ids that cannot be keys refuse the whole action; Django's changelist then
        redirects back, as it does for an unknown action."""
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if not all(is_valid_key(self.model._meta.pk, value) for value in selected):
            self.message_user(
                request, _("Some of the selected items do not exist. Nothing has been changed."), messages.WARNING
            )
            return None
        return super().response_action(request, queryset)

    def _get_list_editable_queryset(self, request, prefix):
        # Django gives up its pk__in shortcut when an edited id is not of the key's type; also when
        # it is out of the column's range (the formset then finds no such row and refuses it).
        pks = self._get_edited_object_pks(request, prefix)
        if not all(is_valid_key(self.model._meta.pk, value) for value in pks):
            return self.get_queryset(request)
        return super()._get_list_editable_queryset(request, prefix)

    def get_object(self, request, object_id, from_field=None):
        # An empty `_to_field` (?_to_field= on a change page) passes Django's check of the field
        # and then named no field: treat it as absent.
        return super().get_object(request, object_id, from_field or None)

    def get_changelist(self, request, **kwargs):
        return _guarded_changelist(super().get_changelist(request, **kwargs))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", ModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


_changelists = {}


def _guarded_changelist(changelist_class):
    """The admin's ChangeList (or an admin's own subclass), refusing parameters its filters cannot
    read as Django refuses a month 13 (a redirect to ?e=1). Django catches ValueError for its own
    field filters, but not OverflowError (a date hierarchy year of 2**63 in datetime()), nor
    anything from a SimpleListFilter that filters with its value unchecked (auditlog's resource
    type filter with "²")."""
    if changelist_class not in _changelists:

        def get_queryset(self, request, exclude_parameters=None):
            try:
                return changelist_class.get_queryset(self, request, exclude_parameters)
            except (ValueError, OverflowError, ValidationError) as error:
                raise IncorrectLookupParameters(error) from error

        namespace = {"get_queryset": get_queryset}
        _changelists[changelist_class] = type(changelist_class.__name__, (changelist_class,), namespace)
    return _changelists[changelist_class]


class LookUpOnly:
    """For models that change only through the app's pages, where the rules live (mail, capacity,
    review steps, audit): the admin shows them for looking up."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AdminSite(admin.AdminSite):
    def password_change(self, request, extra_context=None):
        """One's own password changes on allauth's page, which asks for the current one and tells
        the account's address: the admin's "change password" link leads there."""
        return HttpResponseRedirect(reverse("account_change_password"))

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, CraftedInputGuard):
            namespace = {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__}
            admin_class = type(admin_class.__name__, (CraftedInputGuard, admin_class), namespace)
        super().register(model_or_iterable, admin_class, **options)


class CrontabScheduleForm(forms.ModelForm):
    """django-celery-beat's checks let through cron fields that celery's own parser refuses (such as
    "-"). Its readable description then raised on the refused form's page and, once saved, on the
    list of schedules and in beat: each field must parse as celery parses it."""

    def clean(self):
        cleaned = super().clean()
        for name in ("minute", "hour", "day_of_week", "day_of_month", "month_of_year"):
            if cleaned.get(name) is not None:
                try:
                    schedules.crontab(**{name: cleaned[name]})
                except (ValueError, schedules.ParseException):
                    self.add_error(name, _("The scheduler cannot read this value."))
        return cleaned


def periodic_task_form():
    """django-celery-beat's form reads cleaned_data["task"] in clean(): a task name its field refused
    (over 200 characters, say) raised KeyError, a 500 instead of the message next to the field."""
    from django_celery_beat.admin import PeriodicTaskForm

    class GuardedPeriodicTaskForm(PeriodicTaskForm):
        def clean(self):
            if "task" not in self.cleaned_data and not self.cleaned_data.get("regtask"):
                return self.cleaned_data  # the task field already carries its error
            return super().clean()

    return GuardedPeriodicTaskForm


def adjust_third_party_admins(site):
    """Called once every app's admin is registered (mentorwijs.apps.AdminConfig.ready)."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    crontab_admin = type(site.get_model_admin(CrontabSchedule))
    site.unregister(CrontabSchedule)
    site.register(CrontabSchedule, crontab_admin, form=CrontabScheduleForm)
    task_admin = type(site.get_model_admin(PeriodicTask))
    site.unregister(PeriodicTask)
    site.register(PeriodicTask, task_admin, form=periodic_task_form())
