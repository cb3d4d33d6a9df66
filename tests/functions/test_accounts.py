"""accounts: sign-in, profile, companies and settings, through the Chalice app against moto."""

import re
from datetime import UTC, datetime, timedelta

from comptoir_core import keys, wiring
from comptoir_core.accounts.users import _token_hash
from comptoir_infra.local.outbox import sent_messages
from tests.conftest import DEMO_PASSWORD, REGION
from tests.functions.conftest import ACCOUNTANT, ADMIN, OTHER_ADMIN, USER, body


def test_signing_in_with_the_right_password_returns_tokens(accounts_api):
    response = accounts_api.call("POST", "/login", body={"email": ADMIN, "password": DEMO_PASSWORD})

    assert response.status_code == 200
    tokens = body(response)
    assert set(tokens) == {"id_token", "access_token", "refresh_token", "expires_in"}
    assert tokens["id_token"].count(".") == 2 and tokens["expires_in"] > 0


def test_signing_in_ignores_the_case_of_the_email(accounts_api):
    response = accounts_api.call("POST", "/login", body={"email": ADMIN.upper(), "password": DEMO_PASSWORD})

    assert response.status_code == 200


def test_a_wrong_password_and_an_unknown_user_get_the_same_401(accounts_api):
    wrong = accounts_api.call("POST", "/login", body={"email": ADMIN, "password": "not-it-at-all"})
    unknown = accounts_api.call(
        "POST", "/login", body={"email": "nobody@demo.comptoir.local", "password": "x"}
    )

    assert wrong.status_code == unknown.status_code == 401
    assert (
        body(wrong)
        == body(unknown)
        == {"error": {"code": "unauthorized", "message": "wrong e-mail or password"}}
    )


def test_a_login_without_json_is_a_clear_400(accounts_api):
    response = accounts_api.call("POST", "/login", raw=b"email=admin")

    assert response.status_code == 400
    assert body(response)["error"] == {"code": "invalid", "message": "the body is not valid JSON"}


def test_a_login_with_a_malformed_email_names_the_field(accounts_api):
    response = accounts_api.call("POST", "/login", body={"email": "not-an-email", "password": "x"})

    assert response.status_code == 400
    assert body(response)["error"]["details"][0]["field"] == "email"


def test_a_refresh_token_gives_new_tokens_for_the_same_user(accounts_api, id_token):
    tokens = body(accounts_api.call("POST", "/login", body={"email": USER, "password": DEMO_PASSWORD}))

    response = accounts_api.call("POST", "/refresh", body={"refresh_token": tokens["refresh_token"]})

    assert response.status_code == 200
    refreshed = body(response)
    assert refreshed["refresh_token"] == tokens["refresh_token"]
    me = accounts_api._client.http.get("/me", headers={"Authorization": refreshed["id_token"]})
    assert body(me)["profile"]["email"] == USER


def test_a_forged_refresh_token_is_401(accounts_api):
    response = accounts_api.call("POST", "/refresh", body={"refresh_token": "forged"})

    assert response.status_code == 401


def test_me_shows_the_profile_language_and_companies_with_role(accounts_api):
    response = accounts_api.call("GET", "/me", as_user=USER)

    assert response.status_code == 200
    me = body(response)
    assert me["profile"]["email"] == USER
    assert me["profile"]["language"] == "nl"
    assert [(c["name"], c["role"]) for c in me["companies"]] == [("Demo SRL", "user")]


def test_the_firms_accountant_sees_every_company_it_manages(accounts_api):
    response = accounts_api.call("GET", "/companies", as_user=ACCOUNTANT)

    assert [(c["name"], c["role"]) for c in body(response)] == [
        ("Demo SRL", "accountant"),
        ("Other BV", "accountant"),
    ]


def test_a_user_changes_their_language(accounts_api):
    response = accounts_api.call("PATCH", "/me", as_user=USER, body={"language": "en"})

    assert response.status_code == 200
    assert body(accounts_api.call("GET", "/me", as_user=USER))["profile"]["language"] == "en"


def test_an_unknown_language_is_refused(accounts_api):
    response = accounts_api.call("PATCH", "/me", as_user=USER, body={"language": "de-at"})

    assert response.status_code == 400
    assert body(accounts_api.call("GET", "/me", as_user=USER))["profile"]["language"] == "nl"


def test_a_company_shows_its_vat_enterprise_number_firm_and_the_callers_role(accounts_api, demo_companies):
    response = accounts_api.call("GET", f"/companies/{demo_companies['Demo SRL']}", as_user=ADMIN)

    company = body(response)
    assert company["vat_number"] == "BE0417497106"
    assert company["enterprise_number"] == "0417497106"
    assert company["firm"]["name"] == "Fiduciaire Demo"
    assert company["role"] == "admin"


def test_a_company_id_that_is_not_an_id_is_404(accounts_api):
    response = accounts_api.call("GET", "/companies/..%2F..%2Fetc", as_user=ADMIN)

    assert response.status_code == 404


def test_every_member_reads_the_settings_with_their_defaults(accounts_api, demo_companies):
    response = accounts_api.call("GET", f"/companies/{demo_companies['Demo SRL']}/settings", as_user=USER)

    read = body(response)
    assert response.status_code == 200
    assert (read["version"], read["updated_at"], read["updated_by"]) == (0, None, None)
    assert (read["settings"]["language"], read["settings"]["fiscal_year_start_month"]) == ("fr", 1)
    assert read["settings"]["mailboxes"] == {}  # no auto-forward until an admin turns it on


def test_an_admin_changes_the_settings_and_the_version_moves_on(accounts_api, demo_companies):
    path = f"/companies/{demo_companies['Demo SRL']}/settings"

    response = accounts_api.call(
        "PUT",
        path,
        as_user=ADMIN,
        body={"settings": {"language": "nl", "fiscal_year_start_month": 7}, "version": 0},
    )

    assert response.status_code == 200
    stored = body(accounts_api.call("GET", path, as_user=USER))
    assert (stored["settings"]["language"], stored["settings"]["fiscal_year_start_month"]) == ("nl", 7)
    assert stored["version"] == 1
    assert stored["updated_by"] is not None


def test_a_user_who_is_not_admin_cannot_change_the_settings(accounts_api, demo_companies):
    path = f"/companies/{demo_companies['Demo SRL']}/settings"

    for who in (USER, ACCOUNTANT):
        response = accounts_api.call("PUT", path, as_user=who, body={"settings": {"language": "en"}})
        assert response.status_code == 403
    assert body(accounts_api.call("GET", path, as_user=ADMIN))["version"] == 0


def test_a_settings_write_based_on_a_stale_version_is_a_conflict(accounts_api, demo_companies):
    path = f"/companies/{demo_companies['Demo SRL']}/settings"
    accounts_api.call("PUT", path, as_user=ADMIN, body={"settings": {"language": "nl"}, "version": 0})

    response = accounts_api.call(
        "PUT", path, as_user=ADMIN, body={"settings": {"language": "en"}, "version": 0}
    )

    assert response.status_code == 409
    assert body(accounts_api.call("GET", path, as_user=ADMIN))["settings"]["language"] == "nl"


def test_invalid_settings_are_refused_and_nothing_changes(accounts_api, demo_companies):
    path = f"/companies/{demo_companies['Demo SRL']}/settings"

    month = accounts_api.call("PUT", path, as_user=ADMIN, body={"settings": {"fiscal_year_start_month": 13}})
    unknown = accounts_api.call("PUT", path, as_user=ADMIN, body={"settings": {"colour": "red"}})

    assert month.status_code == unknown.status_code == 400
    assert body(month)["error"]["details"][0]["field"] == "settings.fiscal_year_start_month"
    assert body(accounts_api.call("GET", path, as_user=ADMIN))["version"] == 0


def test_another_companys_admin_cannot_read_or_write_its_settings(accounts_api, demo_companies):
    path = f"/companies/{demo_companies['Demo SRL']}/settings"

    read = accounts_api.call("GET", path, as_user=OTHER_ADMIN)
    write = accounts_api.call("PUT", path, as_user=OTHER_ADMIN, body={"settings": {"language": "en"}})

    assert read.status_code == write.status_code == 404
    assert body(accounts_api.call("GET", path, as_user=ADMIN))["version"] == 0


# ---- users, invitations, access requests, passwords, modules, firm view, feedback ------------------------

NEW_PASSWORD = "Brand-New-Pass-9"
INVITED = "nina@client.example"


def _invite(accounts_api, cid, *, email=INVITED, language="nl", as_user=ACCOUNTANT):
    return accounts_api.call(
        "POST",
        f"/companies/{cid}/invitations",
        as_user=as_user,
        body={"email": email, "name": "Nina Nieuw", "role": "user", "language": language},
    )


def _token_in_outbox(email: str) -> str:
    mail = next(m for m in sent_messages(REGION) if m["to"] == [email])
    return re.search(r"/invitations/([A-Za-z0-9_-]+)", mail["body"]).group(1)


def test_an_invitation_emails_the_login_and_a_link_in_its_language(accounts_api, demo_companies):
    cid = demo_companies["Demo SRL"]

    response = _invite(accounts_api, cid)

    assert response.status_code == 201, response.body
    invitation = body(response)
    assert invitation["email"] == INVITED and invitation["role"] == "user"
    assert "token" not in invitation
    (mail,) = sent_messages(REGION)
    assert mail["to"] == [INVITED]
    assert mail["subject"] == "Uw toegang tot Comptoir voor Demo SRL"
    assert f"Uw login: {INVITED}" in mail["body"]
    assert re.search(r'href="http://127\.0\.0\.1:8000/invitations/[A-Za-z0-9_-]{40,}"', mail["body"])


def test_the_invitation_link_sets_the_password_once_and_the_user_signs_in(accounts_api, demo_companies):
    cid = demo_companies["Demo SRL"]
    _invite(accounts_api, cid)
    token = _token_in_outbox(INVITED)

    accepted = accounts_api.call("POST", f"/invitations/{token}", body={"password": NEW_PASSWORD})
    again = accounts_api.call("POST", f"/invitations/{token}", body={"password": NEW_PASSWORD})

    assert accepted.status_code == 200, accepted.body
    assert again.status_code == 410 and body(again)["error"]["code"] == "gone"
    signed_in = accounts_api.call("POST", "/login", body={"email": INVITED, "password": NEW_PASSWORD})
    me = accounts_api._client.http.get("/me", headers={"Authorization": body(signed_in)["id_token"]})
    assert [(c["name"], c["role"]) for c in body(me)["companies"]] == [("Demo SRL", "user")]
    assert body(me)["profile"]["language"] == "nl"


def test_an_expired_invitation_is_410(accounts_api, demo_companies):
    _invite(accounts_api, demo_companies["Demo SRL"])
    token = _token_in_outbox(INVITED)
    repo = wiring.repository()
    item = repo.get(keys.invitation_pk(_token_hash(token)), keys.INVITATION_SK)
    repo.put({**item, "expires_at": (datetime.now(UTC) - timedelta(seconds=1)).isoformat()})

    response = accounts_api.call("POST", f"/invitations/{token}", body={"password": NEW_PASSWORD})

    assert response.status_code == 410
    assert "expired" in body(response)["error"]["message"]


def test_a_weak_password_is_400_in_words_and_the_token_still_works(accounts_api, demo_companies):
    _invite(accounts_api, demo_companies["Demo SRL"])
    token = _token_in_outbox(INVITED)

    weak = accounts_api.call("POST", f"/invitations/{token}", body={"password": "short"})

    assert weak.status_code == 400
    assert body(weak)["error"]["message"] == (
        "the password is too weak: it needs at least 12 characters, an upper-case letter, "
        "a lower-case letter and a digit"
    )
    assert (
        accounts_api.call("POST", f"/invitations/{token}", body={"password": NEW_PASSWORD}).status_code == 200
    )


def test_an_unknown_token_is_404(accounts_api, demo_companies):
    response = accounts_api.call("POST", "/invitations/" + "x" * 43, body={"password": NEW_PASSWORD})

    assert response.status_code == 404


def test_only_the_firms_accountant_invites(accounts_api, demo_companies):
    response = _invite(accounts_api, demo_companies["Demo SRL"], as_user=ADMIN)

    assert response.status_code == 403
    assert sent_messages(REGION) == []


def test_inviting_a_member_again_is_a_conflict(accounts_api, demo_companies):
    response = _invite(accounts_api, demo_companies["Demo SRL"], email=USER)

    assert response.status_code == 409


def test_an_admins_access_request_tells_the_accountant_and_its_approval_invites(accounts_api, demo_companies):
    cid = demo_companies["Demo SRL"]
    request = {"email": "bob@client.example", "name": "Bob", "role": "admin", "language": "en"}
    assert (
        accounts_api.call("POST", f"/companies/{cid}/access-requests", as_user=USER, body=request).status_code
        == 403
    )

    made = accounts_api.call("POST", f"/companies/{cid}/access-requests", as_user=ADMIN, body=request)

    assert made.status_code == 201
    rid = body(made)["id"]
    assert [m["to"] for m in sent_messages(REGION)] == [[ACCOUNTANT]]
    approve = f"/companies/{cid}/access-requests/{rid}/approve"
    assert accounts_api.call("POST", approve, as_user=ADMIN).status_code == 403
    approved = accounts_api.call("POST", approve, as_user=ACCOUNTANT)
    assert approved.status_code == 200 and body(approved)["status"] == "approved"
    invitation = sent_messages(REGION)[0]
    assert (
        invitation["to"] == ["bob@client.example"]
        and invitation["subject"] == "Your access to Comptoir for Demo SRL"
    )
    refused = accounts_api.call("POST", f"/companies/{cid}/access-requests/{rid}/refuse", as_user=ACCOUNTANT)
    assert refused.status_code == 409
    listed = body(accounts_api.call("GET", f"/companies/{cid}/access-requests", as_user=ADMIN))
    assert [(r["email"], r["status"]) for r in listed] == [("bob@client.example", "approved")]


def test_the_members_list_shows_roles_and_last_sign_in(accounts_api, demo_companies):
    cid = demo_companies["Demo SRL"]
    accounts_api.call("POST", "/login", body={"email": USER, "password": DEMO_PASSWORD})

    listed = body(accounts_api.call("GET", f"/companies/{cid}/users", as_user=USER))

    by_email = {u["email"]: u for u in listed}
    assert {e: u["role"] for e, u in by_email.items()} == {
        ADMIN: "admin",
        USER: "user",
        ACCOUNTANT: "accountant",
    }
    assert by_email[USER]["last_sign_in_at"] is not None


def test_the_accountant_changes_roles_and_an_admin_may_not(accounts_api, demo_companies):
    cid = demo_companies["Demo SRL"]
    uid = next(
        u["id"]
        for u in body(accounts_api.call("GET", f"/companies/{cid}/users", as_user=USER))
        if u["email"] == USER
    )

    assert (
        accounts_api.call(
            "PUT", f"/companies/{cid}/users/{uid}", as_user=ADMIN, body={"role": "admin"}
        ).status_code
        == 403
    )
    changed = accounts_api.call(
        "PUT", f"/companies/{cid}/users/{uid}", as_user=ACCOUNTANT, body={"role": "admin"}
    )

    assert changed.status_code == 200 and body(changed)["role"] == "admin"
    bad = accounts_api.call(
        "PUT", f"/companies/{cid}/users/{uid}", as_user=ACCOUNTANT, body={"role": "accountant"}
    )
    assert bad.status_code == 400


def test_a_removed_user_no_longer_sees_the_company(accounts_api, demo_companies):
    cid = demo_companies["Demo SRL"]
    uid = next(
        u["id"]
        for u in body(accounts_api.call("GET", f"/companies/{cid}/users", as_user=USER))
        if u["email"] == USER
    )

    assert accounts_api.call("DELETE", f"/companies/{cid}/users/{uid}", as_user=ACCOUNTANT).status_code == 204

    assert accounts_api.call("GET", f"/companies/{cid}", as_user=USER).status_code == 404
    assert accounts_api.call("GET", f"/companies/{cid}/users", as_user=USER).status_code == 404
    assert body(accounts_api.call("GET", "/companies", as_user=USER)) == []


def test_changing_ones_password_asks_the_current_one(accounts_api, demo_companies):
    wrong = accounts_api.call(
        "POST", "/me/password", as_user=USER, body={"current": "nope", "new": NEW_PASSWORD}
    )
    weak = accounts_api.call(
        "POST", "/me/password", as_user=USER, body={"current": DEMO_PASSWORD, "new": "weak"}
    )
    changed = accounts_api.call(
        "POST", "/me/password", as_user=USER, body={"current": DEMO_PASSWORD, "new": NEW_PASSWORD}
    )

    assert (wrong.status_code, weak.status_code, changed.status_code) == (403, 400, 204)
    assert (
        accounts_api.call("POST", "/login", body={"email": USER, "password": NEW_PASSWORD}).status_code == 200
    )


def test_the_company_page_shows_modules_its_accountant_and_the_firms_links(accounts_api, demo_companies):
    cid, other = demo_companies["Demo SRL"], demo_companies["Other BV"]
    settings = {
        "support_email": "help@fiduciaire.example",
        "links": [
            {"title": "Tax-on-web", "url": "https://taxonweb.be"},
            {"title": "Only Other", "url": "https://other.example", "companies": [other]},
        ],
    }
    assert accounts_api.call("PUT", "/firm/settings", as_user=ADMIN, body=settings).status_code == 403
    assert accounts_api.call("PUT", "/firm/settings", as_user=ACCOUNTANT, body=settings).status_code == 200

    page = body(accounts_api.call("GET", f"/companies/{cid}", as_user=USER))

    assert all(page["modules"].values()) and set(page["modules"]) == {
        "approvals",
        "payments",
        "financial",
        "reports",
        "communication",
    }
    assert page["accountants"] == [{"name": "Ada Accountant", "email": ACCOUNTANT}]
    assert [link["title"] for link in page["links"]] == ["Tax-on-web"]


def test_the_profile_keeps_which_emails_one_wants(accounts_api, demo_companies):
    changed = accounts_api.call("PATCH", "/me", as_user=USER, body={"emails": "digest", "language": "en"})

    assert changed.status_code == 200
    assert body(accounts_api.call("GET", "/me", as_user=USER))["profile"]["emails"] == "digest"


def test_feedback_is_kept_for_the_firm_and_emailed_to_its_support(accounts_api, demo_companies):
    sent = accounts_api.call("POST", "/feedback", as_user=USER, body={"text": "Super 👍", "page": "/inbox"})

    assert sent.status_code == 201
    (mail,) = sent_messages(REGION)
    assert mail["to"] == ["support@comptoir.local"] and "Super 👍" in mail["body"]
    listed = body(accounts_api.call("GET", "/firm/feedback", as_user=ACCOUNTANT))
    assert [(f["text"], f["by_email"]) for f in listed] == [("Super 👍", USER)]
    assert accounts_api.call("GET", "/firm/feedback", as_user=USER).status_code == 403


def test_the_firm_view_lists_each_company_with_its_counters(accounts_api, demo_companies):
    listed = accounts_api.call("GET", "/firm/companies?sort=name", as_user=ACCOUNTANT)

    assert listed.status_code == 200
    assert [(c["name"], c["conversations_waiting"], c["last_vat_ok"]) for c in body(listed)] == [
        ("Demo SRL", 0, None),
        ("Other BV", 0, None),
    ]
    assert body(accounts_api.call("GET", "/firm/companies", as_user=USER)) == []
