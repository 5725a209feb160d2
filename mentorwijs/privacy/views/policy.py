"""The policy pages: the retention periods (public), the processing register and the audit trail (staff)."""

from datetime import timedelta

import django_filters
from auditlog.models import LogEntry
from django import forms
from django.contrib.auth.decorators import login_not_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models.functions import Lower
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from rules.contrib.views import permission_required

from mentorwijs.accounts.models import User
from mentorwijs.http import list_page
from mentorwijs.policy.queries import policy_values
from mentorwijs.sorting import SortOrder

from ..auditlog import tracked_models
from ..models import RetentionRun
from ..register import REGISTER, retention_periods
from ..retention import RULES


@login_not_required
def retention_policy(request):
    """Public: how long each kind of personal data is kept, with the periods staff set (mentorwijs.policy)."""
    return render(request, "privacy/policy_retention.html", {"periods": retention_periods()})


def _field_label(model, name: str) -> str:
    if name in getattr(model, "audit_labels", {}):  # an entry that names no field (e.g. a two-factor reset)
        return str(model.audit_labels[name])
    try:
        field = model._meta.get_field(name)
        return str(getattr(field, "verbose_name", name))
    except FieldDoesNotExist:
        return name


def _register_rows(periods: dict[str, int]):
    from django.apps import apps

    rows = []
    for entry in REGISTER:
        by_model = {}
        for dotted in entry.fields:
            label, name = dotted.rsplit(".", 1)
            by_model.setdefault(label, []).append(name)
        models = []
        for label, names in by_model.items():
            model = apps.get_model(label)
            models.append({"label": model._meta.verbose_name, "fields": [_field_label(model, name) for name in names]})
        rows.append({"entry": entry, "retention": entry.retention_text(periods), "models": models})
    return rows


def period_text(amount: int | None, unit: str) -> str:
    if amount is None:
        return gettext("at expiry")
    if unit == "years":
        return ngettext("%(count)d year", "%(count)d years", amount) % {"count": amount}
    return ngettext("%(count)d day", "%(count)d days", amount) % {"count": amount}


# Without a run of the nightly task for this long, the register page warns.
RUN_OVERDUE = timedelta(hours=36)


def _rule_rows(values: dict[str, int]):
    """Every retention rule with its period and figures: the rows it changed in the latest run of
    the nightly task (and the rows that failed in it) and in the runs of the last twelve months. Two
    queries."""
    now = timezone.now()
    runs = list(
        RetentionRun.objects.filter(started_at__gte=now - timedelta(days=365), finished_at__isnull=False).only(
            "started_at", "finished_at", "counts", "failed", "rows_failed"
        )
    )
    latest = runs[0] if runs else RetentionRun.objects.filter(finished_at__isnull=False).first()
    rows = []
    for rule in RULES:
        period = values[rule.policy] if rule.policy else None
        rows.append(
            {
                "rule": rule,
                "period": period_text(period, rule.unit),
                "default": period_text(rule.default, rule.unit) if period != rule.default else "",
                "latest": latest.counts.get(rule.key) if latest else None,
                "failed": bool(latest and rule.key in latest.failed),
                "rows_failed": latest.rows_failed.get(rule.key, 0) if latest else 0,
                "year": sum(run.counts.get(rule.key, 0) for run in runs),
            }
        )
    return rows, latest, latest is None or latest.started_at < now - RUN_OVERDUE


@permission_required("privacy.view_register", raise_exception=True)
def processing_register(request):
    """Staff: the processing register (verwerkingsregister), from mentorwijs/privacy/register.py, with
    every retention rule, its period and what it did in the latest and the last twelve months' runs."""
    values = policy_values()
    rules, latest_run, overdue = _rule_rows(values)
    labels = {row["rule"].key: row["rule"].label for row in rules}
    entries = _register_rows(retention_periods(values))
    for row in entries:
        row["rules"] = [{"key": key, "label": labels[key]} for key in row["entry"].rules]
    return render(
        request,
        "privacy/policy_register.html",
        {"entries": entries, "rules": rules, "latest_run": latest_run, "run_overdue": overdue},
    )


class AuditFilterForm(forms.Form):
    model = forms.TypedChoiceField(label=_("Kind of data"), required=False, coerce=int, empty_value=None)
    actor = forms.ModelChoiceField(label=_("Changed by"), required=False, queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        content_types = ContentType.objects.get_for_models(*tracked_models())
        self.fields["model"].choices = [("", _("All"))] + sorted(
            ((content_type.pk, str(model._meta.verbose_name)) for model, content_type in content_types.items()),
            key=lambda choice: choice[1],
        )
        self.fields["actor"].queryset = User.objects.filter(
            pk__in=LogEntry.objects.filter(actor__isnull=False).values("actor_id")
        ).order_by("first_name", "last_name", "email")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class AuditSort(django_filters.FilterSet):
    """The column order of the audit trail (its filters are AuditFilterForm's). By who: the system's
    own changes (no one) come last both ways."""

    sort = SortOrder(
        columns={
            "when": (_("When"), "timestamp"),
            "who": (_("Who"), Lower("actor__first_name"), Lower("actor__last_name"), Lower("actor__email")),
        },
        default="-when",
    )

    class Meta:
        model = LogEntry
        fields = ["sort"]


def _change_rows(entry: LogEntry):
    """(field label, old, new) for an entry; a many-to-many change shows what was added or removed."""
    model = entry.content_type.model_class()
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    rows = []
    for name, values in changes.items():
        label = _field_label(model, name) if model else name
        if isinstance(values, dict):  # many-to-many: {"type": "m2m", "operation": ..., "objects": [...]}
            objects = ", ".join(str(item) for item in values.get("objects", []))
            if values.get("operation") == "delete":
                rows.append({"field": label, "old": objects, "new": ""})
            else:
                rows.append({"field": label, "old": "", "new": objects})
        elif isinstance(values, list | tuple) and len(values) == 2:
            rows.append({"field": label, "old": _shown(values[0]), "new": _shown(values[1])})
    return rows


def _shown(value) -> str:
    return "" if value in (None, "None") else str(value)


AUDIT_PAGE_SIZE = 50


@permission_required("privacy.view_audit_log", raise_exception=True)
@require_safe
def audit_log_view(request):
    """Staff: who changed what in personal data and certifications, newest first (or the oldest
    first, or by who), filtered by kind of data and by who changed it. A fixed number of queries
    whatever the number of entries."""
    filter_form = AuditFilterForm(request.GET or None)
    entries = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")
    if filter_form.is_bound and filter_form.is_valid():
        if filter_form.cleaned_data["model"]:
            entries = entries.filter(content_type_id=filter_form.cleaned_data["model"])
        if filter_form.cleaned_data["actor"]:
            entries = entries.filter(actor=filter_form.cleaned_data["actor"])
    order = AuditSort(request.GET or None, queryset=entries, request=request)
    entries = order.qs if order.is_valid() else entries
    context = list_page(request, entries, AUDIT_PAGE_SIZE, name="logentry_list")
    context["filter_form"] = filter_form
    context["filter"] = order
    context["rows"] = [
        {
            "entry": entry,
            "kind": entry.content_type.model_class()._meta.verbose_name
            if entry.content_type.model_class()
            else entry.content_type.model,
            "changes": _change_rows(entry),
        }
        for entry in context["object_list"]
    ]
    return render(request, "privacy/policy_audit.html", context)
