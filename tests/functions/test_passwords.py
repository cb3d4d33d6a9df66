"""Passwords in words, the invitation page's look-up, and the forgotten-password link (accounts app)."""

import re
from datetime import UTC, datetime, timedelta

from comptoir_core import keys, wiring
from comptoir_core.accounts.passwords import _hash
from comptoir_infra.local.outbox import sent_messages
from tests.conftest import DEMO_PASSWORD, REGION
from tests.functions.conftest import ACCOUNTANT, USER, body

NEW_PASSWORD = "Brand-New-Pass-9"
INVITED = "nina@client.example"


def _reset_token(email: str) -> str:
    mail = next(m for m in sent_messages(REGION) if m["to"] == [email])
    return re.search(r"/password-reset/([A-Za-z0-9_-]+)", mail["body"]).group(1)


def test_the_password_rules_are_the_pools_policy(accounts_api):
    response = accounts_api.call("GET", "/password/rules")

    assert response.status_code == 200
    rules = body(response)
    assert rules["minimum_length"] >= 8
    assert set(rules) == {"minimum_length", "uppercase", "lowercase", "digits", "symbols"}


def test_given_an_invitation_when_its_page_looks_it_up_then_it_names_the_person_and_the_company(
    accounts_api, demo_companies
):
    cid = demo_companies["Demo SRL"]
    accounts_api.call(
        "POST",
        f"/companies/{cid}/invitations",
        as_user=ACCOUNTANT,
        body={"email": INVITED, "name": "Nina Nieuw", "role": "admin", "language": "nl"},
    )
    mail = next(m for m in sent_messages(REGION) if m["to"] == [INVITED])
    token = re.search(r"/invitations/([A-Za-z0-9_-]+)", mail["body"]).group(1)

    seen = accounts_api.call("GET", f"/invitations/{token}")
    unknown = accounts_api.call("GET", "/invitations/" + "x" * 43)
    accounts_api.call("POST", f"/invitations/{token}", body={"password": NEW_PASSWORD})
    used = accounts_api.call("GET", f"/invitations/{token}")

    assert seen.status_code == 200
    assert {k: body(seen)[k] for k in ("email", "name", "company_name", "role", "language")} == {
        "email": INVITED,
        "name": "Nina Nieuw",
        "company_name": "Demo SRL",
        "role": "admin",
        "language": "nl",
    }
    assert unknown.status_code == 404 and used.status_code == 410


def test_given_a_forgotten_password_when_the_emailed_link_is_used_then_the_new_password_signs_in_once(
    accounts_api, demo_companies
):
    known = accounts_api.call("POST", "/password/forgot", body={"email": USER, "language": "en"})
    unknown = accounts_api.call("POST", "/password/forgot", body={"email": "nobody@client.example"})
    assert known.status_code == unknown.status_code == 202 and body(known) == body(unknown)
    (mail,) = sent_messages(REGION)  # the unknown address got nothing
    assert mail["to"] == [USER]
    assert re.search(r'href="http://127\.0\.0\.1:8000/password-reset/[A-Za-z0-9_-]{40,}"', mail["body"])
    token = _reset_token(USER)

    weak = accounts_api.call("POST", "/password/reset", body={"token": token, "password": "weak"})
    reset = accounts_api.call("POST", "/password/reset", body={"token": token, "password": NEW_PASSWORD})
    again = accounts_api.call("POST", "/password/reset", body={"token": token, "password": NEW_PASSWORD})

    assert weak.status_code == 400 and "at least" in body(weak)["error"]["message"]
    assert reset.status_code == 204 and again.status_code == 410
    old = accounts_api.call("POST", "/login", body={"email": USER, "password": DEMO_PASSWORD})
    new = accounts_api.call("POST", "/login", body={"email": USER, "password": NEW_PASSWORD})
    assert (old.status_code, new.status_code) == (401, 200)


def test_an_expired_reset_link_is_410_and_the_password_stays(accounts_api, demo_companies):
    accounts_api.call("POST", "/password/forgot", body={"email": USER})
    token = _reset_token(USER)
    repo = wiring.repository()
    item = repo.get(keys.password_reset_pk(_hash(token)), keys.PASSWORD_RESET_SK)
    repo.put({**item, "expires_at": (datetime.now(UTC) - timedelta(seconds=1)).isoformat()})

    response = accounts_api.call("POST", "/password/reset", body={"token": token, "password": NEW_PASSWORD})

    assert response.status_code == 410 and "expired" in body(response)["error"]["message"]
    assert (
        accounts_api.call("POST", "/login", body={"email": USER, "password": DEMO_PASSWORD}).status_code
        == 200
    )
