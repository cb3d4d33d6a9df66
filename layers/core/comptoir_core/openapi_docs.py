"""What each route documents about itself, for the OpenAPI 3.1 document built from every app's route table.

A route states its models once, beside its handler:

    @app.route("/companies/{cid}/things", methods=["POST"], authorizer=authorizer)
    @documented(body=ThingCreate, answer=ThingRead, status=201, errors=(400, 404, 409))
    @view
    def create_thing(cid): ...

`body` and `query` are pydantic models (or None); `answer` is a pydantic model, `list[Model]`, a media type
string for a binary answer ("application/pdf", "image/png"), or None for an empty one. `errors` are the
statuses the route may answer besides its success (401 and 500 are implied for every protected route).
The generator reads `route_doc(view_function)`; a route without one is a test failure.
"""

import re
from dataclasses import dataclass, field
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

ATTRIBUTE = "__comptoir_openapi__"


@dataclass(frozen=True)
class RouteDoc:
    summary: str = ""
    body: Any = None
    query: Any = None
    answer: Any = None
    status: int = 200
    errors: tuple[int, ...] = ()
    body_media_types: tuple[str, ...] = ("application/json",)
    # Other successful answers, by status: {202: JobAccepted} beside a 200, {303: None} for a redirect.
    other_answers: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


def documented(
    *,
    summary: str = "",
    body: Any = None,
    query: Any = None,
    answer: Any = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    body_media_types: tuple[str, ...] = ("application/json",),
    other_answers: dict | None = None,
    **extra: Any,
):
    """Attach a route's documentation to its handler (the function Chalice's route table holds)."""

    def mark(function):
        setattr(
            function,
            ATTRIBUTE,
            RouteDoc(
                summary=summary or (function.__doc__ or "").strip().split("\n")[0],
                body=body,
                query=query,
                answer=answer,
                status=status,
                errors=tuple(errors),
                body_media_types=tuple(body_media_types),
                other_answers=dict(other_answers or {}),
                extra=extra,
            ),
        )
        return function

    return mark


def route_doc(function) -> RouteDoc | None:
    return getattr(function, ATTRIBUTE, None)


# ---- the OpenAPI 3.1 document of one app, from its route table ----------------------------------

OPENAPI_PATH = "/openapi.json"
PATH_PARAMETER = re.compile(r"{(\w+)}")
ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {},
            },
        }
    },
}
REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No content",
    303: "See other: a short-lived URL to the content",
    400: "Bad input",
    401: "No or bad token",
    403: "The caller's role does not allow it",
    404: "Absent, or another company's",
    405: "Method not allowed",
    409: "State conflict",
    410: "Gone",
    413: "Too large",
    415: "Unsupported media type",
    500: "Our fault, logged",
}


class UndocumentedRoute(Exception):
    """A route without `documented(...)`: the OpenAPI document would lie about it."""


def build_openapi(app, *, title: str, server_url: str = "/") -> dict:
    """The app's OpenAPI 3.1 document: every route of `app.routes` with its documented models."""
    models: dict[tuple[Any, str], None] = {}
    operations: list[tuple[str, str, Any, RouteDoc]] = []
    for path, methods in sorted(app.routes.items()):
        for method, entry in sorted(methods.items()):
            doc = route_doc(entry.view_function)
            if doc is None:
                raise UndocumentedRoute(f"{method} {path} ({entry.view_name}) has no documented(...)")
            operations.append((path, method, entry, doc))
            answers = [(doc.answer, "serialization")] + [
                (a, "serialization") for a in doc.other_answers.values()
            ]
            for model, mode in [(doc.body, "validation"), *answers]:
                inner = _model_of(model)
                if inner is not None:
                    models[(inner, mode)] = None
            if _model_of(doc.query) is not None:
                models[(doc.query, "validation")] = None
    refs, definitions = models_json_schema(list(models), ref_template="#/components/schemas/{model}")
    schemas = {**definitions.get("$defs", {}), "Error": ERROR_SCHEMA}
    paths: dict[str, dict] = {}
    for path, method, entry, doc in operations:
        paths.setdefault(path, {})[method.lower()] = _operation(path, method, entry, doc, refs, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1"},
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "cognito": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "The Cognito id token from POST /accounts/login",
                }
            },
        },
    }


def publish_openapi(app, *, title: str) -> None:
    """Serve the app's own document at /openapi.json, without a token (it holds no data)."""

    @app.route(OPENAPI_PATH, methods=["GET"])
    @documented(summary="This API's OpenAPI 3.1 document", answer=dict)
    def openapi_document():
        from chalice import Response

        # Every app is mounted at its name's base path ("comptoir-split-merge" at /split-merge).
        server_url = "/" + app.app_name.removeprefix("comptoir-")
        document = build_openapi(app, title=title, server_url=server_url)
        return Response(body=document, headers={"Content-Type": "application/json"})


def _model_of(value: Any):
    """The pydantic model inside `Model` or `list[Model]`, else None."""
    if isinstance(value, type) and issubclass(value, BaseModel):
        return value
    if get_origin(value) is list:
        (item,) = get_args(value)
        return _model_of(item)
    return None


def _schema_of(value: Any, mode: str, refs: dict) -> dict:
    inner = _model_of(value)
    if inner is None:
        return {"type": "object"}
    schema = refs[(inner, mode)]
    return {"type": "array", "items": schema} if get_origin(value) is list else schema


def _operation(path: str, method: str, entry, doc: RouteDoc, refs: dict, schemas: dict) -> dict:
    protected = entry.authorizer is not None
    operation: dict[str, Any] = {
        "operationId": entry.view_name,
        "summary": doc.summary or entry.view_name.replace("_", " "),
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
            for name in PATH_PARAMETER.findall(path)
        ],
        "responses": {},
    }
    if protected:
        operation["security"] = [{"cognito": []}]
    query_model = _model_of(doc.query)
    if query_model is not None:
        query_schema = refs[(query_model, "validation")]
        resolved = schemas.get(query_schema["$ref"].rsplit("/", 1)[-1], {})
        required = set(resolved.get("required", []))
        for name, schema in resolved.get("properties", {}).items():
            operation["parameters"].append(
                {"name": name, "in": "query", "required": name in required, "schema": schema}
            )
    if doc.body is not None:
        content = {}
        for media_type in doc.body_media_types:
            if media_type == "application/json":
                content[media_type] = {"schema": _schema_of(doc.body, "validation", refs)}
            elif media_type == "multipart/form-data":
                binary = {"type": "string", "format": "binary"}
                content[media_type] = {"schema": {"type": "object", "properties": {"file": binary}}}
            else:
                content[media_type] = {"schema": {"type": "string", "format": "binary"}}
        operation["requestBody"] = {"required": True, "content": content}
    operation["responses"][str(doc.status)] = _success(doc.status, doc.answer, refs)
    for status, answer in doc.other_answers.items():
        operation["responses"][str(status)] = _success(status, answer, refs)
    errors = set(doc.errors)
    if protected:
        errors.add(401)
    if doc.body is not None or query_model is not None:
        errors.add(400)
    if PATH_PARAMETER.search(path) and protected:
        errors.add(404)
    for status in sorted(errors):
        operation["responses"][str(status)] = {
            "description": REASONS.get(status, "Error"),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    operation["responses"]["500"] = {
        "description": REASONS[500],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return operation


def _success(status: int, answer: Any, refs: dict) -> dict:
    response: dict[str, Any] = {"description": REASONS.get(status, "OK")}
    if answer is None:
        return response
    if isinstance(answer, str):
        response["content"] = {answer: {"schema": {"type": "string", "format": "binary"}}}
    elif answer is dict:
        response["content"] = {"application/json": {"schema": {"type": "object"}}}
    else:
        response["content"] = {"application/json": {"schema": _schema_of(answer, "serialization", refs)}}
    return response
