"""The sync of one Dropbox account: new files of the mailbox folders become incoming documents.

For each company the account is linked to, under the link's lease (a conditional write; one sync at a
time per link; a sync that finds the link busy asks the running one for another round):

1. list the changes since the stored cursor (`files/list_folder/continue`), or the whole company
   folder when there is none yet;
2. each new PDF or photo in a mailbox folder is downloaded (checked against its content hash), stored
   with `store_incoming` (source dropbox), recorded as imported (account, path, content hash), and
   only then deleted from Dropbox, if it is still that revision; other files of a mailbox folder stay
   where they are, with a note on the link; files elsewhere are ignored;
3. the cursor moves past a page only when every file of it is done. A file that could not be stored
   stays in Dropbox, the cursor stays, and `SyncIncomplete` makes the queue try again.

A link Dropbox no longer accepts (invalid_grant on refresh, invalid token) gets the status `revoked`.
"""

import secrets
from datetime import UTC, datetime, timedelta
from enum import Enum

from comptoir_core.documents.intake import IncomingMetadata, store_incoming
from comptoir_core.documents.models import Mailbox, Source
from comptoir_core.dropbox import records
from comptoir_core.dropbox.client import (
    CursorReset,
    DropboxAccount,
    FolderMissing,
    LinkRefused,
    Page,
    RemoteFile,
)
from comptoir_core.dropbox.config import SyncDeps
from comptoir_core.dropbox.linking import token_context
from comptoir_core.dropbox.models import DropboxLink, LinkStatus, SkippedFile, SyncResult
from comptoir_core.errors import Conflict
from comptoir_core.kms import UnreadableSecret
from comptoir_core.mail.sniff import NOT_THE_CLAIMED_PDF, claims_pdf
from comptoir_core.names import safe_name
from comptoir_core.observability import logger
from comptoir_core.repository import Repository

# Longer than one run may take (the worker's timeout); a crashed run's lease runs out after it.
LEASE = timedelta(minutes=5)
# A run makes at most this many rounds for syncs that asked for one more while it ran.
MAX_ROUNDS = 5
MAX_SKIPPED_NOTES = 50
SUPPORTED_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png", ".tif", ".tiff")
REVOKED_PROBLEM = (
    "Dropbox no longer accepts Comptoir's access (the app was removed from the Dropbox account or the "
    "link was revoked). Nothing is synced until Dropbox is linked again."
)
UNREADABLE_PROBLEM = "The stored Dropbox authorisation can no longer be read. Link Dropbox again."


class SyncIncomplete(Exception):
    """Some files could not be stored: they stay in Dropbox and the next run takes them."""


class _Outcome(Enum):
    imported = "imported"
    skipped = "skipped"
    ignored = "ignored"
    failed = "failed"


def sync_account(*, deps: SyncDeps, account_id: str) -> list[SyncResult]:
    """Sync every company the account is linked to; SyncIncomplete if any left work for later."""
    results, incomplete = [], []
    for company_id in records.links_of_account(deps.repo, account_id):
        try:
            results.append(sync_link(deps=deps, company_id=company_id, account_id=account_id))
        except SyncIncomplete as error:
            incomplete.append(str(error))
    if incomplete:
        raise SyncIncomplete("; ".join(incomplete))
    return results


def sync_link(*, deps: SyncDeps, company_id: str, account_id: str) -> SyncResult:
    owner = secrets.token_hex(8)
    result = SyncResult(company_id=company_id)
    link = _acquire(deps.repo, company_id, account_id, owner)
    if link is None:
        return result.model_copy(update={"busy": True})
    logger.append_keys(company_id=company_id)
    failed = 0
    try:
        for _ in range(MAX_ROUNDS):
            link, failed = _round(deps, link, owner, result)
            if link is None:
                return result  # unlinked or relinked meanwhile: that writer's state stands
            link, again = _release(deps.repo, link, owner, failed=failed)
            if link is None or not again:
                break
    except (LinkRefused, UnreadableSecret) as error:
        logger.warning("dropbox link refused", extra={"reason": str(error)})
        _mark_revoked(deps.repo, company_id, owner, unreadable=isinstance(error, UnreadableSecret))
        return result.model_copy(update={"status": LinkStatus.revoked})
    except Exception:
        _let_go(deps.repo, company_id, owner)
        raise
    finally:
        logger.remove_keys(["company_id"])
    if failed:
        raise SyncIncomplete(f"{failed} file(s) of {company_id} stay in Dropbox for the next run")
    return result


def _round(
    deps: SyncDeps, link: DropboxLink, owner: str, result: SyncResult
) -> tuple[DropboxLink | None, int]:
    """List from the cursor and take every file; returns the link as saved and how many failed."""
    refresh_token = deps.cipher.decrypt(
        link.refresh_token or "", context=token_context(link.company_id, "refresh-token")
    )
    access_token = None
    if link.access_token:
        access_token = deps.cipher.decrypt(
            link.access_token, context=token_context(link.company_id, "access-token")
        )
    with DropboxAccount(
        deps.config,
        refresh_token=refresh_token,
        access_token=access_token,
        access_expires_at=link.access_expires_at,
    ) as account:
        page = _first_page(account, link)
        while True:
            failed = 0
            for remote in page.files:
                outcome, note = _take(deps, account, link, remote)
                if outcome is _Outcome.imported:
                    result.imported.append(note)
                    link = link.model_copy(update={"imported": link.imported + 1})
                elif outcome is _Outcome.skipped:
                    result.skipped += 1
                    link = _noted(link, remote, note)
                elif outcome is _Outcome.failed:
                    failed += 1
                    result.failed += 1
            update: dict = {"last_sync_at": datetime.now(UTC)}
            if failed:
                update["problem"] = (
                    f"{failed} file(s) could not be stored yet; they stay in Dropbox and are tried again"
                )
            else:
                # Every file of the page is done: only now does the cursor move past them.
                update.update(cursor=page.cursor, problem=None)
            update.update(_tokens_update(deps, link, account, access_token))
            link = _save(deps.repo, link.model_copy(update=update), owner)
            if link is None or failed or not page.has_more:
                return link, failed
            page = account.list_changes(page.cursor)


def _first_page(account: DropboxAccount, link: DropboxLink) -> Page:
    root = link.root or "/"
    try:
        if link.cursor:
            return account.list_changes(link.cursor)
        return account.list_folder(root)
    except CursorReset:
        return account.list_folder(root)
    except FolderMissing:
        # Someone deleted the company's folder: make it again, then start from it.
        account.create_folders([root, *link.folders.values()])
        return account.list_folder(root)


def _take(
    deps: SyncDeps, account: DropboxAccount, link: DropboxLink, remote: RemoteFile
) -> tuple[_Outcome, str]:
    mailbox = _mailbox_of(remote.path_lower, link)
    if mailbox is None:
        return _Outcome.ignored, ""
    if not remote.name.lower().endswith(SUPPORTED_SUFFIXES):
        return _Outcome.skipped, "not a PDF or a photo (JPEG, PNG, TIFF): left in Dropbox"
    if remote.size > deps.max_bytes:
        return _Outcome.skipped, f"larger than {deps.max_bytes // (1024 * 1024)} MB: left in Dropbox"
    try:
        return _import(deps, account, link, mailbox, remote)
    except (LinkRefused, UnreadableSecret):
        raise
    except Exception:
        logger.exception("a Dropbox file could not be imported; it stays for the next run")
        return _Outcome.failed, ""


def _import(
    deps: SyncDeps, account: DropboxAccount, link: DropboxLink, mailbox: Mailbox, remote: RemoteFile
) -> tuple[_Outcome, str]:
    assert link.account_id
    record_sk = records.import_sk(link.account_id, remote.path_lower, remote.content_hash or remote.rev)
    document_id = records.imported_document(deps.repo, company_id=link.company_id, sk=record_sk)
    if document_id is None:
        downloaded = account.download(remote.path_lower)
        if downloaded is None:
            return _Outcome.ignored, ""  # gone meanwhile
        remote, body = downloaded
        record_sk = records.import_sk(link.account_id, remote.path_lower, remote.content_hash or remote.rev)
        document_id = records.imported_document(deps.repo, company_id=link.company_id, sk=record_sk)
    if document_id is None:
        if claims_pdf(remote.name) and not body[:1024].count(b"%PDF-"):
            return _Outcome.skipped, f"{NOT_THE_CLAIMED_PDF}: left in Dropbox"
        if not _is_pdf_or_image(body):
            return _Outcome.skipped, "its content is not a PDF or a photo: left in Dropbox"
        document_id = store_incoming(
            blobs=deps.blobs,
            company_id=link.company_id,
            mailbox=mailbox,
            body=body,
            meta=IncomingMetadata(
                source=Source.dropbox,
                name=safe_name(remote.name, fallback="document"),
                sender=link.account_email or link.account_name,
            ),
        )
        records.record_import(
            deps.repo,
            company_id=link.company_id,
            sk=record_sk,
            document_id=document_id,
            path=remote.path_display,
        )
        logger.info("dropbox file stored", extra={"document_id": document_id, "mailbox": mailbox.value})
    # Stored and recorded: now it may leave Dropbox (unless it changed since; then the change comes next).
    account.delete(remote.path_lower, rev=remote.rev)
    return _Outcome.imported, document_id


def _mailbox_of(path_lower: str, link: DropboxLink) -> Mailbox | None:
    for mailbox, folder in link.folders.items():
        if path_lower.startswith(folder.lower() + "/"):
            return mailbox
    return None


def _is_pdf_or_image(body: bytes) -> bool:
    head = body[:1024]
    return (
        b"%PDF-" in head
        or head.startswith(b"\xff\xd8\xff")
        or head.startswith(b"\x89PNG\r\n\x1a\n")
        or head.startswith((b"II*\x00", b"MM\x00*"))
    )


def _noted(link: DropboxLink, remote: RemoteFile, reason: str) -> DropboxLink:
    note = SkippedFile(path=remote.path_display, reason=reason, at=datetime.now(UTC))
    others = [s for s in link.skipped if s.path.lower() != remote.path_lower]
    return link.model_copy(update={"skipped": [note, *others][:MAX_SKIPPED_NOTES]})


def _tokens_update(deps: SyncDeps, link: DropboxLink, account: DropboxAccount, before: str | None) -> dict:
    """The access token the SDK refreshed to, encrypted, so the next run need not refresh again."""
    token, expires_at = account.access_token
    if not token or token == before:
        return {}
    context = token_context(link.company_id, "access-token")
    return {"access_token": deps.cipher.encrypt(token, context=context), "access_expires_at": expires_at}


# ---- the lease ---------------------------------------------------------------------------------


def _acquire(repo: Repository, company_id: str, account_id: str, owner: str) -> DropboxLink | None:
    """The link, leased to `owner`; None if it is not linked to this account or another sync has it."""
    for _ in range(10):
        link = records.read_link(repo, company_id)
        if link.status != LinkStatus.connected or link.account_id != account_id:
            return None
        now = datetime.now(UTC)
        try:
            if link.lease_owner and link.lease_until and link.lease_until > now:
                if not link.rerun:
                    records.write_link(repo, link.model_copy(update={"rerun": True}))
                return None
            return records.write_link(
                repo,
                link.model_copy(update={"lease_owner": owner, "lease_until": now + LEASE, "rerun": False}),
            )
        except Conflict:
            continue
    raise Conflict("the Dropbox link keeps changing")


def _save(repo: Repository, link: DropboxLink, owner: str) -> DropboxLink | None:
    """Write the sync's progress and renew the lease; None when the lease is lost."""
    for _ in range(10):
        try:
            return records.write_link(
                repo, link.model_copy(update={"lease_until": datetime.now(UTC) + LEASE})
            )
        except Conflict:
            fresh = records.read_link(repo, link.company_id)
            if not _still_ours(fresh, link, owner):
                return None
            # Only another sync's request for one more round can have changed it.
            link = link.model_copy(update={"rerun": fresh.rerun, "version": fresh.version})
    raise Conflict("the Dropbox link keeps changing")


def _release(
    repo: Repository, link: DropboxLink, owner: str, *, failed: int
) -> tuple[DropboxLink | None, bool]:
    """Let go of the lease, unless another sync asked for one more round (then: True, lease kept)."""
    for _ in range(10):
        if link.rerun and not failed:
            return _save(repo, link.model_copy(update={"rerun": False}), owner), True
        try:
            update = {"lease_owner": None, "lease_until": None, "rerun": False}
            return records.write_link(repo, link.model_copy(update=update)), False
        except Conflict:
            fresh = records.read_link(repo, link.company_id)
            if not _still_ours(fresh, link, owner):
                return None, False
            link = link.model_copy(update={"rerun": fresh.rerun, "version": fresh.version})
    raise Conflict("the Dropbox link keeps changing")


def _still_ours(fresh: DropboxLink, link: DropboxLink, owner: str) -> bool:
    return (
        fresh.status == LinkStatus.connected
        and fresh.lease_owner == owner
        and fresh.account_id == link.account_id
    )


def _let_go(repo: Repository, company_id: str, owner: str) -> None:
    """After an unexpected error: release the lease if still ours, so the retry need not wait for it."""
    try:
        link = records.read_link(repo, company_id)
        if link.lease_owner == owner:
            records.write_link(repo, link.model_copy(update={"lease_owner": None, "lease_until": None}))
    except Exception:
        logger.warning("could not release the Dropbox lease; it runs out by itself", exc_info=True)


def _mark_revoked(repo: Repository, company_id: str, owner: str, *, unreadable: bool) -> None:
    for _ in range(10):
        link = records.read_link(repo, company_id)
        if link.lease_owner != owner:
            return
        revoked = link.model_copy(
            update={
                "status": LinkStatus.revoked,
                "problem": UNREADABLE_PROBLEM if unreadable else REVOKED_PROBLEM,
                "refresh_token": None,
                "access_token": None,
                "access_expires_at": None,
                "cursor": None,
                "lease_owner": None,
                "lease_until": None,
                "rerun": False,
            }
        )
        try:
            records.write_link(repo, revoked)
            return
        except Conflict:
            continue
