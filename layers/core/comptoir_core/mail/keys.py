"""The single-table keys of the e-mail channel (beside comptoir_core.keys, which owns the others).

Company-scoped items start with the company id; the address lookup is keyed by the address itself,
the one question asked without a company: "whose is this address?".
"""

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
