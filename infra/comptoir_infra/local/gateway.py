"""One HTTP gateway for every Chalice app, at its base path, with API Gateway's token check."""

import base64
import json
import logging
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import ModuleType
from urllib.parse import urlsplit

from chalice import CognitoUserPoolAuthorizer
from chalice.config import Config
from chalice.local import LocalGateway, RouteMatcher

from comptoir_core.openapi_docs import OPENAPI_PATH
from comptoir_infra.local.tokens import InvalidToken, TokenVerifier
from comptoir_infra.local.web import WebApp
from comptoir_infra.openapi import merged_document
from comptoir_infra.spec import SPEC

logger = logging.getLogger("comptoir.gateway")
# API Gateway's payload limit, and Lambda's for a synchronous invocation's event and its answer. A binary
# body travels base64-encoded inside the JSON event, so a 4.5 MB upload is already over Lambda's 6 MB:
# the gateway checks what AWS would check, after encoding, so what passes here passes there.
MAX_BODY_BYTES = 10 * 1024 * 1024
LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024


def _request_per_thread(app) -> None:
    """Chalice keeps the request being handled on the app object (`app.current_request`, and its
    `lambda_context`): fine in Lambda, one request at a time per instance, but this gateway serves requests
    in threads, so a GET polling a list could replace a concurrent POST's request (its body, its caller)
    under the view. Each thread sees its own, and requests to one app still run side by side as Lambda's
    instances do."""
    cls = type(app)
    if getattr(cls, "_request_per_thread", False):
        return
    local = threading.local()
    app.__class__ = type(
        cls.__name__,
        (cls,),
        {
            "_request_per_thread": True,
            "current_request": property(
                lambda self: getattr(local, "request", None),
                lambda self, request: setattr(local, "request", request),
            ),
            "lambda_context": property(
                lambda self: getattr(local, "context", None),
                lambda self, context: setattr(local, "context", context),
            ),
        },
    )


class Mount:
    """One Chalice app behind its base path."""

    def __init__(self, module: ModuleType):
        self.app = module.app
        _request_per_thread(self.app)
        self.gateway = LocalGateway(self.app, Config(chalice_stage="dev"))
        self.matcher = RouteMatcher(list(self.app.routes))

    def methods(self, path: str) -> dict:
        """The route entries of the path by method; empty when no route matches."""
        try:
            return self.app.routes[self.matcher.match_route(path).route]
        except ValueError:
            return {}


class Gateway:
    def __init__(
        self,
        *,
        modules: dict[str, ModuleType],
        verifier: TokenVerifier,
        host: str,
        port: int,
        local_pages: dict | None = None,
        upload_origin: str | None = None,
    ):
        # Pages only the local stack serves (the outbox), by path: callable(query) -> (status, headers, body).
        self.local_pages = local_pages or {}
        self.mounts = {app.base_path: Mount(modules[app.name]) for app in SPEC.apps}
        self.verifier = verifier
        # The portal at / (comptoir_infra.local.web); its CSP lets it send presigned uploads to upload_origin.
        self.web = WebApp(upload_origin=upload_origin)
        self.modules = modules
        self._openapi: dict | None = None
        self.ready = threading.Event()
        self.server = ThreadingHTTPServer((host, port), _handler_for(self))
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, name="gateway", daemon=True)

    def openapi(self) -> dict:
        """The whole API's document, every app's paths under its base path (made once)."""
        if self._openapi is None:
            self._openapi = merged_document(self.modules)
        return self._openapi

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def handle(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict, bytes]:
        url = urlsplit(target)
        if url.path == "/health":
            if self.ready.is_set():
                return _json(200, {"status": "ok"})
            return _json(503, {"status": "starting"})
        if url.path == OPENAPI_PATH and method == "GET":
            return _json(200, self.openapi())
        if url.path in self.local_pages and method == "GET":
            return self.local_pages[url.path](url.query)
        base, _, rest = url.path.lstrip("/").partition("/")
        mount = self.mounts.get(base)
        app_path = "/" + rest
        if mount is None:
            if (page := self.web.serve(method, url.path)) is not None:
                return page
            return _error(404, "not_found", f"no such path: {url.path}")
        methods = mount.methods(app_path)
        if not methods:
            return _error(404, "not_found", f"no such path: {url.path}")
        if method not in methods:
            status, headers, payload = _error(
                405, "method_not_allowed", f"{method} is not allowed on {url.path}"
            )
            return status, {**headers, "Allow": ", ".join(sorted(methods))}, payload
        if isinstance(methods[method].authorizer, CognitoUserPoolAuthorizer):
            try:
                self.verifier.verify(headers.get("authorization"))
            except InvalidToken as error:
                return _error(401, "unauthorized", str(error))
            headers["authorization"] = headers["authorization"].removeprefix("Bearer ").strip()
        query = f"?{url.query}" if url.query else ""
        if _event_bytes(headers, body) > LAMBDA_PAYLOAD_BYTES:
            message = "the request is over Lambda's 6 MB limit: send large files by a presigned upload"
            return _error(413, "too_large", message)
        response = mount.gateway.handle_request(method, app_path + query, headers, body)
        if len(json.dumps(response, default=str)) > LAMBDA_PAYLOAD_BYTES:
            # What Lambda does with such an answer: API Gateway says 502, the client learns nothing more.
            logger.error("answer over Lambda's 6 MB limit: %s %s", method, url.path)
            return _error(502, "answer_too_large", "the answer is over Lambda's 6 MB limit")
        payload = response.get("body") or b""
        if response.get("isBase64Encoded"):
            payload = base64.b64decode(payload)
        elif isinstance(payload, str):
            payload = payload.encode()
        out_headers = dict(response.get("headers") or {})
        for name, values in (response.get("multiValueHeaders") or {}).items():
            out_headers[name] = ", ".join(values)
        return response["statusCode"], out_headers, payload


def _event_bytes(headers: dict[str, str], body: bytes) -> int:
    """About the size of the Lambda event API Gateway would make of this request. The APIs' binary media
    types are `*/*` (stack.py): every body, JSON included, reaches the function base64-encoded."""
    encoded = 4 * ((len(body) + 2) // 3)
    return encoded + len(json.dumps(headers)) + 2048


def _json(status: int, body: dict) -> tuple[int, dict, bytes]:
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def _error(status: int, code: str, message: str) -> tuple[int, dict, bytes]:
    return _json(status, {"error": {"code": code, "message": message}})


def _discard(stream, length: int, chunk: int = 1 << 20) -> None:
    while length > 0:
        read = stream.read(min(chunk, length))
        if not read:
            return
        length -= len(read)


def _handler_for(gateway: Gateway):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "comptoir-local"

        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                _discard(self.rfile, length)  # so the client hears the answer instead of a broken pipe
                self.close_connection = True
                status, headers, payload = _error(413, "too_large", "the request body is over 10 MB")
            else:
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                request_id = headers.setdefault("x-request-id", str(uuid.uuid4()))
                try:
                    status, headers, payload = gateway.handle(self.command, self.path, headers, body)
                except Exception:  # the gateway must answer, whatever an app did
                    status, headers, payload = _error(500, "internal", "the gateway failed")
                headers = {**headers, "X-Request-Id": request_id}
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() not in ("content-length", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        def __getattr__(self, name: str):
            # Every method (TRACE, QUERY, anything) reaches the gateway, which answers 405 with Allow for a
            # method a path has no route for, as API Gateway does: never the standard library's bare 501.
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

        def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
            pass

    return Handler
