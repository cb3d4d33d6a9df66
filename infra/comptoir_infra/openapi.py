"""The whole API's OpenAPI 3.1 document: every app's own document, its paths under the app's base path.

Served by the local stack at /openapi.json, written by `comptoir openapi` (the web app types its client
from it). Each app serves its own at /<base path>/openapi.json (comptoir_core.openapi_docs).
"""

import json
from types import ModuleType

from comptoir_core.openapi_docs import build_openapi
from comptoir_infra.spec import SPEC

SCHEMA_REF = "#/components/schemas/"


def app_document(app_name: str, module: ModuleType) -> dict:
    return build_openapi(
        module.app, title=f"Comptoir {app_name}", server_url=f"/{SPEC.app(app_name).base_path}"
    )


def merged_document(modules: dict[str, ModuleType]) -> dict:
    """One document for every app. A schema name two apps use for different schemas is prefixed with
    the app's name in that app's paths, so no app's model silently stands for another's."""
    paths: dict[str, dict] = {}
    schemas: dict[str, dict] = {}
    security_schemes: dict[str, dict] = {}
    for app in SPEC.apps:
        document = app_document(app.name, modules[app.name])
        renames = {
            name: f"{app.name}_{name}"
            for name, schema in document["components"]["schemas"].items()
            if name in schemas and schemas[name] != schema
        }
        text = json.dumps(document)
        for old, new in renames.items():
            text = text.replace(f'"{SCHEMA_REF}{old}"', f'"{SCHEMA_REF}{new}"')
        document = json.loads(text)
        for name, schema in document["components"]["schemas"].items():
            schemas[renames.get(name, name)] = schema
        security_schemes.update(document["components"]["securitySchemes"])
        for path, operations in document["paths"].items():
            for operation in operations.values():
                operation["operationId"] = f"{app.name}_{operation['operationId']}"
                operation.setdefault("tags", [app.base_path])
            paths[f"/{app.base_path}{path}"] = operations
    return {
        "openapi": "3.1.0",
        "info": {"title": "Comptoir", "version": "1"},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": security_schemes},
    }
