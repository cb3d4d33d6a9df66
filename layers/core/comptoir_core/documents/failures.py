"""The "document failed to import" e-mail (`notifications.Kind.import_failed`).

When a document ends `failed` (the pipeline gave up on it, or the dead-letter consumer did), the person
who sent it hears it once: the uploader when they are a user of the company, else the company's own
users (admins and users; the accountant sees the failure in the portal). Each gets it as they chose (at
once, or in their digest). Once per attempt, never twice: a marker item for the attempt is created first,
conditionally, so a redelivered event or the dead-letter consumer after a failed run sends nothing more;
a retry by hand is a new attempt, and its failure is told again. The e-mail is best effort: a failure to
send is logged, never raised (the document is failed whatever the mail service says).
"""

import logging
from datetime import UTC, datetime, timedelta

from comptoir_core import keys, notifications
from comptoir_core.documents.models import Document, DocumentStatus
from comptoir_core.errors import Conflict
from comptoir_core.repository import Repository
from comptoir_core.settings import get_settings
from comptoir_core.tenancy import Role

logger = logging.getLogger(__name__)

# How long the marker is kept: a redelivery comes within minutes, the dead letters within days.
MARKER_LIFETIME = timedelta(days=30)
CLIENT_ROLES = frozenset({Role.admin.value, Role.user.value})


def tell_failed(*, repo: Repository, document: Document) -> bool:
    """E-mail that `document` failed, unless this attempt's failure was told already. True if told."""
    if document.status != DocumentStatus.failed:
        return False
    marker = {
        "pk": keys.company_pk(document.company_id),
        "sk": keys.import_failed_notice_sk(document.id, attempt_of(document)),
        "expiration": int((datetime.now(UTC) + MARKER_LIFETIME).timestamp()),
    }
    try:
        repo.create(marker)
    except Conflict:
        return False
    try:
        company = repo.get(keys.company_pk(document.company_id), keys.COMPANY_PROFILE) or {}
        notifications.notify(
            repo=repo,
            kind=notifications.Kind.import_failed,
            recipients=recipients_of(repo, document),
            context={
                "company": company.get("name", ""),
                "document": document.name,
                "reason": document.problem or "",
                "link": f"{get_settings().portal_origin}/c/{document.company_id}/doc/{document.id}",
            },
        )
    except Exception:
        logger.exception("the failed-import e-mail was not sent", extra={"document_id": document.id})
        return False
    return True


def attempt_of(document: Document) -> str:
    """Which attempt failed: the last retry by hand (its time), or the first run."""
    retried = [event.at for event in document.history if event.event == "retried"]
    return retried[-1].isoformat() if retried else "first"


def recipients_of(repo: Repository, document: Document) -> list[str]:
    """The uploader if they are a user of the company, else its admins and users."""
    sender = (document.sender or "").casefold()
    clients = []
    for member in repo.query(keys.company_pk(document.company_id), sk_prefix="MEMBER#"):
        profile = repo.get(keys.user_pk(member["user_id"]), keys.USER_PROFILE) or {}
        if sender and str(profile.get("email", "")).casefold() == sender:
            return [member["user_id"]]
        if member.get("role") in CLIENT_ROLES:
            clients.append(member["user_id"])
    return clients
