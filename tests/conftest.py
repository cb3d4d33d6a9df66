"""Fixtures shared by every kind of test: an AWS made by moto, provisioned from the resource spec."""

import os

import pytest
from moto import mock_aws

from comptoir_core import wiring
from comptoir_infra.local import demo
from comptoir_infra.local.provision import LocalResources, provision

DEMO_PASSWORD = "Test-Password-42"
REGION = "eu-west-1"


@pytest.fixture
def aws_env(monkeypatch):
    """Fake credentials and no endpoint override: in-process moto answers every call."""
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")


@pytest.fixture
def resources(aws_env, monkeypatch) -> LocalResources:
    """The spec's table, buckets, queues and user pool in moto, the apps' settings pointing at them."""
    with mock_aws():
        made = provision(endpoint=None, region=REGION, inbound_domain="in.comptoir.test")
        for name, value in made.app_environment().items():
            monkeypatch.setenv(name, value)
        wiring.reset()
        yield made
        wiring.reset()


@pytest.fixture
def demo_companies(resources) -> dict[str, str]:
    """The demo firm, companies and users (see comptoir_infra.local.demo); company ids by name."""
    return demo.seed(password=DEMO_PASSWORD)


@pytest.fixture
def id_token(demo_companies):
    """A real moto-signed id token for a demo user, by e-mail."""
    tokens: dict[str, str] = {}

    def token_for(email: str) -> str:
        if email not in tokens:
            tokens[email] = wiring.identity().sign_in(email, DEMO_PASSWORD).id_token
        return tokens[email]

    return token_for


def pytest_collection_modifyitems(items):
    """Tests under tests/e2e and tests/infra carry their marker, so `-m` selects them."""
    for item in items:
        path = str(item.fspath)
        if f"{os.sep}e2e{os.sep}" in path:
            item.add_marker(pytest.mark.e2e)
        if f"{os.sep}infra{os.sep}" in path:
            item.add_marker(pytest.mark.infra)
