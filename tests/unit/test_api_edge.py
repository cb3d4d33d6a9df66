"""The edge every app shares (comptoir_core.api and observability), on a small Chalice app of its own."""

import io
import json

import pytest
from chalice import Chalice
from chalice.test import Client
from pydantic import BaseModel

from comptoir_core.api import parse_body, view
from comptoir_core.errors import Conflict
from comptoir_core.observability import logger, observe


class Thing(BaseModel):
    count: int


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    app = Chalice(app_name="edge")
    app.register_middleware(observe, "http")

    @app.route("/conflict", methods=["POST"])
    @view
    def conflict():
        raise Conflict("already sent")

    @app.route("/bug", methods=["GET"])
    @view
    def bug():
        raise RuntimeError("secret table name in a stack trace")

    @app.route("/internal-validation", methods=["GET"])
    @view
    def internal_validation():
        return Thing.model_validate({"count": "not a number"})

    @app.route("/things", methods=["POST"])
    @view
    def things():
        return {"count": parse_body(app.current_request, Thing).count}

    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def log_lines():
    """The JSON lines the Powertools logger writes, read back."""
    stream = io.StringIO()
    previous = logger.registered_handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.registered_handler.setStream(previous)


def test_a_domain_error_leaves_as_its_status_and_json_error(client):
    response = client.http.post("/conflict")

    assert response.status_code == 409
    assert json.loads(response.body) == {"error": {"code": "conflict", "message": "already sent"}}


def test_an_unexpected_error_is_a_500_that_reveals_nothing_and_is_logged_with_its_request(client, log_lines):
    response = client.http.get("/bug", headers={"x-request-id": "req-42"})

    assert response.status_code == 500
    assert b"secret" not in response.body
    assert json.loads(response.body)["error"]["code"] == "internal"
    (entry,) = [e for e in log_lines() if e["message"] == "unhandled error in view"]
    assert entry["correlation_id"] == "req-42"
    assert entry["path"] == "/bug" and "RuntimeError" in entry["exception"]


def test_a_validation_error_that_is_not_the_requests_is_a_500_not_a_400(client):
    assert client.http.get("/internal-validation").status_code == 500


def test_a_body_that_does_not_fit_its_model_is_a_400_naming_the_field(client):
    response = client.http.post(
        "/things", headers={"Content-Type": "application/json"}, body=b'{"count": "x"}'
    )

    assert response.status_code == 400
    assert json.loads(response.body)["error"]["details"][0]["field"] == "count"


def test_an_empty_body_is_a_400(client):
    response = client.http.post("/things", headers={"Content-Type": "application/json"}, body=b"")

    assert response.status_code == 400
    assert json.loads(response.body)["error"]["message"] == "a JSON body is required"
