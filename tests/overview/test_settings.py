import subprocess
import sys

from django.conf import settings


def settings_load(**environment) -> subprocess.CompletedProcess:
    """Import the settings in a fresh interpreter with only these variables set."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import mentorwijs.settings as s; print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL)",
        ],
        env={"PATH": "/usr/bin:/bin", "MENTORWIJS_VAR_DIR": str(settings.VAR_DIR), **environment},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )


def test_embedded_default_needs_no_server():
    result = settings_load()
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://"]


def test_environment_switches_to_postgresql_and_redis_without_code_change():
    result = settings_load(DATABASE_URL="postgres://u@127.0.0.1:5432/mw", CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert result.stdout.split() == ["django.db.backends.postgresql", "redis://127.0.0.1:6379/0"]


def test_default_secret_key_is_refused_for_a_public_host():
    result = settings_load(ALLOWED_HOSTS="mentorwijs.nl")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
    assert settings_load(ALLOWED_HOSTS="mentorwijs.nl", SECRET_KEY="x" * 50).returncode == 0
