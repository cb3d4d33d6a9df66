"""What the document routes answer and accept: list items, pages of results, queries, requests."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from comptoir_core.approvals.views import approval_status_for
from comptoir_core.documents.fields import KEY_FIELDS
from comptoir_core.documents.models import Booking, Document, DocumentStatus, Mailbox, Source

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
            remarks=len(document.remarks),
            key_fields={name: document.field_value(name) for name in KEY_FIELDS},
            approval_status=approval_status_for(
                document.approval_status, document.approval, viewer=viewer[0], role=viewer[1]
            )
            if viewer
            else document.approval_status,
            payment_status=document.payment_status,
            duplicate=bool(document.duplicate_of),
            duplicate_of=document.duplicate_of,
            thumbnail=thumbnail,
        )


class DocumentPage(BaseModel):
    documents: list[DocumentListItem]
    # Pass as ?cursor= for the next page; None on the last page.
    next_cursor: str | None = None


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
    cursor: str | None = Field(default=None, max_length=40)
    limit: int = Field(default=50, ge=1, le=200)

    def matches(self, document: Document) -> bool:
        received = document.received_at.date()
        return (
            (self.label is None or self.label in document.labels)
            and (self.status is None or document.status == self.status)
            and (self.source is None or document.source == self.source)
            and (self.mailbox is None or document.mailbox == self.mailbox)
            and (self.date_from is None or received >= self.date_from)
            and (self.date_to is None or received <= self.date_to)
            and (not self.q or self.q.casefold() in document.name.casefold())
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
    cursor: str | None = Field(default=None, pattern=r"^\d{1,6}$")
    limit: int = Field(default=50, ge=1, le=200)


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
    ids: list[str] = Field(min_length=1, max_length=100)


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
