"""Dropbox intake: a company's link to a Dropbox account, and what its sync did."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from comptoir_core.accounts.models import Language
from comptoir_core.documents.models import Mailbox


class LinkStatus(StrEnum):
    not_linked = "not_linked"
    connected = "connected"
    # Dropbox no longer accepts the link (the app was removed from the account, or the token was
    # revoked), or the stored token cannot be read: nothing syncs until someone links again.
    revoked = "revoked"


# The company's folder in the app folder is named by its enterprise number, with one folder per mailbox
# named in the company's language (fixed at link time and kept on the link).
MAILBOX_FOLDERS: dict[Language, dict[Mailbox, str]] = {
    Language.fr: {Mailbox.purchase: "Achats", Mailbox.sales: "Ventes", Mailbox.misc: "Divers"},
    Language.nl: {Mailbox.purchase: "Aankopen", Mailbox.sales: "Verkopen", Mailbox.misc: "Diversen"},
    Language.en: {Mailbox.purchase: "Purchases", Mailbox.sales: "Sales", Mailbox.misc: "Miscellaneous"},
}


class SkippedFile(BaseModel):
    """A file of a mailbox folder left in Dropbox, and why."""

    path: str
    reason: str
    at: datetime


class DropboxLink(BaseModel):
    """The stored link of one company (the item, tokens encrypted)."""

    company_id: str
    status: LinkStatus = LinkStatus.not_linked
    account_id: str | None = None
    account_email: str | None = None
    account_name: str | None = None
    linked_by: str | None = None  # the user's e-mail
    linked_at: datetime | None = None
    root: str | None = None  # "/0123456789"
    folders: dict[Mailbox, str] = Field(default_factory=dict)
    refresh_token: str | None = None  # KMS ciphertext, base64
    access_token: str | None = None  # KMS ciphertext, base64
    access_expires_at: datetime | None = None
    cursor: str | None = None
    last_sync_at: datetime | None = None
    problem: str | None = None
    imported: int = 0
    skipped: list[SkippedFile] = Field(default_factory=list)
    lease_owner: str | None = None
    lease_until: datetime | None = None
    # Set by a sync that found the link busy: the running sync makes one more round before it lets go.
    rerun: bool = False
    version: int = 0


class LinkRead(BaseModel):
    """What a member sees of the company's Dropbox link."""

    status: LinkStatus
    account_email: str | None = None
    account_name: str | None = None
    linked_by: str | None = None
    linked_at: datetime | None = None
    folders: dict[Mailbox, str] = Field(default_factory=dict)
    last_sync_at: datetime | None = None
    imported: int = 0
    skipped: list[SkippedFile] = Field(default_factory=list)
    problem: str | None = None


class LinkStart(BaseModel):
    """Where to send the user's browser: Dropbox's consent page."""

    authorize_url: str
    expires_at: datetime
    # A random value the browser that starts linking keeps (a cookie the route sets, never in the
    # JSON): the callback must bring it back, so a consent started elsewhere cannot land here.
    browser_binding: str = Field(default="", exclude=True)


class LinkDone(BaseModel):
    company_id: str
    account_email: str | None
    folders: dict[Mailbox, str]


AccountId = Annotated[str, StringConstraints(pattern=r"^dbid:[A-Za-z0-9_-]{1,200}$")]


class ListFolderAccounts(BaseModel):
    # However many Dropbox names: the webhook checks their form and hands them on, never refuses them.
    accounts: list[str] = Field(default_factory=list)


class WebhookNotification(BaseModel):
    """Dropbox's notification body: the accounts whose files changed."""

    model_config = ConfigDict(extra="ignore")
    list_folder: ListFolderAccounts = Field(default_factory=ListFolderAccounts)


class WebhookChallenge(BaseModel):
    """The query Dropbox checks a new webhook URL with."""

    challenge: str = Field(min_length=1, max_length=500)


class NotificationAccepted(BaseModel):
    """The webhook's answer: how many accounts were handed to the queue."""

    queued: int


class AccountChanged(BaseModel):
    """One message on the Dropbox queue: look at this account's linked folders (`account_id`), or,
    straight from the webhook, accounts named by one notification (`accounts`): the worker queues
    again, one message each, only those linked to a company."""

    account_id: AccountId | None = None
    accounts: list[AccountId] = Field(default_factory=list, max_length=1000)


class CallbackQuery(BaseModel):
    """The query Dropbox sends the browser back with."""

    model_config = ConfigDict(extra="ignore")
    state: str = Field(min_length=1, max_length=1000)
    code: str | None = Field(default=None, max_length=1000)
    error: str | None = Field(default=None, max_length=200)
    error_description: str | None = Field(default=None, max_length=1000)


class SyncResult(BaseModel):
    company_id: str
    imported: list[str] = Field(default_factory=list)  # document ids
    skipped: int = 0
    failed: int = 0
    busy: bool = False  # another sync held the link: it does the work
    status: LinkStatus = LinkStatus.connected
