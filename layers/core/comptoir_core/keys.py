"""The single-table keys. The only module that knows how items are keyed.

Every company-scoped item has the company id as its partition key, so IAM's
dynamodb:LeadingKeys can fence a tenant and one Query reads a company's items.
"""

COMPANY_PROFILE = "PROFILE"
COMPANY_SETTINGS = "SETTINGS"
USER_PROFILE = "PROFILE"
FIRM_PROFILE = "PROFILE"
IDEMPOTENCY_PREFIX = "IDEMPOTENCY#"

# gsi1 answers the reverse questions: a user's companies, a firm's companies.
GSI1 = "gsi1"


def company_pk(company_id: str) -> str:
    return company_id


def member_sk(user_id: str) -> str:
    return f"MEMBER#{user_id}"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def firm_pk(firm_id: str) -> str:
    return f"FIRM#{firm_id}"


def membership_gsi1(user_id: str, company_id: str) -> dict[str, str]:
    return {"gsi1pk": user_pk(user_id), "gsi1sk": f"COMPANY#{company_id}"}


def company_in_firm_gsi1(firm_id: str, company_id: str) -> dict[str, str]:
    return {"gsi1pk": firm_pk(firm_id), "gsi1sk": f"COMPANY#{company_id}"}


def document_sk(document_id: str) -> str:
    return f"DOC#{document_id}"


DOCUMENT_SK_PREFIX = "DOC#"

# What a company taught invoice recognition about one supplier, keyed by the supplier's VAT number.
SUPPLIER_PROFILE_SK_PREFIX = "SUPPLIER#"


def supplier_profile_sk(supplier_vat: str) -> str:
    return f"{SUPPLIER_PROFILE_SK_PREFIX}{supplier_vat}"


def content_hash_prefix(sha256: str) -> str:
    """The documents of a company with these exact bytes: one item each, this prefix + the document id."""
    return f"HASH#{sha256}#"


def invoice_key_prefix(invoice_key: str) -> str:
    """The documents of a company that are the same invoice (supplier VAT, number, total)."""
    return f"INVOICE#{invoice_key}#"


def job_sk(job_id: str) -> str:
    """A split or merge job of a company."""
    return f"JOB#{job_id}"


def lock_sk(document_id: str) -> str:
    """Held while a split, merge or page edit works on a document."""
    return f"LOCK#{document_id}"


def job_object_key(company_id: str, job_id: str) -> str:
    """The object whose S3 event starts a job. Built from ids only."""
    return f"jobs/{company_id}/{job_id}"


def incoming_object_key(company_id: str, mailbox: str, document_id: str) -> str:
    """Where a channel drops a received file in S3. Built from ids only."""
    return f"incoming/{company_id}/{mailbox}/{document_id}"


# ---- the e-mail channel: mailbox addresses and received messages ------------------------------
# The address lookup is keyed by the address itself: the one question asked without a company.

MAILBOX_ADDRESS_PREFIX = "MAILADDRESS#"
MESSAGE_PREFIX = "MAIL#"
ADDRESS_LOOKUP_SK = "ADDRESS"


def mailbox_address_sk(mailbox: str) -> str:
    """The company's current address for one mailbox (under the company's partition)."""
    return f"{MAILBOX_ADDRESS_PREFIX}{mailbox}"


def address_lookup_pk(local_part: str) -> str:
    return f"MAILADDR#{local_part}"


def message_sk(message_id: str) -> str:
    return f"{MESSAGE_PREFIX}{message_id}"


def messages_of_month_gsi1(company_id: str, month: str, received_at: str, message_id: str) -> dict[str, str]:
    """gsi1 lists a company's messages by month, oldest first."""
    return {"gsi1pk": messages_of_month_pk(company_id, month), "gsi1sk": f"{received_at}#{message_id}"}


def messages_of_month_pk(company_id: str, month: str) -> str:
    return f"MAIL#{company_id}#{month}"


# ---- the Dropbox channel ----------------------------------------------------------------------

DROPBOX_LINK_SK = "DROPBOX#LINK"
DROPBOX_STATE_SK_PREFIX = "DROPBOX#STATE#"
DROPBOX_IMPORT_SK_PREFIX = "DROPBOX#IMPORT#"
# gsi1 lists every connected link: the local stack polls them, the webhook finds an account's companies.
DROPBOX_LINKS_GSI1PK = "DROPBOX_LINKS"


def dropbox_link_gsi1(account_id: str, company_id: str) -> dict[str, str]:
    return {"gsi1pk": DROPBOX_LINKS_GSI1PK, "gsi1sk": f"{account_id}#{company_id}"}


# ---- the books: the firm's ledger, bank statements, rubrics and reports (comptoir_core.ledger, .bank, .reports)

LEDGER_YEAR_SK_PREFIX = "LEDGER#YEAR#"
LEDGER_IMPORT_SK_PREFIX = "LEDGER#IMPORT#"
RUBRICS_SK = "LEDGER#RUBRICS"
BANK_ACCOUNT_SK_PREFIX = "BANK#ACCOUNT#"
BANK_STATEMENT_SK_PREFIX = "BANK#STATEMENT#"
BANK_MOVEMENT_SK_PREFIX = "BANK#MOVE#"
REPORT_SK_PREFIX = "REPORT#"


def ledger_year_sk(fiscal_year: str) -> str:
    """One fiscal year of a company's ledger: its stamps and the figures precomputed at import."""
    return f"{LEDGER_YEAR_SK_PREFIX}{fiscal_year}"


def ledger_import_sk(import_id: str) -> str:
    return f"{LEDGER_IMPORT_SK_PREFIX}{import_id}"


def ledger_snapshot_key(company_id: str, fiscal_year_hash: str) -> str:
    """The normalised snapshot of one fiscal year (gzip JSON); the hash names its content."""
    return f"ledger/{company_id}/{fiscal_year_hash}.json.gz"


def ledger_upload_key(company_id: str, import_id: str) -> str:
    """Where the firm uploads a large ledger (JSON or a zip of CSV tables)."""
    return f"ledger-uploads/{company_id}/{import_id}"


def bank_account_sk(account: str) -> str:
    return f"{BANK_ACCOUNT_SK_PREFIX}{account}"


def bank_statement_sk(account: str, date: str, number: str) -> str:
    return f"{BANK_STATEMENT_SK_PREFIX}{account}#{date}#{number}"


def bank_movement_sk(date: str, account: str, number: str, sequence: str) -> str:
    """Movements sort by entry date, so a date range is one key range."""
    return f"{BANK_MOVEMENT_SK_PREFIX}{date}#{account}#{number}#{sequence}"


def bank_file_key(company_id: str, sha256: str) -> str:
    """A CODA file as received, named by its content."""
    return f"bank/{company_id}/{sha256}.cod"


def report_sk(report_id: str) -> str:
    return f"{REPORT_SK_PREFIX}{report_id}"


def report_job_key(company_id: str, report_id: str) -> str:
    """The object whose S3 event starts a report's generation. Built from ids only."""
    return f"report-jobs/{company_id}/{report_id}"


def report_file_key(company_id: str, report_id: str, extension: str) -> str:
    return f"reports/{company_id}/{report_id}.{extension}"


# ---- communication: conversations, their messages, who opened them when, VAT periods -----------

CONVERSATION_SK_PREFIX = "CONV#"
CONVERSATION_MESSAGE_PREFIX = "CONVMSG#"
CONVERSATION_OPENED_PREFIX = "CONVOPENED#"
CONVERSATION_UPLOAD_PREFIX = "CONVUPLOAD#"
VAT_PERIOD_PREFIX = "VAT#"


def conversation_sk(conversation_id: str) -> str:
    return f"{CONVERSATION_SK_PREFIX}{conversation_id}"


def conversation_messages_prefix(conversation_id: str) -> str:
    return f"{CONVERSATION_MESSAGE_PREFIX}{conversation_id}#"


def conversation_message_sk(conversation_id: str, message_id: str) -> str:
    return f"{conversation_messages_prefix(conversation_id)}{message_id}"


def conversation_opened_prefix(user_id: str) -> str:
    """When one person last opened each conversation of a company: one query gives them all."""
    return f"{CONVERSATION_OPENED_PREFIX}{user_id}#"


def conversation_opened_sk(user_id: str, conversation_id: str) -> str:
    return f"{conversation_opened_prefix(user_id)}{conversation_id}"


def conversation_upload_sk(attachment_id: str) -> str:
    """A presigned upload of a big attachment, waiting for the message that uses it."""
    return f"{CONVERSATION_UPLOAD_PREFIX}{attachment_id}"


def attachment_object_key(company_id: str, conversation_id: str, attachment_id: str) -> str:
    """An attachment of a conversation in S3 (no bucket notification watches this prefix). Ids only."""
    return f"conversations/{company_id}/{conversation_id}/{attachment_id}"


def vat_period_sk(period: str) -> str:
    return f"{VAT_PERIOD_PREFIX}{period}"


# ---- accounts: modules, invitations, access requests, feedback, firm settings -------------------

COMPANY_MODULES = "MODULES"
FIRM_SETTINGS = "SETTINGS"
ACCESS_REQUEST_PREFIX = "ACCESSREQ#"
FEEDBACK_PREFIX = "FEEDBACK#"
INVITATION_SK = "INVITATION"


def access_request_sk(request_id: str) -> str:
    return f"{ACCESS_REQUEST_PREFIX}{request_id}"


def invitation_pk(token_hash: str) -> str:
    """An invitation, found by the SHA-256 of its token: the token itself is never stored."""
    return f"INVITATION#{token_hash}"


PASSWORD_RESET_SK = "PASSWORD_RESET"  # noqa: S105 (a key name, not a password)


def password_reset_pk(token_hash: str) -> str:
    """A forgotten-password link, found by the SHA-256 of its token (the token is in the e-mail only)."""
    return f"PWRESET#{token_hash}"


def feedback_sk(feedback_id: str) -> str:
    return f"{FEEDBACK_PREFIX}{feedback_id}"


# ---- the document lists: each list is one index range, newest first ---------------------------
# gsi1: a firm's In processing box, across its companies (firm/processing), by document id.
# gsi2: a company's mailbox or In processing box, by document id (ids are time-ordered).
# gsi3: a company's archive of one mailbox (processed documents), by invoice date then id.
# gsi4: a company's permanent dossier, by invoice date then id.
# A document item carries the keys of the lists it is in, and none of the others (sparse indexes).
GSI2 = "gsi2"
GSI3 = "gsi3"
GSI4 = "gsi4"
INDEX_KEYS = {
    GSI1: ("gsi1pk", "gsi1sk"),
    GSI2: ("gsi2pk", "gsi2sk"),
    GSI3: ("gsi3pk", "gsi3sk"),
    GSI4: ("gsi4pk", "gsi4sk"),
}
# Per company: how many documents each box holds, kept in the same transaction as every status change.
BOX_COUNTS_SK = "COUNTS#BOXES"


def box_pk(company_id: str, box: str) -> str:
    return f"{company_id}#BOX#{box}"


def firm_processing_pk(firm_id: str) -> str:
    return f"FIRM#{firm_id}#PROCESSING"


def archive_pk(company_id: str, mailbox: str) -> str:
    return f"{company_id}#ARCHIVE#{mailbox}"


def permanent_pk(company_id: str) -> str:
    return f"{company_id}#PERMANENT"


def dated_sk(invoice_date: str, document_id: str) -> str:
    return f"{invoice_date}#{document_id}"


# A document's history events and remarks: one item each, under the company, after the document's id.
def document_event_sk(document_id: str, number: int) -> str:
    return f"EVENT#{document_id}#{number:08d}"


def document_events_prefix(document_id: str) -> str:
    return f"EVENT#{document_id}#"


def document_remark_sk(document_id: str, remark_id: str) -> str:
    return f"REMARK#{document_id}#{remark_id}"


def document_remarks_prefix(document_id: str) -> str:
    return f"REMARK#{document_id}#"


# ---- payments: EPC QR codes and SEPA files ----------------------------------------------------

PAYMENT_SK_PREFIX = "PAY#"
SEPA_FILE_SK_PREFIX = "SEPAFILE#"


def payment_sk(payment_id: str) -> str:
    return f"{PAYMENT_SK_PREFIX}{payment_id}"


def document_payment_prefix(document_id: str) -> str:
    """The payments of one document: one index item each, this prefix + the payment id."""
    return f"DOCPAY#{document_id}#"


def payee_iban_prefix(supplier_vat: str) -> str:
    """The IBANs a company has paid a supplier (by VAT number) on: one item each, this prefix + the IBAN."""
    return f"PAYEEIBAN#{supplier_vat}#"


def sepa_file_sk(file_id: str) -> str:
    return f"{SEPA_FILE_SK_PREFIX}{file_id}"


def sepa_file_object_key(company_id: str, file_id: str) -> str:
    """A generated pain.001 file in S3. Built from ids only."""
    return f"sepa/{company_id}/{file_id}.xml"


# ---- approvals: settings, rules, and one chain record per invoice or payment -----------------------

APPROVAL_SETTINGS_SK = "APPROVALS#SETTINGS"
# gsi1 lists every chain still waiting, oldest first: the reminder sweep reads it, never a Scan.
PENDING_CHAINS_GSI1PK = "APPROVALS_PENDING"


def approval_rule_prefix(kind: str) -> str:
    return f"APPROVALRULE#{kind}#"


def approval_rule_sk(kind: str, rule_id: str) -> str:
    return f"{approval_rule_prefix(kind)}{rule_id}"


def approval_chain_prefix(kind: str) -> str:
    return f"APPROVAL#{kind}#"


def approval_chain_sk(kind: str, subject_id: str) -> str:
    """The chain of one invoice (document id) or payment (payment id)."""
    return f"{approval_chain_prefix(kind)}{subject_id}"


def pending_chain_gsi1(started_at: str, company_id: str, kind: str, subject_id: str) -> dict[str, str]:
    return {"gsi1pk": PENDING_CHAINS_GSI1PK, "gsi1sk": f"{started_at}#{company_id}#{kind}#{subject_id}"}


# ---- e-mails sent once: a marker per notice, made before the e-mail leaves ------------------------
def import_failed_notice_sk(document_id: str, attempt: str) -> str:
    """The "failed to import" e-mail of one attempt at a document (a retry is a new attempt)."""
    return f"NOTICE#import_failed#{document_id}#{attempt}"
