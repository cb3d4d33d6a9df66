"""Modules per company: every route of a module the firm turned off for a company answers 404, found by
walking the route tables (the approvals, payments and reports apps; communication has its own test)."""

import pytest
from chalice.test import Client

from comptoir_core import wiring
from comptoir_core.accounts.modules import Module, write_modules
from comptoir_infra.local.apps import load_app_module
from comptoir_infra.spec import SPEC
from tests.functions.conftest import ADMIN, Api, body
from tests.functions.test_tenancy import COMPANY_ROUTES, SAMPLE_PARAMETERS


def module_of(app_name: str, path: str) -> Module | None:
    """The module a route belongs to; None for the firm's own books push, which no module gates."""
    if app_name == "approvals":
        return Module.approvals
    if app_name == "payments":
        return Module.payments
    if app_name == "reports":
        if "/ledger/" in path:
            return None
        return Module.financial if "/bank/" in path else Module.reports
    return None


GATED = [
    (app, path, method, module_of(app, path))
    for app, _, path, method, _ in COMPANY_ROUTES
    if module_of(app, path) is not None
]


def test_the_walk_finds_a_route_of_every_gated_module():
    assert {module for *_, module in GATED} == {
        Module.approvals,
        Module.payments,
        Module.financial,
        Module.reports,
    }


@pytest.mark.parametrize("app_name,path,method,module", GATED, ids=[f"{a}:{m}:{p}" for a, p, m, _ in GATED])
def test_a_route_of_a_module_turned_off_answers_404(app_name, path, method, module, id_token, demo_companies):
    company = demo_companies["Demo SRL"]
    write_modules(repo=wiring.repository(), company_id=company, changes={module: False}, by="test")
    concrete = path.replace("{cid}", company)
    for name, value in SAMPLE_PARAMETERS.items():
        concrete = concrete.replace("{" + name + "}", value)

    with Client(load_app_module(SPEC.app(app_name)).app) as client:
        response = Api(client, id_token).call(method, concrete, as_user=ADMIN, body={})

    assert response.status_code == 404
    assert "module is off" in body(response)["error"]["message"]
