"""The read paths of trainings, one module per concern: enrolment, scheduling, attendance, evaluation,
settings_pages. Each list page takes its rows from here, so its number of queries is decided in one place."""
