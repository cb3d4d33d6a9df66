"""A local fake of the Dropbox API v2. A TEST TOOL ONLY: Dropbox cannot be reached from the tests.

It serves, over HTTPS with a self-signed certificate made at start, the endpoints Comptoir calls, on
four listeners as Dropbox spreads them over four hosts, with their documented shapes
(https://www.dropbox.com/developers/documentation/http/documentation):

- www (browser):    GET  /oauth2/authorize            consent is given at once, as `signed_in` (or refused)
- api (RPC):        POST /oauth2/token                authorization_code (with the PKCE verifier), refresh_token
                    POST /2/users/get_current_account
                    POST /2/files/list_folder, /2/files/list_folder/continue
                    POST /2/files/delete_v2, /2/files/create_folder_v2
                    POST /2/auth/token/revoke
- content:          POST /2/files/download            argument in Dropbox-API-Arg, metadata in Dropbox-API-Result
- notify:           POST /2/files/list_folder/longpoll (no authentication)

Errors come as Dropbox sends them: 401 `expired_access_token` / `invalid_access_token`, 429 with
Retry-After, 409 route errors (`path/not_found`, `path_lookup/not_found`, `path/conflict/folder`,
`reset`), 400 `invalid_grant` from the token endpoint. Every account sees only its app folder: paths
are relative to it, as with an "App folder" Dropbox app. Test code drives it through the methods under
"test controls": put files, expire or revoke tokens, inject a rate limit.
"""

import base64
import datetime
import hashlib
import http.server
import ipaddress
import json
import secrets
import ssl
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

HOST = "127.0.0.1"
BLOCK = 4 * 1024 * 1024


def content_hash(data: bytes) -> str:
    """Dropbox's content hash: SHA-256 of the concatenated SHA-256 digests of each 4 MiB block."""
    blocks = b"".join(hashlib.sha256(data[i : i + BLOCK]).digest() for i in range(0, len(data), BLOCK))
    return hashlib.sha256(blocks).hexdigest()


class DropboxError(Exception):
    def __init__(self, status: int, body: dict, headers: dict[str, str] | None = None):
        self.status, self.body, self.headers = status, body, headers or {}


def route_error(summary: str, error: dict) -> DropboxError:
    return DropboxError(409, {"error_summary": summary + "/..", "error": error})


def lookup_not_found(tag: str) -> DropboxError:
    return route_error(f"{tag}/not_found", {".tag": tag, tag: {".tag": "not_found"}})


def auth_error(tag: str) -> DropboxError:
    return DropboxError(401, {"error_summary": f"{tag}/..", "error": {".tag": tag}})


def bad_input(message: str) -> DropboxError:
    return DropboxError(400, {"error": message})


@dataclass
class Entry:
    path_display: str
    id: str
    is_folder: bool
    content: bytes = b""
    rev: str = ""
    modified: str = ""

    @property
    def name(self) -> str:
        return self.path_display.rsplit("/", 1)[-1]

    def metadata(self) -> dict:
        base = {"name": self.name, "id": self.id, "path_lower": self.path_display.lower()}
        base["path_display"] = self.path_display
        if self.is_folder:
            return {".tag": "folder", **base}
        return {
            ".tag": "file",
            **base,
            "client_modified": self.modified,
            "server_modified": self.modified,
            "rev": self.rev,
            "size": len(self.content),
            "is_downloadable": True,
            "content_hash": content_hash(self.content),
        }


@dataclass
class Account:
    account_id: str
    email: str
    name: str
    entries: dict[str, Entry] = field(default_factory=dict)  # by path_lower, "" is the app folder
    changes: list[tuple[int, str]] = field(default_factory=list)  # (seq, path_lower)
    seq: int = 0


@dataclass
class Grant:
    """What one consent gave: a refresh token and the access tokens made from it."""

    account_id: str
    refresh_token: str
    revoked: bool = False


class FakeDropbox:
    def __init__(self, *, app_key: str = "fake-app-key", app_secret: str = "fake-app-secret"):  # noqa: S107
        self.app_key = app_key
        self.app_secret = app_secret
        self.access_token_lifetime_s = 14400
        self.page_size = 2000
        self.signed_in: str | None = None  # the account that consents at /oauth2/authorize
        self.refuse_consent = False
        self.calls: list[str] = []  # "host route", in order
        self._accounts: dict[str, Account] = {}
        self._codes: dict[str, dict] = {}
        self._grants: dict[str, Grant] = {}  # by refresh token
        self._access: dict[str, tuple[Grant, float]] = {}  # token -> (grant, expires at)
        self._rate_limits: dict[str, list[int]] = {}
        self._lock = threading.Condition()
        self._dir = Path(tempfile.mkdtemp(prefix="fake-dropbox-"))
        self.ca_bundle = str(self._dir / "cert.pem")
        self._servers: dict[str, http.server.ThreadingHTTPServer] = {}
        self._stopped = False

    # ---- lifecycle ----------------------------------------------------------------------------

    def start(self) -> "FakeDropbox":
        context = _tls_context(self._dir)
        for host in ("api", "content", "notify", "www"):
            server = http.server.ThreadingHTTPServer((HOST, 0), _handler(self, host))
            server.daemon_threads = True
            server.socket = context.wrap_socket(server.socket, server_side=True)
            threading.Thread(target=server.serve_forever, name=f"fake-dropbox-{host}", daemon=True).start()
            self._servers[host] = server
        return self

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            self._lock.notify_all()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()

    def __enter__(self) -> "FakeDropbox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def host(self, name: str) -> str:
        return f"{HOST}:{self._servers[name].server_address[1]}"

    def settings_env(self) -> dict[str, str]:
        """The COMPTOIR_ settings that point the SDK (comptoir_core.dropbox.client) at this fake."""
        return {
            "COMPTOIR_DROPBOX_APP_KEY": self.app_key,
            "COMPTOIR_DROPBOX_APP_SECRET": self.app_secret,
            "COMPTOIR_DROPBOX_API_HOST": self.host("api"),
            "COMPTOIR_DROPBOX_CONTENT_HOST": self.host("content"),
            "COMPTOIR_DROPBOX_NOTIFY_HOST": self.host("notify"),
            "COMPTOIR_DROPBOX_WEB_HOST": self.host("www"),
            "COMPTOIR_DROPBOX_CA_BUNDLE": self.ca_bundle,
        }

    # ---- test controls ------------------------------------------------------------------------

    def add_account(self, email: str, name: str) -> str:
        account_id = "dbid:" + secrets.token_urlsafe(26)[:35]
        with self._lock:
            self._accounts[account_id] = Account(account_id, email, name, {"": Entry("", "id:root", True)})
        return account_id

    def put_file(self, account_id: str, path: str, content: bytes) -> dict:
        """A file appears in the account's app folder (as the desktop client would put it)."""
        with self._lock:
            account = self._accounts[account_id]
            self._make_parents(account, path)
            entry = Entry(path, _new_id(), False, content, secrets.token_hex(8) + "0", _now_iso())
            account.entries[path.lower()] = entry
            self._changed(account, path.lower())
            return entry.metadata()

    def exists(self, account_id: str, path: str) -> bool:
        with self._lock:
            return path.lower() in self._accounts[account_id].entries

    def paths(self, account_id: str) -> list[str]:
        with self._lock:
            return sorted(e.path_display for k, e in self._accounts[account_id].entries.items() if k)

    def delete_path(self, account_id: str, path: str) -> None:
        """The user deletes a file or folder (with what it holds)."""
        with self._lock:
            account = self._accounts[account_id]
            for key in [k for k in account.entries if k == path.lower() or k.startswith(path.lower() + "/")]:
                del account.entries[key]
                self._changed(account, key)

    def expire_access_tokens(self) -> None:
        """Every access token handed out so far is now expired (refresh tokens still work)."""
        with self._lock:
            self._access = {token: (grant, 0.0) for token, (grant, _) in self._access.items()}

    def revoke_app(self, account_id: str) -> None:
        """The user removes the app from their Dropbox: every token of theirs stops working."""
        with self._lock:
            for grant in self._grants.values():
                if grant.account_id == account_id:
                    grant.revoked = True

    def rate_limit(self, route: str, *, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls of `route` (e.g. "files/download") get 429 with Retry-After."""
        with self._lock:
            self._rate_limits[route] = [retry_after] * times

    def reset_controls(self) -> None:
        """Forget what earlier tests set: consent, paging, injected rate limits, the call log."""
        with self._lock:
            self.signed_in = None
            self.refuse_consent = False
            self.page_size = 2000
            self._rate_limits.clear()
            self.calls.clear()

    def count(self, call: str) -> int:
        return sum(1 for c in self.calls if c.endswith(call))

    # ---- state changes ------------------------------------------------------------------------

    def _changed(self, account: Account, path_lower: str) -> None:
        account.seq += 1
        account.changes.append((account.seq, path_lower))
        self._lock.notify_all()

    def _make_parents(self, account: Account, path: str) -> None:
        parts = path.strip("/").split("/")[:-1]
        for i in range(1, len(parts) + 1):
            folder = "/" + "/".join(parts[:i])
            if folder.lower() not in account.entries:
                account.entries[folder.lower()] = Entry(folder, _new_id(), True)
                self._changed(account, folder.lower())

    # ---- the API ------------------------------------------------------------------------------

    def handle(self, host: str, method: str, target: str, headers, body: bytes) -> tuple[int, dict, bytes]:
        url = urlsplit(target)
        route = url.path.removeprefix("/2/") if url.path.startswith("/2/") else url.path
        self.calls.append(f"{host} {route}")
        try:
            handler = ROUTES.get((host, method, url.path))
            if handler is None:
                raise DropboxError(404, {"error": f"Unknown API function: {url.path}"})
            with self._lock:
                limits = self._rate_limits.get(route)
                if limits:
                    retry_after = limits.pop(0)
                    raise DropboxError(
                        429,
                        {
                            "error_summary": "too_many_requests/..",
                            "error": {"reason": {".tag": "too_many_requests"}, "retry_after": retry_after},
                        },
                        {"Retry-After": str(retry_after)},
                    )
            return handler(self, url=url, headers=headers, body=body)
        except DropboxError as error:
            payload = json.dumps(error.body).encode()
            return error.status, {"Content-Type": "application/json", **error.headers}, payload

    def _account_of(self, headers) -> Account:
        value = headers.get("Authorization", "")
        if not value.startswith("Bearer "):
            raise DropboxError(400, {"error": "Error in call: missing Authorization header"})
        with self._lock:
            found = self._access.get(value.removeprefix("Bearer "))
            if found is None or found[0].revoked:
                raise auth_error("invalid_access_token")
            grant, expires_at = found
            if expires_at <= time.time():
                raise auth_error("expired_access_token")
            return self._accounts[grant.account_id]

    def _issue(self, grant: Grant) -> dict:
        token = "sl." + secrets.token_urlsafe(32)
        self._access[token] = (grant, time.time() + self.access_token_lifetime_s)
        return {"access_token": token, "token_type": "bearer", "expires_in": self.access_token_lifetime_s}

    # www
    def authorize(self, *, url, headers, body):
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if query.get("client_id") != self.app_key or query.get("response_type") != "code":
            raise bad_input("invalid client_id or response_type")
        redirect = query.get("redirect_uri")
        if not redirect:
            raise bad_input("redirect_uri is required")
        if self.refuse_consent or self.signed_in is None:
            answer = {"error": "access_denied", "error_description": "The user chose not to give access"}
        else:
            code = secrets.token_urlsafe(24)
            with self._lock:
                self._codes[code] = {
                    "account_id": self.signed_in,
                    "redirect_uri": redirect,
                    "challenge": query.get("code_challenge"),
                    "method": query.get("code_challenge_method"),
                    "offline": query.get("token_access_type") == "offline",
                    "expires": time.time() + 600,
                }
            answer = {"code": code}
        if "state" in query:
            answer["state"] = query["state"]
        return 302, {"Location": f"{redirect}?{urlencode(answer)}"}, b""

    # api
    def token(self, *, url, headers, body):
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("client_id") != self.app_key:
            raise DropboxError(400, {"error": "invalid_client", "error_description": "unknown client_id"})
        if "client_secret" in form and form["client_secret"] != self.app_secret:
            raise DropboxError(400, {"error": "invalid_client", "error_description": "bad client_secret"})
        with self._lock:
            if form.get("grant_type") == "authorization_code":
                return self._token_from_code(form)
            if form.get("grant_type") == "refresh_token":
                grant = self._grants.get(form.get("refresh_token", ""))
                if grant is None or grant.revoked:
                    raise DropboxError(
                        400,
                        {
                            "error": "invalid_grant",
                            "error_description": "refresh token is invalid or revoked",
                        },
                    )
                return _json(self._issue(grant))
        raise DropboxError(400, {"error": "unsupported_grant_type"})

    def _token_from_code(self, form: dict):
        code = self._codes.pop(form.get("code", ""), None)
        if code is None or code["expires"] < time.time():
            raise DropboxError(
                400, {"error": "invalid_grant", "error_description": "code doesn't exist or has expired"}
            )
        if form.get("redirect_uri") != code["redirect_uri"]:
            raise DropboxError(400, {"error": "invalid_grant", "error_description": "redirect_uri mismatch"})
        if code["challenge"]:
            verifier = form.get("code_verifier", "")
            expected = (
                base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            )
            if code["method"] != "S256" or expected != code["challenge"]:
                raise DropboxError(
                    400, {"error": "invalid_grant", "error_description": "invalid code verifier"}
                )
        elif "client_secret" not in form:
            raise DropboxError(
                400, {"error": "invalid_client", "error_description": "client_secret required"}
            )
        grant = Grant(code["account_id"], "rt." + secrets.token_urlsafe(32))
        self._grants[grant.refresh_token] = grant
        answer = self._issue(grant)
        answer.update(
            account_id=grant.account_id, uid="12345", scope="files.content.read files.content.write"
        )
        if code["offline"]:
            answer["refresh_token"] = grant.refresh_token
        return _json(answer)

    def current_account(self, *, url, headers, body):
        account = self._account_of(headers)
        given, _, surname = account.name.partition(" ")
        return _json(
            {
                "account_id": account.account_id,
                "name": {
                    "given_name": given,
                    "surname": surname,
                    "familiar_name": given,
                    "display_name": account.name,
                    "abbreviated_name": "".join(p[:1] for p in account.name.split()),
                },
                "email": account.email,
                "email_verified": True,
                "disabled": False,
                "country": "BE",
                "locale": "fr",
                "referral_link": "https://db.tt/fake",
                "is_paired": False,
                "account_type": {".tag": "basic"},
                "root_info": {".tag": "user", "root_namespace_id": "1", "home_namespace_id": "1"},
            }
        )

    def list_folder(self, *, url, headers, body):
        account = self._account_of(headers)
        arg = _arg(body)
        path = arg.get("path", "").lower()
        with self._lock:
            folder = account.entries.get(path)
            if folder is None:
                raise lookup_not_found("path")
            if not folder.is_folder:
                raise route_error("path/not_folder", {".tag": "path", "path": {".tag": "not_folder"}})
            entries = [
                e.metadata()
                for key, e in sorted(account.entries.items())
                if key and _under(key, path, arg.get("recursive", False))
            ]
            cursor = _cursor(account.account_id, path, arg.get("recursive", False), account.seq)
        return _json({"entries": entries, "cursor": cursor, "has_more": False})

    def list_folder_continue(self, *, url, headers, body):
        account = self._account_of(headers)
        state = _read_cursor(_arg(body).get("cursor", ""))
        if state["a"] != account.account_id:
            raise bad_input("cursor of another account")
        with self._lock:
            latest: dict[str, int] = {}
            for seq, path in account.changes:
                if seq > state["s"] and _under(path, state["p"], state["r"]):
                    latest[path] = seq
            if state["p"] and state["p"] not in account.entries:
                raise lookup_not_found("path")
            ordered = sorted(latest.items(), key=lambda item: item[1])
            page, rest = ordered[: self.page_size], ordered[self.page_size :]
            entries = []
            for path, _ in page:
                entry = account.entries.get(path)
                if entry is None:
                    name = path.rsplit("/", 1)[-1]
                    entries.append(
                        {".tag": "deleted", "name": name, "path_lower": path, "path_display": path}
                    )
                else:
                    entries.append(entry.metadata())
            seq = page[-1][1] if rest else account.seq
            cursor = _cursor(account.account_id, state["p"], state["r"], seq)
        return _json({"entries": entries, "cursor": cursor, "has_more": bool(rest)})

    def longpoll(self, *, url, headers, body):
        arg = _arg(body)
        timeout = arg.get("timeout", 30)
        if not 30 <= timeout <= 480:
            raise bad_input("timeout must be between 30 and 480")
        state = _read_cursor(arg.get("cursor", ""))
        deadline = time.monotonic() + timeout
        with self._lock:
            account = self._accounts[state["a"]]
            while True:
                if any(s > state["s"] and _under(p, state["p"], state["r"]) for s, p in account.changes):
                    return _json({"changes": True})
                left = deadline - time.monotonic()
                if left <= 0 or self._stopped:
                    return _json({"changes": False})
                self._lock.wait(min(left, 0.5))

    def download(self, *, url, headers, body):
        account = self._account_of(headers)
        arg = json.loads(headers.get("Dropbox-API-Arg") or "null") or {}
        with self._lock:
            entry = account.entries.get(arg.get("path", "").lower())
            if entry is None:
                raise lookup_not_found("path")
            if entry.is_folder:
                raise route_error("path/not_file", {".tag": "path", "path": {".tag": "not_file"}})
            result = json.dumps(entry.metadata(), ensure_ascii=True)
            return (
                200,
                {"Content-Type": "application/octet-stream", "Dropbox-API-Result": result},
                entry.content,
            )

    def delete(self, *, url, headers, body):
        account = self._account_of(headers)
        arg = _arg(body)
        path = arg.get("path", "").lower()
        with self._lock:
            entry = account.entries.get(path)
            if entry is None or not path:
                raise lookup_not_found("path_lookup")
            if arg.get("parent_rev") and arg["parent_rev"] != entry.rev:
                raise route_error(
                    "path_write/conflict/file",
                    {".tag": "path_write", "path_write": {".tag": "conflict", "conflict": {".tag": "file"}}},
                )
            metadata = entry.metadata()
            for key in [k for k in account.entries if k == path or k.startswith(path + "/")]:
                del account.entries[key]
                self._changed(account, key)
        return _json({"metadata": metadata})

    def create_folder(self, *, url, headers, body):
        account = self._account_of(headers)
        path = _arg(body).get("path", "")
        with self._lock:
            if path.lower() in account.entries:
                raise route_error(
                    "path/conflict/folder",
                    {".tag": "path", "path": {".tag": "conflict", "conflict": {".tag": "folder"}}},
                )
            self._make_parents(account, path)
            account.entries[path.lower()] = entry = Entry(path, _new_id(), True)
            self._changed(account, path.lower())
            return _json({"metadata": entry.metadata()})

    def revoke(self, *, url, headers, body):
        account = self._account_of(headers)
        token = headers.get("Authorization", "").removeprefix("Bearer ")
        with self._lock:
            grant, _ = self._access[token]
            grant.revoked = True
        assert account
        return _json(None)


ROUTES = {
    ("www", "GET", "/oauth2/authorize"): FakeDropbox.authorize,
    ("api", "POST", "/oauth2/token"): FakeDropbox.token,
    ("api", "POST", "/2/users/get_current_account"): FakeDropbox.current_account,
    ("api", "POST", "/2/files/list_folder"): FakeDropbox.list_folder,
    ("api", "POST", "/2/files/list_folder/continue"): FakeDropbox.list_folder_continue,
    ("api", "POST", "/2/files/delete_v2"): FakeDropbox.delete,
    ("api", "POST", "/2/files/create_folder_v2"): FakeDropbox.create_folder,
    ("api", "POST", "/2/auth/token/revoke"): FakeDropbox.revoke,
    ("content", "POST", "/2/files/download"): FakeDropbox.download,
    ("notify", "POST", "/2/files/list_folder/longpoll"): FakeDropbox.longpoll,
}


def _json(value) -> tuple[int, dict, bytes]:
    return 200, {"Content-Type": "application/json"}, json.dumps(value).encode()


def _arg(body: bytes) -> dict:
    try:
        value = json.loads(body or b"null")
    except ValueError as error:
        raise bad_input("Error in call: request body is not valid JSON") from error
    return value or {}


def _under(path_lower: str, folder: str, recursive: bool) -> bool:
    if not path_lower.startswith(folder + "/"):
        return False
    return recursive or "/" not in path_lower[len(folder) + 1 :]


def _cursor(account_id: str, path: str, recursive: bool, seq: int) -> str:
    state = {"a": account_id, "p": path, "r": recursive, "s": seq}
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode()


def _read_cursor(cursor: str) -> dict:
    try:
        return json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except ValueError as error:
        raise bad_input("Error in call: invalid cursor") from error


def _new_id() -> str:
    return "id:" + secrets.token_urlsafe(16)


def _now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _handler(fake: FakeDropbox, host: str):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status, headers, payload = fake.handle(host, method, self.path, self.headers, body)
            self.send_response(status)
            for name, value in {"X-Dropbox-Request-Id": secrets.token_hex(8), **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self) -> None:  # noqa: N802
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

    return Handler


def _tls_context(directory: Path) -> ssl.SSLContext:
    """A self-signed certificate for 127.0.0.1, written where clients can trust it (`ca_bundle`)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fake dropbox (tests only)")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(HOST)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context
