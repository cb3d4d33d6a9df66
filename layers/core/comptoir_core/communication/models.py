"""Conversations between a company and its accountant, and the "VAT documents OK" of each period."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_TEXT = 10_000
MAX_ATTACHMENTS = 10
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
PAGE_SIZE = 50


class Audience(StrEnum):
    """Who may read: the firm's accountants (and the author), the company's members, or both."""

    firm = "firm"
    company = "company"
    all = "all"


class State(StrEnum):
    open = "open"
    closed = "closed"


class StateFilter(StrEnum):
    open = "open"
    closed = "closed"
    all = "all"


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
AttachmentId = Annotated[str, StringConstraints(pattern=r"^att_[0-9a-z]{26}$")]


class ConversationStart(BaseModel):
    model_config = ConfigDict(extra="forbid")
    subject: Subject
    message: Text
    audience: Audience = Audience.all
    # A document of the company, referenced rather than attached.
    document_id: str | None = Field(default=None, max_length=40)


class MessageWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Text
    document_id: str | None = Field(default=None, max_length=40)
    # Attachments sent beforehand through a presigned upload (…/attachments/uploads).
    uploads: list[AttachmentId] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)


class ConversationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: StateFilter = StateFilter.open
    cursor: str | None = Field(default=None, pattern=r"^cv_[0-9a-z]{26}$")


class Attachment(BaseModel):
    id: str
    name: str
    content_type: str
    size: int


class MessageRead(BaseModel):
    id: str
    author_id: str
    author_name: str
    text: str
    attachments: list[Attachment] = Field(default_factory=list)
    document_id: str | None = None
    created_at: datetime


class ConversationSummary(BaseModel):
    id: str
    subject: str
    audience: Audience
    state: State
    author_id: str
    author_name: str
    created_at: datetime
    last_message_at: datetime
    closed_at: datetime | None = None
    closed_by: str | None = None
    # A message by someone else is newer than the caller's last opening of it (and it is open).
    waiting: bool = False


class ConversationRead(ConversationSummary):
    messages: list[MessageRead]


class ConversationPage(BaseModel):
    items: list[ConversationSummary]
    cursor: str | None = None


class Counter(BaseModel):
    waiting: int


class UploadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=255)]


class UploadForm(BaseModel):
    """POST the file to `url` with `fields` (multipart, the file last, as `file`); then name `attachment`
    in the message's `uploads`."""

    attachment: str
    url: str
    fields: dict[str, str]
    max_bytes: int


class AttachmentLink(BaseModel):
    """A short-lived URL a browser opens to download the attachment (its name kept)."""

    url: str
    expires_in: int


class VatPeriod(BaseModel):
    period: str
    ok_at: datetime
    by: str
    by_name: str = ""
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
