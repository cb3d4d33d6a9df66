"""Documents: mailboxes, the documents in them, and everything said about a document."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from comptoir_core.approvals.models import ApprovalBlock


class Mailbox(StrEnum):
    purchase = "purchase"
    sales = "sales"
    misc = "misc"


class Source(StrEnum):
    upload = "upload"
    mail = "mail"
    dropbox = "dropbox"
    mobile = "mobile"
    scan = "scan"
    api = "api"


# Channels the client does not click through himself: auto-forward applies to these only.
EXTERNAL_SOURCES = frozenset({Source.mail, Source.dropbox, Source.api})


class DocumentStatus(StrEnum):
    received = "received"  # stored, the pipeline has not finished yet
    inbox = "inbox"  # ready in its mailbox
    needs_password = "needs_password"  # noqa: S105 (a status, not a secret)
    failed = "failed"
    in_processing = "in_processing"  # sent to the accountant
    processed = "processed"  # booked: in the archive
    split = "split"  # retired: its pages live on in its parts
    merged = "merged"  # retired: all its pages went into a merged document
    deleted = "deleted"  # soft: an admin can restore it


# Statuses a document is visible in its mailbox with.
MAILBOX_STATUSES = frozenset(
    {DocumentStatus.received, DocumentStatus.inbox, DocumentStatus.needs_password, DocumentStatus.failed}
)
RETIRED_STATUSES = frozenset({DocumentStatus.split, DocumentStatus.merged})


class FieldSource(StrEnum):
    xml = "xml"
    text = "text"
    ocr = "ocr"
    textract = "textract"
    user = "user"


class FieldValue(BaseModel):
    """One recognised (or corrected) field. Values are JSON-ready: amounts as decimal strings,
    dates ISO, VAT numbers BE0…, IBAN without spaces; the VAT breakdown is a list of
    {"rate", "base", "vat"} objects."""

    value: Any = None
    confidence: float = Field(default=0.0, ge=0, le=1)
    source: FieldSource
    page: int | None = None
    # x0, y0, x1, y1 in PDF points from the page's top-left corner.
    box: tuple[float, float, float, float] | None = None
    # Set once a user corrected the field: what recognition said, and who changed it when.
    recognised: Any = None
    corrected_by: str | None = None
    corrected_at: datetime | None = None


class Remark(BaseModel):
    id: str
    text: str
    author: str
    at: datetime


class HistoryEvent(BaseModel):
    at: datetime
    event: str  # received, ready, failed, needs_password, sent, processed, moved, fields_corrected, …
    by: str | None = None  # the user's e-mail, or None for the system
    detail: str | None = None


class MailInfo(BaseModel):
    """What the e-mail channel knows of the message a document came from."""

    subject: str | None = None
    message_id: str | None = None
    spf: str | None = None
    dkim: str | None = None
    dmarc: str | None = None
    spam: str | None = None
    virus: str | None = None


class MobileInfo(BaseModel):
    """What the mobile app says of a photo: a receipt or an invoice, with a few fields typed in."""

    kind: str | None = None  # "receipt" | "invoice"
    fields: dict[str, str] = Field(default_factory=dict)


class Booking(BaseModel):
    journal: str = Field(min_length=1, max_length=20)
    account: str = Field(min_length=1, max_length=20)
    vat_code: str | None = Field(default=None, max_length=20)
    amount_excl_vat: str | None = None
    vat_amount: str | None = None
    amount_incl_vat: str | None = None
    comment: str | None = Field(default=None, max_length=500)


class Document(BaseModel):
    """The document item. Only comptoir_core.documents writes it; other contexts go through its services."""

    id: str
    company_id: str
    mailbox: Mailbox
    status: DocumentStatus
    source: Source
    name: str
    sender: str | None = None
    received_at: datetime
    size: int
    sha256: str | None = None
    content_type: str | None = None  # detected from the bytes: pdf, jpeg, png, tiff, html, ubl
    pages: int = 0
    original_key: str
    # The current working PDF and its version; page images are keyed by that version.
    working_key: str | None = None
    working_version: int = 0
    problem: str | None = None  # why it failed or needs a password, in words
    warnings: list[str] = Field(default_factory=list)  # e.g. "active content removed"
    duplicate_of: list[str] = Field(default_factory=list)
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    labels: list[str] = Field(default_factory=list)
    remarks: list[Remark] = Field(default_factory=list)
    history: list[HistoryEvent] = Field(default_factory=list)
    mail: MailInfo | None = None
    mobile: MobileInfo | None = None
    # Lineage: a split part or merge result names its sources; a retired source names its parts.
    derived_from: list[str] = Field(default_factory=list)
    parts: list[str] = Field(default_factory=list)
    # The approval chain's state (pending, approved, rejected, expired) and what the view shows of it;
    # written by comptoir_core.approvals, seen per caller through approvals.views.approval_status_for.
    approval_status: str | None = None
    approval: ApprovalBlock | None = None
    payment_status: str | None = None
    booking: Booking | None = None
    processed_at: datetime | None = None
    processed_by: str | None = None
    permanent: bool = False
    deleted_from: DocumentStatus | None = None  # the status a restore returns to
    lease_until: datetime | None = None  # while a pipeline run holds the document

    def field_value(self, name: str) -> Any:
        field = self.fields.get(name)
        return field.value if field else None

    version: int = 0


# The media type of an original by its detected kind (Document.content_type).
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "tiff": "image/tiff",
    "ubl": "application/xml",
    "cii": "application/xml",
}


class MailboxRead(BaseModel):
    id: str
    count: int


class IncomingObject(BaseModel):
    """An object a channel wrote under incoming/, as its key and metadata describe it."""

    key: str
    company_id: str
    mailbox: Mailbox
    document_id: str
    size: int
