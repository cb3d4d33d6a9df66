"""A SEPA file of 1,000 payments (issue #13): time, memory and size.

Two measures:
- "writer": comptoir_core.payments.pain.build alone, in process: sepaxml writes the file, our pass adds the
  structured remittance and ids, and xmlschema validates it against the official XSD (the validation is
  also timed on its own);
- "service": comptoir_core.payments.service.create_sepa_file under in-process moto, from 1,000 payments
  to_execute already in the table (spread over 1,000 invoices of 50 suppliers) to the file kept in S3 and
  listed: reading the payments, writing and validating the file, claiming the payments in transactions of
  100, the file item, and every invoice's payment_status.

Time is the median of the runs (the service: one run). Memory: for the writer, the peak of Python allocations
(tracemalloc, in a run of its own); for the service, how much the process's peak resident set grew during
the call. The service's time is mostly moto's, in process: about 4 table calls a payment.
Run: .venv/bin/python benchmarks/payments.py [--payments 1000] [--runs 3] [--version 001.001.09]
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `tests` for the demo password only


def belgian_iban(n: int) -> str:
    from stdnum import iban

    ten = f"{(n * 7919) % 10**10:010d}"
    bban = f"{ten}{int(ten) % 97 or 97:02d}"
    return next(x for c in range(100) if iban.is_valid(x := f"BE{c:02d}{bban}"))


def ogm(n: int) -> str:
    ten = f"{n:010d}"
    digits = f"{ten}{int(ten) % 97 or 97:02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def transfers(count: int):
    from comptoir_core.payments import pain

    today = date.today()
    out = []
    for n in range(count):
        out.append(
            pain.Transfer(
                end_to_end_id=f"INV-{n:06d}",
                name=f"Fournisseur {n % 50} SRL",
                iban=belgian_iban(n % 50 + 1),
                amount=Decimal("100.00") + Decimal(n) / 100,
                execution_date=today + timedelta(days=n % 5),
                reference=ogm(n + 1) if n % 3 else None,
                free_text=None if n % 3 else f"Facture {n}",
            )
        )
    return out


def measure(call):
    tracemalloc.start()
    start = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, elapsed, peak


def bench_writer(count: int, runs: int, version: str) -> dict:
    from comptoir_core.payments import pain

    items = transfers(count)
    debtor = pain.Debtor(name="Demo SRL", iban=belgian_iban(9999), bic="GEBABEBB")
    pain.validate(
        pain.build(
            version=version, message_id="warm", created_at=datetime.now(), debtor=debtor, transfers=items[:1]
        ),
        version,
    )  # the XSD is parsed once per process (cached): not part of a file's cost
    times, validations = [], []
    for run in range(runs):
        begin = time.perf_counter()
        xml = pain.build(
            version=version,
            message_id=f"bench-{run}",
            created_at=datetime.now(),
            debtor=debtor,
            transfers=items,
        )
        times.append(time.perf_counter() - begin)
        begin = time.perf_counter()
        pain.validate(xml, version)
        validations.append(time.perf_counter() - begin)
    # One more run under tracemalloc, for the memory only (it slows the run down).
    _, _, peak = measure(
        lambda: pain.build(
            version=version,
            message_id="bench-memory",
            created_at=datetime.now(),
            debtor=debtor,
            transfers=items,
        )
    )
    return {
        "time": statistics.median(times),
        "validation": statistics.median(validations),
        "peak": peak,
        "size": len(xml),
    }


def bench_service(count: int, version: str) -> dict:
    from moto import mock_aws

    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",  # noqa: S106 - moto's fake credentials
        AWS_DEFAULT_REGION="eu-west-1",
        POWERTOOLS_METRICS_DISABLED="true",
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws():
        from comptoir_core import wiring
        from comptoir_core.accounts.models import CompanySettings
        from comptoir_core.documents import store
        from comptoir_core.documents.models import (
            Document,
            DocumentStatus,
            FieldSource,
            FieldValue,
            Mailbox,
            Source,
        )
        from comptoir_core.ids import new_id
        from comptoir_core.payments import service
        from comptoir_core.payments.models import (
            Communication,
            Counterparty,
            Method,
            Payment,
            PaymentStatus,
            SepaFileCreate,
        )
        from comptoir_core.tenancy import Caller
        from comptoir_infra.local import demo
        from comptoir_infra.local.provision import provision
        from tests.conftest import DEMO_PASSWORD

        made = provision(endpoint=None, region="eu-west-1", inbound_domain="in.comptoir.test")
        os.environ.update(made.app_environment())
        wiring.reset()
        company = demo.seed(password=DEMO_PASSWORD)["Demo SRL"]
        repo = wiring.repository()
        repo.put(
            {
                "pk": company,
                "sk": "SETTINGS",
                "settings": CompanySettings(
                    bank_accounts=[belgian_iban(9999)], sepa_pain_version=version
                ).model_dump(mode="json"),
                "version": 1,
            }
        )
        admin = next(i for i in repo.query(company, sk_prefix="MEMBER#") if i.get("role") == "admin")
        caller = Caller(user_id=admin["sk"].removeprefix("MEMBER#"), email="admin@demo.comptoir.local")
        now = datetime.now(UTC)
        ids = []
        for n, transfer in enumerate(transfers(count)):
            document = Document(
                id=new_id("doc"),
                company_id=company,
                mailbox=Mailbox.purchase,
                status=DocumentStatus.inbox,
                source=Source.upload,
                name=f"{n}.pdf",
                received_at=now,
                size=1,
                original_key="x",
                fields={"invoice_number": FieldValue(value=transfer.end_to_end_id, source=FieldSource.text)},
            )
            repo.put({**store.to_item(document), "version": 1})
            payment = Payment(
                id=new_id("pay"),
                company_id=company,
                document_id=document.id,
                method=Method.sepa,
                status=PaymentStatus.to_execute,
                amount=transfer.amount,
                execution_date=transfer.execution_date,
                counterparty=Counterparty(name=transfer.name, iban=transfer.iban),
                communication=Communication(type="structured", value=transfer.reference)
                if transfer.reference
                else Communication(type="unstructured", value=transfer.free_text),
                invoice_number=transfer.end_to_end_id,
                created_at=now,
                created_by=caller.email,
            )
            # Plain puts: moto copies the whole table for every transaction, which AWS does not.
            repo.put({**service._to_item(payment), "version": 1})
            for item in service._index_items(payment):
                repo.put(item)
            ids.append(payment.id)
        import resource

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        sepa_file = service.create_sepa_file(
            repo=repo,
            blobs=wiring.blob_store(),
            caller=caller,
            company_id=company,
            request=SepaFileCreate(payments=ids),
        )
        elapsed = time.perf_counter() - start
        peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) * 1024
        assert sepa_file.number_of_payments == count
        executed = sum(
            1 for p in service._company_payments(repo, company) if p.status == PaymentStatus.executed
        )
        assert executed == count
        return {"time": elapsed, "peak": peak, "size": sepa_file.size}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--payments", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--version", default="001.001.09", choices=["001.001.09", "001.001.03"])
    parser.add_argument("--skip-service", action="store_true")
    args = parser.parse_args()
    writer = bench_writer(args.payments, args.runs, args.version)
    print(
        f"writer  pain.{args.version} {args.payments} payments: {writer['time'] * 1000:.0f} ms "
        f"(of which XSD validation {writer['validation'] * 1000:.0f} ms), peak {writer['peak'] / 2**20:.1f} MiB, "
        f"{writer['size'] / 1024:.0f} KiB"
    )
    if not args.skip_service:
        service = bench_service(args.payments, args.version)
        print(
            f"service pain.{args.version} {args.payments} payments: {service['time'] * 1000:.0f} ms, "
            f"peak {service['peak'] / 2**20:.1f} MiB, {service['size'] / 1024:.0f} KiB"
        )


if __name__ == "__main__":
    main()
