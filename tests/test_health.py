"""/healthz answers 200 with every check's details, or 503 naming what is wrong."""

import pytest
from huey.contrib.djhuey import HUEY

pytestmark = pytest.mark.django_db


def test_it_answers_200_with_details_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "queue", "disk"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["disk"]["free_mb"] > 0
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_naming_a_full_disk(client, settings):
    settings.HEALTH_MIN_FREE_MB = 10**12  # more than any disk has
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["disk"]
    assert "MB free" in body["checks"]["disk"]["error"]


class UnreachableQueue:
    def queue_size(self):
        raise ConnectionError("queue storage unreachable")


def test_it_answers_503_naming_an_unreachable_queue(client, monkeypatch):
    monkeypatch.setattr(HUEY, "storage", UnreachableQueue())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["queue"]
