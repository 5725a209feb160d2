"""Spreadsheet imports: the one reader and the one report of every import (the preview page
templates/dissemination/import_preview.html shows either), and the import of a stakeholder list
of organisations.

Every import reads the whole file first (spreadsheet_read), reports every bad row by its row number
in the spreadsheet, and saves all rows or none. The organisations go through django-import-export
(resources.OrganisationResource): the preview imports the whole file in a transaction that is rolled
back (its dry run), so it finds every problem the real import would meet, also a KvK number that
appears twice in the file. The subscribers are checked and written in bulk by
services.subscriptions, which reads its file here too."""

import csv
import io
import logging
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from ..models import Organisation
from ..queries import relations as queries
from ..resources import COLUMNS, REQUIRED_COLUMNS, OrganisationResource, column_aliases

logger = logging.getLogger(__name__)

MAX_ROWS = 5000
HEADER_ROWS = 1  # row numbers are those of the spreadsheet: the first row below the header is row 2

UNREADABLE = _("This file cannot be read. Upload a CSV file (UTF-8) or an Excel file (.xlsx).")
NO_ROWS = _("The file has no organisations below the header row.")
TOO_MANY_ROWS = _("The file has more than %(max)s rows; split it into smaller files.")
MISSING_COLUMNS = _("Columns missing from the header row: %(columns)s.")
ROW_LABEL = _("row %(row)s of this file")
NOT_IMPORTED = _("Nothing was imported: the file has rows with errors.")


@dataclass
class RowError:
    row: int  # the row number in the spreadsheet (the header is row 1); 0 for the whole file
    column: str  # the column, or "" for the whole row
    messages: list[str]


@dataclass
class RowWarning:
    """A row whose name is near-identical to an organisation in the same city (queries.
    organisation_name_key): pointed out, not refused, as on the organisation form."""

    row: int
    name: str
    similar: list[str]  # names of the known organisations, or "row N" for an earlier row of the file
    similar_pks: list[int]


@dataclass
class ImportReport:
    rows: int
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)

    # The preview page shows the consent counts of a subscriber import (SubscriberImportReport).
    counts_consent = False

    @property
    def bad_rows(self) -> list[int]:
        return sorted({error.row for error in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors


def spreadsheet_read(
    *, content: bytes, filename: str, columns: list[str], required: list[str], no_rows, aliases=None
) -> tablib.Dataset:
    """Parse an uploaded CSV (UTF-8, comma or semicolon separated) or XLSX file into a dataset of the
    known `columns` it has (lower-case headers, in the order of `columns`; an Excel number stays a
    number; a short row is filled up with None). Rows with nothing in any known column are left out.
    Refuses (ValidationError) an unreadable file, a missing `required` column, no rows (`no_rows`,
    the import's own words) or more than MAX_ROWS rows. `aliases` ({heading in lower case: column})
    names the headings that stand for a column, such as those of an exported sheet. No side effects."""
    try:
        if filename.lower().endswith(".xlsx"):
            dataset = tablib.Dataset().load(io.BytesIO(content), format="xlsx")
            headers, body = list(dataset.headers or []), list(dataset)
        else:
            text = content.decode("utf-8-sig")
            try:
                dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;")
            except csv.Error:  # a header of one column has no separator to find
                dialect = csv.excel
            rows = list(csv.reader(io.StringIO(text), dialect))
            headers, body = (rows[0], rows[1:]) if rows else ([], [])
    except Exception as error:  # any parser error means the same to the user: not readable
        raise ValidationError(UNREADABLE, code="unreadable") from error
    if not headers:
        raise ValidationError(no_rows, code="no_rows")
    headers = [str(header or "").strip().lower() for header in headers]
    if aliases:
        headers = [aliases.get(header, header) for header in headers]
    missing = [column for column in required if column not in headers]
    if missing:
        raise ValidationError(MISSING_COLUMNS, code="missing_columns", params={"columns": ", ".join(missing)})
    known = [column for column in columns if column in headers]
    positions = [headers.index(column) for column in known]
    cleaned = tablib.Dataset(headers=known)
    for values in body:
        row = [values[position] if position < len(values) else None for position in positions]
        if any(str(value).strip() for value in row if value is not None):
            cleaned.append(row)
    if not len(cleaned):
        raise ValidationError(no_rows, code="no_rows")
    if len(cleaned) > MAX_ROWS:
        raise ValidationError(TOO_MANY_ROWS, code="too_many_rows", params={"max": MAX_ROWS})
    return cleaned


def organisation_import_read(*, content: bytes, filename: str) -> tablib.Dataset:
    """The organisations of an uploaded file (spreadsheet_read with the columns of
    resources.OrganisationResource). No side effects."""
    return spreadsheet_read(
        content=content,
        filename=filename,
        columns=COLUMNS,
        required=REQUIRED_COLUMNS,
        no_rows=NO_ROWS,
        aliases=column_aliases(),
    )


def _report(result, rows: int) -> ImportReport:
    report = ImportReport(rows=rows)
    for invalid in result.invalid_rows:
        for column, messages in invalid.error_dict.items():
            report.errors.append(
                RowError(
                    row=invalid.number + HEADER_ROWS,
                    column="" if column == "__all__" else column,
                    messages=[str(message) for message in messages],
                )
            )
    for number, errors in result.row_errors():
        report.errors.append(
            RowError(row=number + HEADER_ROWS, column="", messages=[str(error.error) for error in errors])
        )
    for error in result.base_errors:
        report.errors.append(RowError(row=0, column="", messages=[str(error.error)]))
    report.errors.sort(key=lambda error: (error.row, error.column))
    return report


def _similar_names(dataset: tablib.Dataset) -> list[RowWarning]:
    """Rows whose name key and city match a known organisation or an earlier row. One query."""
    if "city" not in dataset.headers:
        return []

    def city_of(value):
        return " ".join(str(value or "").split()).lower()

    cities = {city_of(value) for value in dataset["city"]} - {""}
    known: dict[tuple[str, str], list[tuple[int, str]]] = {}
    if cities:
        found = (
            Organisation.objects.annotate(city_lower=Lower("city"))
            .filter(city_lower__in=cities)
            .values_list("pk", "name", "city_lower")
        )
        for pk, name, city in found:
            known.setdefault((city, queries.organisation_name_key(name)), []).append((pk, name))
    warnings = []
    earlier: dict[tuple[str, str], int] = {}
    for number, row in enumerate(dataset.dict, 1 + HEADER_ROWS):
        name, city = str(row.get("name") or ""), city_of(row.get("city"))
        key = (city, queries.organisation_name_key(name))
        if not city or not key[1]:
            continue
        matches = known.get(key, [])
        similar = [match_name for _pk, match_name in matches]
        if key in earlier:
            similar.append(ROW_LABEL % {"row": earlier[key]})
        if similar:
            warnings.append(RowWarning(row=number, name=name, similar=similar, similar_pks=[pk for pk, _n in matches]))
        earlier.setdefault(key, number)
    return warnings


def organisation_import_preview(*, dataset: tablib.Dataset) -> ImportReport:
    """Try the import and roll it back: the errors per row, and the rows whose name is near-identical
    to a known organisation in the same city (warnings). No side effects."""
    result = OrganisationResource().import_data(dataset, dry_run=True, use_transactions=True)
    report = _report(result, len(dataset))
    report.warnings = _similar_names(dataset)
    return report


@transaction.atomic
def organisation_import(*, dataset: tablib.Dataset, by) -> int:
    """Create one organisation per row of `dataset`, all or none. Refuses (ValidationError, nothing
    saved) when any row has an error. Returns the number of organisations created."""
    result = OrganisationResource().import_data(
        dataset, dry_run=False, use_transactions=True, rollback_on_validation_errors=True
    )
    report = _report(result, len(dataset))
    if not report.ok:
        raise ValidationError(NOT_IMPORTED, code="bad_rows")  # leaving the atomic block rolls back
    logger.info("imported %s organisations by user %s", result.totals["new"], getattr(by, "pk", None))
    return result.totals["new"]
