"""Production settings: `manage.py check --deploy` passes with a deployment's environment, and the
settings refuse to load for a public host without a SECRET_KEY. Each case runs in a fresh interpreter,
since settings are read once per process. The project's own production checks (mentorwijs.E001-E003)
and the entry points that run them: tests/security/test_production_checks.py."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "mentorwijs.nl",
    "DEBUG": "false",
    "SECURE_COOKIES": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    # mentorwijs/checks.py: a shared cache, a pseudonym key of its own, the number of proxies.
    "CACHE_URL": "rediscache://127.0.0.1:6379/1",  # `check` does not connect
    "EVALUATION_PSEUDONYM_KEY": secrets.token_urlsafe(50),
    "TRUSTED_PROXY_COUNT": "1",
}


def clean_environment(env):
    """The environment of this process without any deployment variable, plus `env`."""
    base = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}
    base.pop("DJANGO_SETTINGS_MODULE", None)
    base.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tier's conftest when it is collected
    return {**base, **env}


def run_manage(*args, env):
    """manage.py in a subprocess with only the given deployment variables set on top of a clean base."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=clean_environment(env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_passes_with_production_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_without_hsts_and_secure_cookies():
    """The check is not vacuous: dropping the HTTPS settings makes it fail."""
    https = ("SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS")
    env = {key: value for key, value in PRODUCTION_ENV.items() if key not in https}

    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    for check_id in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check_id in result.stderr


def test_settings_refuse_to_load_for_a_public_host_without_secret_key():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}

    result = run_manage("check", env=env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr
