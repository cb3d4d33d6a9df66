"""Linking a company to Dropbox: OAuth 2 with PKCE through the SDK, against the fake Dropbox."""

from urllib.parse import parse_qs, urlsplit

import pytest

from comptoir_core import keys, wiring
from comptoir_core.dropbox import linking, records
from comptoir_core.dropbox import wiring as dropbox_wiring
from comptoir_core.dropbox.models import CallbackQuery, LinkStatus
from comptoir_core.errors import Conflict, Forbidden, Invalid, NotFound
from comptoir_core.kms import UnreadableSecret
from tests.dropbox.conftest import ADMIN, REDIRECT_URL, caller, consent

USER = "user@demo.comptoir.local"
ACCOUNTANT = "accountant@demo.comptoir.local"
OTHER_ADMIN = "admin@other.comptoir.local"


def start(company_id: str, email: str = ADMIN):
    return linking.start_link(
        repo=wiring.repository(),
        cipher=dropbox_wiring.cipher(),
        config=dropbox_wiring.config(),
        caller=caller(email),
        company_id=company_id,
    )


def finish(query: dict):
    return linking.finish_link(
        repo=wiring.repository(),
        cipher=dropbox_wiring.cipher(),
        config=dropbox_wiring.config(),
        query=CallbackQuery.model_validate(query),
    )


def status(company_id: str, email: str = ADMIN):
    return linking.get_link(repo=wiring.repository(), caller=caller(email), company_id=company_id)


def test_the_authorize_url_asks_for_offline_access_with_pkce_and_comes_back_to_us(dropbox_settings, company):
    started = start(company)

    url = urlsplit(started.authorize_url)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert url.scheme == "https" and url.netloc == dropbox_settings.dropbox_web_host
    assert url.path == "/oauth2/authorize"
    assert query["client_id"] == dropbox_settings.dropbox_app_key
    assert query["redirect_uri"] == REDIRECT_URL
    assert query["token_access_type"] == "offline"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert company in query["state"]


def test_linking_connects_the_company_and_makes_its_folders(link, fake_dropbox, dropbox_account, company):
    done = link()

    read = status(company)
    assert read.status == LinkStatus.connected
    assert read.account_email == "anna@demo.example" and read.account_name == "Anna Peeters"
    assert read.linked_by == ADMIN
    # Demo SRL (BE0417497106), in French: its enterprise number, then one folder per mailbox.
    assert (
        read.folders
        == done.folders
        == {
            "purchase": "/0417497106/Achats",
            "sales": "/0417497106/Ventes",
            "misc": "/0417497106/Divers",
        }
    )
    assert fake_dropbox.paths(dropbox_account) == [
        "/0417497106",
        "/0417497106/Achats",
        "/0417497106/Divers",
        "/0417497106/Ventes",
    ]


def test_the_refresh_token_is_stored_encrypted_and_only_for_its_company(link, company, fake_dropbox):
    link()

    item = wiring.repository().get(keys.company_pk(company), records.LINK_SK)
    stored = item["refresh_token"]
    assert "rt." not in stored and not any("rt." in str(value) for value in item.values())
    context = linking.token_context(company, "refresh-token")
    assert dropbox_wiring.cipher().decrypt(stored, context=context).startswith("rt.")
    with pytest.raises(UnreadableSecret):
        dropbox_wiring.cipher().decrypt(stored, context=linking.token_context("co_other", "refresh-token"))


def test_a_state_works_once(dropbox_settings, fake_dropbox, dropbox_account, company):
    query = consent(fake_dropbox, start(company).authorize_url)
    finish(query)

    with pytest.raises(Invalid, match="already used"):
        finish(query)


def test_a_state_with_a_forged_signature_is_refused(dropbox_settings, fake_dropbox, dropbox_account, company):
    query = consent(fake_dropbox, start(company).authorize_url)
    forged = query["state"][:-4] + ("0000" if not query["state"].endswith("0000") else "1111")

    with pytest.raises(Invalid, match="state is not valid"):
        finish({**query, "state": forged})
    assert status(company).status == LinkStatus.not_linked


def test_a_state_moved_to_another_company_is_refused(
    dropbox_settings, fake_dropbox, dropbox_account, demo_companies
):
    query = consent(fake_dropbox, start(demo_companies["Demo SRL"]).authorize_url)
    moved = query["state"].replace(demo_companies["Demo SRL"], demo_companies["Other BV"])

    with pytest.raises(Invalid):
        finish({**query, "state": moved})


def test_an_expired_state_is_refused(dropbox_settings, fake_dropbox, dropbox_account, company, monkeypatch):
    monkeypatch.setattr(linking, "STATE_TTL", linking.STATE_TTL * -1)
    query = consent(fake_dropbox, start(company).authorize_url)

    with pytest.raises(Invalid, match="expired"):
        finish(query)


def test_a_user_removed_from_the_company_meanwhile_cannot_finish(
    dropbox_settings, fake_dropbox, dropbox_account, company
):
    query = consent(fake_dropbox, start(company, USER).authorize_url)
    wiring.repository().put(
        {"pk": keys.company_pk(company), "sk": keys.member_sk(caller(USER).user_id), "role": "accountant"}
    )

    with pytest.raises(Forbidden):
        finish(query)


def test_refusing_consent_at_dropbox_links_nothing(dropbox_settings, fake_dropbox, dropbox_account, company):
    fake_dropbox.refuse_consent = True
    query = consent(fake_dropbox, start(company).authorize_url)

    with pytest.raises(Invalid, match="not given"):
        finish(query)
    assert status(company).status == LinkStatus.not_linked


def test_an_accountant_sees_the_link_but_cannot_make_it(dropbox_settings, company):
    assert status(company, ACCOUNTANT).status == LinkStatus.not_linked
    with pytest.raises(Forbidden):
        start(company, ACCOUNTANT)


def test_a_stranger_cannot_see_or_start_a_link(dropbox_settings, company):
    with pytest.raises(NotFound):
        status(company, OTHER_ADMIN)
    with pytest.raises(NotFound):
        start(company, OTHER_ADMIN)


def test_without_a_dropbox_app_linking_is_a_conflict(resources, demo_companies, monkeypatch):
    with pytest.raises(Conflict, match="not set up"):
        start(demo_companies["Demo SRL"])


def test_unlinking_revokes_the_token_and_forgets_it(link, company, fake_dropbox):
    link()

    read = linking.unlink(
        repo=wiring.repository(),
        cipher=dropbox_wiring.cipher(),
        config=dropbox_wiring.config(),
        caller=caller(ADMIN),
        company_id=company,
    )

    assert read.status == LinkStatus.not_linked
    assert fake_dropbox.count("auth/token/revoke") == 1
    item = wiring.repository().get(keys.company_pk(company), records.LINK_SK)
    assert "refresh_token" not in item and "gsi1pk" not in item
    assert records.links_of_account(wiring.repository(), "x") == []
