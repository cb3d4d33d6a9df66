"""Notifications: who gets which e-mail, in their language, sent through `comptoir_core.mailer`.

Other contexts call one function:

    notify(repo=repo, kind=Kind.approval_waiting, recipients=[user_id], context={"company": …, "link": …})

Each recipient gets the e-mail in their profile's language; one who chose the digest gets it in the next
digest instead (`send_digests`), except for the e-mails that cannot wait (invitations).
"""

from datetime import UTC, datetime

from comptoir_core import keys
from comptoir_core.ids import new_id
from comptoir_core.mailer import OutgoingEmail, send_email
from comptoir_core.notifications.templates import Kind, render
from comptoir_core.repository import Repository
from comptoir_core.settings import get_settings

__all__ = ["Kind", "notify", "send_to_address", "send_digests", "send_due_digests"]

# Sent at once whatever the reader chose.
NEVER_DIGESTED = frozenset({Kind.invitation, Kind.feedback, Kind.password_reset})
DIGEST_PREFIX = "DIGEST#"
# One item per reader whose digest holds something (pk DIGESTS_DUE, sk the user id): the daily job reads
# this one partition instead of looking through every user.
DIGESTS_DUE = "DIGESTS#DUE"


def notify(
    *, repo: Repository, kind: Kind | str, recipients: list[str], context: dict, sender=send_email
) -> int:
    """E-mail `kind` to each user id in `recipients` (a person once, whatever the list). Returns how
    many e-mails left now (the digested ones wait)."""
    kind = Kind(kind)
    sent = 0
    for user_id in dict.fromkeys(recipients):
        profile = repo.get(keys.user_pk(user_id), keys.USER_PROFILE)
        if not profile or not profile.get("email"):
            continue
        language = profile.get("language") or "fr"
        if profile.get("emails") == "digest" and kind not in NEVER_DIGESTED:
            subject, _, _ = render(kind, language, context)
            repo.put(
                {
                    "pk": keys.user_pk(user_id),
                    "sk": f"{DIGEST_PREFIX}{new_id('dg')}",
                    "subject": subject,
                    "link": str(context.get("link") or ""),
                    "at": datetime.now(UTC).isoformat(),
                }
            )
            repo.put({"pk": DIGESTS_DUE, "sk": user_id})
            continue
        send_to_address(kind=kind, email=profile["email"], language=language, context=context, sender=sender)
        sent += 1
    return sent


def send_to_address(*, kind: Kind | str, email: str, language: str, context: dict, sender=send_email) -> str:
    """One e-mail to one address (someone who is not a user yet: an invitation)."""
    subject, text, html = render(Kind(kind), language, context)
    return sender(
        OutgoingEmail(sender=get_settings().mail_sender, to=[email], subject=subject, text=text, html=html)
    )


def send_due_digests(*, repo: Repository, sender=send_email) -> int:
    """The daily job: every reader whose digest holds something gets it, once."""
    due = [item["sk"] for item in repo.query(DIGESTS_DUE)]
    sent = send_digests(repo=repo, user_ids=due, sender=sender)
    for user_id in due:
        repo.delete(DIGESTS_DUE, user_id)
    return sent


def send_digests(*, repo: Repository, user_ids: list[str], sender=send_email) -> int:
    """Send each user who chose the digest what waited for them, in one e-mail (a scheduled job's work)."""
    sent = 0
    for user_id in user_ids:
        waiting = list(repo.query(keys.user_pk(user_id), sk_prefix=DIGEST_PREFIX))
        profile = repo.get(keys.user_pk(user_id), keys.USER_PROFILE)
        if not waiting or not profile:
            continue
        items = "\n".join(f"• {item['subject']} {item.get('link', '')}".rstrip() for item in waiting)
        send_to_address(
            kind=Kind.digest,
            email=profile["email"],
            language=profile.get("language") or "fr",
            context={"count": len(waiting), "items": items, "link": get_settings().portal_origin},
            sender=sender,
        )
        for item in waiting:
            repo.delete(item["pk"], item["sk"])
        sent += 1
    return sent
