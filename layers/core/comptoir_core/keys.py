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
