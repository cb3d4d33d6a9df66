"""What every Chalice app shares at its edge: the authorizer, the caller, bodies and errors.

Chalice middleware does not see a view's exceptions, so `view` maps them, once, for every route.
"""

import functools
import json
import os
from typing import TypeVar

from chalice import CognitoUserPoolAuthorizer, Response
from pydantic import BaseModel, ValidationError

from comptoir_core import wiring
from comptoir_core.accounts.modules import require_module
from comptoir_core.errors import DomainError, Invalid, Unauthorized
from comptoir_core.observability import logger
from comptoir_core.tenancy import Caller, authorize

# CDK replaces the provider ARN in each API's definition with the real pool's; the value here
# only matters to `chalice package`, which runs without AWS.
authorizer = CognitoUserPoolAuthorizer(
    "cognito",
    provider_arns=[
        os.environ.get("COMPTOIR_USER_POOL_ARN", "arn:aws:cognito-idp:eu-west-1:000000000000:userpool/unset")
    ],
)

Model = TypeVar("Model", bound=BaseModel)


def error_response(status: int, code: str, message: str, details: object | None = None) -> Response:
    error: dict = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return Response(body={"error": error}, status_code=status, headers={"Content-Type": "application/json"})


def view(function):
    """Wrap a route: domain errors and bad bodies become the JSON error with the right status."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except DomainError as error:
            return error_response(error.status, error.code, error.message, error.details)
        except Exception:  # a bug or an outage, never the caller's fault: no detail leaves
            logger.exception("unhandled error in view")
            return error_response(500, "internal", "something went wrong on our side")

    return wrapper


def caller_of(request) -> Caller:
    claims = ((request.context or {}).get("authorizer") or {}).get("claims") or {}
    if not claims.get("sub") or claims.get("token_use") != "id":
        raise Unauthorized("an id token is required")
    return Caller(user_id=claims["sub"], email=claims.get("email", ""))


def caller_in_company(request, company_id: str, *, module: str | None = None) -> Caller:
    """The caller of a company-scoped route, checked to be a member before anything of the request is
    read: a stranger gets 404 whatever the body. Every log line of the request names the company.
    A route of a module (approvals, payments, financial, reports, communication) is a 404 too while the
    firm has that module off for the company. (Services still check the role their use case needs.)"""
    logger.append_keys(company_id=company_id)
    caller = caller_of(request)
    authorize(repo=wiring.repository(), caller=caller, company_id=company_id)
    if module is not None:
        require_module(repo=wiring.repository(), company_id=company_id, module=module)
    return caller


def parse_body(request, model: type[Model]) -> Model:
    raw = request.raw_body or b""
    if not raw.strip():
        raise Invalid("a JSON body is required")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise Invalid("the body is not valid JSON") from error
    try:
        return model.model_validate(data)
    except ValidationError as error:
        # Only the request's own validation is the caller's fault (400); any other is ours (500).
        raise Invalid("the request is not valid", details=_validation_details(error)) from error


def parse_query(request, model: type[Model]) -> Model:
    """Query parameters into a model; unknown or bad parameters are a 400 naming them."""
    try:
        return model.model_validate(dict(request.query_params or {}))
    except ValidationError as error:
        raise Invalid("the query is not valid", details=_validation_details(error)) from error


def dump(value: BaseModel | list[BaseModel], status: int = 200) -> Response:
    if isinstance(value, list):
        body = [item.model_dump(mode="json") for item in value]
    else:
        body = value.model_dump(mode="json")
    return Response(body=body, status_code=status, headers={"Content-Type": "application/json"})


def _validation_details(error: ValidationError) -> list[dict]:
    return [
        {"field": ".".join(str(part) for part in issue["loc"]), "problem": issue["msg"]}
        for issue in error.errors(include_url=False, include_input=False)
    ]
