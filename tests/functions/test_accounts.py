"""accounts: sign-in, profile, companies and settings, through the Chalice app against moto."""

from tests.conftest import DEMO_PASSWORD
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
