"""The app's named date formats (FORMAT_MODULE_PATH): every date a person reads goes through one of
these names, in templates (`{{ day|date:"SHORT_DATE_FORMAT" }}`) and in code
(`formats.date_format(day, "SHORT_DATE_FORMAT")`), so Dutch pages, mails and PDFs read Dutch month and
day names in lower case and English ones English, one way each. Machine formats stay ISO (CSV, iCal,
input values, `<time datetime>`). Each language module defines every name in NAMED_FORMATS;
tests/test_date_formats.py fails on a literal format elsewhere.

The Dutch abbreviated months ("N": "7 dec. 2026", "3 mei 2027") are Django's AP-style months, whose
Dutch translation the project's catalogue gives their full stop (MONTH_ABBREVIATIONS, marked here for
makemessages)."""

from django.utils.translation import pgettext_lazy

# The names a template or module may hand to |date, |time or formats.date_format.
NAMED_FORMATS = (
    "DATE_FORMAT",  # 7 december 2026
    "SHORT_DATE_FORMAT",  # 7 dec. 2026
    "DATETIME_FORMAT",  # 7 december 2026, 14:30
    "SHORT_DATETIME_FORMAT",  # 7 dec. 2026, 14:30
    "TIME_FORMAT",  # 14:30
    "YEAR_MONTH_FORMAT",  # december 2026
    "SHORT_YEAR_MONTH_FORMAT",  # dec. '26 (a column heading)
    "SHORT_MONTH_FORMAT",  # dec. (a chart's axis, the year beside it)
    "MONTH_DAY_FORMAT",  # 7 december
    "DAY_FORMAT",  # maandag 7 december 2026
    "SHORT_DAY_FORMAT",  # maandag 7 december (a day close by: reminders, follow-ups, the week ahead)
    "DAY_DATETIME_FORMAT",  # maandag 7 december 2026, 14:30
)

# Formats that are no words and read the same in every language: ISO for machines (input values,
# links, <time datetime>), and the parts of a calendar grid (day number, weekday, year).
MACHINE_FORMATS = ("Y-m-d", "Y-m", "c", "j", "l", "Y")

MONTH_ABBREVIATIONS = (
    pgettext_lazy("abbrev. month", "Jan."),
    pgettext_lazy("abbrev. month", "Feb."),
    pgettext_lazy("abbrev. month", "March"),
    pgettext_lazy("abbrev. month", "April"),
    pgettext_lazy("abbrev. month", "May"),
    pgettext_lazy("abbrev. month", "June"),
    pgettext_lazy("abbrev. month", "July"),
    pgettext_lazy("abbrev. month", "Aug."),
    pgettext_lazy("abbrev. month", "Sept."),
    pgettext_lazy("abbrev. month", "Oct."),
    pgettext_lazy("abbrev. month", "Nov."),
    pgettext_lazy("abbrev. month", "Dec."),
)
