"""What the e-mail channel keeps and shows: mailbox addresses and the record of each message."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field

from comptoir_core.documents.models import Mailbox, not_authenticated


class MailboxAddress(BaseModel):
    mailbox: Mailbox
    address: str
    created_at: datetime


class ResolvedAddress(BaseModel):
    """Whose an inbound address is."""

    company_id: str
    mailbox: Mailbox
    address: str


class MessageOutcome(StrEnum):
    receiving = "receiving"  # being imported right now
    imported = "imported"  # at least one document made
    nothing_imported = "nothing_imported"  # nothing usable in it (every part skipped, no body)
    refused_virus = "refused_virus"  # SES found a virus: nothing imported, the raw message kept
    # Every attachment was refused (a zip bomb, a program…): nothing imported, not even the body.
    refused_attachments = "refused_attachments"


class ImportedPart(BaseModel):
    mailbox: Mailbox
    index: int  # the part's position among the message's parts to import; the body comes last
    document_id: str
    name: str
    kind: str
    size: int
    origin: str


class SkippedPart(BaseModel):
    name: str
    reason: str
    size: int = 0


class MailEvent(BaseModel):
    at: datetime
    event: str  # received, imported, skipped, virus, spam, received_again, nothing_imported
    detail: str | None = None


class MessageVerdicts(BaseModel):
    spam: str | None = None
    virus: str | None = None
    spf: str | None = None
    dkim: str | None = None
    dmarc: str | None = None

    @computed_field
    @property
    def sender_not_authenticated(self) -> bool:
        return not_authenticated(self.spf, self.dkim, self.dmarc)


class MessageListQuery(BaseModel):
    """Which month of messages to list (this month when absent)."""

    model_config = ConfigDict(extra="forbid")
    month: str | None = Field(default=None, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")


class MessageSummary(BaseModel):
    id: str
    received_at: datetime
    sender: str | None = None
    subject: str | None = None
    mailboxes: list[Mailbox]
    outcome: MessageOutcome
    imported: int
    skipped: int
    spam: str | None = None
    virus: str | None = None


class MessageRead(BaseModel):
    """Everything recorded about one inbound message, for the company's admins and accountant."""

    id: str
    company_id: str
    received_at: datetime
    sender: str | None = None
    subject: str | None = None
    message_id: str | None = None
    recipients: list[str] = Field(default_factory=list)
    mailboxes: list[Mailbox]
    size: int
    verdicts: MessageVerdicts
    labels: list[str] = Field(default_factory=list)
    remark: str | None = None
    outcome: MessageOutcome
    imported: list[ImportedPart] = Field(default_factory=list)
    skipped: list[SkippedPart] = Field(default_factory=list)
    defects: list[str] = Field(default_factory=list)
    history: list[MailEvent] = Field(default_factory=list)
    version: int = 0

    def summary(self) -> MessageSummary:
        return MessageSummary(
            id=self.id,
            received_at=self.received_at,
            sender=self.sender,
            subject=self.subject,
            mailboxes=self.mailboxes,
            outcome=self.outcome,
            imported=len(self.imported),
            skipped=len(self.skipped),
            spam=self.verdicts.spam,
            virus=self.verdicts.virus,
        )


class RawMessageLink(BaseModel):
    """Where to download the raw message (RFC 822, as received), for a few minutes."""

    url: str
    expires_in: int
    size: int
