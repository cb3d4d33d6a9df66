"""Document lists at scale on the local stack: one index range a request, whatever the company's size.

A company with --documents documents (default 100,000) and a firm of --companies companies (default
300), seeded through the repository (batch writes of the items `documents.store` would write, not the
pipeline), then over HTTP through the local gateway: the first page of a mailbox, the archive with
filters (dates served by the key, a counterparty scanned in one bounded page), the history (plain and
filtered) and firm/processing. For each: p50 and p95 over --runs requests, and the DynamoDB items
each request read (the index items its answer reports as `scanned`, plus the membership check and,
for firm/processing, the accountant's memberships).
Target (issue #11): each under 300 ms p95, items read bounded and independent of the company's size.

    .venv/bin/python benchmarks/lists.py [--documents 100000] [--companies 300] [--runs 30]
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# The repository root instead of this folder: a benchmark file must never shadow a standard module.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from tests.e2e.conftest import start_stack  # noqa: E402 (one way to start the stack, shared with e2e)

ADMIN = "admin@demo.comptoir.local"
ACCOUNTANT = "accountant@demo.comptoir.local"
MAILBOXES = ("purchase", "sales", "misc")
SUPPLIERS = ("Proximus", "Engie", "Colruyt", "Securex", "Telenet", "Brico", "Lyreco", "Total")


def point_at(stack) -> None:
    """This process talks to the stack's embedded AWS, as its apps do."""
    os.environ["AWS_ENDPOINT_URL"] = stack.aws_endpoint
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ["AWS_DEFAULT_REGION"] = "eu-west-1"


def a_document(company_id: str, firm_id: str, n: int, at: datetime, status: str, mailbox: str):
    from comptoir_core.documents.models import Document, FieldSource, FieldValue, HistoryEvent

    supplier = SUPPLIERS[n % len(SUPPLIERS)]
    invoice_date = (at - timedelta(days=n % 20)).date().isoformat()
    fields = {
        "supplier_name": FieldValue(value=supplier, confidence=0.9, source=FieldSource.text),
        "invoice_number": FieldValue(value=f"F-{n:06d}", confidence=0.9, source=FieldSource.text),
        "invoice_date": FieldValue(value=invoice_date, confidence=0.9, source=FieldSource.text),
        "total_incl_vat": FieldValue(value=f"{(n % 997) + 10}.00", confidence=0.9, source=FieldSource.text),
    }
    document_id = id_made_at(at)
    return Document(
        id=document_id,
        company_id=company_id,
        firm_id=firm_id,
        mailbox=mailbox,
        status=status,
        source="upload",
        name=f"{supplier.lower()}-{n}.pdf",
        sender="admin@demo.comptoir.local",
        received_at=at,
        size=40_000,
        pages=1,
        original_key=f"incoming/{company_id}/{mailbox}/{document_id}",
        working_key=f"documents/{company_id}/{document_id}/working/v1.pdf",
        working_version=1,
        fields=fields,
        labels=["q3"] if n % 10 == 0 else [],
        history=[HistoryEvent(at=at, event="received"), HistoryEvent(at=at, event="ready")],
        history_total=2,
    )


def id_made_at(at: datetime) -> str:
    """A document id as `new_id` makes it, at the document's own time (ids are time-ordered)."""
    value = (int(at.timestamp() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append("0123456789abcdefghjkmnpqrstvwxyz"[value & 31])
        value >>= 5
    return f"doc_{''.join(reversed(chars))}"


def status_of(n: int) -> tuple[str, str]:
    """Most documents are booked (archive), some wait in a mailbox or at the accountant's."""
    share = n % 100
    mailbox = MAILBOXES[n % 7 % 3]
    if share < 80:
        return "processed", mailbox
    if share < 90:
        return "inbox", mailbox
    if share < 95:
        return "in_processing", mailbox
    return "deleted", mailbox


def seed(repo, company_id: str, firm_id: str, count: int, start: datetime) -> dict[str, int]:
    from comptoir_core import keys
    from comptoir_core.documents import store

    boxes = dict.fromkeys(store.BOXES, 0)
    batch = []
    for n in range(count):
        status, mailbox = status_of(n)
        # Oldest first, one every few minutes: ids and dates in the same order.
        document = a_document(company_id, firm_id, n, start + timedelta(minutes=3 * n), status, mailbox)
        box = store.box_of(document)
        if box:
            boxes[box] += 1
        batch.append({**store.to_item(document), "version": 1})
        if len(batch) == 1000:
            repo.batch_put(batch)
            batch = []
    repo.batch_put(batch)
    repo.put({"pk": keys.company_pk(company_id), "sk": keys.BOX_COUNTS_SK, **boxes})
    return boxes


def seed_firm(repo, firm_id: str, accountant_id: str, companies: int, start: datetime) -> None:
    """More companies in the demo firm, the demo accountant theirs, each with a few documents sent."""
    from comptoir_core import keys
    from comptoir_core.documents import store
    from comptoir_core.ids import new_id

    items = []
    for c in range(companies):
        company_id = new_id("co")
        items.append(
            {
                "pk": keys.company_pk(company_id),
                "sk": keys.COMPANY_PROFILE,
                **keys.company_in_firm_gsi1(firm_id, company_id),
                "id": company_id,
                "name": f"Client {c:03d} SRL",
                "vat_number": "BE0403170701",
                "firm_id": firm_id,
                "created_at": start.isoformat(),
            }
        )
        items.append(
            {
                "pk": keys.company_pk(company_id),
                "sk": keys.member_sk(accountant_id),
                **keys.membership_gsi1(accountant_id, company_id),
                "company_id": company_id,
                "company_name": f"Client {c:03d} SRL",
                "firm_id": firm_id,
                "user_id": accountant_id,
                "role": "accountant",
            }
        )
        for n in range(5):
            at = start + timedelta(minutes=c * 5 + n)
            document = a_document(company_id, firm_id, n, at, "in_processing", "purchase")
            items.append({**store.to_item(document), "version": 1})
    repo.batch_put(items)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(stack, token: str, path: str, runs: int) -> tuple[list[float], dict]:
    times, answer = [], None
    stack.request("GET", path, token=token)  # warm: the app's first request imports it
    for _ in range(runs):
        started = time.monotonic()
        response = stack.request("GET", path, token=token)
        times.append(time.monotonic() - started)
        assert response.status == 200, (path, response.body)
        answer = response.json()
    return times, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--companies", type=int, default=300)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["COMPTOIR_SNAPSHOT_SECONDS"] = "3600"  # no snapshot of 100k items mid-measure
        stack = start_stack(Path(data_dir) / "data")
        try:
            point_at(stack)
            from comptoir_core import keys
            from comptoir_core.repository import Repository

            repo = Repository("comptoir-table")
            token = stack.login(ADMIN)["id_token"]
            accountant = stack.login(ACCOUNTANT)["id_token"]
            company = stack.request("GET", "/accounts/companies", token=token).json()[0]["id"]
            firm_id = repo.get(keys.company_pk(company), keys.COMPANY_PROFILE)["firm_id"]
            accountant_id = next(
                m["user_id"]
                for m in repo.query(keys.company_pk(company), sk_prefix="MEMBER#")
                if m["role"] == "accountant"
            )
            start = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(minutes=3 * args.documents)
            started = time.monotonic()
            boxes = seed(repo, company, firm_id, args.documents, start)
            seeded = time.monotonic() - started
            started = time.monotonic()
            seed_firm(repo, firm_id, accountant_id, args.companies - 1, start)
            firm_seeded = time.monotonic() - started
            print(
                f"seeded {args.documents} documents in {seeded:.0f} s ({args.documents / seeded:.0f}/s),"
                f" {args.companies - 1} more companies of the firm with 5 documents sent each in"
                f" {firm_seeded:.0f} s; boxes {boxes}"
            )
            last = (start + timedelta(minutes=3 * args.documents)).date()
            base = f"/documents/companies/{company}"
            cases = [
                ("mailbox purchase, first page", token, f"{base}/mailboxes/purchase?limit=50", 1),
                ("In processing box, first page", token, f"{base}/mailboxes/processing?limit=50", 1),
                ("archive purchase, first page", token, f"{base}/archive?tab=purchase&limit=50", 1),
                (
                    "archive, one month (key)",
                    token,
                    f"{base}/archive?tab=purchase&date_from={last - timedelta(days=60)}"
                    f"&date_to={last - timedelta(days=30)}&limit=50",
                    1,
                ),
                (
                    "archive, counterparty (scan)",
                    token,
                    f"{base}/archive?tab=purchase&counterparty=engie&limit=50",
                    1,
                ),
                (
                    "archive, amount range (scan)",
                    token,
                    f"{base}/archive?tab=sales&amount_min=500&amount_max=600&limit=50",
                    1,
                ),
                ("history, first page", token, f"{base}/history?limit=50", 1),
                (
                    "history, one week (key)",
                    token,
                    f"{base}/history?date_from={last - timedelta(days=14)}"
                    f"&date_to={last - timedelta(days=7)}&limit=50",
                    1,
                ),
                ("history, text in name (scan)", token, f"{base}/history?q=engie&limit=50", 1),
                (
                    "firm/processing, first page",
                    accountant,
                    "/documents/firm/processing?limit=50",
                    args.companies,
                ),
            ]
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            print(f"\n{args.runs} requests each, one at a time, {os.cpu_count()} cores, load {load}")
            print(f"{'list':34} {'p50 ms':>7} {'p95 ms':>7} {'shown':>6} {'items read':>11}  partial")
            for label, who, path, extra_reads in cases:
                times, answer = measure(stack, who, path, args.runs)
                reads = answer["scanned"] + extra_reads
                print(
                    f"{label:34} {statistics.median(times) * 1000:7.0f} {percentile(times, 0.95) * 1000:7.0f}"
                    f" {len(answer['documents']):6d} {reads:11d}  {answer['partial']}"
                )
            counts_times, _ = measure(stack, token, f"{base}/mailboxes", args.runs)
            print(
                f"{'box counts (one counter item)':34} {statistics.median(counts_times) * 1000:7.0f}"
                f" {percentile(counts_times, 0.95) * 1000:7.0f} {'-':>6} {2:11d}"
            )
        finally:
            stack.process.kill()  # no last snapshot of the seeded table: nothing here is kept
            stack.process.wait()


if __name__ == "__main__":
    main()
