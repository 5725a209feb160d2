"""With DEBUG off the app refuses to start with a per-process cache, without a research pseudonym key
of its own, or without TRUSTED_PROXY_COUNT (mentorwijs/checks.py): in `manage.py check` and in the
entry points that run no checks by themselves, gunicorn (mentorwijs/wsgi.py) and Celery's worker and
beat (mentorwijs/celery.py). The entry points run in subprocesses, since settings are read once per
process."""

import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from mentorwijs.checks import check_production_settings
from tests.security.test_deploy_settings import BASE_DIR, PRODUCTION_ENV, clean_environment, run_manage

PRODUCTION_IDS = ("mentorwijs.E001", "mentorwijs.E002", "mentorwijs.E003")
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def file_cache(path):
    return {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(path)}}


@pytest.fixture
def production(settings, tmp_path):
    """Settings that pass: DEBUG off, a cache shared by the processes (of one host: the test must not
    touch a real Redis), a key of its own, one proxy."""
    settings.DEBUG = False
    settings.CACHES = file_cache(tmp_path / "cache")
    settings.EVALUATION_PSEUDONYM_KEY = "a-key-of-its-own-kept-in-the-secret-store"
    settings.TRUSTED_PROXY_COUNT = 1
    return settings


def ids(settings) -> list[str]:
    return [message.id for message in check_production_settings()]


def test_production_settings_pass(production):
    assert ids(production) == []


@pytest.mark.parametrize("caches", [LOCMEM, DUMMY], ids=["locmem", "dummy"])
def test_a_cache_inside_one_process_is_refused(production, caches):
    production.CACHES = caches
    [error] = check_production_settings()
    assert error.id == "mentorwijs.E001"
    assert error.is_serious()
    assert "CACHE_URL" in error.hint


@pytest.mark.parametrize("key", ["", "local", "secret"])
def test_the_pseudonym_key_must_be_its_own(production, key):
    production.EVALUATION_PSEUDONYM_KEY = {
        "": "",
        "local": production.LOCAL_PSEUDONYM_KEY,
        "secret": production.SECRET_KEY,  # what settings.py fell back to before
    }[key]
    [error] = check_production_settings()
    assert error.id == "mentorwijs.E002"
    assert "EVALUATION_PSEUDONYM_KEY" in error.hint


@pytest.mark.parametrize("count", [None, -1])
def test_the_number_of_proxies_must_be_set(production, count):
    production.TRUSTED_PROXY_COUNT = count
    [error] = check_production_settings()
    assert error.id == "mentorwijs.E003"


def test_no_proxies_is_a_valid_answer(production):
    production.TRUSTED_PROXY_COUNT = 0
    assert ids(production) == []


def test_with_debug_on_nothing_is_asked(settings):
    settings.DEBUG = True
    settings.CACHES = LOCMEM
    settings.TRUSTED_PROXY_COUNT = None
    assert ids(settings) == []


# --- the entry points, in subprocesses ---


def bare_production_env(tmp_path) -> dict:
    """DEBUG off and nothing else: the default per-process cache, no key, no proxy count."""
    return clean_environment({"DEBUG": "false", "MENTORWIJS_VAR_DIR": str(tmp_path)})


def good_production_env(tmp_path) -> dict:
    # A file cache: shared by the processes of this host, and no server needed here.
    return clean_environment(
        {
            "DEBUG": "false",
            "MENTORWIJS_VAR_DIR": str(tmp_path),
            "CACHE_URL": f"filecache://{tmp_path / 'cache'}",
            "EVALUATION_PSEUDONYM_KEY": PRODUCTION_ENV["EVALUATION_PSEUDONYM_KEY"],
            "TRUSTED_PROXY_COUNT": "0",
        }
    )


def assert_refused(result):
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for check_id in PRODUCTION_IDS:
        assert check_id in output, output


def test_manage_py_check_refuses_with_debug_off_and_nothing_set(tmp_path):
    result = run_manage("check", env={"DEBUG": "false", "MENTORWIJS_VAR_DIR": str(tmp_path)})
    assert_refused(result)
    assert "HINT: Set CACHE_URL" in result.stderr


def test_manage_py_check_passes_with_debug_on_and_nothing_set(tmp_path):
    """make run (DEBUG=true) needs none of the production variables."""
    result = run_manage("check", env={"DEBUG": "true", "MENTORWIJS_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn(env, port):
    command = [sys.executable, "-m", "gunicorn", "mentorwijs.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
    return subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_gunicorn_refuses_to_start_with_debug_off_and_nothing_set(tmp_path):
    process = gunicorn(bare_production_env(tmp_path), free_port())
    try:
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 3, output  # gunicorn's "Worker failed to boot"
    for check_id in PRODUCTION_IDS:
        assert check_id in output, output


def test_gunicorn_serves_with_the_production_variables(tmp_path):
    port = free_port()
    process = gunicorn(good_production_env(tmp_path), port)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/trainingen/privacy/", timeout=5) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert process.poll() is None, process.communicate()[0]
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.3)
    finally:
        process.terminate()
        process.communicate(timeout=30)


@pytest.mark.parametrize(
    "command",
    [
        ["worker", "--pool", "solo", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        ["beat"],
    ],
    ids=["worker", "beat"],
)
def test_celery_refuses_to_start_with_debug_off_and_nothing_set(tmp_path, command):
    """The embedded broker (a folder under MENTORWIJS_VAR_DIR) needs no server: without the check the
    worker would start and wait for tasks, and the timeout below would fail the test."""
    result = subprocess.run(
        [sys.executable, "-m", "celery", "--app", "mentorwijs", *command, "--loglevel", "INFO"],
        cwd=BASE_DIR,
        env=bare_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert_refused(result)


def test_a_web_page_that_lists_the_task_names_runs_no_check(settings):
    """django-celery-beat's admin form loads the task modules (Celery's import_modules signal) in the web
    process: the start-up check must not exit there. These test settings would fail it."""
    from mentorwijs.celery import app

    settings.DEBUG = False
    assert check_production_settings()  # the check would refuse
    app.loader.import_default_modules()  # no SystemExit
