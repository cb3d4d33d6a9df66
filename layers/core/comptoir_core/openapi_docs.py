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

from dataclasses import dataclass, field
from typing import Any

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
                extra=extra,
            ),
        )
        return function

    return mark


def route_doc(function) -> RouteDoc | None:
    return getattr(function, ATTRIBUTE, None)
