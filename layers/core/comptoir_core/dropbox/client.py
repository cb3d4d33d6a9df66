"""The Dropbox adapter: the official `dropbox` SDK, and the only code that imports it.

The SDK reads its hosts once, from DROPBOX_* environment variables, when it is imported, and always
speaks HTTPS with certificate checks. This adapter takes the hosts (and an optional CA bundle) from
the settings for each client instead, so tests and the local stack can point it at a fake Dropbox
with its own certificate; and it turns the SDK's results and errors into the few shapes the services
need, so nothing else depends on the SDK's types.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime

import dropbox
import requests
from dropbox import files, oauth
from dropbox.content_hash import DropboxContentHasher
from dropbox.exceptions import ApiError, AuthError
from dropbox.session import HOST_API, HOST_CONTENT, HOST_NOTIFY

from comptoir_core.dropbox.config import DropboxConfig

USER_AGENT = "Comptoir/1.0"
# The SDK keeps the CSRF token in a session mapping under this name; we keep it in the table.
_CSRF_KEY = "dropbox-auth-csrf-token"
# A call answered 429 is retried this many times (after Retry-After) before the sync gives up for now.
RATE_LIMIT_RETRIES = 2
TIMEOUT_S = 30


class LinkRefused(Exception):
    """Dropbox no longer accepts the link's tokens: the app was removed or the token revoked."""


class CursorReset(Exception):
    """Dropbox asks to list the folder again from the start."""


class FolderMissing(Exception):
    """The folder to list does not exist (any more)."""


class ConsentFailed(Exception):
    """The OAuth redirect did not end in tokens (refused, bad code, wrong state)."""


@dataclass(frozen=True)
class RemoteFile:
    path_lower: str
    path_display: str
    name: str
    rev: str
    size: int
    content_hash: str | None


@dataclass(frozen=True)
class Page:
    files: list[RemoteFile]
    cursor: str
    has_more: bool


@dataclass(frozen=True)
class Authorization:
    authorize_url: str
    csrf_token: str
    code_verifier: str


@dataclass(frozen=True)
class Tokens:
    account_id: str
    refresh_token: str
    access_token: str
    access_expires_at: datetime | None


@dataclass(frozen=True)
class AccountInfo:
    account_id: str
    email: str
    name: str


class _Dropbox(dropbox.Dropbox):
    """The SDK client with its hosts from the config rather than from the environment at import."""

    def __init__(self, config: DropboxConfig, **kwargs):
        super().__init__(
            user_agent=USER_AGENT,
            timeout=TIMEOUT_S,
            max_retries_on_rate_limit=RATE_LIMIT_RETRIES,
            session=_session(config),
            **kwargs,
        )
        # Instance state the SDK builds from its module-level hosts; every request looks it up here.
        self._host_map = {
            HOST_API: config.api_host,
            HOST_CONTENT: config.content_host,
            HOST_NOTIFY: config.notify_host,
        }

    def refresh_access_token(self, host=None, scope=None):
        return super().refresh_access_token(host=host or self._host_map[HOST_API], scope=scope)


class _OAuthFlow(oauth.DropboxOAuth2Flow):
    """The SDK's redirect flow (PKCE, CSRF token in the state) with the config's hosts."""

    def __init__(self, config: DropboxConfig, session: dict):
        super().__init__(
            consumer_key=config.app_key,
            redirect_uri=config.redirect_url,
            session=session,
            csrf_token_session_key=_CSRF_KEY,
            token_access_type="offline",  # noqa: S106 (a kind of access, not a secret)
            use_pkce=True,
            timeout=TIMEOUT_S,
            ca_certs=config.ca_bundle,
        )
        self._config = config
        self.requests_session = _session(config)

    def build_url(self, target, params=None, host=None):
        host = self._config.web_host if target == "/oauth2/authorize" else self._config.api_host
        return f"https://{host}{self.build_path(target, params)}"


def _session(config: DropboxConfig) -> requests.Session:
    """The SDK's certificate-checking session; with a CA bundle, that bundle alone is trusted.

    requests lets REQUESTS_CA_BUNDLE (set on many machines) override a session's own `verify`, so a
    session with a bundle of its own must not read the environment.
    """
    session = dropbox.create_session(ca_certs=config.ca_bundle)
    if config.ca_bundle:
        session.trust_env = False
    return session


def start_authorization(config: DropboxConfig, *, url_state: str) -> Authorization:
    """The consent URL (offline access, PKCE S256) and the secrets the callback must present again."""
    session: dict = {}
    flow = _OAuthFlow(config, session)
    url = flow.start(url_state=url_state)
    return Authorization(authorize_url=url, csrf_token=session[_CSRF_KEY], code_verifier=flow.code_verifier)


def finish_authorization(
    config: DropboxConfig, *, query: dict[str, str], csrf_token: str, code_verifier: str
) -> Tokens:
    """Check the state's CSRF token and exchange the code (with the PKCE verifier) for tokens."""
    flow = _OAuthFlow(config, {_CSRF_KEY: csrf_token})
    flow.code_verifier = code_verifier
    try:
        result = flow.finish(query)
    except oauth.NotApprovedException as error:
        raise ConsentFailed("access to Dropbox was not given") from error
    except (oauth.BadRequestException, oauth.BadStateException, oauth.CsrfException) as error:
        raise ConsentFailed("the link request does not match") from error
    except oauth.ProviderException as error:
        raise ConsentFailed(f"Dropbox refused: {error}") from error
    except requests.HTTPError as error:
        raise ConsentFailed("Dropbox did not accept the authorisation code") from error
    if not result.refresh_token:
        raise ConsentFailed("Dropbox gave no refresh token")
    expires = result.expires_at
    return Tokens(
        account_id=result.account_id,
        refresh_token=result.refresh_token,
        access_token=result.access_token,
        access_expires_at=expires.replace(tzinfo=UTC) if expires else None,
    )


def longpoll(config: DropboxConfig, *, cursor: str, timeout_s: int = 30) -> tuple[bool, int | None]:
    """Wait until something changes after the cursor: (changes, seconds to back off). No token needed."""
    client = _Dropbox(config, app_key=config.app_key, app_secret=config.app_secret)
    try:
        with _translated():
            result = client.files_list_folder_longpoll(cursor, timeout=timeout_s)
    finally:
        client.close()
    return result.changes, result.backoff


class DropboxAccount:
    """One linked account, through its refresh token (and the access token it last got)."""

    def __init__(
        self,
        config: DropboxConfig,
        *,
        refresh_token: str,
        access_token: str | None = None,
        access_expires_at: datetime | None = None,
    ):
        expiration = access_expires_at.astimezone(UTC).replace(tzinfo=None) if access_expires_at else None
        self._client = _Dropbox(
            config,
            oauth2_refresh_token=refresh_token,
            oauth2_access_token=access_token if expiration else None,
            oauth2_access_token_expiration=expiration,
            app_key=config.app_key,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> DropboxAccount:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def access_token(self) -> tuple[str | None, datetime | None]:
        """The access token in use now (it changes when the SDK refreshes it) and its expiry."""
        expiration = self._client._oauth2_access_token_expiration
        return self._client._oauth2_access_token, expiration.replace(tzinfo=UTC) if expiration else None

    def current_account(self) -> AccountInfo:
        with _translated():
            account = self._client.users_get_current_account()
        return AccountInfo(account_id=account.account_id, email=account.email, name=account.name.display_name)

    def create_folders(self, paths: list[str]) -> None:
        """Make each folder; one that exists already is fine."""
        for path in paths:
            try:
                with _translated():
                    self._client.files_create_folder_v2(path, autorename=False)
            except ApiError as error:
                if not (error.error.is_path() and error.error.get_path().is_conflict()):
                    raise

    def list_folder(self, path: str) -> Page:
        try:
            with _translated():
                result = self._client.files_list_folder(path, recursive=True)
        except ApiError as error:
            if error.error.is_path() and error.error.get_path().is_not_found():
                raise FolderMissing(path) from error
            raise
        return _page(result)

    def list_changes(self, cursor: str) -> Page:
        try:
            with _translated():
                result = self._client.files_list_folder_continue(cursor)
        except ApiError as error:
            if error.error.is_reset():
                raise CursorReset() from error
            if error.error.is_path() and error.error.get_path().is_not_found():
                raise FolderMissing(cursor) from error
            raise
        return _page(result)

    def download(self, path: str) -> tuple[RemoteFile, bytes] | None:
        """The file's bytes and metadata, checked against its content hash; None when it is gone."""
        try:
            with _translated():
                metadata, response = self._client.files_download(path)
        except ApiError as error:
            if error.error.is_path() and error.error.get_path().is_not_found():
                return None
            raise
        with contextlib.closing(response):
            body = response.content
        hasher = DropboxContentHasher()
        hasher.update(body)
        if metadata.content_hash and hasher.hexdigest() != metadata.content_hash:
            raise OSError(f"the download of {path} does not match its content hash")
        return _file(metadata), body

    def delete(self, path: str, *, rev: str) -> bool:
        """Delete the file if it is still that revision. True when it is gone, False when it changed."""
        try:
            with _translated():
                self._client.files_delete_v2(path, parent_rev=rev)
        except ApiError as error:
            if error.error.is_path_lookup() and error.error.get_path_lookup().is_not_found():
                return True
            if error.error.is_path_write():
                return False
            raise
        return True

    def revoke(self) -> None:
        with _translated():
            self._client.auth_token_revoke()


@contextlib.contextmanager
def _translated():
    try:
        yield
    except AuthError as error:
        if error.error.is_invalid_access_token() or error.error.is_user_suspended():
            raise LinkRefused(str(error.error)) from error
        raise


def _page(result: files.ListFolderResult) -> Page:
    found = [_file(entry) for entry in result.entries if isinstance(entry, files.FileMetadata)]
    return Page(files=found, cursor=result.cursor, has_more=result.has_more)


def _file(entry: files.FileMetadata) -> RemoteFile:
    return RemoteFile(
        path_lower=entry.path_lower,
        path_display=entry.path_display,
        name=entry.name,
        rev=entry.rev,
        size=entry.size,
        content_hash=entry.content_hash,
    )
