"""What every request and answer goes through at the edge, whatever route (or no route) answers.

- A request without an Accept header accepts anything (`*/*`), as HTTP says: Chalice would otherwise
  refuse a binary answer (a PDF, a page image) to a client that sent none.
- The framework's own errors (unsupported media type, method not allowed, a binary answer refused) leave
  in our `{"error": {code, message}}` shape, like every other error.
"""

from chalice.app import CaseInsensitiveMapping

# Chalice's error names (its `Code`) and ours.
FRAMEWORK_CODES = {
    "BadRequest": "bad_request",
    "BadRequestError": "bad_request",
    "UnsupportedMediaType": "unsupported_media_type",
    "MethodNotAllowedError": "method_not_allowed",
    "NotFoundError": "not_found",
    "UnauthorizedError": "unauthorized",
    "ForbiddenError": "forbidden",
    "ConflictError": "conflict",
    "RequestTimeoutError": "timeout",
    "TooManyRequestsError": "too_many_requests",
    "InternalServerError": "internal",
}


def accept_anything_by_default(request) -> None:
    headers = request.headers
    if headers is not None and not headers.get("accept"):
        request.headers = CaseInsensitiveMapping({**dict(headers), "accept": "*/*"})


def in_our_error_shape(response):
    """A Chalice error answer (`{"Code", "Message"}`) rewritten as ours; any other answer unchanged."""
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and set(body) == {"Code", "Message"}:
        code = FRAMEWORK_CODES.get(body["Code"], "error")
        response.body = {"error": {"code": code, "message": body["Message"]}}
        response.headers = {**response.headers, "Content-Type": "application/json"}
    return response
