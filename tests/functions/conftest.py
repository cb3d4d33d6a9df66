"""Per-function tests: each Chalice app through chalice.test.Client, against in-process moto."""

import json

import pytest
from chalice.test import Client

from comptoir_infra.local.apps import load_app_module
from comptoir_infra.spec import SPEC

ADMIN = "admin@demo.comptoir.local"
USER = "user@demo.comptoir.local"
ACCOUNTANT = "accountant@demo.comptoir.local"
OTHER_ADMIN = "admin@other.comptoir.local"


class Api:
    """A thin caller over chalice.test.Client that sends JSON and a user's token."""

    def __init__(self, client: Client, id_token):
        self._client = client
        self._id_token = id_token

    def call(
        self, method: str, path: str, *, as_user: str | None = None, body=None, raw: bytes | None = None
    ):
        headers = {"Content-Type": "application/json"}
        if as_user:
            headers["Authorization"] = self._id_token(as_user)
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        return getattr(self._client.http, method.lower())(path, headers=headers, body=payload)


def api_for(app_name: str):
    @pytest.fixture
    def fixture(id_token):
        module = load_app_module(SPEC.app(app_name))
        with Client(module.app) as client:
            yield Api(client, id_token)

    return fixture


accounts_api = api_for("accounts")
documents_api = api_for("documents")


def body(response) -> dict | list:
    return json.loads(response.body)
