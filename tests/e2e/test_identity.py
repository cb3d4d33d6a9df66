"""Signing in and the gateway's token checks, over HTTP on the running local stack."""

import base64
import gzip
import json
import time
from pathlib import Path

import jwt
import moto.cognitoidp

ADMIN = "admin@demo.comptoir.local"
OTHER_ADMIN = "admin@other.comptoir.local"


def _claims(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def _signed_like_cognito(claims: dict) -> str:
    """A token signed with the embedded Cognito's own key: only the claims can make it wrong."""
    resource = Path(moto.cognitoidp.__file__).parent / "resources" / "jwks-private.json.gz"
    private = jwt.algorithms.RSAAlgorithm.from_jwk(gzip.decompress(resource.read_bytes()).decode())
    return jwt.encode(claims, private, algorithm="RS256", headers={"kid": "dummy"})


def test_health_answers_200_once_everything_is_up(stack):
    response = stack.request("GET", "/health")

    assert response.status == 200
    assert response.json() == {"status": "ok"}


def test_the_demo_admin_signs_in_and_reads_their_profile(stack):
    tokens = stack.login(ADMIN)

    response = stack.request("GET", "/accounts/me", token=tokens["id_token"])

    assert response.status == 200
    me = response.json()
    assert me["profile"]["email"] == ADMIN
    assert [(c["name"], c["role"]) for c in me["companies"]] == [("Demo SRL", "admin")]


def test_a_session_is_refreshed_over_http(stack):
    tokens = stack.login(ADMIN)

    refreshed = stack.request("POST", "/accounts/refresh", body={"refresh_token": tokens["refresh_token"]})

    assert refreshed.status == 200
    assert stack.request("GET", "/accounts/me", token=refreshed.json()["id_token"]).status == 200


def test_no_token_is_401_with_the_json_error(stack):
    response = stack.request("GET", "/accounts/me")

    assert response.status == 401
    assert response.json()["error"]["code"] == "unauthorized"


def test_a_forged_token_is_401(stack):
    header, payload, signature = stack.login(ADMIN)["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "someone-else"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")

    response = stack.request("GET", "/accounts/me", token=f"{header}.{forged_payload}.{signature}")

    assert response.status == 401


def test_an_expired_token_is_401_even_with_a_valid_signature(stack):
    claims = _claims(stack.login(ADMIN)["id_token"])
    claims.update(iat=int(time.time()) - 7200, exp=int(time.time()) - 3600)

    response = stack.request("GET", "/accounts/me", token=_signed_like_cognito(claims))

    assert response.status == 401
    assert "expired" in response.json()["error"]["message"]


def test_a_token_for_another_app_client_is_401(stack):
    claims = _claims(stack.login(ADMIN)["id_token"])
    claims["aud"] = "some-other-client"

    response = stack.request("GET", "/accounts/me", token=_signed_like_cognito(claims))

    assert response.status == 401


def test_the_same_claims_signed_the_same_way_pass(stack):
    """The control for the two tests above: the re-signing itself is not what they refuse."""
    claims = _claims(stack.login(ADMIN)["id_token"])

    response = stack.request("GET", "/accounts/me", token=_signed_like_cognito(claims))

    assert response.status == 200


def test_an_access_token_is_not_accepted_where_an_id_token_is_expected(stack):
    response = stack.request("GET", "/accounts/me", token=stack.login(ADMIN)["access_token"])

    assert response.status == 401


def test_another_companys_admin_gets_404_for_the_demo_company(stack):
    demo_company = stack.request("GET", "/accounts/companies", token=stack.login(ADMIN)["id_token"]).json()[0]
    other = stack.login(OTHER_ADMIN)["id_token"]

    response = stack.request("GET", f"/accounts/companies/{demo_company['id']}", token=other)

    assert response.status == 404


def test_an_unknown_path_is_a_json_404(stack):
    for path in ("/nowhere", "/accounts/nowhere", "/accounts/companies/x/y/z"):
        response = stack.request("GET", path)
        assert response.status == 404
        assert response.json()["error"]["code"] == "not_found"
