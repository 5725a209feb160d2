import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from mentorwijs.celery import app as celery_app
from tests.factories import UserFactory

# Tasks run in-process here; tests/services switches this off and starts a real worker.
celery_app.conf.task_always_eager = True
celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories hash a password for every user; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and other cached state must not leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """The language middleware activates the visitor's language and leaves it active; a test that
    ends on an English page must not make the next one run in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def staff_user(db):
    return UserFactory(roles=["staff"], two_factor=True)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def superuser_client(client, db):
    """The Django admin is a superuser's last resort (issue 15): tests of the admin log in as one."""
    client.force_login(UserFactory(is_superuser=True, two_factor=True))
    return client


def client_for(client, **user_kwargs):
    user = UserFactory(**user_kwargs)
    client.force_login(user)
    return client, user


@pytest.fixture
def policy(db):
    """Set a period or limit (mentorwijs.policy) for one test: `policy(soft_bounce_limit=2)`. The
    rows live in the test's transaction, so the next test has the defaults again."""
    from mentorwijs.policy.models import PolicyValue

    def set_values(**values):
        for key, value in values.items():
            PolicyValue.objects.update_or_create(key=key, defaults={"value": value})

    return set_values
