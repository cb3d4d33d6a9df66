from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


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


class DocumentStatus(StrEnum):
    received = "received"


class MailboxRead(BaseModel):
    id: Mailbox
    count: int


class IncomingObject(BaseModel):
    """An object a channel wrote under incoming/, as its S3 event and metadata describe it."""

    key: str
    company_id: str
    mailbox: Mailbox
    document_id: str
    size: int
    source: Source
    sender: str | None = None


class DocumentSummary(BaseModel):
    id: str
    company_id: str
    mailbox: Mailbox
    status: DocumentStatus
    source: Source
    sender: str | None
    size: int
    received_at: datetime
