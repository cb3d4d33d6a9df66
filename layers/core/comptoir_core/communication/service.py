"""Conversations: who may read them, their messages and attachments, and what waits for whom.

A conversation waits for a person while it is open and holds a message by someone else newer than
their last opening of it. Writing in it counts as opening it.
"""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from botocore.exceptions import ClientError
from pydantic import BaseModel, ValidationError

from comptoir_core import keys
from comptoir_core.blobs import BlobStore
from comptoir_core.communication.attachments import attachment_type
from comptoir_core.communication.models import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    PAGE_SIZE,
    Attachment,
    Audience,
    ConversationPage,
    ConversationQuery,
    ConversationRead,
    ConversationStart,
    ConversationSummary,
    Counter,
    MessageRead,
    MessageWrite,
    State,
    StateFilter,
    UploadForm,
    UploadRequest,
)
from comptoir_core.errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from comptoir_core.ids import is_valid_id, new_id
from comptoir_core.names import safe_name
from comptoir_core.notifications import Kind, notify
from comptoir_core.observability import logger
from comptoir_core.repository import Item, Repository
from comptoir_core.tenancy import Caller, Membership, Role, authorize

COMPANY_SIDE = frozenset({Role.admin, Role.user})
UPLOAD_LIFETIME = timedelta(hours=1)
DOWNLOAD_LINK_SECONDS = 300


def may_read(conversation: Item, membership: Membership) -> bool:
    """The author always; accountants when the firm is in the audience; members when the company is."""
    if conversation["author_id"] == membership.user_id:
        return True
    audience = Audience(conversation["audience"])
    if membership.role is Role.accountant:
        return audience in (Audience.firm, Audience.all)
    return audience in (Audience.company, Audience.all)


def parse_form(model: type[BaseModel], fields: dict[str, str]):
    """The plain fields of a multipart request into `model`: a 400 naming each wrong field."""
    try:
        return model.model_validate(fields)
    except ValidationError as error:
        details = [
            {"field": ".".join(str(p) for p in issue["loc"]), "problem": issue["msg"]}
            for issue in error.errors(include_url=False, include_input=False)
        ]
        raise Invalid("the request is not valid", details=details) from error


# ---- conversations --------------------------------------------------------------------------------


def start_conversation(
    *,
    repo: Repository,
    blobs: BlobStore,
    caller: Caller,
    company_id: str,
    start: ConversationStart,
    files: list[tuple[str, bytes]],
    link_base: str,
) -> ConversationRead:
    membership = authorize(repo=repo, caller=caller, company_id=company_id)
    _check_document(repo, company_id, start.document_id)
    checked = _check_files(files)
    now = _now()
    conversation_id = new_id("cv")
    author_name = _name(repo, caller)
    message = _store_message(
        repo=repo,
        blobs=blobs,
        company_id=company_id,
        conversation_id=conversation_id,
        caller=caller,
        author_name=author_name,
        text=start.message,
        document_id=start.document_id,
        files=checked,
        uploaded=[],
        now=now,
    )
    item = {
        "pk": keys.company_pk(company_id),
        "sk": keys.conversation_sk(conversation_id),
        "id": conversation_id,
        "subject": start.subject,
        "audience": start.audience.value,
        "state": State.open.value,
        "author_id": caller.user_id,
        "author_name": author_name,
        "created_at": now.isoformat(),
        "last_message_at": now.isoformat(),
        "last_message_by": caller.user_id,
    }
    repo.replace_versioned(item, expected_version=0)
    _mark_opened(repo, company_id, caller.user_id, conversation_id, now)
    _tell_readers(repo, company_id, item, membership, author_name, start.message, link_base)
    return _read(item, [message], waiting=False)


def list_conversations(
    *, repo: Repository, caller: Caller, company_id: str, query: ConversationQuery
) -> ConversationPage:
    membership = authorize(repo=repo, caller=caller, company_id=company_id)
    opened = _opened(repo, company_id, caller.user_id)
    items: list[ConversationSummary] = []
    cursor = None
    found = repo.query(
        keys.company_pk(company_id),
        sk_prefix=keys.CONVERSATION_SK_PREFIX,
        descending=True,
        sk_before=keys.conversation_sk(query.cursor) if query.cursor else None,
    )
    for item in found:
        if not may_read(item, membership):
            continue
        if query.state is not StateFilter.all and item["state"] != query.state.value:
            continue
        if len(items) == PAGE_SIZE:
            cursor = items[-1].id
            break
        items.append(_summary(item, waiting=_waits(item, opened)))
    return ConversationPage(items=items, cursor=cursor)


def read_conversation(
    *, repo: Repository, caller: Caller, company_id: str, conversation_id: str
) -> ConversationRead:
    """The conversation with its messages; opening it means the caller has read it."""
    membership = authorize(repo=repo, caller=caller, company_id=company_id)
    item = _readable(repo, company_id, conversation_id, membership)
    messages = [MessageRead.model_validate(m) for m in _messages(repo, company_id, conversation_id)]
    # Read up to the newest message shown: one written meanwhile still waits.
    seen = max((message.created_at for message in messages), default=_now())
    _mark_opened(repo, company_id, caller.user_id, conversation_id, seen)
    return _read(item, messages, waiting=False)


def add_message(
    *,
    repo: Repository,
    blobs: BlobStore,
    caller: Caller,
    company_id: str,
    conversation_id: str,
    write: MessageWrite,
    files: list[tuple[str, bytes]],
    link_base: str,
) -> MessageRead:
    membership = authorize(repo=repo, caller=caller, company_id=company_id)
    item = _readable(repo, company_id, conversation_id, membership)
    if item["state"] != State.open.value:
        raise Conflict("the conversation is closed")
    _check_document(repo, company_id, write.document_id)
    if len(files) + len(write.uploads) > MAX_ATTACHMENTS:
        raise Invalid(f"at most {MAX_ATTACHMENTS} attachments a message")
    checked = _check_files(files)
    uploaded = _check_uploads(repo, blobs, company_id, conversation_id, caller, write.uploads)
    now = _now()
    author_name = _name(repo, caller)
    updated = _note_message(repo, item, caller, now)
    message = _store_message(
        repo=repo,
        blobs=blobs,
        company_id=company_id,
        conversation_id=conversation_id,
        caller=caller,
        author_name=author_name,
        text=write.text,
        document_id=write.document_id,
        files=checked,
        uploaded=uploaded,
        now=now,
    )
    _mark_opened(repo, company_id, caller.user_id, conversation_id, now)
    _tell_readers(repo, company_id, updated, membership, author_name, write.text, link_base)
    return message


def _note_message(repo: Repository, item: Item, caller: Caller, now: datetime, attempts: int = 3) -> Item:
    """The conversation's newest message is this one. Two people writing at once both land: the
    loser of the conditional write reads again; a conversation closed meanwhile refuses."""
    for _ in range(attempts):
        updated = {**item, "last_message_at": now.isoformat(), "last_message_by": caller.user_id}
        try:
            return repo.replace_versioned(updated, expected_version=int(item["version"]))
        except Conflict:
            item = repo.get(item["pk"], item["sk"])
            if item is None or item["state"] != State.open.value:
                raise Conflict("the conversation was closed meanwhile") from None
    raise Conflict("the conversation is busy; try again")


def close_conversation(
    *, repo: Repository, caller: Caller, company_id: str, conversation_id: str
) -> ConversationSummary:
    """Its author or an accountant closes it; it stays readable under `closed` and `all`."""
    membership = authorize(repo=repo, caller=caller, company_id=company_id)
    item = _readable(repo, company_id, conversation_id, membership)
    if item["author_id"] != caller.user_id and membership.role is not Role.accountant:
        raise Forbidden("only its author or an accountant closes a conversation")
    if item["state"] == State.closed.value:
        raise Conflict("the conversation is already closed")
    now = _now()
    closed = {**item, "state": State.closed.value, "closed_at": now.isoformat(), "closed_by": caller.user_id}
    repo.replace_versioned(closed, expected_version=int(item["version"]))
    return _summary(closed, waiting=False)


def check_readable(*, repo: Repository, caller: Caller, company_id: str, conversation_id: str) -> None:
    """NotFound unless the caller may read the conversation (routes call it before reading the body)."""
    membership = authorize(repo=repo, caller=caller, company_id=company_id)
    _readable(repo, company_id, conversation_id, membership)


def counter(*, repo: Repository, caller: Caller, company_id: str) -> Counter:
    membership = authorize(repo=repo, caller=caller, company_id=company_id)
    return Counter(waiting=waiting_for(repo=repo, membership=membership))


def waiting_for(*, repo: Repository, membership: Membership) -> int:
    """How many open conversations of the company wait for this member (the firm view uses it too)."""
    opened = _opened(repo, membership.company_id, membership.user_id)
    return sum(
        1
        for item in repo.query(keys.company_pk(membership.company_id), sk_prefix=keys.CONVERSATION_SK_PREFIX)
        if may_read(item, membership) and _waits(item, opened)
    )


# ---- attachments ----------------------------------------------------------------------------------


def create_upload(
    *,
    repo: Repository,
    blobs: BlobStore,
    caller: Caller,
    company_id: str,
    conversation_id: str,
    request: UploadRequest,
) -> UploadForm:
    """A presigned S3 POST for one attachment too big for the API's request limit (up to 20 MB)."""
    membership = authorize(repo=repo, caller=caller, company_id=company_id)
    item = _readable(repo, company_id, conversation_id, membership)
    if item["state"] != State.open.value:
        raise Conflict("the conversation is closed")
    attachment_id = new_id("att")
    key = keys.attachment_object_key(company_id, conversation_id, attachment_id)
    form = blobs.upload_form(key, max_bytes=MAX_ATTACHMENT_BYTES, metadata={})
    now = _now()
    repo.create(
        {
            "pk": keys.company_pk(company_id),
            "sk": keys.conversation_upload_sk(attachment_id),
            "conversation_id": conversation_id,
            "name": safe_name(request.name),
            "by": caller.user_id,
            "created_at": now.isoformat(),
            "expiration": int((now + UPLOAD_LIFETIME).timestamp()),
        }
    )
    return UploadForm(
        attachment=attachment_id, url=form["url"], fields=form["fields"], max_bytes=MAX_ATTACHMENT_BYTES
    )


def attachment_url(
    *,
    repo: Repository,
    blobs: BlobStore,
    caller: Caller,
    company_id: str,
    conversation_id: str,
    attachment_id: str,
) -> str:
    """A short-lived download URL, for those who may read the conversation only."""
    membership = authorize(repo=repo, caller=caller, company_id=company_id)
    _readable(repo, company_id, conversation_id, membership)
    for message in _messages(repo, company_id, conversation_id):
        for attachment in message.get("attachments") or []:
            if attachment["id"] == attachment_id:
                return blobs.download_url(
                    keys.attachment_object_key(company_id, conversation_id, attachment_id),
                    filename=attachment["name"],
                    content_type=attachment["content_type"],
                    expires_s=DOWNLOAD_LINK_SECONDS,
                )
    raise NotFound("attachment not found")


# ---- helpers --------------------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC)


def _name(repo: Repository, caller: Caller) -> str:
    profile = repo.get(keys.user_pk(caller.user_id), keys.USER_PROFILE) or {}
    return profile.get("name") or caller.email


def _readable(repo: Repository, company_id: str, conversation_id: str, membership: Membership) -> Item:
    item = None
    if is_valid_id(conversation_id, "cv"):
        item = repo.get(keys.company_pk(company_id), keys.conversation_sk(conversation_id))
    if item is None or not may_read(item, membership):
        raise NotFound("conversation not found")
    return item


def _messages(repo: Repository, company_id: str, conversation_id: str) -> Iterable[Item]:
    return repo.query(
        keys.company_pk(company_id), sk_prefix=keys.conversation_messages_prefix(conversation_id)
    )


def _check_document(repo: Repository, company_id: str, document_id: str | None) -> None:
    if document_id is None:
        return
    if (
        not is_valid_id(document_id, "doc")
        or repo.get(keys.company_pk(company_id), keys.document_sk(document_id)) is None
    ):
        raise Invalid(f"document {document_id} is not a document of this company")


def _check_files(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes, str]]:
    """Every attachment checked before anything is written: nothing half-stored on a refusal."""
    if len(files) > MAX_ATTACHMENTS:
        raise Invalid(f"at most {MAX_ATTACHMENTS} attachments a message; {len(files)} were sent")
    checked = []
    for name, data in files:
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise TooLarge(f"{name} is over {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB")
        if not data:
            raise Invalid(f"{name} is empty")
        checked.append((name, data, attachment_type(name, data)))
    return checked


def _check_uploads(
    repo: Repository, blobs: BlobStore, company_id: str, conversation_id: str, caller: Caller, ids: list[str]
) -> list[Attachment]:
    attachments = []
    for attachment_id in dict.fromkeys(ids):
        upload = repo.get(keys.company_pk(company_id), keys.conversation_upload_sk(attachment_id))
        if upload is None or upload["conversation_id"] != conversation_id or upload["by"] != caller.user_id:
            raise Invalid(f"upload {attachment_id} is not one of yours for this conversation")
        key = keys.attachment_object_key(company_id, conversation_id, attachment_id)
        try:
            size = blobs.size(key)
        except ClientError as error:  # no object: the file was never posted to the form
            raise Invalid(f"upload {attachment_id} has no file yet") from error
        if size > MAX_ATTACHMENT_BYTES:
            raise TooLarge(f"{upload['name']} is over {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB")
        content_type = attachment_type(upload["name"], blobs.get(key))
        attachments.append(
            Attachment(id=attachment_id, name=upload["name"], content_type=content_type, size=size)
        )
    return attachments


def _store_message(
    *,
    repo: Repository,
    blobs: BlobStore,
    company_id: str,
    conversation_id: str,
    caller: Caller,
    author_name: str,
    text: str,
    document_id: str | None,
    files: list[tuple[str, bytes, str]],
    uploaded: list[Attachment],
    now: datetime,
) -> MessageRead:
    attachments = list(uploaded)
    for name, data, content_type in files:
        attachment_id = new_id("att")
        blobs.put(
            keys.attachment_object_key(company_id, conversation_id, attachment_id),
            data,
            content_type=content_type,
        )
        attachments.append(Attachment(id=attachment_id, name=name, content_type=content_type, size=len(data)))
    message = MessageRead(
        id=new_id("msg"),
        author_id=caller.user_id,
        author_name=author_name,
        text=text,
        attachments=attachments,
        document_id=document_id,
        created_at=now,
    )
    repo.create(
        {
            "pk": keys.company_pk(company_id),
            "sk": keys.conversation_message_sk(conversation_id, message.id),
            **message.model_dump(mode="json"),
        }
    )
    for attachment in uploaded:
        repo.delete(keys.company_pk(company_id), keys.conversation_upload_sk(attachment.id))
    return message


def _opened(repo: Repository, company_id: str, user_id: str) -> dict[str, str]:
    prefix = keys.conversation_opened_prefix(user_id)
    return {
        item["sk"][len(prefix) :]: item["opened_at"]
        for item in repo.query(keys.company_pk(company_id), sk_prefix=prefix)
    }


def _mark_opened(
    repo: Repository, company_id: str, user_id: str, conversation_id: str, when: datetime
) -> None:
    repo.put(
        {
            "pk": keys.company_pk(company_id),
            "sk": keys.conversation_opened_sk(user_id, conversation_id),
            "opened_at": when.isoformat(),
        }
    )


def _waits(item: Item, opened: dict[str, str]) -> bool:
    if item["state"] != State.open.value:
        return False
    last_opened = opened.get(item["id"])
    # Writing marks the conversation opened, so a newer message is someone else's.
    return last_opened is None or item["last_message_at"] > last_opened


def _tell_readers(
    repo: Repository,
    company_id: str,
    conversation: Item,
    author: Membership,
    author_name: str,
    text: str,
    link_base: str,
) -> None:
    """E-mail everyone else who may read the conversation. A failed e-mail never undoes the message."""
    readers = []
    for member in repo.query(keys.company_pk(company_id), sk_prefix="MEMBER#"):
        membership = Membership(company_id=company_id, user_id=member["user_id"], role=member["role"])
        if membership.user_id != author.user_id and may_read(conversation, membership):
            readers.append(membership.user_id)
    company = repo.get(keys.company_pk(company_id), keys.COMPANY_PROFILE) or {}
    excerpt = text if len(text) <= 500 else text[:500] + "…"
    try:
        notify(
            repo=repo,
            kind=Kind.new_message,
            recipients=readers,
            context={
                "company": company.get("name", ""),
                "subject": conversation["subject"],
                "author": author_name,
                "excerpt": excerpt,
                "link": f"{link_base}/companies/{company_id}/conversations/{conversation['id']}",
            },
        )
    except Exception:
        logger.exception(
            "the new-message e-mails could not be sent", extra={"conversation": conversation["id"]}
        )


def _summary(item: Item, *, waiting: bool) -> ConversationSummary:
    return ConversationSummary.model_validate({**item, "waiting": waiting})


def _read(item: Item, messages: list[MessageRead], *, waiting: bool) -> ConversationRead:
    return ConversationRead.model_validate({**item, "waiting": waiting, "messages": messages})
