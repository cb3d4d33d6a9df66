"""Dropbox tests: the official SDK against the local fake Dropbox (tests/fakes/dropbox_api.py) over
HTTPS, the rest of AWS in moto (KMS included).

Provisioning moto takes seconds, so a module shares one embedded AWS and one fake Dropbox; each test
gets a company of its own (its members, its folders) and a Dropbox account of its own, so no test
sees another's link, files or documents.
"""

import itertools
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from moto import mock_aws

from comptoir_core import wiring
from comptoir_core.accounts import service as accounts
from comptoir_core.dropbox import linking
from comptoir_core.dropbox import wiring as dropbox_wiring
from comptoir_core.dropbox.models import CallbackQuery, LinkDone
from comptoir_core.settings import get_settings
from comptoir_core.tenancy import Caller, Role
from comptoir_infra.local.provision import LocalResources, provision
from tests.conftest import REGION
from tests.fakes.dropbox_api import FakeDropbox

REDIRECT_URL = "https://api.comptoir.test/dropbox-webhook/oauth/callback"
_numbers = itertools.count(5_000_000)


@dataclass(frozen=True)
class World:
    resources: LocalResources
    fake: FakeDropbox


@dataclass(frozen=True)
class ClientCompany:
    id: str
    enterprise_number: str
    admin: Caller
    user: Caller
    accountant: Caller
    stranger: Caller  # a member of another company only

    def folder(self, name: str) -> str:
        return f"/{self.enterprise_number}/{name}"


@pytest.fixture(scope="module")
def world():
    """One embedded AWS and one fake Dropbox for the module, the apps' settings pointing at both."""
    with pytest.MonkeyPatch.context() as env, FakeDropbox() as fake:
        for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
            env.delenv(name, raising=False)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", REGION)
        env.setenv("POWERTOOLS_METRICS_DISABLED", "true")
        with mock_aws():
            made = provision(endpoint=None, region=REGION, inbound_domain="in.comptoir.test")
            settings = {
                **made.app_environment(),
                **fake.settings_env(),
                "COMPTOIR_DROPBOX_REDIRECT_URL": REDIRECT_URL,
            }
            for name, value in settings.items():
                env.setenv(name, value)
            wiring.reset()
            yield World(resources=made, fake=fake)
            wiring.reset()


@pytest.fixture
def fake_dropbox(world) -> FakeDropbox:
    world.fake.reset_controls()
    return world.fake


@pytest.fixture
def company(world) -> ClientCompany:
    """A new client company (French, the default) with an admin, a user and an accountant."""
    repo = wiring.repository()
    base = next(_numbers)
    number = f"0{base:07d}{97 - base % 97:02d}"
    firm = accounts.create_firm(repo=repo, name=f"Firm {base}")
    made = accounts.create_company(repo=repo, firm=firm, name=f"Company {base}", vat_number=f"BE{number}")
    callers = {}
    for role in (Role.admin, Role.user, Role.accountant):
        callers[role] = Caller(user_id=f"u-{role.value}-{base}", email=f"{role.value}-{base}@example.be")
        accounts.add_member(repo=repo, company=made, user_id=callers[role].user_id, role=role)
    return ClientCompany(
        id=made.id,
        enterprise_number=number,
        admin=callers[Role.admin],
        user=callers[Role.user],
        accountant=callers[Role.accountant],
        stranger=Caller(user_id=f"u-stranger-{base}", email=f"stranger-{base}@example.be"),
    )


@pytest.fixture
def dropbox_account(fake_dropbox) -> str:
    """Anna's Dropbox (a new account each test), signed in at the fake's consent page."""
    account_id = fake_dropbox.add_account("anna@demo.example", "Anna Peeters")
    fake_dropbox.signed_in = account_id
    return account_id


@pytest.fixture
def dropbox_settings(world):
    return get_settings()


def consent(
    fake_dropbox: FakeDropbox, authorize_url: str, redirect_url: str = REDIRECT_URL
) -> dict[str, str]:
    """What the user's browser does: open Dropbox's consent page, come back with the query."""
    answer = requests.get(authorize_url, allow_redirects=False, verify=fake_dropbox.ca_bundle, timeout=10)
    assert answer.status_code == 302, answer.text
    location = answer.headers["Location"]
    assert location.startswith(redirect_url + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def start(company_id: str, caller: Caller, **config_changes):
    config = dropbox_wiring.config()
    if config_changes:
        from dataclasses import replace

        config = replace(config, **config_changes)
    started = linking.start_link(
        repo=wiring.repository(),
        cipher=dropbox_wiring.cipher(),
        config=config,
        caller=caller,
        company_id=company_id,
    )
    # The browser keeps its binding: the test's "browser" finds it again by the state Dropbox echoes.
    _BROWSERS[parse_qs(urlsplit(started.authorize_url).query)["state"][0]] = started.browser_binding
    return started


_BROWSERS: dict[str, str] = {}


def finish(query: dict, browser_binding: str | None = None) -> LinkDone:
    """Dropbox sends the browser back; it brings the binding of the session that started (unless given)."""
    return linking.finish_link(
        repo=wiring.repository(),
        cipher=dropbox_wiring.cipher(),
        config=dropbox_wiring.config(),
        query=CallbackQuery.model_validate(query),
        browser_binding=browser_binding if browser_binding is not None else _BROWSERS.get(query.get("state")),
    )


@pytest.fixture
def link(fake_dropbox, dropbox_account, company):
    """Link the test's company to the test's Dropbox account as its admin; returns what finish said."""

    def make(caller: Caller | None = None) -> LinkDone:
        started = start(company.id, caller or company.admin)
        return finish(consent(fake_dropbox, started.authorize_url))

    return make
