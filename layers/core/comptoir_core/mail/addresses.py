"""Every company × mailbox has its own address on the inbound domain: `<company>.<mailbox>.<secret>@<domain>`.

The secret part (10 characters, 50 random bits) makes an address unguessable; regenerating it makes
the old one stop working at once. Two items per address: the company's pointer (the truth, under the
company's partition) and a lookup by address (an index). A lookup only counts when the pointer still
names that address, so a regenerated address is dead even if its lookup item lingers.
"""

import re
import secrets
import unicodedata
from datetime import UTC, datetime

from comptoir_core import keys
from comptoir_core.documents.models import Mailbox
from comptoir_core.errors import Conflict, NotFound
from comptoir_core.ids import is_valid_id
from comptoir_core.mail.models import MailboxAddress, ResolvedAddress
from comptoir_core.repository import Repository
from comptoir_core.tenancy import Caller, Role, authorize

ADDRESS_WRITERS = frozenset({Role.admin})
SECRET_LENGTH = 10
_ADDRESS_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # no i, l, o, u: read aloud without doubt
_LOCAL_PART = re.compile(r"^[a-z0-9][a-z0-9.-]{0,63}$")


def list_addresses(*, repo: Repository, caller: Caller, company_id: str, domain: str) -> list[MailboxAddress]:
    authorize(repo=repo, caller=caller, company_id=company_id)
    return ensure_addresses(repo=repo, company_id=company_id, domain=domain)


def regenerate_address(
    *, repo: Repository, caller: Caller, company_id: str, mailbox: str, domain: str
) -> MailboxAddress:
    """A new address for the mailbox; the old one is refused from now on."""
    authorize(repo=repo, caller=caller, company_id=company_id, roles=ADDRESS_WRITERS)
    box = _mailbox(mailbox)
    ensure_addresses(repo=repo, company_id=company_id, domain=domain)
    current = repo.get(keys.company_pk(company_id), keys.mailbox_address_sk(box.value))
    made = _new_address(repo, company_id, box, domain)
    try:
        written = repo.replace_versioned(
            _pointer_item(company_id, made), expected_version=int(current["version"])
        )
    except Conflict as error:
        raise Conflict("the address changed meanwhile; reload and try again") from error
    _retire_lookup(repo, current["address"])
    return _address_of(written)


def ensure_addresses(*, repo: Repository, company_id: str, domain: str) -> list[MailboxAddress]:
    """The company's address for every mailbox, made for those that have none yet."""
    pointers = {
        item["mailbox"]: item
        for item in repo.query(keys.company_pk(company_id), sk_prefix=keys.MAILBOX_ADDRESS_PREFIX)
    }
    addresses = []
    for box in Mailbox:
        item = pointers.get(box.value)
        if item is None:
            made = _new_address(repo, company_id, box, domain)
            try:
                item = repo.replace_versioned(_pointer_item(company_id, made), expected_version=0)
            except Conflict:  # made at the same moment by another call: theirs stands
                _retire_lookup(repo, made.address)
                item = repo.get(keys.company_pk(company_id), keys.mailbox_address_sk(box.value))
        addresses.append(_address_of(item))
    return addresses


def resolve_address(*, repo: Repository, address: str, domain: str) -> ResolvedAddress | None:
    """The company and mailbox an inbound address belongs to; None for anything else."""
    local_part, _, address_domain = address.strip().lower().rpartition("@")
    if address_domain != domain.lower() or not _LOCAL_PART.match(local_part):
        return None
    found = repo.get(keys.address_lookup_pk(local_part), keys.ADDRESS_LOOKUP_SK)
    if found is None or found.get("retired") or not is_valid_id(found.get("company_id", ""), "co"):
        return None
    pointer = repo.get(keys.company_pk(found["company_id"]), keys.mailbox_address_sk(found["mailbox"]))
    if pointer is None or pointer["address"] != f"{local_part}@{address_domain}":
        return None
    return ResolvedAddress(
        company_id=found["company_id"], mailbox=found["mailbox"], address=pointer["address"]
    )


def slug(name: str) -> str:
    """The company's name as an address part: ASCII, lower case, dashes, at most 30 characters."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    made = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:30].strip("-")
    return made or "company"


def _new_address(repo: Repository, company_id: str, mailbox: Mailbox, domain: str) -> MailboxAddress:
    profile = repo.get(keys.company_pk(company_id), keys.COMPANY_PROFILE)
    if profile is None:
        raise NotFound("company not found")
    for _ in range(5):
        secret = "".join(secrets.choice(_ADDRESS_ALPHABET) for _ in range(SECRET_LENGTH))
        local_part = f"{slug(profile['name'])}.{mailbox.value}.{secret}"
        now = datetime.now(UTC)
        try:
            repo.create(
                {
                    "pk": keys.address_lookup_pk(local_part),
                    "sk": keys.ADDRESS_LOOKUP_SK,
                    "company_id": company_id,
                    "mailbox": mailbox.value,
                    "created_at": now.isoformat(),
                }
            )
        except Conflict:  # 2^-50 per try: never, but never silently reuse someone's address
            continue
        return MailboxAddress(mailbox=mailbox, address=f"{local_part}@{domain.lower()}", created_at=now)
    raise Conflict("could not make a new address; try again")


def _pointer_item(company_id: str, address: MailboxAddress) -> dict:
    return {
        "pk": keys.company_pk(company_id),
        "sk": keys.mailbox_address_sk(address.mailbox.value),
        "mailbox": address.mailbox.value,
        "address": address.address,
        "created_at": address.created_at.isoformat(),
    }


def _retire_lookup(repo: Repository, address: str) -> None:
    """Tidy-up only: the pointer no longer names it, so it already resolves to nothing."""
    local_part = address.rpartition("@")[0]
    item = repo.get(keys.address_lookup_pk(local_part), keys.ADDRESS_LOOKUP_SK)
    if item is not None:
        repo.put({**item, "retired": True})


def _address_of(item: dict) -> MailboxAddress:
    return MailboxAddress(mailbox=item["mailbox"], address=item["address"], created_at=item["created_at"])


def _mailbox(value: str) -> Mailbox:
    try:
        return Mailbox(value)
    except ValueError as error:
        raise NotFound("no such mailbox: the mailboxes are purchase, sales and misc") from error
