"""The plan's progress (/voortgang/): organisations reached, the funnel, people, goals, contacts per
channel per month and how participants heard of Mentorwijs, each as a chart with its table and as
CSV (for machines) and as XLSX (for people: Dutch headers, opens right in Excel). Aggregates only:
no names. The numbers come from `dashboard.py`."""

import csv
from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_safe
from rules.contrib.views import permission_required

from dissemination.enums import TargetGroup
from dissemination.models import Region
from dissemination.resources import neutralise
from mentorwijs.exports import xlsx_response
from mentorwijs.forms import DateInput

from .. import dashboard
from ..figures import dashboard_figures
from ..goals import goal_progress


class DashboardFilterForm(forms.Form):
    target_group = forms.ChoiceField(
        label=_("Target group"), choices=[("", _("All target groups")), *TargetGroup.choices], required=False
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False, empty_label=_("All regions")
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Up to and including"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        default_from, default_to = dashboard.default_period()
        date_from = data.get("date_from") or default_from
        date_to = data.get("date_to") or default_to
        if "date_from" in data and "date_to" in data:
            if date_to < date_from:
                self.add_error("date_to", ValidationError(_("The end of the period comes before its start.")))
            elif len(dashboard.DashboardFilters(date_from, date_to).months()) > dashboard.MAX_PERIOD_MONTHS:
                self.add_error(
                    "date_from",
                    ValidationError(
                        _("Choose a period of at most %(months)d months.") % {"months": dashboard.MAX_PERIOD_MONTHS}
                    ),
                )
        data["date_from"], data["date_to"] = date_from, date_to
        return data

    def filters(self) -> dashboard.DashboardFilters:
        """The chosen filters; the defaults (everything, the last twelve months) when the form is invalid."""
        if not self.is_valid():
            return dashboard.DashboardFilters(*dashboard.default_period())
        data = self.cleaned_data
        return dashboard.DashboardFilters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            target_group=data["target_group"],
            region=data["region"],
        )


def filter_query(filters: dashboard.DashboardFilters) -> str:
    """The filters as a query string, for the CSV links."""
    params = {"date_from": filters.date_from.isoformat(), "date_to": filters.date_to.isoformat()}
    if filters.target_group:
        params["target_group"] = filters.target_group
    if filters.region is not None:
        params["region"] = filters.region.pk
    return urlencode(params)


# The tables that can be exported, each computed from the filters.
TABLES = {
    "funnel": dashboard.funnel_per_target_group,
    "funnel_regions": dashboard.funnel_per_region,
    "reached": dashboard.reached_per_target_group_and_region,
    "channels": dashboard.contacts_per_channel_per_month,
    "enrolments": dashboard.enrolments_per_month,
    "heard_of": dashboard.heard_of,
}
EXPORTS = [*TABLES, "goals"]


@never_cache
@permission_required("overview.view_dashboard", raise_exception=True)
@require_safe
def dashboard_view(request):
    """The figures come from the cache until something they count changes (figures.py); the page
    says when they were computed."""
    default_from, default_to = dashboard.default_period()
    form = DashboardFilterForm(request.GET or None, initial={"date_from": default_from, "date_to": default_to})
    filters = form.filters()
    figures = dashboard_figures(filters)
    steps = [key for _rank, key, _label in dashboard.FUNNEL_STEPS]
    context = {
        "form": form,
        "filters": filters,
        "export_query": filter_query(filters),
        "computed_at": figures.computed_at,
        "reached_chart": figures.funnel.chart("reached"),
        "reached": figures.reached,
        "funnel": figures.funnel,
        "funnel_chart": figures.funnel.total_chart(steps),
        "funnel_regions": figures.funnel_regions,
        "people": figures.people,
        "goal_rows": figures.goal_rows,
        "channels": figures.channels,
        "channels_chart": [(label, total) for label, total in figures.channels.total_chart() if total],
        "enrolments": figures.enrolments,
        "heard_of": figures.heard_of,
        "heard_of_chart": figures.heard_of.chart("participants"),
    }
    return TemplateResponse(request, "overview/dashboard/dashboard.html", context)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, int | float | date):
        return value.isoformat() if isinstance(value, date) else value
    return neutralise(str(value))


def _write_table(writer, table: dashboard.Table) -> None:
    writer.writerow([key for key, _label in table.dimensions] + [key for key, _label in table.columns])
    for row in table.rows:
        writer.writerow([_cell(cell) for cell in row.cells] + row.values)
    if table.total is not None:
        writer.writerow(["total"] + [""] * (len(table.dimensions) - 1) + table.total)


GOAL_COLUMNS = ["goal", "target_group", "starts_on", "ends_on", "target", "reached", "percent", "period_state"]


def _write_goals(writer, rows) -> None:
    """The goals' progress as goal_progress gives it: one row per goal."""
    writer.writerow(GOAL_COLUMNS)
    for row in rows:
        goal = row.goal
        writer.writerow(
            [
                _cell(goal.get_goal_display()),
                _cell(goal.get_target_group_display()),
                _cell(goal.starts_on),
                _cell(goal.ends_on),
                row.target,
                row.reached,
                row.percent,
                row.period_state,
            ]
        )


def _table_sheet(table: dashboard.Table) -> tuple[list, list]:
    """A table's headings and rows for a spreadsheet: the page's headings, the numbers as numbers."""
    headers = [label for _key, label in table.dimensions] + [label for _key, label in table.columns]
    rows = [[*row.cells, *row.values] for row in table.rows]
    if table.total is not None:
        rows.append([gettext("Total")] + [None] * (len(table.dimensions) - 1) + table.total)
    return headers, rows


# The goals' period state as the page shows it (goals.html).
PERIOD_STATES = {"ended": _("ended"), "running": _("running"), "coming": _("coming")}


def _goals_sheet(rows) -> tuple[list, list]:
    headers = [
        gettext("Goal"),
        gettext("Target group"),
        gettext("From"),
        gettext("Up to and including"),
        gettext("Target"),
        gettext("Reached"),
        "%",
        gettext("Period"),
    ]
    return headers, [
        [
            row.goal.get_goal_display(),
            row.goal.get_target_group_display(),
            row.goal.starts_on,
            row.goal.ends_on,
            row.target,
            row.reached,
            row.percent,
            PERIOD_STATES.get(row.period_state, row.period_state),
        ]
        for row in rows
    ]


# The sheet's name per export (Excel shows it on the tab).
SHEET_TITLES = {
    "funnel": _("Per target group"),
    "funnel_regions": _("Per region"),
    "reached": _("Organisations reached"),
    "channels": _("Contacts per channel per month"),
    "enrolments": _("Registrations and completions per month"),
    "heard_of": _("How participants heard of Mentorwijs"),
    "goals": _("Goals"),
}


@never_cache
@require_GET
@permission_required("overview.view_dashboard", raise_exception=True)
def dashboard_export(request):
    """One table of the dashboard, with the page's filters: as CSV (UTF-8 with a byte-order mark, keys
    as headers, for machines; cells that a spreadsheet would run as a formula are neutralised) or, with
    ?format=xlsx, as an Excel sheet with the page's headings."""
    name = request.GET.get("table", "")
    if name not in EXPORTS:
        raise Http404
    filters = DashboardFilterForm(request.GET).filters()
    filename = f"mentorwijs-{name}-{filters.date_from:%Y%m%d}-{filters.date_to:%Y%m%d}"
    if request.GET.get("format") == "xlsx":
        if name == "goals":
            headers, rows = _goals_sheet(goal_progress(dashboard.goals_for(filters), region=filters.region))
        else:
            headers, rows = _table_sheet(TABLES[name](filters))
        return xlsx_response(filename=filename, title=SHEET_TITLES[name], headers=headers, rows=rows)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    if name == "goals":
        _write_goals(writer, goal_progress(dashboard.goals_for(filters), region=filters.region))
    else:
        _write_table(writer, TABLES[name](filters))
    return response
