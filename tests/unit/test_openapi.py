"""The API contract: every route of every app documents its models, and the documents are valid OpenAPI 3.1."""

import pytest
from chalice import Chalice
from openapi_spec_validator import validate
from pydantic import BaseModel

from comptoir_core.openapi_docs import OPENAPI_PATH, UndocumentedRoute, build_openapi, documented, route_doc
from comptoir_infra.local.apps import load_all
from comptoir_infra.openapi import merged_document
from comptoir_infra.spec import SPEC

MODULES = load_all()
ROUTES = [
    (app.name, path, method, entry)
    for app in SPEC.apps
    for path, methods in MODULES[app.name].app.routes.items()
    for method, entry in methods.items()
]


@pytest.mark.parametrize("app_name,path,method,entry", ROUTES, ids=[f"{a}:{m}:{p}" for a, p, m, _ in ROUTES])
def test_every_route_documents_its_models(app_name, path, method, entry):
    doc = route_doc(entry.view_function)

    assert doc is not None, f"{app_name} {method} {path}: add @documented(...) between @app.route and @view"
    if method in ("POST", "PUT", "PATCH") and doc.body is None:
        # A write without a body is fine (send, restore), but then it says what it answers.
        assert doc.answer is not None or doc.status in (202, 204)


def test_a_route_without_documentation_fails_the_document():
    app = Chalice(app_name="comptoir-example")

    @app.route("/things", methods=["GET"])
    def things():
        return {}

    with pytest.raises(UndocumentedRoute, match="GET /things"):
        build_openapi(app, title="example")


def test_each_app_document_is_valid_openapi_3_1_with_its_models_as_schemas():
    for app in SPEC.apps:
        document = build_openapi(MODULES[app.name].app, title=app.name, server_url=f"/{app.base_path}")

        validate(document)
        assert document["openapi"] == "3.1.0"
        assert OPENAPI_PATH in document["paths"]


def test_the_merged_document_puts_every_path_under_its_app_base_path():
    document = merged_document(MODULES)

    validate(document)
    login = document["paths"]["/accounts/login"]["post"]
    assert login["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/LoginRequest"
    }
    assert "security" not in login
    mailbox = document["paths"]["/documents/companies/{cid}/mailboxes/{box}"]["get"]
    assert mailbox["security"] == [{"cognito": []}]
    assert {"401", "404", "400", "200"} <= set(mailbox["responses"])
    assert {p["name"] for p in mailbox["parameters"] if p["in"] == "query"} >= {"cursor", "label"}


def test_two_apps_models_with_one_name_but_different_schemas_both_survive_the_merge():
    class Thing(BaseModel):
        a: int

    def app_with(model, name):
        app = Chalice(app_name=f"comptoir-{name}")

        @app.route("/thing", methods=["GET"])
        @documented(answer=model)
        def thing():
            return {}

        return app

    first = Thing
    second = type("Thing", (BaseModel,), {"__annotations__": {"b": str}})
    modules = {app.name: None for app in SPEC.apps}
    documents = {"accounts": app_with(first, "accounts"), "documents": app_with(second, "documents")}

    class Module:
        def __init__(self, app):
            self.app = app

    for name in modules:
        modules[name] = Module(documents.get(name) or Chalice(app_name=f"comptoir-{name}"))

    merged = merged_document(modules)

    schemas = merged["components"]["schemas"]
    assert set(schemas["Thing"]["properties"]) == {"a"}
    assert set(schemas["documents_Thing"]["properties"]) == {"b"}
    answer = merged["paths"]["/documents/thing"]["get"]["responses"]["200"]["content"]["application/json"]
    assert answer["schema"] == {"$ref": "#/components/schemas/documents_Thing"}
