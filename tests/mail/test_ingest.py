"""A stored inbound message becomes incoming documents, once, with a record of what happened and why.

Against in-process moto: the raw message is put under inbound/ as SES would, and what the channel
hands the documents pipeline is read back from incoming/ (bytes and metadata)."""

from dataclasses import replace

import boto3
import pytest

from comptoir_core import keys, wiring
from comptoir_core.accounts import service as accounts
from comptoir_core.documents.intake import read_incoming_metadata
from comptoir_core.mail import addresses, ingest
from comptoir_core.mail.parse import LIMITS
from comptoir_core.mail.store import InboundMessages
from tests.mail.builders import attach, logo, message, photo, ses_stored, zipped
from tests.samples import text_pdf

DOMAIN = "in.comptoir.test"


@pytest.fixture
def companies(resources) -> dict[str, dict[str, str]]:
    """Two companies and their mailbox addresses: {"Demo SRL": {"id": …, "purchase": address, …}}."""
    repo = wiring.repository()
    firm = accounts.create_firm(repo=repo, name="Fiduciaire Test")
    made = {}
    for name, vat in (("Demo SRL", "BE0417497106"), ("Other BV", "BE0403170701")):
        company = accounts.create_company(repo=repo, firm=firm, name=name, vat_number=vat)
        boxes = addresses.ensure_addresses(repo=repo, company_id=company.id, domain=DOMAIN)
        made[name] = {"id": company.id, **{a.mailbox.value: a.address for a in boxes}}
    return made


@pytest.fixture
def deliver(resources):
    """Store raw bytes where SES would and run the channel on them; returns the deliveries."""
    bucket = resources.bucket_names["documents"]
    counter = iter(range(10_000))

    def run(raw: bytes, *, key: str | None = None, limits=LIMITS):
        key = key or f"inbound/ses{next(counter):037d}"
        boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=raw)
        return ingest.ingest_inbound_message(
            repo=wiring.repository(),
            blobs=wiring.blob_store(),
            inbound=InboundMessages(bucket),
            key=key,
            domain=DOMAIN,
            limits=limits,
        )

    return run


def incoming(resources, company_id: str, mailbox: str | None = None) -> list[dict]:
    """What the channel stored for the pipeline: key, bytes and decoded metadata, oldest first."""
    bucket = resources.bucket_names["documents"]
    s3 = boto3.client("s3")
    prefix = f"incoming/{company_id}/" + (f"{mailbox}/" if mailbox else "")
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    found = []
    for item in sorted(listed, key=lambda o: o["Key"]):
        got = s3.get_object(Bucket=bucket, Key=item["Key"])
        found.append(
            {
                "key": item["Key"],
                "body": got["Body"].read(),
                "meta": read_incoming_metadata(got["Metadata"]),
            }
        )
    return found


def records(company_id: str) -> list[dict]:
    return list(wiring.repository().query(company_id, sk_prefix=keys.MESSAGE_PREFIX))


def test_each_attachment_becomes_an_incoming_document_with_what_the_message_says(
    companies, deliver, resources
):
    demo = companies["Demo SRL"]
    pdf_1, pdf_2, jpeg = text_pdf("Invoice 1"), text_pdf("Invoice 2"), photo()
    made = message(
        to=demo["purchase"],
        subject="Invoices November #energy #q4",
        text="Hello,\n[* book on cost centre 12 *]\nRegards",
    )
    attach(made, pdf_1, "invoice-1.pdf", "application/pdf")
    attach(made, pdf_2, "invoice-2.pdf", "application/pdf")
    attach(made, jpeg, "receipt.jpg", "image/jpeg")

    (delivery,) = deliver(ses_stored(made, recipient=demo["purchase"], dkim="fail"))

    stored = incoming(resources, demo["id"], "purchase")
    assert sorted(item["body"] for item in stored) == sorted([pdf_1, pdf_2, jpeg])
    assert sorted(item["key"].rsplit("/", 1)[1] for item in stored) == sorted(delivery.documents)
    meta = {item["meta"].name: item["meta"] for item in stored}
    assert set(meta) == {"invoice-1.pdf", "invoice-2.pdf", "receipt.jpg"}
    first = meta["invoice-1.pdf"]
    assert (first.source.value, first.sender, first.labels, first.remark, first.problem) == (
        "mail",
        "invoices@supplier.be",
        ["energy", "q4"],
        "book on cost centre 12",
        None,
    )
    assert first.mail.model_dump() == {
        "subject": "Invoices November #energy #q4",
        "message_id": "20261127100000.1234@supplier.be",
        "spf": "pass",
        "dkim": "fail",
        "dmarc": "pass",
        "spam": "PASS",
        "virus": "PASS",
        "sender_not_authenticated": False,
    }
    (record,) = records(demo["id"])
    assert record["outcome"] == "imported" and len(record["imported"]) == 3
    assert record["history"][-1]["detail"] == "3 document(s) from 3 attachment(s) into purchase"


def test_a_message_to_two_mailboxes_of_a_company_makes_documents_in_each(companies, deliver, resources):
    demo = companies["Demo SRL"]
    made = attach(message(to=demo["purchase"], cc=demo["sales"]), text_pdf(), "x.pdf", "application/pdf")

    deliver(ses_stored(made, recipient=demo["purchase"]))

    assert len(incoming(resources, demo["id"], "purchase")) == 1
    assert len(incoming(resources, demo["id"], "sales")) == 1
    assert incoming(resources, demo["id"], "misc") == []
    (record,) = records(demo["id"])
    assert record["mailboxes"] == ["purchase", "sales"]


def test_a_message_to_two_companies_is_recorded_and_imported_in_each(companies, deliver, resources):
    demo, other = companies["Demo SRL"], companies["Other BV"]
    made = attach(message(to=demo["misc"], cc=other["misc"]), text_pdf(), "x.pdf", "application/pdf")

    deliveries = deliver(ses_stored(made, recipient=demo["misc"]))

    assert sorted(d.company_id for d in deliveries) == sorted([demo["id"], other["id"]])
    for company in (demo, other):
        assert len(incoming(resources, company["id"], "misc")) == 1
        assert len(records(company["id"])) == 1


def test_the_same_message_delivered_again_makes_nothing_twice(companies, deliver, resources):
    demo = companies["Demo SRL"]
    made = attach(message(to=demo["purchase"]), text_pdf(), "x.pdf", "application/pdf")
    raw = ses_stored(made, recipient=demo["purchase"], ses_id="a" * 40)

    deliver(raw, key="inbound/" + "a" * 40)
    again = deliver(raw, key="inbound/" + "a" * 40)
    # A second SES delivery of the same message: another object, other trace headers.
    retried = deliver(
        ses_stored(made, recipient=demo["purchase"], ses_id="b" * 40), key="inbound/" + "b" * 40
    )

    assert [d.duplicate for d in again + retried] == [True, True]
    assert len(incoming(resources, demo["id"])) == 1
    (record,) = records(demo["id"])
    assert [e["event"] for e in record["history"]] == [
        "received",
        "imported",
        "received_again",
        "received_again",
    ]


def test_the_same_message_arriving_later_for_another_mailbox_is_imported_there_only(
    companies, deliver, resources
):
    demo = companies["Demo SRL"]
    made = attach(message(to=demo["purchase"]), text_pdf(), "x.pdf", "application/pdf")
    deliver(ses_stored(made, recipient=demo["purchase"]))

    # The sender's server delivered the Bcc to the sales address in a transaction of its own.
    deliver(ses_stored(made, recipient=demo["sales"], ses_id="c" * 40))

    assert len(incoming(resources, demo["id"], "purchase")) == 1
    assert len(incoming(resources, demo["id"], "sales")) == 1
    (record,) = records(demo["id"])
    assert record["mailboxes"] == ["purchase", "sales"]


@pytest.mark.parametrize("recipient", ["demo-srl.purchase.0000000000@in.comptoir.test", "x@elsewhere.be"])
def test_a_message_for_no_known_mailbox_imports_nothing(companies, deliver, resources, recipient):
    made = attach(message(to=recipient), text_pdf(), "x.pdf", "application/pdf")

    assert deliver(ses_stored(made, recipient=recipient)) == []
    assert incoming(resources, companies["Demo SRL"]["id"]) == []


def test_a_message_for_a_regenerated_address_imports_nothing(companies, deliver, resources):
    demo = companies["Demo SRL"]
    repo = wiring.repository()
    current = repo.get(demo["id"], keys.mailbox_address_sk("purchase"))
    repo.replace_versioned(
        {**current, "address": "demo-srl.purchase.zzzzzzzzzz@in.comptoir.test"}, expected_version=1
    )
    made = attach(message(to=demo["purchase"]), text_pdf(), "x.pdf", "application/pdf")

    assert deliver(ses_stored(made, recipient=demo["purchase"])) == []


def test_a_virus_imports_nothing_keeps_the_raw_message_and_records_why(companies, deliver, resources):
    demo = companies["Demo SRL"]
    made = attach(message(to=demo["purchase"]), text_pdf(), "x.pdf", "application/pdf")
    raw = ses_stored(made, recipient=demo["purchase"], virus="FAIL")

    (delivery,) = deliver(raw, key="inbound/virus")

    assert delivery.outcome.value == "refused_virus" and delivery.documents == []
    assert incoming(resources, demo["id"]) == []
    kept = boto3.client("s3").get_object(Bucket=resources.bucket_names["documents"], Key="inbound/virus")
    assert kept["Body"].read() == raw
    (record,) = records(demo["id"])
    assert record["raw_key"] == "inbound/virus"
    assert record["verdicts"]["virus"] == "FAIL"
    assert record["history"][-1]["event"] == "virus"
    assert "nothing imported" in record["history"][-1]["detail"]


def test_spam_is_imported_with_its_documents_marked(companies, deliver, resources):
    demo = companies["Demo SRL"]
    made = attach(message(to=demo["purchase"]), text_pdf(), "x.pdf", "application/pdf")

    deliver(ses_stored(made, recipient=demo["purchase"], spam="FAIL"))

    (document,) = incoming(resources, demo["id"], "purchase")
    assert document["meta"].mail.spam == "FAIL"
    (record,) = records(demo["id"])
    assert "spam" in [e["event"] for e in record["history"]]


def test_skipped_parts_are_recorded_with_their_reason(companies, deliver, resources):
    demo = companies["Demo SRL"]
    limits = replace(LIMITS, max_part_bytes=200 * 1024)
    made = message(to=demo["purchase"])
    attach(made, text_pdf(), "kept.pdf", "application/pdf")
    attach(made, b"MZ" + b"\x00" * 5000, "setup.exe", "application/octet-stream")
    attach(made, b"%PDF-1.7\n" + bytes(range(256)) * 1000, "big.pdf", "application/pdf")
    attach(made, zipped({f"{n}.pdf": text_pdf(str(n)) for n in range(60)}), "all.zip", "application/zip")

    deliver(ses_stored(made, recipient=demo["purchase"]), limits=limits)

    assert [d["meta"].name for d in incoming(resources, demo["id"])] == ["kept.pdf"]
    (record,) = records(demo["id"])
    assert {s["name"]: s["reason"] for s in record["skipped"]} == {
        "setup.exe": "a program (executables are never imported)",
        "big.pdf": "larger than 0 MB",
        "all.zip": "zip not unpacked: the zip holds 60 files, more than 50",
    }
    assert [e["detail"] for e in record["history"] if e["event"] == "skipped"] == [
        "setup.exe: a program (executables are never imported)",
        "big.pdf: larger than 0 MB",
        "all.zip: zip not unpacked: the zip holds 60 files, more than 50",
    ]


def test_an_html_only_message_becomes_one_document_of_its_body(companies, deliver, resources):
    demo = companies["Demo SRL"]
    html = "<html><body><h1>Invoice 7</h1><p>Total 121,00 EUR</p></body></html>"

    deliver(ses_stored(message(to=demo["purchase"], text=None, html=html), recipient=demo["purchase"]))

    (document,) = incoming(resources, demo["id"], "purchase")
    assert html.encode() in document["body"]
    assert document["meta"].name == "Invoice"


def test_a_message_whose_attachments_were_all_refused_does_not_turn_its_body_into_a_document(
    companies, deliver, resources
):
    demo = companies["Demo SRL"]
    made = attach(message(to=demo["purchase"], text="Our invoice is in the program."), b"MZ" * 100, "x.exe")
    attach(made, zipped({f"{n}.pdf": text_pdf(str(n)) for n in range(60)}), "all.zip", "application/zip")

    deliver(ses_stored(made, recipient=demo["purchase"]))

    assert incoming(resources, demo["id"]) == []
    (record,) = records(demo["id"])
    assert record["outcome"] == "refused_attachments"
    (closing,) = [e for e in record["history"] if e["event"] == "attachments_refused"]
    assert "x.exe: a program" in closing["detail"] and "all.zip: zip not unpacked" in closing["detail"]


def test_a_message_with_only_a_logo_beside_its_text_gives_its_body_as_the_document(
    companies, deliver, resources
):
    demo = companies["Demo SRL"]
    made = attach(
        message(to=demo["purchase"], text="Invoice 12: 121,00 EUR."), logo(), "logo.png", "image/png"
    )

    deliver(ses_stored(made, recipient=demo["purchase"]))

    (document,) = incoming(resources, demo["id"], "purchase")
    assert b"Invoice 12: 121,00 EUR." in document["body"]


def test_mail_failing_spf_dkim_and_dmarc_flags_its_documents_and_message_as_not_authenticated(
    companies, deliver, resources
):
    demo = companies["Demo SRL"]
    made = attach(message(to=demo["purchase"]), text_pdf(), "x.pdf", "application/pdf")
    passing = attach(message(to=demo["sales"], message_id="<other@supplier.be>"), text_pdf("B"), "y.pdf")

    deliver(ses_stored(made, recipient=demo["purchase"], spf="fail", dkim="fail", dmarc="fail"))
    deliver(ses_stored(passing, recipient=demo["sales"], spf="fail", dkim="pass", dmarc="fail"))

    (forged,) = incoming(resources, demo["id"], "purchase")
    (signed,) = incoming(resources, demo["id"], "sales")
    assert forged["meta"].mail.sender_not_authenticated is True
    assert signed["meta"].mail.sender_not_authenticated is False
    verdicts = {r["mailboxes"][0]: r["verdicts"]["sender_not_authenticated"] for r in records(demo["id"])}
    assert verdicts == {"purchase": True, "sales": False}


def test_a_run_that_dies_half_way_is_resumed_without_storing_a_part_twice(
    companies, deliver, resources, monkeypatch
):
    demo = companies["Demo SRL"]
    made = message(to=demo["purchase"])
    for n in range(3):
        attach(made, text_pdf(f"Invoice {n}"), f"{n}.pdf", "application/pdf")
    raw = ses_stored(made, recipient=demo["purchase"])
    real = ingest.store_incoming
    calls = []

    def dies_on_the_second(**kwargs):
        calls.append(kwargs["meta"].name)
        if len(calls) == 2:
            raise ConnectionError("the run dies here")
        return real(**kwargs)

    monkeypatch.setattr(ingest, "store_incoming", dies_on_the_second)
    with pytest.raises(ConnectionError):
        deliver(raw, key="inbound/dies")
    # While the first run may still be alive, another one waits (SQS delivers the event again later).
    with pytest.raises(ingest.MessageBusy):
        deliver(raw, key="inbound/dies")
    monkeypatch.setattr(ingest, "store_incoming", real)
    monkeypatch.setattr(ingest, "LEASE", ingest.LEASE * 0)

    deliver(raw, key="inbound/dies")

    assert sorted(d["meta"].name for d in incoming(resources, demo["id"])) == ["0.pdf", "1.pdf", "2.pdf"]
    (record,) = records(demo["id"])
    assert record["outcome"] == "imported" and len(record["imported"]) == 3


def test_a_coda_file_mailed_to_the_miscellaneous_address_becomes_bank_statements_once(
    companies, deliver, resources
):
    from comptoir_core.bank.service import list_accounts
    from tests.bank import coda_files

    demo = companies["Demo SRL"]
    coda = coda_files.rich_file()
    to_misc = message(to=demo["misc"], subject="Extraits de compte")
    attach(to_misc, coda, "statements.cod", "application/octet-stream")
    to_purchase = message(to=demo["purchase"], subject="Extraits")
    attach(to_purchase, coda, "statements.cod", "application/octet-stream")

    (misc,) = deliver(ses_stored(to_misc, recipient=demo["misc"]))
    (purchase,) = deliver(ses_stored(to_purchase, recipient=demo["purchase"]))
    again = message(to=demo["misc"], subject="Extraits de compte (bis)")
    attach(again, coda, "statements.cod", "application/octet-stream")
    deliver(ses_stored(again, recipient=demo["misc"]))

    accounts = list_accounts(repo=wiring.repository(), company_id=demo["id"]).accounts
    assert accounts, "the statements are the company's"
    assert misc.documents == [] and purchase.documents == [] and incoming(resources, demo["id"]) == []
    repo = wiring.repository()

    def events(record_id: str) -> list[str]:
        item = repo.get(keys.company_pk(demo["id"]), keys.message_sk(record_id))
        return [event["event"] for event in item["history"]]

    assert "bank_statements" in events(misc.record_id)
    assert "bank_statements" not in events(purchase.record_id)
