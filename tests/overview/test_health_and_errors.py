import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from mentorwijs.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_answers_503_when_the_broker_is_unreachable(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}


def test_unknown_page_gets_a_friendly_dutch_404(client):
    response = client.get("/bestaat-niet/")
    assert response.status_code == 404
    assert "We kunnen deze pagina niet vinden" in response.content.decode()


def test_server_error_page_is_dutch_without_a_database():
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Er ging iets mis" in response.content.decode()
