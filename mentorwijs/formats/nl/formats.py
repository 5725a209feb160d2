"""Dutch date formats (mentorwijs.formats.NAMED_FORMATS): month and day names in lower case, as Dutch
writes them; what is not here (input formats, first day of the week) comes from Django's nl module."""

DATE_FORMAT = "j F Y"  # 7 december 2026
SHORT_DATE_FORMAT = "j N Y"  # 7 dec. 2026, 3 mei 2027
DATETIME_FORMAT = "j F Y, H:i"  # 7 december 2026, 14:30
SHORT_DATETIME_FORMAT = "j N Y, H:i"  # 7 dec. 2026, 14:30
TIME_FORMAT = "H:i"  # 14:30
YEAR_MONTH_FORMAT = "F Y"  # december 2026
SHORT_YEAR_MONTH_FORMAT = "N 'y"  # dec. '26 (a column heading)
SHORT_MONTH_FORMAT = "N"  # dec. (a chart's axis)
MONTH_DAY_FORMAT = "j F"  # 7 december
DAY_FORMAT = "l j F Y"  # maandag 7 december 2026
SHORT_DAY_FORMAT = "l j F"  # maandag 7 december
DAY_DATETIME_FORMAT = "l j F Y, H:i"  # maandag 7 december 2026, 14:30
