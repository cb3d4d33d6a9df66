"""Bring the document items of a company into today's shape (`comptoir migrate documents`).

Document items have had three shapes:

1. (until the list indexes) the document as DynamoDB attributes, with all its history events and remarks
   on it, none of the list keys (gsi2 mailboxes, gsi3 archive, gsi4 permanent dossier, gsi1 a firm's
   In processing), no `summary`, and no box counters;
2. (list indexes) still attributes, with the list keys, the latest events and remarks on it and the
   others in items of their own (`history_total` says how many);
3. (today, `store.to_item`) the document's JSON text (`data`), its `summary`, `status` and list keys.

A list shows only items that carry its keys, so a document of shape 1 is in no list, and the box counters
never counted it. `migrate_company` pages through a company's documents (one bounded page at a time) and
rewrites each item that is not in today's shape: a shape-1 item first gets an item of its own for each of
its events and remarks (written again, the same, if a run stopped halfway), then the document is written
back with the version it had (a client holding it can still write), only if nobody changed it
meanwhile. Then the box counters are recounted from the documents and written only if no status changed
during the count (else counted again). Running it twice changes nothing the second time.
"""

from pydantic import BaseModel, Field

from comptoir_core import keys
from comptoir_core.documents import store
from comptoir_core.errors import Conflict
from comptoir_core.repository import Item, Put, Repository

PAGE = 100
ATTEMPTS = 5


class CompanyMigration(BaseModel):
    company_id: str
    read: int = 0
    rewritten: int = 0
    # History events and remarks of shape-1 items given items of their own.
    children_written: int = 0
    counts: dict[str, int] = Field(default_factory=dict)


def migrate_company(*, repo: Repository, company_id: str, page: int = PAGE) -> CompanyMigration:
    """Rewrite the company's document items that are not in today's shape, then recount its boxes."""
    report = CompanyMigration(company_id=company_id)
    start = None
    while True:
        found = repo.page(
            keys.company_pk(company_id),
            sk_prefix=keys.DOCUMENT_SK_PREFIX,
            descending=False,
            limit=page,
            start_key=start,
        )
        for item in found.items:
            report.read += 1
            _migrate_item(repo, item, report)
        if not found.last_key:
            break
        start = found.last_key
    report.counts = recount_boxes(repo=repo, company_id=company_id)
    return report


def company_ids(*, repo: Repository) -> list[str]:
    """Every company of every firm (a Scan: for this tool, never a request)."""
    profiles = repo.scan(sk=keys.COMPANY_PROFILE, gsi1pk_prefix=keys.firm_pk(""))
    return sorted(item["id"] for item in profiles)


def _migrate_item(repo: Repository, item: Item, report: CompanyMigration) -> None:
    for _ in range(ATTEMPTS):
        wanted, children = current_shape(item)
        if wanted == item:
            return
        # The children first: if the run stops before the document is written, the next writes them again.
        if children:
            repo.batch_put(children)
            report.children_written += len(children)
        version = int(item.get("version", 0))
        try:
            repo.transact([Put(wanted, expected_version=version or None)])
        except Conflict:  # written meanwhile by someone else: read it again
            item = repo.get(item["pk"], item["sk"])
            if item is None:
                return
            continue
        report.rewritten += 1
        return
    raise Conflict(f"document item {item['sk']} kept changing; run the migration again")


def current_shape(item: Item) -> tuple[Item, list[Item]]:
    """The item in today's shape (same version), and the items its events and remarks need of their
    own (shape 1 only: the others have them already)."""
    document = store.from_item(item)
    children: list[Item] = []
    if "data" not in item and "history_total" not in item:
        # Shape 1: every event and remark is on the item and nowhere else.
        document.history_total = 0
        document.remarks_total = 0
        document._stored = store.Stored(store.box_of(document), 0, 0)
        children = store.new_children(document, document._stored)
    wanted = store.to_item(document)
    if "version" in item:
        wanted["version"] = item["version"]
    return wanted, children


def recount_boxes(*, repo: Repository, company_id: str) -> dict[str, int]:
    """Count the company's documents in each box and write the counter item, only if no document
    moved meanwhile (the counter changed): else count again."""
    pk = keys.company_pk(company_id)
    box_of_key = {keys.box_pk(company_id, box): box for box in store.BOXES}
    for _ in range(ATTEMPTS):
        seen = repo.get(pk, keys.BOX_COUNTS_SK)
        counts = dict.fromkeys(store.BOXES, 0)
        start = None
        while True:
            found = repo.page(
                pk,
                sk_prefix=keys.DOCUMENT_SK_PREFIX,
                descending=False,
                limit=1000,
                start_key=start,
                attributes=("pk", "sk", "gsi2pk"),
                consistent=True,
            )
            for item in found.items:
                box = box_of_key.get(item.get("gsi2pk", ""))
                if box:
                    counts[box] += 1
            if not found.last_key:
                break
            start = found.last_key
        try:
            repo.replace_if_unchanged(
                {"pk": pk, "sk": keys.BOX_COUNTS_SK, **counts}, seen=seen, attributes=store.BOXES
            )
        except Conflict:
            continue
        return counts
    raise Conflict("the box counters kept changing; run the migration again")
