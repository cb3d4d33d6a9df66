from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator
from stdnum import bic as std_bic
from stdnum import iban as std_iban
from stdnum.be import vat as be_vat

from comptoir_core.documents.models import Mailbox
from comptoir_core.tenancy import Role


class Language(StrEnum):
    fr = "fr"
    nl = "nl"
    en = "en"


def _belgian_vat(value: str) -> str:
    """Normalise to BE0123456749 and check mod 97; a clear message otherwise."""
    compact = be_vat.compact(value)
    if not be_vat.is_valid(compact):
        raise ValueError("not a valid Belgian VAT number (BE0 + 9 digits with a mod-97 check)")
    return "BE" + compact


BelgianVat = Annotated[str, AfterValidator(_belgian_vat)]


def _iban(value: str) -> str:
    """Normalise to the compact form (BE71096123456769) and check the checksums."""
    compact = std_iban.compact(value)
    if not std_iban.is_valid(compact):
        raise ValueError("not a valid IBAN")
    return compact


Iban = Annotated[str, AfterValidator(_iban)]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    ),
]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email
    password: str = Field(min_length=1, max_length=256)


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: str = Field(min_length=1, max_length=8192)


class Firm(BaseModel):
    id: str
    name: str


class Company(BaseModel):
    id: str
    name: str
    vat_number: BelgianVat
    firm_id: str
    created_at: datetime

    @property
    def enterprise_number(self) -> str:
        """The KBO/BCE number: the VAT number's ten digits."""
        return self.vat_number[2:]


class Contact(BaseModel):
    name: str
    email: str


class FirmLink(BaseModel):
    """A link or website the firm shows its clients; `companies` limits it to some (None: every one)."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=120)
    url: str = Field(pattern=r"^https://[^\s]+$", max_length=2000)
    companies: list[str] | None = Field(default=None, max_length=1000)


class CompanyRead(BaseModel):
    id: str
    name: str
    vat_number: str
    enterprise_number: str
    firm: Firm
    role: Role
    # Which modules the firm turned on for the company (comptoir_core.accounts.modules).
    modules: dict[str, bool] = Field(default_factory=dict)
    # The company page: its accountant(s), and the links the firm selected for it.
    accountants: list[Contact] = Field(default_factory=list)
    links: list[FirmLink] = Field(default_factory=list)


class CompanySummary(BaseModel):
    id: str
    name: str
    role: Role


class EmailChoice(StrEnum):
    """Which e-mails a person wants: one for each event, or a digest of them."""

    each = "each"
    digest = "digest"


class UserProfile(BaseModel):
    id: str
    email: str
    name: str
    language: Language = Language.fr
    emails: EmailChoice = EmailChoice.each
    last_sign_in_at: datetime | None = None


class ProfileUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    language: Language | None = None
    emails: EmailChoice | None = None


class Me(BaseModel):
    profile: UserProfile
    companies: list[CompanySummary]


class MailboxSettings(BaseModel):
    """Auto-forward of one mailbox: documents from external channels (e-mail, Dropbox, API) go to
    In processing at once; with `whitelist_only`, only those whose sender is on the whitelist
    (an address, or a domain written as "@example.be")."""

    model_config = ConfigDict(extra="forbid")
    auto_forward: bool = False
    whitelist_only: bool = False
    whitelist: list[
        Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=3, max_length=254)]
    ] = Field(default_factory=list, max_length=500)

    def forwards(self, sender: str | None) -> bool:
        if not self.auto_forward:
            return False
        if not self.whitelist_only:
            return True
        if not sender:
            return False
        sender = sender.strip().lower()
        domain = "@" + sender.rpartition("@")[2]
        return sender in self.whitelist or domain in self.whitelist


def _bic(value: str) -> str:
    compact = std_bic.compact(value)
    if not std_bic.is_valid(compact):
        raise ValueError("not a valid BIC (8 or 11 characters)")
    return compact


class BankAccount(BaseModel):
    """One of the company's own bank accounts."""

    model_config = ConfigDict(extra="forbid")
    iban: Iban
    bic: Annotated[str, AfterValidator(_bic)] | None = None
    name: str | None = Field(default=None, max_length=70)
    default: bool = False

    @model_validator(mode="before")
    @classmethod
    def _plain_iban(cls, value):
        return {"iban": value} if isinstance(value, str) else value


class CompanySettings(BaseModel):
    """A company's settings. Every capability adds its own section here; unknown keys are refused."""

    model_config = ConfigDict(extra="forbid")
    language: Language = Language.fr
    fiscal_year_start_month: int = Field(default=1, ge=1, le=12)
    mailboxes: dict[Mailbox, MailboxSettings] = Field(default_factory=dict)
    # The company's own accounts (a plain IBAN string is read as {"iban": ...}): payments are made from
    # them, and invoice recognition never takes them for a supplier's.
    bank_accounts: list[BankAccount] = Field(default_factory=list, max_length=20)
    # The pain.001 version of the SEPA files, unless a file asks for another.
    sepa_pain_version: Literal["001.001.09", "001.001.03"] = "001.001.09"
    # How often the company files VAT: its "VAT documents OK" periods are quarters (2026-Q3) or months.
    vat_regime: Literal["quarterly", "monthly"] = "quarterly"

    def mailbox(self, mailbox: Mailbox) -> MailboxSettings:
        return self.mailboxes.get(mailbox, MailboxSettings())

    @model_validator(mode="after")
    def _one_default_account(self):
        if sum(1 for a in self.bank_accounts if a.default) > 1:
            raise ValueError("bank_accounts: at most one account is the default")
        if len(set(self.ibans)) != len(self.bank_accounts):
            raise ValueError("bank_accounts: each IBAN once")
        return self

    @property
    def ibans(self) -> list[str]:
        return [account.iban for account in self.bank_accounts]

    def default_account(self) -> "BankAccount | None":
        """The account marked default, else the first one."""
        return next((a for a in self.bank_accounts if a.default), None) or next(
            iter(self.bank_accounts), None
        )


class CompanySettingsRead(BaseModel):
    settings: CompanySettings
    version: int
    updated_at: datetime | None = None
    updated_by: str | None = None


class CompanySettingsWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    settings: CompanySettings
    # The version that was read: a write based on stale settings is a conflict, not a silent overwrite.
    version: int | None = Field(default=None, ge=0)


# ---- users, invitations, access requests -----------------------------------------------------------

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class ClientRole(StrEnum):
    """The roles a firm gives a client's people (the accountant's own role is the firm's)."""

    admin = "admin"
    user = "user"


class MemberRead(BaseModel):
    id: str
    email: str
    name: str
    role: Role
    last_sign_in_at: datetime | None = None


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: ClientRole


class InvitationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email
    name: Name
    role: ClientRole = ClientRole.user
    language: Language = Language.fr


class InvitationRead(BaseModel):
    company_id: str
    email: str
    name: str
    role: ClientRole
    language: Language
    invited_by: str
    expires_at: datetime


class AcceptInvitation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: Password


class AccessRequestStatus(StrEnum):
    pending = "pending"
    approved = "approved"
    refused = "refused"


class AccessDecision(BaseModel):
    """The approval of an access request; `role` overrides the role the admin asked for."""

    model_config = ConfigDict(extra="forbid")
    role: ClientRole | None = None


class AccessRequestRead(BaseModel):
    id: str
    email: str
    name: str
    role: ClientRole
    language: Language
    status: AccessRequestStatus
    requested_by: str
    requested_at: datetime
    decided_by: str | None = None
    decided_at: datetime | None = None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current: Password
    new: Password


class ForgottenPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email
    # The language of the page that asked: the e-mail's, for an address with no profile language.
    language: Language | None = None


class PasswordReset(BaseModel):
    """The token of the e-mailed link sets the new password (once, within the hour)."""

    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=20, max_length=100)
    password: Password


class PasswordRules(BaseModel):
    """The pool's password policy, for a page to say it in words before anyone types."""

    minimum_length: int
    uppercase: bool
    lowercase: bool
    digits: bool
    symbols: bool


class InvitationView(BaseModel):
    """What the invitation page shows its holder before they choose a password."""

    email: str
    name: str
    company_name: str
    role: ClientRole
    language: Language
    expires_at: datetime


class Accepted(BaseModel):
    """The request is taken; what follows happens by e-mail."""

    accepted: bool = True


class ModulesWrite(BaseModel):
    """The modules named are turned on or off; the others are kept."""

    model_config = ConfigDict(extra="forbid")
    approvals: bool | None = None
    payments: bool | None = None
    financial: bool | None = None
    reports: bool | None = None
    communication: bool | None = None


class ModulesRead(BaseModel):
    approvals: bool
    payments: bool
    financial: bool
    reports: bool
    communication: bool


class FeedbackWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    page: str | None = Field(default=None, max_length=500)


class FeedbackRead(BaseModel):
    id: str
    text: str
    page: str | None = None
    by: str
    by_email: str
    at: datetime


class FirmSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    support_email: Email | None = None
    links: list[FirmLink] = Field(default_factory=list, max_length=50)


class FirmCompany(BaseModel):
    """One line of the accountant's home: a client company and what waits in it."""

    id: str
    name: str
    documents_in_processing: int
    conversations_waiting: int
    # What waits in each box (purchase, sales, misc, processing).
    boxes: dict[str, int] = {}
    # Filled once the approvals and reports apps exist (None: not known here yet).
    approvals_pending: int | None = None
    last_vat_ok: str | None = None
    ledger_updated_at: datetime | None = None


class FirmSort(StrEnum):
    name = "name"
    waiting = "waiting"
    in_processing = "in_processing"
    vat = "vat"


class FirmQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sort: FirmSort = FirmSort.name
