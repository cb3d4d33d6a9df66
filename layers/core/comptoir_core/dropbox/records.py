"""The Dropbox items in the one table, through the Repository only.

Keys (company-scoped, under the company id):
- `DROPBOX#LINK`              the company's link (DropboxLink), versioned: every change is a conditional
                              write, the sync's lease included. While connected it sits in gsi1 under
                              `DROPBOX_LINKS` / `<account id>#<company id>`: a webhook's account finds its
                              companies with one Query, and the local poller lists every link the same way.
- `DROPBOX#STATE#<id>`        one OAuth start: who asked, the CSRF token, the PKCE verifier (encrypted);
                              single use (versioned), expires through the table's TTL.
- `DROPBOX#IMPORT#<digest>`   one imported file: digest of (account, path, content hash) -> document id;
                              created only if absent, so a file is stored once however often it is seen.

(These belong in comptoir_core.keys; they live here until that module takes them.)
"""

import hashlib
import time
from collections.abc import Iterator
from datetime import UTC, datetime

from comptoir_core import keys
from comptoir_core.dropbox.models import DropboxLink, LinkStatus
from comptoir_core.errors import Conflict
from comptoir_core.repository import Repository

LINK_SK = keys.DROPBOX_LINK_SK
STATE_SK_PREFIX = keys.DROPBOX_STATE_SK_PREFIX
IMPORT_SK_PREFIX = keys.DROPBOX_IMPORT_SK_PREFIX
LINKS_GSI1PK = keys.DROPBOX_LINKS_GSI1PK
# A file seen again within this time is recognised as already imported (then only deleted); after it,
# the same bytes put at the same path again are a new document (the pipeline marks the duplicate).
IMPORT_RECORD_TTL_S = 30 * 24 * 3600


def read_link(repo: Repository, company_id: str) -> DropboxLink:
    item = repo.get(keys.company_pk(company_id), LINK_SK)
    if item is None:
        return DropboxLink(company_id=company_id)
    return DropboxLink.model_validate(item)


def write_link(repo: Repository, link: DropboxLink) -> DropboxLink:
    """Write the link if it is still the version that was read; Conflict otherwise."""
    item = {
        "pk": keys.company_pk(link.company_id),
        "sk": LINK_SK,
        **link.model_dump(mode="json", exclude={"version"}, exclude_none=True),
    }
    if link.status == LinkStatus.connected and link.account_id:
        item.update(keys.dropbox_link_gsi1(link.account_id, link.company_id))
    written = repo.replace_versioned(item, expected_version=link.version)
    return link.model_copy(update={"version": int(written["version"])})


def links_of_account(repo: Repository, account_id: str) -> list[str]:
    """The companies a Dropbox account is linked to now."""
    items = repo.query(LINKS_GSI1PK, sk_prefix=f"{account_id}#", index=keys.GSI1)
    return [item["company_id"] for item in items]


def all_links(repo: Repository) -> Iterator[tuple[str, str]]:
    """(account id, company id) of every connected link."""
    for item in repo.query(LINKS_GSI1PK, index=keys.GSI1):
        yield item["account_id"], item["company_id"]


def create_state(
    repo: Repository, *, company_id: str, state_id: str, fields: dict, expires_at: datetime
) -> None:
    repo.create(
        {
            "pk": keys.company_pk(company_id),
            "sk": STATE_SK_PREFIX + state_id,
            **fields,
            "expires_at": expires_at.isoformat(),
            "used": False,
            "version": 1,
            # The table's TTL attribute (epoch seconds): DynamoDB removes it within a few days.
            "expiration": int(expires_at.timestamp()) + 3600,
        }
    )


def use_state(repo: Repository, *, company_id: str, state_id: str) -> dict | None:
    """The state's fields, marked used by this call; None if absent, expired or already used."""
    item = repo.get(keys.company_pk(company_id), STATE_SK_PREFIX + state_id)
    if item is None or item.get("used") or datetime.fromisoformat(item["expires_at"]) <= datetime.now(UTC):
        return None
    try:
        repo.replace_versioned({**item, "used": True}, expected_version=int(item["version"]))
    except Conflict:
        return None
    return item


def import_sk(account_id: str, path_lower: str, content_hash: str) -> str:
    digest = hashlib.sha256(f"{account_id}\n{path_lower}\n{content_hash}".encode()).hexdigest()
    return IMPORT_SK_PREFIX + digest


def imported_document(repo: Repository, *, company_id: str, sk: str) -> str | None:
    item = repo.get(keys.company_pk(company_id), sk)
    return item["document_id"] if item else None


def record_import(repo: Repository, *, company_id: str, sk: str, document_id: str, path: str) -> None:
    repo.create(
        {
            "pk": keys.company_pk(company_id),
            "sk": sk,
            "document_id": document_id,
            "path": path,
            "at": datetime.now(UTC).isoformat(),
            "expiration": int(time.time()) + IMPORT_RECORD_TTL_S,
        }
    )
