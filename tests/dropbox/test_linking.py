"""Linking a company to Dropbox: OAuth 2 with PKCE through the SDK, against the fake Dropbox."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from comptoir_core import keys, wiring
from comptoir_core.dropbox import linking, records
from comptoir_core.dropbox import wiring as dropbox_wiring
from comptoir_core.dropbox.models import LinkStatus
from comptoir_core.errors import Conflict, Forbidden, Invalid, NotFound
from comptoir_core.kms import UnreadableSecret
from tests.dropbox.conftest import REDIRECT_URL, consent, finish, start


def status(company_id: str, caller):
    return linking.get_link(repo=wiring.repository(), caller=caller, company_id=company_id)


def test_the_authorize_url_asks_for_offline_access_with_pkce_and_comes_back_to_us(dropbox_settings, company):
    started = start(company.id, company.admin)

    url = urlsplit(started.authorize_url)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert url.scheme == "https" and url.netloc == dropbox_settings.dropbox_web_host
    assert url.path == "/oauth2/authorize"
    assert query["client_id"] == dropbox_settings.dropbox_app_key
    assert query["redirect_uri"] == REDIRECT_URL
    assert query["token_access_type"] == "offline"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert company.id in query["state"]


def test_linking_connects_the_company_and_makes_its_folders(link, fake_dropbox, dropbox_account, company):
    done = link()

    read = status(company.id, company.admin)
    assert read.status == LinkStatus.connected
    assert read.account_email == "anna@demo.example" and read.account_name == "Anna Peeters"
    assert read.linked_by == company.admin.email
    # Its enterprise number, then one folder per mailbox in the company's language (French by default).
    assert (
        read.folders
        == done.folders
        == {
            "purchase": company.folder("Achats"),
            "sales": company.folder("Ventes"),
            "misc": company.folder("Divers"),
        }
    )
    assert fake_dropbox.paths(dropbox_account) == sorted(
        [f"/{company.enterprise_number}", *(company.folder(n) for n in ("Achats", "Ventes", "Divers"))]
    )


def test_a_dutch_company_gets_dutch_folder_names(link, company):
    settings = {"pk": keys.company_pk(company.id), "sk": keys.COMPANY_SETTINGS, "version": 1}
    wiring.repository().put({**settings, "settings": {"language": "nl"}})

    assert link().folders == {
        "purchase": company.folder("Aankopen"),
        "sales": company.folder("Verkopen"),
        "misc": company.folder("Diversen"),
    }


def test_the_refresh_token_is_stored_encrypted_and_only_for_its_company(link, company):
    link()

    item = wiring.repository().get(keys.company_pk(company.id), records.LINK_SK)
    assert not any("rt." in str(value) for value in item.values())
    context = linking.token_context(company.id, "refresh-token")
    assert dropbox_wiring.cipher().decrypt(item["refresh_token"], context=context).startswith("rt.")
    with pytest.raises(UnreadableSecret):
        dropbox_wiring.cipher().decrypt(
            item["refresh_token"], context=linking.token_context("co_other", "refresh-token")
        )


def test_a_state_works_once(fake_dropbox, dropbox_account, company):
    query = consent(fake_dropbox, start(company.id, company.admin).authorize_url)
    finish(query)

    with pytest.raises(Invalid, match="already used"):
        finish(query)


def test_a_state_with_a_forged_signature_is_refused(fake_dropbox, dropbox_account, company):
    query = consent(fake_dropbox, start(company.id, company.admin).authorize_url)
    forged = query["state"][:-4] + ("0000" if not query["state"].endswith("0000") else "1111")

    with pytest.raises(Invalid, match="state is not valid"):
        finish({**query, "state": forged})
    assert status(company.id, company.admin).status == LinkStatus.not_linked


def test_a_state_moved_to_another_company_is_refused(fake_dropbox, dropbox_account, company, world):
    query = consent(fake_dropbox, start(company.id, company.admin).authorize_url)
    moved = query["state"].replace(company.id, "co_01jd0000000000000000000000")

    with pytest.raises(Invalid):
        finish({**query, "state": moved})


def test_an_expired_state_is_refused(fake_dropbox, dropbox_account, company, monkeypatch):
    monkeypatch.setattr(linking, "STATE_TTL", timedelta(seconds=-1))
    query = consent(fake_dropbox, start(company.id, company.admin).authorize_url)

    with pytest.raises(Invalid, match="expired"):
        finish(query)


def test_a_user_no_longer_allowed_to_link_when_dropbox_answers_cannot_finish(
    fake_dropbox, dropbox_account, company
):
    query = consent(fake_dropbox, start(company.id, company.user).authorize_url)
    member = {"pk": keys.company_pk(company.id), "sk": keys.member_sk(company.user.user_id)}
    wiring.repository().put({**member, "role": "accountant"})

    with pytest.raises(Forbidden):
        finish(query)
    assert status(company.id, company.admin).status == LinkStatus.not_linked


def test_refusing_consent_at_dropbox_links_nothing(fake_dropbox, dropbox_account, company):
    fake_dropbox.refuse_consent = True
    query = consent(fake_dropbox, start(company.id, company.admin).authorize_url)

    with pytest.raises(Invalid, match="not given"):
        finish(query)
    assert status(company.id, company.admin).status == LinkStatus.not_linked


def test_an_accountant_sees_the_link_but_cannot_make_it(company):
    assert status(company.id, company.accountant).status == LinkStatus.not_linked
    with pytest.raises(Forbidden):
        start(company.id, company.accountant)


def test_a_stranger_can_neither_see_nor_start_a_link(company):
    with pytest.raises(NotFound):
        status(company.id, company.stranger)
    with pytest.raises(NotFound):
        start(company.id, company.stranger)


def test_without_a_dropbox_app_linking_is_a_conflict(company):
    with pytest.raises(Conflict, match="not set up"):
        start(company.id, company.admin, app_key="")


def test_unlinking_revokes_the_token_and_forgets_it(link, company, fake_dropbox, dropbox_account):
    link()

    read = linking.unlink(
        repo=wiring.repository(),
        cipher=dropbox_wiring.cipher(),
        config=dropbox_wiring.config(),
        caller=company.admin,
        company_id=company.id,
    )

    assert read.status == LinkStatus.not_linked
    assert fake_dropbox.count("auth/token/revoke") == 1
    item = wiring.repository().get(keys.company_pk(company.id), records.LINK_SK)
    assert "refresh_token" not in item and "gsi1pk" not in item
    assert records.links_of_account(wiring.repository(), dropbox_account) == []


def test_linking_again_to_another_account_revokes_the_first(link, company, fake_dropbox, dropbox_account):
    link()
    fake_dropbox.signed_in = other = fake_dropbox.add_account("bert@demo.example", "Bert Claes")

    link()

    assert fake_dropbox.count("auth/token/revoke") == 1
    assert records.links_of_account(wiring.repository(), dropbox_account) == []
    assert records.links_of_account(wiring.repository(), other) == [company.id]


def test_a_consent_finished_by_another_browser_session_links_nothing(fake_dropbox, dropbox_account, company):
    query = consent(fake_dropbox, start(company.id, company.admin).authorize_url)

    with pytest.raises(Invalid, match="another browser session"):
        finish(query, browser_binding="a-binding-of-another-browser")
    assert status(company.id, company.admin).status == LinkStatus.not_linked
