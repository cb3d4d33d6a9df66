"""Linking a company to a Dropbox account: OAuth 2 with PKCE, from the company's profile.

1. `start_link` (a member, signed in) stores a single-use state (who, which company, the CSRF token,
   the PKCE verifier encrypted) and answers Dropbox's consent URL. The `state` sent to Dropbox is the
   CSRF token, then the company and state ids, signed with a key derived from the app secret.
2. Dropbox sends the browser to `finish_link` (public: the browser carries no token of ours). The state
   must verify, exist, be unused and unexpired, and its user must still be a member allowed to link;
   the code is exchanged with the verifier; the tokens are stored encrypted; the folders are made.
"""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta

from comptoir_core import keys
from comptoir_core.accounts.models import Company
from comptoir_core.accounts.service import read_company_settings
from comptoir_core.dropbox import client as dropbox_client
from comptoir_core.dropbox import records
from comptoir_core.dropbox.client import DropboxAccount
from comptoir_core.dropbox.config import DropboxConfig
from comptoir_core.dropbox.models import (
    MAILBOX_FOLDERS,
    CallbackQuery,
    DropboxLink,
    LinkDone,
    LinkRead,
    LinkStart,
    LinkStatus,
)
from comptoir_core.errors import Conflict, Invalid, NotFound
from comptoir_core.ids import is_valid_id, new_id
from comptoir_core.kms import TokenCipher
from comptoir_core.observability import logger
from comptoir_core.repository import Repository
from comptoir_core.tenancy import Caller, Role, authorize

# Who may link or unlink the company's Dropbox: the client's people; the accountant only looks.
LINKERS = frozenset({Role.admin, Role.user})
STATE_TTL = timedelta(minutes=15)
_STATE_KEY_LABEL = b"comptoir dropbox oauth state v1"


def token_context(company_id: str, purpose: str) -> dict[str, str]:
    """KMS encryption context: a ciphertext decrypts only for its company and purpose."""
    return {"company_id": company_id, "purpose": f"dropbox-{purpose}"}


def get_link(*, repo: Repository, caller: Caller, company_id: str) -> LinkRead:
    authorize(repo=repo, caller=caller, company_id=company_id)
    return read_model(records.read_link(repo, company_id))


def start_link(
    *, repo: Repository, cipher: TokenCipher, config: DropboxConfig, caller: Caller, company_id: str
) -> LinkStart:
    authorize(repo=repo, caller=caller, company_id=company_id, roles=LINKERS)
    _require_enabled(config)
    state_id = new_id("st")
    browser_binding = secrets.token_urlsafe(32)
    expires_at = datetime.now(UTC) + STATE_TTL
    # The SDK puts its CSRF token in front: "<csrf>|<company>.<state>.<signature>". The CSRF token is
    # kept in the state item, which the SDK checks it against when Dropbox sends the browser back.
    ours = f"{company_id}.{state_id}"
    authorization = dropbox_client.start_authorization(config, url_state=f"{ours}.{_sign(config, ours)}")
    records.create_state(
        repo,
        company_id=company_id,
        state_id=state_id,
        fields={
            "user_id": caller.user_id,
            "email": caller.email,
            "csrf": authorization.csrf_token,
            "verifier": cipher.encrypt(
                authorization.code_verifier, context=token_context(company_id, "pkce-verifier")
            ),
            "browser": _digest(browser_binding),
        },
        expires_at=expires_at,
    )
    return LinkStart(
        authorize_url=authorization.authorize_url, expires_at=expires_at, browser_binding=browser_binding
    )


def finish_link(
    *,
    repo: Repository,
    cipher: TokenCipher,
    config: DropboxConfig,
    query: CallbackQuery,
    browser_binding: str | None,
) -> LinkDone:
    """`browser_binding`: what the browser brought back (the cookie `start_link`'s route set)."""
    _require_enabled(config)
    company_id, state_id = _verified_state(config, query.state)
    state = records.use_state(repo, company_id=company_id, state_id=state_id)
    if state is None:
        raise Invalid("this link request is unknown, expired or already used; start again from the profile")
    if not browser_binding or not hmac.compare_digest(_digest(browser_binding), state.get("browser", "")):
        raise Invalid("this link was started in another browser session; start again from the profile")
    caller = Caller(user_id=state["user_id"], email=state["email"])
    # The user who started must still be allowed to link when Dropbox sends them back.
    authorize(repo=repo, caller=caller, company_id=company_id, roles=LINKERS)
    verifier = cipher.decrypt(state["verifier"], context=token_context(company_id, "pkce-verifier"))
    try:
        tokens = dropbox_client.finish_authorization(
            config,
            query=query.model_dump(exclude_none=True),
            csrf_token=state["csrf"],
            code_verifier=verifier,
        )
    except dropbox_client.ConsentFailed as error:
        raise Invalid(f"Dropbox was not linked: {error}") from error

    company = _company(repo, company_id)
    language = read_company_settings(repo=repo, company_id=company_id).language
    root = f"/{company.enterprise_number}"
    folders = {box: f"{root}/{name}" for box, name in MAILBOX_FOLDERS[language].items()}
    with DropboxAccount(
        config,
        refresh_token=tokens.refresh_token,
        access_token=tokens.access_token,
        access_expires_at=tokens.access_expires_at,
    ) as account:
        info = account.current_account()
        account.create_folders([root, *folders.values()])
        access_token, access_expires_at = account.access_token

    previous = records.read_link(repo, company_id)
    if previous.status == LinkStatus.connected and previous.account_id != info.account_id:
        _revoke_quietly(cipher, config, previous)
    link = DropboxLink(
        company_id=company_id,
        status=LinkStatus.connected,
        account_id=info.account_id,
        account_email=info.email,
        account_name=info.name,
        linked_by=caller.email,
        linked_at=datetime.now(UTC),
        root=root,
        folders=folders,
        refresh_token=cipher.encrypt(
            tokens.refresh_token, context=token_context(company_id, "refresh-token")
        ),
        access_token=cipher.encrypt(access_token, context=token_context(company_id, "access-token"))
        if access_token
        else None,
        access_expires_at=access_expires_at,
        version=previous.version,
    )
    try:
        records.write_link(repo, link)
    except Conflict as error:
        raise Conflict("the Dropbox link changed meanwhile; start again from the profile") from error
    logger.info("dropbox linked", extra={"company_id": company_id})
    return LinkDone(company_id=company_id, account_email=info.email, folders=folders)


def unlink(
    *, repo: Repository, cipher: TokenCipher, config: DropboxConfig, caller: Caller, company_id: str
) -> LinkRead:
    """Forget the link (and its tokens), after asking Dropbox to revoke them. Idempotent."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=LINKERS)
    for _ in range(5):
        link = records.read_link(repo, company_id)
        if link.status == LinkStatus.not_linked:
            return read_model(link)
        if link.status == LinkStatus.connected:
            _revoke_quietly(cipher, config, link)
        try:
            written = records.write_link(repo, DropboxLink(company_id=company_id, version=link.version))
        except Conflict:
            continue  # a sync wrote meanwhile: read again
        return read_model(written)
    raise Conflict("the Dropbox link keeps changing; try again")


def read_model(link: DropboxLink) -> LinkRead:
    return LinkRead.model_validate(link.model_dump(include=set(LinkRead.model_fields)))


def _revoke_quietly(cipher: TokenCipher, config: DropboxConfig, link: DropboxLink) -> None:
    """Ask Dropbox to revoke the link's tokens; forgetting them does not depend on Dropbox agreeing."""
    try:
        refresh_token = cipher.decrypt(
            link.refresh_token or "", context=token_context(link.company_id, "refresh-token")
        )
        with DropboxAccount(config, refresh_token=refresh_token) as account:
            account.revoke()
    except Exception:  # revoked already, unreadable, or Dropbox unreachable: the tokens are dropped anyway
        logger.warning(
            "could not revoke the Dropbox token", extra={"company_id": link.company_id}, exc_info=True
        )


def _require_enabled(config: DropboxConfig) -> None:
    if not config.enabled:
        raise Conflict("Dropbox is not set up on this installation")


def _digest(binding: str) -> str:
    return hashlib.sha256(binding.encode()).hexdigest()


def _state_key(config: DropboxConfig) -> bytes:
    return hmac.new(config.app_secret.encode(), _STATE_KEY_LABEL, hashlib.sha256).digest()


def _sign(config: DropboxConfig, text: str) -> str:
    return hmac.new(_state_key(config), text.encode(), hashlib.sha256).hexdigest()


def _verified_state(config: DropboxConfig, state: str) -> tuple[str, str]:
    csrf, _, ours = state.partition("|")
    company_id, _, rest = ours.partition(".")
    state_id, _, signature = rest.partition(".")
    expected = _sign(config, f"{company_id}.{state_id}")
    if not (csrf and signature and hmac.compare_digest(expected, signature)):
        raise Invalid("the link request's state is not valid")
    if not (is_valid_id(company_id, "co") and is_valid_id(state_id, "st")):
        raise Invalid("the link request's state is not valid")
    return company_id, state_id


def _company(repo: Repository, company_id: str) -> Company:
    item = repo.get(keys.company_pk(company_id), keys.COMPANY_PROFILE)
    if item is None:
        raise NotFound("company not found")
    return Company.model_validate(item)
