"""Passwords said in words, and the forgotten-password link.

A forgotten password is reset by a link e-mailed through `comptoir_core.mailer` (so it lands in the local
outbox too), holding a single-use token valid for one hour; only its SHA-256 is stored. The answer to a
request is the same whether the address is known or not: nobody learns who has an account.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from comptoir_core import keys
from comptoir_core.accounts.models import InvitationView, Language, PasswordRules
from comptoir_core.accounts.service import read_company
from comptoir_core.errors import Conflict, Gone, NotFound
from comptoir_core.identity import CognitoIdentity
from comptoir_core.notifications import Kind, send_to_address
from comptoir_core.observability import logger
from comptoir_core.repository import Repository

RESET_LIFETIME = timedelta(hours=1)


def _now() -> datetime:
    return datetime.now(UTC)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def password_rules(*, identity: CognitoIdentity) -> PasswordRules:
    rules = identity.password_rules()
    return PasswordRules(
        minimum_length=int(rules.get("MinimumLength", 8)),
        uppercase=bool(rules.get("RequireUppercase")),
        lowercase=bool(rules.get("RequireLowercase")),
        digits=bool(rules.get("RequireNumbers")),
        symbols=bool(rules.get("RequireSymbols")),
    )


def view_invitation(*, repo: Repository, token: str) -> InvitationView:
    """The invitation behind a link, for its page: 404 unknown, 410 used or expired."""
    item = repo.get(keys.invitation_pk(_hash(token)), keys.INVITATION_SK) if 20 <= len(token) <= 100 else None
    if item is None:
        raise NotFound("invitation not found")
    if item.get("used_at"):
        raise Gone("this invitation was already used; sign in, or ask for a new one")
    if datetime.fromisoformat(item["expires_at"]) <= _now():
        raise Gone("this invitation has expired; ask the firm for a new one")
    company = read_company(repo=repo, company_id=item["company_id"])
    return InvitationView(
        email=item["email"],
        name=item["name"],
        company_name=company.name,
        role=item["role"],
        language=item["language"],
        expires_at=item["expires_at"],
    )


def forgot_password(
    *, repo: Repository, identity: CognitoIdentity, email: str, language: Language | None, portal_origin: str
) -> None:
    """E-mail a reset link to a known address; an unknown one gets nothing, and the caller is not told."""
    sub = identity.user_sub(email)
    if sub is None:
        return
    profile = repo.get(keys.user_pk(sub), keys.USER_PROFILE) or {}
    token = secrets.token_urlsafe(32)
    repo.replace_versioned(
        {
            "pk": keys.password_reset_pk(_hash(token)),
            "sk": keys.PASSWORD_RESET_SK,
            "email": email,
            "expires_at": (_now() + RESET_LIFETIME).isoformat(),
            "expiration": int((_now() + RESET_LIFETIME).timestamp()),
        },
        expected_version=0,
    )
    try:
        send_to_address(
            kind=Kind.password_reset,
            email=email,
            language=profile.get("language") or (language.value if language else Language.fr.value),
            context={
                "name": profile.get("name") or email,
                "email": email,
                "link": f"{portal_origin}/password-reset/{token}",
            },
        )
    except Exception:
        logger.exception("the password reset e-mail could not be sent")


def reset_password(*, repo: Repository, identity: CognitoIdentity, token: str, password: str) -> str:
    """The link's token sets the new password once, within the hour; returns the e-mail it was for."""
    pk = keys.password_reset_pk(_hash(token))
    item = repo.get(pk, keys.PASSWORD_RESET_SK)
    if item is None or item.get("used_at"):
        raise Gone("this link was already used or does not exist; ask for a new one")
    if datetime.fromisoformat(item["expires_at"]) <= _now():
        raise Gone("this link has expired; ask for a new one")
    identity.check_password(password)
    try:
        repo.replace_versioned({**item, "used_at": _now().isoformat()}, expected_version=int(item["version"]))
    except Conflict as error:
        raise Gone("this link was already used; ask for a new one") from error
    identity.set_password(email=item["email"], password=password)
    return item["email"]
