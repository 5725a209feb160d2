"""A private Redis and private Celery workers for tests that stop or kill them (the session's Redis
and worker are shared and must never be stopped). Everything here is bounded in time."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from django.db import connection

from mentorwijs.celery import app as celery_app
from tests.services.conftest import WORKER_PRODUCTION_ENV, WORKER_START_TIMEOUT, Worker, _database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
REDIS_START_TIMEOUT = 10  # seconds for redis-server to answer PING


class RedisServer:
    """A non-persistent redis-server on loopback that a test may stop and start again (same port)."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + REDIS_START_TIMEOUT
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"redis-server on port {self.port} did not answer PING within {REDIS_START_TIMEOUT} s")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def answers(self) -> bool:
        try:
            return redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5).ping()
        except redis.ConnectionError:
            return False


def use_broker(monkeypatch, url: str) -> None:
    """Point this process's Celery app at `url` until monkeypatch is undone. The app caches its
    connection pool and producer pool; dropping both (as Celery itself does after a fork) makes the
    next publish connect to the new URL. Celery's conf.broker_url prefers the CELERY_BROKER_URL
    environment variable over the setting, so both change. Call `celery_app.pool.force_close_all()`
    before the undo to close the connections to `url`."""
    monkeypatch.setattr(celery_app.conf, "broker_url", url)
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    assert celery_app.conf.broker_write_url == url


def start_worker(*, broker_url: str, smtp_port: int, name: str) -> Worker:
    """A `celery worker` process on the test database and `broker_url`, mailing over SMTP to
    `smtp_port`; answers a ping before this returns. This process's app must use the same broker
    (use_broker) for the ping. Stop it with worker.stop(), or kill it with worker.process.kill()."""
    environment = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "DJANGO_SETTINGS_MODULE": "mentorwijs.settings",
        "PYTHONUNBUFFERED": "1",
        **WORKER_PRODUCTION_ENV,
    }
    nodename = f"{name}-{uuid.uuid4().hex[:8]}@localhost"
    command = [sys.executable, "-m", "celery", "--app", "mentorwijs", "worker", "--pool", "solo", "--loglevel"]
    command += ["INFO", "--hostname", nodename, "--without-gossip", "--without-mingle", "--without-heartbeat"]
    log_path = BASE_DIR / "artifacts" / f"celery-worker-{name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    worker = Worker(process, nodename, log_path, broker_url)
    deadline = time.monotonic() + WORKER_START_TIMEOUT
    while not worker.answers():
        if process.poll() is not None or time.monotonic() > deadline:
            worker.stop()
            pytest.fail(f"the private worker {nodename} did not answer a ping.\n{worker.tail()}")
    return worker


def wait_until(check, what: str, worker: Worker, timeout: float = 60):
    """Poll check() until it returns something truthy, for at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"waited {timeout} s for {what}.\nLast lines of {worker.log_path}:\n{worker.tail()}")
        time.sleep(0.2)
