import logging

import pytest


@pytest.fixture
def quiet_request_log():
    """Hundreds of refusals are the point here: keep django.request's warnings (each with its
    traceback) out of the log; errors (500) still go there, and into the mismatches."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)
