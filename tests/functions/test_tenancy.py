"""Tenancy, for every route of every app, found by walking the route tables: routes added later are
covered without anyone remembering to add them here."""

import pytest
from chalice import CognitoUserPoolAuthorizer

from comptoir_core.openapi_docs import OPENAPI_PATH
from comptoir_infra.local.apps import load_app_module
from comptoir_infra.spec import SPEC
from tests.functions.conftest import OTHER_ADMIN, Api, body

# Routes that must answer without a token: signing in and refreshing a session; Dropbox's webhook
# (signed with the app secret) and the OAuth redirect (its signed, single-use state vouches).
PUBLIC_ROUTES = {
    ("accounts", "/login", "POST"),
    ("accounts", "/refresh", "POST"),
    ("dropbox_notifications", "/webhook", "GET"),
    ("dropbox_notifications", "/webhook", "POST"),
    ("dropbox_webhook", "/oauth/callback", "GET"),
    # An invitation's single-use token vouches; Cognito's forgotten-password flow answers alike for all.
    ("accounts", "/invitations/{token}", "POST"),
    ("accounts", "/invitations/{token}", "GET"),
    ("accounts", "/password/rules", "GET"),
    ("accounts", "/password/forgot", "POST"),
    ("accounts", "/password/reset", "POST"),
}

# A plausible value for each kind of path parameter, so the request reaches the membership check.
SAMPLE_PARAMETERS = {
    "box": "purchase",
    "did": "doc_01jd0000000000000000000000",
    "n": "1",
    "mid": "ml_01jd0000000000000000000000",
    "jid": "job_01jd0000000000000000000000",
    "fiscal_year": "2025",
    "iid": "imp_01jd0000000000000000000000",
    "rid": "rep_01jd0000000000000000000000",
    "conv": "cv_01jd0000000000000000000000",
    "aid": "att_01jd0000000000000000000000",
    "period": "2026-Q3",
    "uid": "00000000-0000-0000-0000-000000000000",
    "pid": "pay_01jd0000000000000000000000",
    "fid": "sf_01jd0000000000000000000000",
}


def _routes():
    for app in SPEC.apps:
        module = load_app_module(app)
        for path, methods in module.app.routes.items():
            for method, entry in methods.items():
                yield app.name, module, path, method, entry


ALL_ROUTES = list(_routes())
COMPANY_ROUTES = [r for r in ALL_ROUTES if "{cid}" in r[2]]


def test_the_walk_finds_the_company_scoped_routes():
    assert {(app, path) for app, _, path, _, _ in COMPANY_ROUTES} >= {
        ("accounts", "/companies/{cid}"),
        ("accounts", "/companies/{cid}/settings"),
        ("documents", "/companies/{cid}/mailboxes"),
    }


@pytest.mark.parametrize(
    "app_name,path,method,entry",
    [(a, p, m, e) for a, _, p, m, e in ALL_ROUTES],
    ids=[f"{a}:{m}:{p}" for a, _, p, m, _ in ALL_ROUTES],
)
def test_every_route_but_signing_in_needs_a_token(app_name, path, method, entry):
    if (app_name, path, method) in PUBLIC_ROUTES or (path, method) == (OPENAPI_PATH, "GET"):
        assert entry.authorizer is None
    else:
        assert isinstance(entry.authorizer, CognitoUserPoolAuthorizer)


@pytest.mark.parametrize(
    "app_name,path,method",
    [(a, p, m) for a, _, p, m, _ in COMPANY_ROUTES],
    ids=[f"{a}:{m}:{p}" for a, _, p, m, _ in COMPANY_ROUTES],
)
def test_a_user_of_another_company_gets_404_on_every_company_route(
    app_name, path, method, id_token, demo_companies
):
    from chalice.test import Client

    concrete = path.replace("{cid}", demo_companies["Demo SRL"])
    for name, value in SAMPLE_PARAMETERS.items():
        concrete = concrete.replace("{" + name + "}", value)
    assert "{" not in concrete, f"add a sample value for the parameter in {path}"
    module = load_app_module(SPEC.app(app_name))

    with Client(module.app) as client:
        response = Api(client, id_token).call(method, concrete, as_user=OTHER_ADMIN, body={})

    assert response.status_code == 404
    assert body(response)["error"]["code"] == "not_found"
