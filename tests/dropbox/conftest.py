"""Dropbox tests: the official SDK against the local fake Dropbox (tests/fakes/dropbox_api.py) over
HTTPS, the rest of AWS in moto (KMS included)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from comptoir_core import aws, wiring
from comptoir_core.dropbox import linking
from comptoir_core.dropbox import wiring as dropbox_wiring
from comptoir_core.dropbox.models import CallbackQuery
from comptoir_core.settings import get_settings
from comptoir_core.tenancy import Caller
from tests.fakes.dropbox_api import FakeDropbox

REDIRECT_URL = "https://api.comptoir.test/dropbox-webhook/oauth/callback"
ADMIN = "admin@demo.comptoir.local"


@pytest.fixture
def fake_dropbox():
    with FakeDropbox() as fake:
        yield fake


@pytest.fixture
def dropbox_settings(resources, fake_dropbox, monkeypatch):
    """The apps' settings pointing the SDK at the fake; the app key and secret are the fake's."""
    for name, value in {**fake_dropbox.settings_env(), "COMPTOIR_DROPBOX_REDIRECT_URL": REDIRECT_URL}.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield get_settings()
    get_settings.cache_clear()


@pytest.fixture
def company(demo_companies) -> str:
    return demo_companies["Demo SRL"]


@pytest.fixture
def dropbox_account(fake_dropbox) -> str:
    """Anna's Dropbox, signed in at the fake's consent page."""
    account_id = fake_dropbox.add_account("anna@demo.example", "Anna Peeters")
    fake_dropbox.signed_in = account_id
    return account_id


def caller(email: str) -> Caller:
    """The Caller a signed-in demo user is (their Cognito `sub`)."""
    user = aws.client("cognito-idp").admin_get_user(UserPoolId=get_settings().user_pool_id, Username=email)
    return Caller(user_id=next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub"), email=email)


def consent(fake_dropbox: FakeDropbox, authorize_url: str) -> dict[str, str]:
    """What the user's browser does: open Dropbox's consent page, come back with the query."""
    answer = requests.get(authorize_url, allow_redirects=False, verify=fake_dropbox.ca_bundle, timeout=10)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT_URL + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


@pytest.fixture
def link(dropbox_settings, fake_dropbox, dropbox_account, company):
    """Link the demo company to Anna's Dropbox as its admin, through the services; returns the link."""

    def make(company_id: str = company, email: str = ADMIN):
        started = linking.start_link(
            repo=wiring.repository(),
            cipher=dropbox_wiring.cipher(),
            config=dropbox_wiring.config(),
            caller=caller(email),
            company_id=company_id,
        )
        query = consent(fake_dropbox, started.authorize_url)
        return linking.finish_link(
            repo=wiring.repository(),
            cipher=dropbox_wiring.cipher(),
            config=dropbox_wiring.config(),
            query=CallbackQuery.model_validate(query),
        )

    return make
