"""English date formats (mentorwijs.formats.NAMED_FORMATS): day before month and a 24-hour clock, as
the Dutch organisation's English readers expect; the rest comes from Django's en module."""

DATE_FORMAT = "j F Y"  # 7 December 2026
SHORT_DATE_FORMAT = "j M Y"  # 7 Dec 2026
DATETIME_FORMAT = "j F Y, H:i"  # 7 December 2026, 14:30
SHORT_DATETIME_FORMAT = "j M Y, H:i"  # 7 Dec 2026, 14:30
TIME_FORMAT = "H:i"  # 14:30
YEAR_MONTH_FORMAT = "F Y"  # December 2026
SHORT_YEAR_MONTH_FORMAT = "M 'y"  # Dec '26 (a column heading)
SHORT_MONTH_FORMAT = "M"  # Dec (a chart's axis)
MONTH_DAY_FORMAT = "j F"  # 7 December
DAY_FORMAT = "l j F Y"  # Monday 7 December 2026
SHORT_DAY_FORMAT = "l j F"  # Monday 7 December
DAY_DATETIME_FORMAT = "l j F Y, H:i"  # Monday 7 December 2026, 14:30
