"""Documents: mailboxes, the documents in them, and everything said about a document."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr, computed_field

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
    learnt = "learnt"  # taught by earlier corrections (the supplier's profile), not printed here


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
    # Where on `page` the value was read, as fractions of the page's width and height (x0, y0, x1, y1
    # from its top-left corner): what the document view outlines over the page image. None when the
    # value is printed nowhere (comptoir_pdf.locate).
    area: tuple[float, float, float, float] | None = None
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

    @computed_field
    @property
    def sender_not_authenticated(self) -> bool:
        """SPF, DKIM and DMARC all failed (none passed): the From address may be forged. Shown on
        every document of the message."""
        return not_authenticated(self.spf, self.dkim, self.dmarc)


# Verdicts that mean a check failed (SES: FAIL; Authentication-Results: fail, softfail…). "none" or
# "gray" (nothing to check against) is not a failure.
_FAILED = frozenset({"fail", "softfail", "hardfail", "permerror"})


def not_authenticated(spf: str | None, dkim: str | None, dmarc: str | None) -> bool:
    """The sender failed all three of SPF, DKIM and DMARC: its From address may well be forged."""
    return all((v or "").strip().lower() in _FAILED for v in (spf, dkim, dmarc))


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
    # The entry's number in the firm's accounting software, to find the booking there.
    reference: str | None = Field(default=None, max_length=40)


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
    # The S3 version of the original as received: every read of "the original" reads this version,
    # so a second write to the same key never replaces what was processed.
    original_version: str | None = None
    # The firm of the company (set on creation): its In processing box across the firm's companies.
    firm_id: str | None = None
    # The current working PDF and its version; page images are keyed by that version.
    working_key: str | None = None
    working_version: int = 0
    problem: str | None = None  # why it failed or needs a password, in words
    warnings: list[str] = Field(default_factory=list)  # e.g. "active content removed"
    duplicate_of: list[str] = Field(default_factory=list)
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    labels: list[str] = Field(default_factory=list)  # at most MAX_LABELS
    # The latest remarks and history events; each one also lives in its own item under the document
    # (all of them: GET .../remarks and .../history page through them), so the item stays small.
    remarks: list[Remark] = Field(default_factory=list)
    remarks_total: int = 0
    history: list[HistoryEvent] = Field(default_factory=list)
    history_total: int = 0
    mail: MailInfo | None = None
    mobile: MobileInfo | None = None
    # Lineage: a split part or merge result names its sources; a retired source names its parts.
    derived_from: list[str] = Field(default_factory=list)
    derived_by: str | None = None  # "split" or "merge" for a part or merge result
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
    # When a member of the company (not its accountant) first opened it: the archive's blue or grey eye.
    seen_at: datetime | None = None
    deleted_from: DocumentStatus | None = None  # the status a restore returns to
    lease_until: datetime | None = None  # while a pipeline run holds the document

    def field_value(self, name: str) -> Any:
        field = self.fields.get(name)
        return field.value if field else None

    version: int = 0
    # What the stored item held when this document was read (documents.store keeps the counters and
    # the remark and event items right with it); None for a document not stored yet.
    _stored: Any = PrivateAttr(default=None)


# What the document JSON never shows: storage keys, S3 versions, the firm, run leases.
INTERNAL_FIELDS = frozenset({"original_key", "original_version", "working_key", "firm_id", "lease_until"})


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
