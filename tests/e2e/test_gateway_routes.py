"""The gateway in front of every app, walked route by route: it answers as API Gateway would."""

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from comptoir_core.openapi_docs import OPENAPI_PATH
from comptoir_infra.local.apps import load_app_module
from comptoir_infra.spec import SPEC
from tests.functions.test_tenancy import PUBLIC_ROUTES, SAMPLE_PARAMETERS


def _protected_routes():
    for app in SPEC.apps:
        for path, methods in load_app_module(app).app.routes.items():
            for method in methods:
                if (app.name, path, method) not in PUBLIC_ROUTES and path != OPENAPI_PATH:
                    concrete = path.replace("{cid}", "co_01jd0000000000000000000000")
                    for name, value in SAMPLE_PARAMETERS.items():
                        concrete = concrete.replace("{" + name + "}", value)
                    yield method, f"/{app.base_path}{concrete}"


PROTECTED = list(_protected_routes())


@pytest.mark.parametrize("method,path", PROTECTED, ids=[f"{m} {p}" for m, p in PROTECTED])
def test_every_protected_route_answers_401_without_a_token(stack, method, path):
    response = stack.request(method, path, body={} if method in ("POST", "PUT", "PATCH") else None)

    assert response.status == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_a_method_a_route_does_not_have_is_405_naming_the_allowed_ones(stack):
    response = stack.request("DELETE", "/accounts/login")

    assert response.status == 405
    assert response.headers["Allow"] == "POST"
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_body_over_the_api_gateway_limit_is_413(stack):
    request = urllib.request.Request(
        stack.url + "/accounts/login", data=b"x" * (10 * 1024 * 1024 + 1), method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)

    assert refused.value.code == 413


def test_every_answer_carries_a_request_id_and_a_given_one_is_kept(stack):
    assert stack.request("GET", "/health").headers["X-Request-Id"]

    request = urllib.request.Request(stack.url + "/accounts/me", headers={"X-Request-Id": "trace-7"})
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(request, timeout=10)

    assert answer.value.code == 401
    assert answer.value.headers["X-Request-Id"] == "trace-7"


def test_requests_to_one_app_at_the_same_time_each_get_the_answer_to_their_own_body(stack):
    """Chalice keeps the request being handled on the app object: Lambda runs one request per instance,
    and so must the local gateway, or a PUT beside a GET reads the GET's (empty) body."""
    token = stack.login("admin@demo.comptoir.local")["id_token"]
    company = stack.request("GET", "/accounts/companies", token=token).json()[0]["id"]
    current = stack.request("GET", f"/accounts/companies/{company}/settings", token=token).json()
    wrong = {**current["settings"], "bank_accounts": [{"iban": "BE00 1234 5678 9012"}]}

    def put(_):
        body = {"settings": wrong, "version": current["version"]}
        return stack.request("PUT", f"/accounts/companies/{company}/settings", token=token, body=body)

    def get(_):
        return stack.request("GET", f"/accounts/companies/{company}/users", token=token)

    with ThreadPoolExecutor(max_workers=12) as pool:
        puts = [pool.submit(put, i) for i in range(24)]
        gets = [pool.submit(get, i) for i in range(24)]
        answers = [f.result() for f in puts]
        assert all(f.result().status == 200 for f in gets)

    refusals = {(a.status, a.json()["error"]["details"][0]["field"]) for a in answers}
    assert refusals == {(400, "settings.bank_accounts.0.iban")}
