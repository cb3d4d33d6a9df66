"""What the document routes answer and accept: list items, pages of results, queries, requests."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from comptoir_core.approvals.views import approval_filter_matches, approval_status_for
from comptoir_core.documents.fields import KEY_FIELDS
from comptoir_core.documents.models import (
    INTERNAL_FIELDS,
    Booking,
    Document,
    DocumentStatus,
    HistoryEvent,
    Mailbox,
    Remark,
    Source,
)

Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
PROCESSING_BOX = "processing"


class DocumentListItem(BaseModel):
    id: str
    company_id: str
    mailbox: Mailbox
    name: str
    pages: int
    source: Source
    sender: str | None
    received_at: datetime
    status: DocumentStatus
    labels: list[str]
    remarks: int
    key_fields: dict[str, Any]
    approval_status: str | None
    payment_status: str | None
    duplicate: bool
    duplicate_of: list[str]
    # The API path of the first page's thumbnail, once pages are rendered.
    thumbnail: str | None
    # In firm/processing, which company the document belongs to.
    company_name: str | None = None
    # Who must still approve (user ids) while an approval chain waits: the status each reader sees
    # (`seen_by`) derives from it, so a list stored once serves every reader.
    approval_pending: list[str] = []
    # Opened by a member of the company (not its accountant) since it was archived: the blue eye.
    seen: bool = False
    # In the company's permanent dossier (a Miscellaneous document the accountant filed there).
    permanent: bool = False

    @classmethod
    def of(cls, document: Document, viewer: tuple[str, str] | None = None) -> "DocumentListItem":
        """`viewer` (user id, role): the approval status is the one that reader sees."""
        thumbnail = (
            f"/documents/companies/{document.company_id}/documents/{document.id}/pages/1?size=thumb"
            if document.pages and document.working_key
            else None
        )
        return cls(
            id=document.id,
            company_id=document.company_id,
            mailbox=document.mailbox,
            name=document.name,
            pages=document.pages,
            source=document.source,
            sender=document.sender,
            received_at=document.received_at,
            status=document.status,
            labels=document.labels,
            remarks=document.remarks_total,
            key_fields={name: document.field_value(name) for name in KEY_FIELDS},
            approval_status=document.approval_status,
            approval_pending=[p.id for p in document.approval.pending] if document.approval else [],
            payment_status=document.payment_status,
            duplicate=bool(document.duplicate_of),
            duplicate_of=document.duplicate_of,
            thumbnail=thumbnail,
            seen=document.seen_at is not None,
            permanent=document.permanent,
        ).seen_by(viewer)

    def seen_by(self, viewer: tuple[str, str] | None) -> "DocumentListItem":
        """The item as `viewer` (user id, role) sees it: the approval status is that reader's."""
        if viewer is None or self.approval_status != "pending":
            return self
        seen = approval_status_for(
            self.approval_status, None, viewer=viewer[0], role=viewer[1], pending=self.approval_pending
        )
        return self.model_copy(update={"approval_status": seen})


class DocumentPage(BaseModel):
    documents: list[DocumentListItem]
    # Pass as ?cursor= for the next page; None on the last page. Opaque: where the index read stopped.
    next_cursor: str | None = None
    # Items this request read from its index range: bounded by the limit (or, filtered, SCAN_PAGE).
    scanned: int = 0
    # True when a filter no key serves read its one bounded page and found fewer than `limit`
    # matches in it: there may be more further on; ask again with next_cursor.
    partial: bool = False


def document_read(document: Document) -> dict:
    """The document JSON: everything but storage keys, S3 versions, the firm and run leases (its
    `version` stays, for optimistic writes)."""
    return document.model_dump(mode="json", exclude=set(INTERNAL_FIELDS))


class EventPage(BaseModel):
    events: list[HistoryEvent]
    next_cursor: str | None = None


class RemarkPage(BaseModel):
    remarks: list[Remark]
    next_cursor: str | None = None


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cursor: str | None = Field(default=None, max_length=1000)
    limit: int = Field(default=50, ge=1, le=200)


class FirmQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    firm: str | None = Field(default=None, max_length=40)  # for an accountant of several firms
    cursor: str | None = Field(default=None, max_length=1000)
    limit: int = Field(default=50, ge=1, le=200)


class ListQuery(BaseModel):
    """Filters of a mailbox list and of the history; they combine."""

    model_config = ConfigDict(extra="forbid")
    label: str | None = None
    status: DocumentStatus | None = None
    source: Source | None = None
    mailbox: Mailbox | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str | None = Field(default=None, max_length=200)  # text in the name
    # The approval state the caller sees: mine (to approve by me), others, approved, rejected, expired.
    approval: Literal["mine", "others", "approved", "rejected", "expired"] | None = None
    cursor: str | None = Field(default=None, max_length=1000)
    limit: int = Field(default=50, ge=1, le=200)

    def filtered(self) -> bool:
        """A filter the key does not serve (the dates are: document ids are time-ordered)."""
        return any(
            value is not None and value != ""
            for value in (self.label, self.status, self.source, self.mailbox, self.q, self.approval)
        )

    def matches(self, document: "DocumentListItem") -> bool:
        received = document.received_at.date()
        return (
            (self.label is None or self.label in document.labels)
            and (self.status is None or document.status == self.status)
            and (self.source is None or document.source == self.source)
            and (self.mailbox is None or document.mailbox == self.mailbox)
            and (self.date_from is None or received >= self.date_from)
            and (self.date_to is None or received <= self.date_to)
            and (not self.q or self.q.casefold() in document.name.casefold())
            and approval_filter_matches(self.approval, document.approval_status)
        )


class ArchiveTab(StrEnum):
    purchase = "purchase"
    sales = "sales"
    misc = "misc"
    permanent = "permanent"


class ArchiveQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tab: ArchiveTab = ArchiveTab.purchase
    counterparty: str | None = Field(default=None, max_length=200)
    number: str | None = Field(default=None, max_length=100)
    date_from: date | None = None
    date_to: date | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    label: str | None = None
    q: str | None = Field(default=None, max_length=200)
    cursor: str | None = Field(default=None, max_length=1000)
    limit: int = Field(default=50, ge=1, le=200)

    def filtered(self) -> bool:
        """A filter the index key does not serve (the dates do: the archive is sorted by invoice date)."""
        return any(
            value is not None and value != ""
            for value in (
                self.counterparty,
                self.number,
                self.amount_min,
                self.amount_max,
                self.label,
                self.q,
            )
        )


class UploadedFile(BaseModel):
    name: str
    body: bytes


class UploadOptions(BaseModel):
    """What a client may say of its upload: the channel (the mobile app, a scanner, the API), and what
    the mobile app types in about a photo."""

    model_config = ConfigDict(extra="forbid")
    source: Source = Source.upload
    kind: str | None = Field(default=None, pattern="^(receipt|invoice)$")
    fields: dict[str, Annotated[str, StringConstraints(max_length=200)]] = Field(
        default_factory=dict, max_length=20
    )

    @model_validator(mode="after")
    def _client_channels_only(self):
        if self.source not in (Source.upload, Source.mobile, Source.scan, Source.api):
            raise ValueError("source must be upload, mobile, scan or api")
        return self


class UploadAccepted(BaseModel):
    documents: list[str]


class UploadFormRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mailbox: Mailbox
    name: str = Field(min_length=1, max_length=255)
    source: Source = Source.upload


class UploadForm(BaseModel):
    document: str
    url: str
    fields: dict[str, str]
    max_bytes: int


class FieldCorrections(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: dict[str, Any] = Field(min_length=1, max_length=20)


class LabelChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    add: list[Label] = Field(default_factory=list, max_length=20)
    remove: list[Label] = Field(default_factory=list, max_length=20)


class RemarkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class MoveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mailbox: Mailbox


class SendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # One transaction: the documents and the box counter, within DynamoDB's 100 actions.
    ids: list[str] = Field(min_length=1, max_length=50)


class ProcessRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    booking: Booking


class PermanentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    permanent: bool


class FileContent(BaseModel):
    """A file to answer with: its bytes, or for a large one a short-lived download URL."""

    content_type: str
    filename: str
    body: bytes | None = None
    url: str | None = None


class FileQuery(BaseModel):
    """`?original=1` asks for the file as received instead of the working PDF."""

    model_config = ConfigDict(extra="forbid")
    original: bool = False


class PageImageQuery(BaseModel):
    """A page image: `thumb` (a small PNG) or `preview` (a large JPEG)."""

    model_config = ConfigDict(extra="forbid")
    size: Literal["thumb", "preview"] = "preview"
