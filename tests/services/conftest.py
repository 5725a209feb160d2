"""The services tier: real PostgreSQL, Redis and a Celery worker process (make services, .ci/run).

Every test in this folder carries the `services` marker, so the default tier (`make test`, whose
addopts deselect `services`) never runs one. When the tier is selected, the database must be
PostgreSQL and the broker Redis; anything else stops the run with a message instead of skipping.

One worker process runs for the whole session against the test database pytest-django created.
Tests that hand work to it use `transactional_db`, so their rows are committed and visible to it,
and poll with `wait_for` (bounded). Every wait here is bounded; nothing can hang forever.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from collections import deque
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from kombu import Connection

from mentorwijs.celery import app as celery_app
from tests.services import smtp

SERVICES_DIR = Path(__file__).resolve().parent
BASE_DIR = SERVICES_DIR.parent.parent
WORKER_LOG = BASE_DIR / "artifacts" / "celery-worker.log"
# A worker starts as in production (DEBUG off) and runs mentorwijs/checks.py: besides the shared cache
# (CACHE_URL, set by .ci/run) it needs these.
WORKER_PRODUCTION_ENV = {"TRUSTED_PROXY_COUNT": "0", "EVALUATION_PSEUDONYM_KEY": "services-tier-pseudonym-key"}

WORKER_START_TIMEOUT = 30  # seconds until the worker must answer a ping
WORKER_STOP_TIMEOUT = 15  # seconds for a warm shutdown before the worker is killed
WAIT_TIMEOUT = 20  # seconds a test waits for the worker's effect in the database
NEWSLETTER_BATCH_SIZE = 7  # the worker's batch size (the default is 500)

REQUIRED = (
    "The services tier needs real servers. Run it as in .ci/run:\n"
    "  DATABASE_URL=postgres://mentorwijs:mentorwijs@127.0.0.1:5432/mentorwijs \\\n"
    "  CELERY_BROKER_URL=redis://127.0.0.1:6379/15 \\\n"
    "  CACHE_URL=rediscache://127.0.0.1:6379/14 \\\n"
    "  .venv/bin/pytest -m services"
)


def _in_services(item) -> bool:
    return item.path.resolve().is_relative_to(SERVICES_DIR)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark everything in this folder `services` before `-m` deselects (tryfirst: before the mark plugin)."""
    for item in items:
        if _in_services(item):
            item.add_marker(pytest.mark.services)
            if "transactional_db" in getattr(item, "fixturenames", ()):
                # The worker process caches ContentType ids (the audit log writes them). A flush between
                # tests would let post_migrate recreate the content types under new ids; a serialized
                # rollback restores them with the ids the worker knows.
                item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))


def pytest_collection_finish(session):
    """Fail loudly, once, when services tests are selected but the servers are not configured."""
    if session.config.option.collectonly or not any(_in_services(item) for item in session.items):
        return
    problems = []
    engine = settings.DATABASES["default"]["ENGINE"]
    if engine != "django.db.backends.postgresql":
        problems.append(f"DATABASE_URL must point at PostgreSQL; the database engine is {engine!r}.")
    broker = celery_app.conf.broker_url or ""
    if not broker.startswith("redis://"):
        problems.append(f"CELERY_BROKER_URL must be redis://…; the broker is {broker!r}.")
    if problems:
        pytest.exit("\n".join(problems) + "\n" + REQUIRED, returncode=pytest.ExitCode.USAGE_ERROR)


def _database_url(settings_dict) -> str:
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict["HOST"] or "127.0.0.1"
    port = settings_dict["PORT"] or "5432"
    return f"postgres://{credentials}{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


class Worker:
    def __init__(self, process, nodename: str, log_path: Path, broker_url: str):
        self.process = process
        self.broker_url = broker_url
        self.nodename = nodename
        self.log_path = log_path

    def tail(self, lines: int = 40) -> str:
        try:
            with self.log_path.open(encoding="utf-8", errors="replace") as log:
                return "".join(deque(log, maxlen=lines))
        except OSError as error:
            return f"(no worker log: {error})"

    def answers(self) -> bool:
        replies = celery_app.control.ping(destination=[self.nodename], timeout=1, limit=1)
        return any(self.nodename in reply for reply in replies)

    def succeeded(self) -> list[str]:
        """Ids of the tasks the worker logged as succeeded (the JSON log lines of celery.app.trace)."""
        ids = []
        with self.log_path.open(encoding="utf-8", errors="replace") as log:
            for line in log:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # the banner and other plain lines
                if record.get("logger") == "celery.app.trace" and " succeeded in " in record.get("message", ""):
                    ids.append(record["data"]["id"])
        return ids

    def idle(self) -> bool:
        """True when no task waits in the broker queue and none is running: with acks_late a task's
        message stays in kombu's `unacked` hash until the task has finished."""
        # A connection of its own: a test may have pointed this process's app at a private broker.
        with Connection(self.broker_url) as connection:
            redis = connection.default_channel.client
            return not redis.llen(celery_app.conf.task_default_queue) and not redis.hlen("unacked")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()  # SIGTERM: warm shutdown, finishes the task at hand
        try:
            self.process.wait(timeout=WORKER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on loopback; the worker sends all its mail here (see `worker_mail`)."""
    sink = smtp.Sink()
    controller = smtp.start(sink)
    yield sink, controller.port
    controller.stop()


@pytest.fixture
def worker_mail(smtp_server):
    """The messages the worker sent over SMTP during this test: (recipients, parsed message) pairs."""
    sink, _port = smtp_server
    sink.clear()
    return sink


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, smtp_server):
    """A real `celery worker` process on the test database, the test broker, the test cache and SMTP."""
    from django.db import connection

    with django_db_blocker.unblock():
        test_database = connection.settings_dict["NAME"]
        database_url = _database_url(connection.settings_dict)
    assert test_database.startswith("test_"), f"the worker must use the test database, not {test_database!r}"

    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": celery_app.conf.broker_url,
        "CACHE_URL": os.environ.get("CACHE_URL", ""),
        "DJANGO_SETTINGS_MODULE": "mentorwijs.settings",
        "PYTHONUNBUFFERED": "1",
        **WORKER_PRODUCTION_ENV,
    }
    # Real SMTP to the session's server; this also outranks an EMAIL_URL in a local .env.
    environment["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp_server[1]}"
    # Small newsletter batches, so that a test campaign of a few dozen subscribers takes several.
    environment["NEWSLETTER_BATCH_SIZE"] = str(NEWSLETTER_BATCH_SIZE)
    if not environment["CACHE_URL"]:
        del environment["CACHE_URL"]

    # Tasks a broken earlier run left behind must not run against this database.
    celery_app.control.purge()

    nodename = f"services-{uuid.uuid4().hex[:8]}@localhost"
    command = [
        sys.executable,
        "-m",
        "celery",
        "--app",
        "mentorwijs",
        "worker",
        "--pool",
        "solo",
        "--loglevel",
        "INFO",
        "--hostname",
        nodename,
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    WORKER_LOG.parent.mkdir(parents=True, exist_ok=True)
    with WORKER_LOG.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    worker = Worker(process, nodename, WORKER_LOG, environment["CELERY_BROKER_URL"])

    deadline = time.monotonic() + WORKER_START_TIMEOUT
    problem = None
    while problem is None and not worker.answers():
        if process.poll() is not None:
            problem = f"the Celery worker exited with code {process.returncode} before it answered a ping"
        elif time.monotonic() > deadline:
            problem = f"the Celery worker did not answer a ping within {WORKER_START_TIMEOUT} s"
    if problem is None:
        # Another worker on this broker would take tasks meant for ours and run them elsewhere.
        others = sorted({node for reply in celery_app.control.ping(timeout=1) for node in reply} - {nodename})
        if others:
            problem = f"other Celery workers consume from {celery_app.conf.broker_url}: {', '.join(others)}; stop them"
    if problem:
        worker.stop()
        pytest.exit(
            f"{problem}.\nLast lines of {WORKER_LOG}:\n{worker.tail()}", returncode=pytest.ExitCode.INTERNAL_ERROR
        )

    yield worker
    worker.stop()


@pytest.fixture(autouse=True)
def _worker_idle_before_teardown(request, celery_worker):
    """A task the test queued must finish before the tables are emptied: a TRUNCATE racing the worker's
    own transaction can deadlock, fail the flush and leave rows for the next test."""
    if "transactional_db" not in request.fixturenames:
        yield  # a rolled-back test leaves no committed rows for the worker, and needs no flush
        return
    request.getfixturevalue("transactional_db")  # set up first, so torn down after this fixture
    yield
    deadline = time.monotonic() + WAIT_TIMEOUT
    while not celery_worker.idle():
        if time.monotonic() > deadline:
            pytest.fail(f"the worker was still busy {WAIT_TIMEOUT} s after the test.\n{celery_worker.tail()}")
        time.sleep(0.1)


@pytest.fixture(autouse=True)
def _tasks_go_to_the_worker(celery_worker):
    """tests/conftest.py runs tasks in-process (eager); here they go through Redis to the worker."""
    eager, propagates = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = eager
    celery_app.conf.task_eager_propagates = propagates


@pytest.fixture
def wait_for(celery_worker):
    """wait_for(check, what) polls check() until it returns something truthy, for at most WAIT_TIMEOUT s."""

    def wait(check, what: str):
        deadline = time.monotonic() + WAIT_TIMEOUT
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > deadline:
                pytest.fail(
                    f"waited {WAIT_TIMEOUT} s for {what}.\nLast lines of {celery_worker.log_path}:\n"
                    f"{celery_worker.tail()}"
                )
            time.sleep(0.1)

    return wait
