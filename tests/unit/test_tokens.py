"""The local gateway's token check, against a JWKS served over real HTTP on loopback."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from comptoir_infra.local.tokens import InvalidToken, TokenVerifier

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_pool"
CLIENT = "client-123"


@pytest.fixture(scope="module")
def signing_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def jwks_url(signing_key):
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(signing_key.public_key()))
    document = json.dumps({"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(document)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/pool/.well-known/jwks.json"
    server.shutdown()


@pytest.fixture
def verifier(jwks_url):
    return TokenVerifier(jwks_url=jwks_url, issuer=ISSUER, client_id=CLIENT)


def _token(key, **overrides) -> str:
    now = int(time.time())
    claims = {
        "sub": "user-1",
        "aud": CLIENT,
        "iss": ISSUER,
        "token_use": "id",
        "iat": now,
        "exp": now + 600,
        "email": "a@b.be",
    }
    claims.update(overrides)
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})


def test_a_valid_id_token_gives_its_claims(verifier, signing_key):
    claims = verifier.verify("Bearer " + _token(signing_key))

    assert claims["sub"] == "user-1" and claims["email"] == "a@b.be"


def test_a_raw_token_without_bearer_is_accepted_as_api_gateway_does(verifier, signing_key):
    assert verifier.verify(_token(signing_key))["sub"] == "user-1"


def test_an_expired_token_is_refused_as_expired(verifier, signing_key):
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(_token(signing_key, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600))


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "another-client"},
        {"iss": "https://cognito-idp.eu-west-1.amazonaws.com/other"},
        {"token_use": "access"},
    ],
    ids=["wrong client", "wrong pool", "access token"],
)
def test_a_token_for_another_client_pool_or_use_is_refused(verifier, signing_key, overrides):
    with pytest.raises(InvalidToken):
        verifier.verify(_token(signing_key, **overrides))


def test_a_token_signed_with_another_key_is_refused(verifier):
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    with pytest.raises(InvalidToken, match="not valid"):
        verifier.verify(_token(forger))


def test_a_token_with_changed_claims_is_refused(verifier, signing_key):
    header, _, signature = _token(signing_key).split(".")
    forged_claims = jwt.utils.base64url_encode(json.dumps({"sub": "admin", "aud": CLIENT}).encode()).decode()

    with pytest.raises(InvalidToken):
        verifier.verify(f"{header}.{forged_claims}.{signature}")


def test_an_unsigned_token_is_refused(verifier):
    unsigned = jwt.encode(
        {"sub": "x", "aud": CLIENT, "iss": ISSUER, "token_use": "id"}, None, algorithm="none"
    )

    with pytest.raises(InvalidToken):
        verifier.verify(unsigned)


@pytest.mark.parametrize("header", [None, "", "Bearer ", "garbage"])
def test_a_missing_or_garbled_header_is_refused(verifier, header):
    with pytest.raises(InvalidToken):
        verifier.verify(header)
