"""/healthz against the real database and broker."""

import pytest

from mentorwijs.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_reports_ok_with_postgresql_and_redis(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_reports_503_when_the_broker_is_unreachable(client, monkeypatch):
    closed = "redis://127.0.0.1:9/0"  # nothing listens on port 9
    monkeypatch.setattr(celery_app.conf, "broker_url", closed)
    # Celery's conf.broker_url prefers the CELERY_BROKER_URL environment variable over the setting.
    monkeypatch.setenv("CELERY_BROKER_URL", closed)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    assert celery_app.conf.broker_write_url == closed

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}
