"""With `*/*` as the APIs' binary media types (stack.py), API Gateway hands every request body to the
function base64-encoded (`isBase64Encoded: true`), JSON included. The JSON routes must still read their
bodies, and answer JSON as text (no `isBase64Encoded`), which API Gateway then passes as it is."""

import base64
import json

import pytest
from chalice.local import LambdaContext

from comptoir_infra.local.apps import load_app_module
from comptoir_infra.spec import SPEC
from tests.conftest import DEMO_PASSWORD
from tests.functions.conftest import ADMIN


def gateway_event(method: str, path: str, body: dict, *, accept: str | None) -> dict:
    """A Lambda proxy event as API Gateway sends it when `*/*` is a binary media type."""
    headers = {"Content-Type": "application/json", **({"Accept": accept} if accept else {})}
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {"resourcePath": path, "httpMethod": method, "path": f"/api{path}", "stage": "api"},
        "body": base64.b64encode(json.dumps(body).encode()).decode(),
        "isBase64Encoded": True,
    }


@pytest.mark.parametrize("accept", ["application/json", "*/*", None, "text/html,application/xhtml+xml"])
def test_a_json_route_reads_a_base64_encoded_body_and_answers_json_as_text(demo_companies, accept):
    app = load_app_module(SPEC.app("accounts")).app
    event = gateway_event("POST", "/login", {"email": ADMIN, "password": DEMO_PASSWORD}, accept=accept)

    answer = app(event, LambdaContext("accounts", 512))

    assert answer["statusCode"] == 200, answer["body"]
    assert not answer.get("isBase64Encoded")
    assert "id_token" in json.loads(answer["body"])


def test_a_refused_base64_encoded_json_body_is_a_400_in_our_shape(demo_companies):
    app = load_app_module(SPEC.app("accounts")).app
    event = gateway_event("POST", "/login", {"email": "not an address"}, accept="application/json")

    answer = app(event, LambdaContext("accounts", 512))

    assert answer["statusCode"] == 400
    assert not answer.get("isBase64Encoded")
    assert {"code", "message"} <= set(json.loads(answer["body"])["error"])
