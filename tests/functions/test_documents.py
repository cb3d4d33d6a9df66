"""documents: upload, the pipeline, mailboxes, one document's routes, send, process, archive, history.

Real PDFs and photos, real S3 notifications delivered to the worker (moto), real tokens.
"""

import base64
import json
import os

import pymupdf
import pytest

from comptoir_core import wiring
from comptoir_core.documents import service, store
from comptoir_core.errors import Conflict
from comptoir_core.settings import get_settings
from tests.forms import multipart
from tests.functions.conftest import ACCOUNTANT, ADMIN, OTHER_ADMIN, USER, body
from tests.pdf.samples import encrypted_pdf, hopeless_pdf
from tests.samples import invoice_pdf, jpeg_photo, text_pdf


@pytest.fixture
def company(demo_companies):
    return demo_companies["Demo SRL"]


@pytest.fixture
def upload(documents_api, company):
    def upload_files(*files: tuple[str, bytes], box="purchase", as_user=ADMIN, **fields):
        content_type, payload = multipart(*files, **fields)
        return documents_api.call(
            "POST",
            f"/companies/{company}/mailboxes/{box}/documents",
            as_user=as_user,
            raw=payload,
            content_type=content_type,
        )

    return upload_files


@pytest.fixture
def ready(upload, pump):
    """Upload files and run the pipeline on them; the new document ids."""

    def upload_and_process(*files, **kwargs) -> list[str]:
        response = upload(*files, **kwargs)
        assert response.status_code == 202, response.body
        assert all(answer == {"batchItemFailures": []} for answer in pump())
        return body(response)["documents"]

    return upload_and_process


def get(documents_api, path, as_user=ADMIN, **query):
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return documents_api.call("GET", path + suffix, as_user=as_user)


# ---- upload and the pipeline ----------------------------------------------------------------------


def test_an_uploaded_pdf_and_photo_are_listed_with_their_page_images(documents_api, company, ready):
    pdf_id, photo_id = ready(("invoice.pdf", text_pdf("Invoice 1", "page two")), ("ticket.jpg", jpeg_photo()))

    listed = body(get(documents_api, f"/companies/{company}/mailboxes/purchase"))["documents"]

    assert {d["id"]: (d["name"], d["pages"], d["status"], d["source"]) for d in listed} == {
        pdf_id: ("invoice.pdf", 2, "inbox", "upload"),
        photo_id: ("ticket.jpg", 1, "inbox", "upload"),
    }
    thumbnail = next(d["thumbnail"] for d in listed if d["id"] == photo_id)
    image = documents_api.call("GET", thumbnail.removeprefix("/documents"), as_user=USER)
    assert image.status_code == 200
    assert image.headers["Content-Type"].startswith("image/")
    assert pymupdf.open(stream=image.body).page_count == 1  # a decodable image


def test_the_working_pdf_is_served_and_the_original_is_kept_byte_for_byte(documents_api, company, ready):
    photo = jpeg_photo()
    (photo_id,) = ready(("ticket.jpg", photo))
    path = f"/companies/{company}/documents/{photo_id}/file"

    working = get(documents_api, path)
    original = get(documents_api, path, original="1")

    assert working.headers["Content-Type"] == "application/pdf"
    assert pymupdf.open(stream=working.body, filetype="pdf").page_count == 1
    assert original.body == photo
    assert original.headers["Content-Type"] == "image/jpeg"


def test_a_file_over_4_mb_answers_with_a_short_lived_url_since_base64_would_pass_lambdas_6_mb(
    documents_api, company, ready
):
    # A one-page PDF padded with an unused 4.5 MB stream: 6 MB once base64-encoded.
    document = pymupdf.open()
    document.new_page().insert_text((72, 72), "Invoice with a large attachment-free body")
    padding = document.get_new_xref()
    document.update_object(padding, "<<>>")
    document.update_stream(padding, os.urandom(4_500_000), compress=False)
    (document_id,) = ready(("large.pdf", document.tobytes()))

    answer = get(documents_api, f"/companies/{company}/documents/{document_id}/file", original="1")

    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("http")


def test_a_raw_body_with_a_filename_query_is_an_upload(documents_api, company, pump):
    response = documents_api.call(
        "POST",
        f"/companies/{company}/mailboxes/sales/documents?filename=..%2F..%2Fetc%2Fpasswd.pdf&source=scan",
        as_user=USER,
        raw=text_pdf("Sales invoice"),
        content_type="application/pdf",
    )
    pump()

    assert response.status_code == 202
    (document_id,) = body(response)["documents"]
    document = body(get(documents_api, f"/companies/{company}/documents/{document_id}"))
    assert (document["name"], document["source"], document["mailbox"]) == ("passwd.pdf", "scan", "sales")
    assert not {"original_key", "original_version", "working_key", "lease_until"} & set(document)


def test_the_mobile_app_says_receipt_and_its_fields_are_kept(documents_api, company, ready):
    (document_id,) = ready(
        ("IMG_0001.jpg", jpeg_photo()),
        source="mobile",
        kind="receipt",
        fields=json.dumps({"amount": "12.50"}),
    )

    document = body(get(documents_api, f"/companies/{company}/documents/{document_id}"))

    assert document["source"] == "mobile"
    assert document["mobile"] == {"kind": "receipt", "fields": {"amount": "12.50"}}


@pytest.mark.parametrize(
    ("files", "status", "words"),
    [
        ([("virus.exe", b"MZ\x90\x00" + b"\x00" * 100)], 415, "PDF, JPEG, PNG, TIFF"),
        ([("empty.pdf", b"")], 400, "empty"),
        ([], 400, "no file"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(upload, documents_api, company, files, status, words):
    response = upload(*files)

    assert response.status_code == status
    assert words in body(response)["error"]["message"]
    assert body(get(documents_api, f"/companies/{company}/history"))["documents"] == []


def test_one_bad_file_refuses_the_whole_upload(upload, documents_api, company):
    response = upload(("good.pdf", text_pdf()), ("bad.bin", b"\x00\x01\x02"))

    assert response.status_code == 415
    assert body(get(documents_api, f"/companies/{company}/history"))["documents"] == []


def test_a_file_over_the_size_limit_is_413(upload, monkeypatch):
    monkeypatch.setenv("COMPTOIR_MAX_DOCUMENT_MB", "1")
    get_settings.cache_clear()

    response = upload(("big.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1)))

    assert response.status_code == 413
    assert "the limit is 1 MB" in body(response)["error"]["message"]


def test_uploading_to_an_unknown_mailbox_is_404(upload):
    assert upload(("a.pdf", text_pdf()), box="inbox").status_code == 404


def test_a_pdf_that_needs_a_password_says_so(documents_api, company, ready):
    (document_id,) = ready(("locked.pdf", encrypted_pdf(owner="owner-secret", user="s3cret")))

    document = body(get(documents_api, f"/companies/{company}/documents/{document_id}"))

    assert document["status"] == "needs_password"
    assert "password" in document["problem"]


def test_a_pdf_locked_only_for_editing_gets_an_open_working_copy(documents_api, company, ready):
    (document_id,) = ready(("owner-only.pdf", encrypted_pdf(owner="owner-secret", user="")))

    working = get(documents_api, f"/companies/{company}/documents/{document_id}/file")

    assert not pymupdf.open(stream=working.body, filetype="pdf").needs_pass
    assert "Protected" in pymupdf.open(stream=working.body, filetype="pdf")[0].get_text()


def test_a_hopeless_pdf_fails_with_its_reason_and_keeps_its_original(documents_api, company, ready):
    hopeless = hopeless_pdf()
    (document_id,) = ready(("broken.pdf", hopeless))

    document = body(get(documents_api, f"/companies/{company}/documents/{document_id}"))
    original = get(documents_api, f"/companies/{company}/documents/{document_id}/file", original="1")

    assert document["status"] == "failed"
    assert document["problem"]
    assert original.body == hopeless


# A failure mid-pipeline and its retry through the queue: tests/functions/test_documents_worker.py


def test_retrying_a_document_that_did_not_fail_is_a_conflict(documents_api, company, ready):
    (document_id,) = ready(("a.pdf", text_pdf()))

    response = documents_api.call("POST", f"/companies/{company}/documents/{document_id}/retry", as_user=USER)

    assert response.status_code == 409


def test_the_same_bytes_twice_are_flagged_as_a_possible_duplicate_not_dropped(documents_api, company, ready):
    pdf = text_pdf("Invoice 2026-001")
    (first,) = ready(("a.pdf", pdf))
    (second,) = ready(("a-again.pdf", pdf), box="misc")

    listed = body(get(documents_api, f"/companies/{company}/mailboxes/misc"))["documents"]

    assert [(d["id"], d["duplicate"], d["duplicate_of"]) for d in listed] == [(second, True, [first])]


def test_a_redelivered_event_changes_nothing(documents_api, company, upload, pump, resources):
    import boto3

    (document_id,) = body(upload(("a.pdf", text_pdf())))["documents"]
    sqs = boto3.client("sqs")
    queue = resources.queue_urls["documents-incoming"]
    message = sqs.receive_message(QueueUrl=queue)["Messages"][0]
    sqs.send_message(QueueUrl=queue, MessageBody=message["Body"])  # the same event, delivered again
    sqs.change_message_visibility(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)

    pump()
    document = body(get(documents_api, f"/companies/{company}/documents/{document_id}"))

    assert [e["event"] for e in document["history"]] == ["received", "ready"]
    assert document["version"] == 3  # created, taken by one run, made ready: nothing more


# ---- auto-forward -----------------------------------------------------------------------------------


def _mail_in(company: str, sender: str, **verdicts: str) -> str:
    from comptoir_core.documents.intake import IncomingMetadata, store_incoming
    from comptoir_core.documents.models import Mailbox, MailInfo, Source

    return store_incoming(
        blobs=wiring.blob_store(),
        company_id=company,
        mailbox=Mailbox.purchase,
        body=text_pdf("Mailed invoice"),
        meta=IncomingMetadata(
            source=Source.mail, name="mailed.pdf", sender=sender, mail=MailInfo(**verdicts)
        ),
    )


def _set_purchase_forwarding(accounts_api, company, **mailbox_settings):
    response = accounts_api.call(
        "PUT",
        f"/companies/{company}/settings",
        as_user=ADMIN,
        body={"settings": {"mailboxes": {"purchase": mailbox_settings}}, "version": 0},
    )
    assert response.status_code == 200, response.body


def test_auto_forward_sends_documents_from_external_channels_at_once(
    accounts_api, documents_api, company, pump
):
    _set_purchase_forwarding(accounts_api, company, auto_forward=True)
    document_id = _mail_in(company, "supplier@example.be")

    pump()
    document = body(get(documents_api, f"/companies/{company}/documents/{document_id}"))

    assert document["status"] == "in_processing"
    assert document["history"][-1]["detail"] == "auto-forward"


def test_with_the_whitelist_only_listed_senders_are_forwarded(accounts_api, documents_api, company, pump):
    _set_purchase_forwarding(
        accounts_api, company, auto_forward=True, whitelist_only=True, whitelist=["@trusted.be"]
    )
    trusted = _mail_in(company, "billing@trusted.be")
    stranger = _mail_in(company, "someone@elsewhere.com")

    pump()

    statuses = {
        d: body(get(documents_api, f"/companies/{company}/documents/{d}"))["status"]
        for d in (trusted, stranger)
    }
    assert statuses == {trusted: "in_processing", stranger: "inbox"}


def test_spam_and_forged_senders_are_never_auto_forwarded(accounts_api, documents_api, company, pump):
    _set_purchase_forwarding(
        accounts_api, company, auto_forward=True, whitelist_only=True, whitelist=["@trusted.be"]
    )
    spam = _mail_in(company, "billing@trusted.be", spam="FAIL", dmarc="pass")
    forged = _mail_in(company, "billing@trusted.be", spam="PASS", dmarc="fail")
    genuine = _mail_in(company, "billing@trusted.be", spam="PASS", dmarc="pass")

    pump()

    statuses = {
        d: body(get(documents_api, f"/companies/{company}/documents/{d}"))["status"]
        for d in (spam, forged, genuine)
    }
    assert statuses == {spam: "inbox", forged: "inbox", genuine: "in_processing"}


def test_uploads_by_hand_are_not_auto_forwarded(accounts_api, documents_api, company, ready):
    _set_purchase_forwarding(accounts_api, company, auto_forward=True)

    (document_id,) = ready(("a.pdf", text_pdf()))

    assert body(get(documents_api, f"/companies/{company}/documents/{document_id}"))["status"] == "inbox"


# ---- listing ----------------------------------------------------------------------------------------


def test_a_mailbox_pages_newest_first_with_a_cursor(documents_api, company, ready):
    ids = [ready((f"{n}.pdf", text_pdf(f"doc {n}")))[0] for n in range(5)]

    first = body(get(documents_api, f"/companies/{company}/mailboxes/purchase", limit="2"))
    second = body(
        get(documents_api, f"/companies/{company}/mailboxes/purchase", limit="2", cursor=first["next_cursor"])
    )
    third = body(
        get(
            documents_api, f"/companies/{company}/mailboxes/purchase", limit="2", cursor=second["next_cursor"]
        )
    )

    pages = [[d["id"] for d in page["documents"]] for page in (first, second, third)]
    assert pages == [ids[4:2:-1], ids[2:0:-1], ids[0:1]]
    assert third["next_cursor"] is None


def test_mailbox_filters_combine(documents_api, company, ready):
    (invoice,) = ready(("Invoice ACME.pdf", text_pdf()))
    (other,) = ready(("receipt.jpg", jpeg_photo()), source="mobile")
    documents_api.call(
        "POST", f"/companies/{company}/documents/{invoice}/labels", as_user=USER, body={"add": ["urgent"]}
    )

    by_label = body(get(documents_api, f"/companies/{company}/mailboxes/purchase", label="urgent"))
    by_source = body(get(documents_api, f"/companies/{company}/mailboxes/purchase", source="mobile"))
    by_text = body(get(documents_api, f"/companies/{company}/mailboxes/purchase", q="acme", source="upload"))
    bad = get(documents_api, f"/companies/{company}/mailboxes/purchase", status="bogus")

    assert [d["id"] for d in by_label["documents"]] == [invoice]
    assert [d["id"] for d in by_source["documents"]] == [other]
    assert [d["id"] for d in by_text["documents"]] == [invoice]
    assert bad.status_code == 400


def test_the_mailbox_counts_include_the_processing_box(documents_api, company, ready):
    first, _ = ready(("a.pdf", text_pdf()), ("b.pdf", text_pdf("b")))
    documents_api.call("POST", f"/companies/{company}/documents/{first}/send", as_user=USER)

    counts = {m["id"]: m["count"] for m in body(get(documents_api, f"/companies/{company}/mailboxes"))}

    assert counts == {"purchase": 1, "sales": 0, "misc": 0, "processing": 1}


# ---- one document: fields, labels, remarks, move, delete --------------------------------------------


def test_a_correction_is_checked_recorded_and_keeps_the_recognised_value(documents_api, company, ready):
    (document_id,) = ready(("a.pdf", text_pdf("Invoice")))
    path = f"/companies/{company}/documents/{document_id}/fields"
    corrections = {
        "document_type": "receipt",
        "supplier_vat": "BE 0403.170.701",
        "iban": "BE71 0961 2345 6769",
        "structured_reference": "+++090/9337/55493+++",
        "invoice_date": "2026-11-02",
        "total_incl_vat": "121.00",
    }

    corrected = documents_api.call("PATCH", path, as_user=USER, body={"fields": corrections})

    fields = body(corrected)["fields"]
    assert {name: fields[name]["value"] for name in corrections} == {
        "document_type": "receipt",
        "supplier_vat": "BE0403170701",
        "iban": "BE71096123456769",
        "structured_reference": "090933755493",
        "invoice_date": "2026-11-02",
        "total_incl_vat": "121.00",
    }
    assert {
        (fields[n]["source"], fields[n]["corrected_by"], fields[n]["confidence"]) for n in corrections
    } == {("user", USER, 1.0)}
    assert fields["document_type"]["recognised"] == "invoice"  # what recognition said stays beside it


def test_invalid_corrections_are_refused_field_by_field(documents_api, company, ready):
    (document_id,) = ready(("a.pdf", text_pdf()))

    response = documents_api.call(
        "PATCH",
        f"/companies/{company}/documents/{document_id}/fields",
        as_user=USER,
        body={
            "fields": {
                "supplier_vat": "BE0403170702",
                "iban": "BE68539007547035",
                "structured_reference": "+++090/9337/55494+++",
                "invoice_date": "2026-13-02",
                "total_incl_vat": "12.345",
                "colour": "blue",
            }
        },
    )

    assert response.status_code == 400
    problems = {d["field"] for d in body(response)["error"]["details"]}
    assert problems == {
        "supplier_vat",
        "iban",
        "structured_reference",
        "invoice_date",
        "total_incl_vat",
        "colour",
    }
    document = body(get(documents_api, f"/companies/{company}/documents/{document_id}"))
    assert all(f["source"] != "user" for f in document["fields"].values())


def test_labels_are_added_and_removed_and_remarks_keep_author_and_time(documents_api, company, ready):
    (document_id,) = ready(("a.pdf", text_pdf()))
    base = f"/companies/{company}/documents/{document_id}"

    documents_api.call("POST", base + "/labels", as_user=USER, body={"add": ["car", "q4", "car"]})
    documents_api.call("POST", base + "/labels", as_user=USER, body={"remove": ["car"]})
    remark = documents_api.call("POST", base + "/remarks", as_user=ACCOUNTANT, body={"text": "Which car?"})

    document = body(get(documents_api, base))
    assert document["labels"] == ["q4"]
    assert remark.status_code == 201
    assert [(r["text"], r["author"]) for r in document["remarks"]] == [("Which car?", ACCOUNTANT)]


def test_a_document_moves_between_mailboxes(documents_api, company, ready):
    (document_id,) = ready(("a.pdf", text_pdf()))

    moved = documents_api.call(
        "POST", f"/companies/{company}/documents/{document_id}/move", as_user=USER, body={"mailbox": "sales"}
    )

    assert body(moved)["mailbox"] == "sales"
    assert [
        d["id"] for d in body(get(documents_api, f"/companies/{company}/mailboxes/sales"))["documents"]
    ] == [document_id]


def test_a_deleted_document_is_kept_and_only_an_admin_restores_it(documents_api, company, ready):
    (document_id,) = ready(("a.pdf", text_pdf()))
    base = f"/companies/{company}/documents/{document_id}"

    deleted = documents_api.call("DELETE", base, as_user=USER)
    listed = body(get(documents_api, f"/companies/{company}/mailboxes/purchase"))["documents"]
    by_user = documents_api.call("POST", base + "/restore", as_user=USER)
    by_admin = documents_api.call("POST", base + "/restore", as_user=ADMIN)

    assert body(deleted)["status"] == "deleted"
    assert listed == []
    assert get(documents_api, base + "/file").status_code == 200
    assert by_user.status_code == 403
    assert body(by_admin)["status"] == "inbox"


# ---- send, the processing box, the accountant, the archive ------------------------------------------


def test_sent_documents_go_to_in_processing_and_the_accountant_processes_them(documents_api, company, ready):
    first, second = ready(("a.pdf", text_pdf("A")), ("b.pdf", text_pdf("B")))

    sent = documents_api.call(
        "POST", f"/companies/{company}/send", as_user=USER, body={"ids": [first, second]}
    )
    waiting = body(get(documents_api, "/firm/processing", as_user=ACCOUNTANT))["documents"]
    processed = documents_api.call(
        "POST",
        f"/companies/{company}/documents/{first}/process",
        as_user=ACCOUNTANT,
        body={
            "booking": {"journal": "ACH", "account": "604000", "vat_code": "21", "amount_incl_vat": "121.00"}
        },
    )

    assert [d["status"] for d in body(sent)] == ["in_processing", "in_processing"]
    assert {d["id"] for d in waiting} == {first, second}
    assert body(processed)["status"] == "processed"
    box = body(get(documents_api, f"/companies/{company}/mailboxes/processing"))["documents"]
    assert [d["id"] for d in box] == [second]
    archived = body(get(documents_api, f"/companies/{company}/archive", tab="purchase"))["documents"]
    assert [d["id"] for d in archived] == [first]


def test_in_processing_the_client_can_download_and_remark_but_not_delete_correct_or_move(
    documents_api, company, ready
):
    (document_id,) = ready(("a.pdf", text_pdf()))
    base = f"/companies/{company}/documents/{document_id}"
    documents_api.call("POST", base + "/send", as_user=USER)

    assert get(documents_api, base + "/file").status_code == 200
    assert (
        documents_api.call("POST", base + "/remarks", as_user=USER, body={"text": "urgent"}).status_code
        == 201
    )
    refused = [
        documents_api.call("DELETE", base, as_user=USER),
        documents_api.call("DELETE", base, as_user=ADMIN),
        documents_api.call(
            "PATCH", base + "/fields", as_user=USER, body={"fields": {"invoice_number": "X1"}}
        ),
        documents_api.call("POST", base + "/move", as_user=ADMIN, body={"mailbox": "sales"}),
    ]
    assert [r.status_code for r in refused] == [409] * 4
    assert all("ask your accountant" in body(r)["error"]["message"] for r in refused)
    assert body(get(documents_api, base))["status"] == "in_processing"


def test_the_accountant_still_corrects_a_document_in_processing(documents_api, company, ready):
    (document_id,) = ready(("a.pdf", text_pdf()))
    base = f"/companies/{company}/documents/{document_id}"
    documents_api.call("POST", base + "/send", as_user=USER)

    corrected = documents_api.call(
        "PATCH", base + "/fields", as_user=ACCOUNTANT, body={"fields": {"invoice_number": "X1"}}
    )

    assert corrected.status_code == 200, corrected.body
    assert body(corrected)["fields"]["invoice_number"]["value"] == "X1"


def test_sending_a_deleted_document_is_a_conflict(documents_api, company, ready):
    (document_id,) = ready(("a.pdf", text_pdf()))
    documents_api.call("DELETE", f"/companies/{company}/documents/{document_id}", as_user=USER)

    response = documents_api.call("POST", f"/companies/{company}/documents/{document_id}/send", as_user=USER)

    assert response.status_code == 409
    assert body(response)["error"]["details"] == [{"id": document_id, "status": "deleted"}]


def test_one_unsendable_document_sends_none(documents_api, company, ready):
    good, bad = ready(("a.pdf", text_pdf()), ("b.pdf", text_pdf("b")))
    documents_api.call("DELETE", f"/companies/{company}/documents/{bad}", as_user=USER)

    response = documents_api.call(
        "POST", f"/companies/{company}/send", as_user=USER, body={"ids": [good, bad]}
    )

    assert response.status_code == 409
    assert body(get(documents_api, f"/companies/{company}/documents/{good}"))["status"] == "inbox"


def test_of_two_sends_at_once_only_one_wins(documents_api, company, ready):
    (document_id,) = ready(("a.pdf", text_pdf()))
    repo = wiring.repository()
    # The second click read the document before the first click's send landed.
    second_click = store.get_document(repo=repo, company_id=company, document_id=document_id)
    documents_api.call("POST", f"/companies/{company}/documents/{document_id}/send", as_user=USER)

    with pytest.raises(Conflict):
        store.save_all(repo=repo, documents=[service.mark_sent(second_click, by=ADMIN)])
    history = body(get(documents_api, f"/companies/{company}/documents/{document_id}"))["history"]
    assert [(e["event"], e["by"]) for e in history if e["event"] == "sent"] == [("sent", USER)]


def test_processing_a_document_that_is_not_in_processing_is_a_conflict(documents_api, company, ready):
    (document_id,) = ready(("a.pdf", text_pdf()))

    response = documents_api.call(
        "POST",
        f"/companies/{company}/documents/{document_id}/process",
        as_user=ACCOUNTANT,
        body={"booking": {"journal": "ACH", "account": "604000"}},
    )

    assert response.status_code == 409


def test_only_the_accountant_processes(documents_api, company, ready):
    (document_id,) = ready(("a.pdf", text_pdf()))
    documents_api.call("POST", f"/companies/{company}/documents/{document_id}/send", as_user=USER)

    response = documents_api.call(
        "POST",
        f"/companies/{company}/documents/{document_id}/process",
        as_user=ADMIN,
        body={"booking": {"journal": "ACH", "account": "604000"}},
    )

    assert response.status_code == 403


def test_the_firm_box_shows_only_the_companies_the_accountant_manages(documents_api, company, ready):
    (document_id,) = ready(("a.pdf", text_pdf()))
    documents_api.call("POST", f"/companies/{company}/documents/{document_id}/send", as_user=USER)

    assert body(get(documents_api, "/firm/processing", as_user=OTHER_ADMIN))["documents"] == []
    assert body(get(documents_api, "/firm/processing", as_user=ADMIN))["documents"] == []


def _process(documents_api, company, document_id, fields):
    documents_api.call(
        "PATCH", f"/companies/{company}/documents/{document_id}/fields", as_user=USER, body={"fields": fields}
    )
    documents_api.call("POST", f"/companies/{company}/documents/{document_id}/send", as_user=USER)
    documents_api.call(
        "POST",
        f"/companies/{company}/documents/{document_id}/process",
        as_user=ACCOUNTANT,
        body={"booking": {"journal": "ACH", "account": "604000"}},
    )


def test_the_archive_sorts_by_invoice_date_and_its_filters_combine(documents_api, company, ready):
    older, newer, other = ready(("a.pdf", text_pdf("a")), ("b.pdf", text_pdf("b")), ("c.pdf", text_pdf("c")))
    _process(
        documents_api,
        company,
        older,
        {
            "supplier_name": "Acme",
            "invoice_date": "2026-01-10",
            "total_incl_vat": "100.00",
            "invoice_number": "F-1",
        },
    )
    _process(
        documents_api,
        company,
        newer,
        {
            "supplier_name": "Acme",
            "invoice_date": "2026-03-01",
            "total_incl_vat": "250.00",
            "invoice_number": "F-2",
        },
    )
    _process(
        documents_api,
        company,
        other,
        {"supplier_name": "Brico", "invoice_date": "2026-02-01", "total_incl_vat": "80.00"},
    )
    archive = f"/companies/{company}/archive"

    everything = body(get(documents_api, archive))["documents"]
    acme_over_150 = body(get(documents_api, archive, counterparty="acme", amount_min="150"))["documents"]
    february = body(get(documents_api, archive, date_from="2026-02-01", date_to="2026-02-28"))["documents"]

    assert [d["id"] for d in everything] == [newer, other, older]
    assert [d["id"] for d in acme_over_150] == [newer]
    assert [d["id"] for d in february] == [other]


def test_the_accountant_files_a_misc_document_in_the_permanent_dossier(documents_api, company, ready):
    (statutes,) = ready(("statutes.pdf", text_pdf("Statuts")), box="misc")
    (invoice,) = ready(("invoice.pdf", text_pdf()))

    by_admin = documents_api.call(
        "POST",
        f"/companies/{company}/documents/{statutes}/permanent",
        as_user=ADMIN,
        body={"permanent": True},
    )
    filed = documents_api.call(
        "POST",
        f"/companies/{company}/documents/{statutes}/permanent",
        as_user=ACCOUNTANT,
        body={"permanent": True},
    )
    not_misc = documents_api.call(
        "POST",
        f"/companies/{company}/documents/{invoice}/permanent",
        as_user=ACCOUNTANT,
        body={"permanent": True},
    )

    assert by_admin.status_code == 403
    assert filed.status_code == 200
    assert not_misc.status_code == 409
    dossier = body(get(documents_api, f"/companies/{company}/archive", tab="permanent"))["documents"]
    assert [d["id"] for d in dossier] == [statutes]


def test_the_history_lists_every_document_with_its_source_and_status(documents_api, company, ready):
    kept, deleted = ready(("a.pdf", text_pdf()), ("b.pdf", text_pdf("b")))
    documents_api.call("DELETE", f"/companies/{company}/documents/{deleted}", as_user=USER)

    history = body(get(documents_api, f"/companies/{company}/history"))["documents"]
    only_deleted = body(get(documents_api, f"/companies/{company}/history", status="deleted"))["documents"]

    assert {(d["id"], d["source"], d["status"]) for d in history} == {
        (kept, "upload", "inbox"),
        (deleted, "upload", "deleted"),
    }
    assert [d["id"] for d in only_deleted] == [deleted]


# ---- large uploads ----------------------------------------------------------------------------------


def test_a_large_upload_gets_a_presigned_post_for_one_key_under_the_company_prefix(documents_api, company):
    response = documents_api.call(
        "POST",
        f"/companies/{company}/uploads",
        as_user=USER,
        body={"mailbox": "purchase", "name": "scan.pdf"},
    )

    form = body(response)
    assert response.status_code == 201
    assert form["fields"]["key"] == f"incoming/{company}/purchase/{form['document']}"
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    assert ["content-length-range", 1, 50 * 1024 * 1024] in policy["conditions"]
    assert {"key": form["fields"]["key"]} in policy["conditions"]


# ---- recognition in the pipeline --------------------------------------------------------------------


def test_an_invoice_shows_its_recognised_fields_with_confidences(documents_api, company, ready):
    (document_id,) = ready(("facture.pdf", invoice_pdf()))

    fields = body(get(documents_api, f"/companies/{company}/documents/{document_id}"))["fields"]

    assert fields["supplier_vat"]["value"] == "BE0403170701"
    assert fields["invoice_number"]["value"] == "F2026-0042"
    assert fields["total_incl_vat"]["value"] == "121.00"
    assert all(0 < f["confidence"] <= 1 and f["source"] == "text" for f in fields.values())
    assert fields["customer_vat"]["value"] == "BE0417497106"  # the company itself, never the supplier


def test_the_same_invoice_twice_with_other_bytes_is_flagged_on_both(documents_api, company, ready):
    (first,) = ready(("facture.pdf", invoice_pdf(note="printed on paper")))
    (second,) = ready(("facture-scan.pdf", invoice_pdf(note="sent again by mail")), box="misc")

    first_read = body(get(documents_api, f"/companies/{company}/documents/{first}"))
    second_read = body(get(documents_api, f"/companies/{company}/documents/{second}"))

    assert first_read["duplicate_of"] == [second]
    assert second_read["duplicate_of"] == [first]


def test_every_copy_of_an_invoice_names_the_earlier_ones_and_the_original_names_them_all(
    documents_api, company, ready
):
    ids = [ready((f"copy-{n}.pdf", invoice_pdf(note=f"copy {n}")))[0] for n in range(3)]

    flagged = {
        d: body(get(documents_api, f"/companies/{company}/documents/{d}"))["duplicate_of"] for d in ids
    }

    assert flagged == {ids[0]: [ids[1], ids[2]], ids[1]: [ids[0]], ids[2]: [ids[0], ids[1]]}


def test_a_correction_teaches_the_next_invoice_of_that_supplier(documents_api, company, ready):
    (first,) = ready(("facture-1.pdf", invoice_pdf(number="F2026-0042")))
    documents_api.call(
        "PATCH",
        f"/companies/{company}/documents/{first}/fields",
        as_user=USER,
        body={"fields": {"supplier_name": "Brasserie Dupont (Tournai)"}},
    )

    (second,) = ready(
        ("facture-2.pdf", invoice_pdf(number="F2026-0057", incl="242,00", excl="200,00", vat="42,00"))
    )

    fields = body(get(documents_api, f"/companies/{company}/documents/{second}"))["fields"]
    # The supplier is known from its VAT number; a learnt name never replaces the one the page
    # prints (issue 11 item 6): shown where the page prints none (tests/recognition/test_learning.py).
    assert fields["supplier_name"]["value"] == "Brasserie Dupont SRL"
    assert fields["supplier_name"]["source"] == "text"
    assert fields["invoice_number"]["value"] == "F2026-0057"


def _held_by_another_run(company):
    """A stored upload whose document a first run has claimed and holds (its lease taken)."""
    from comptoir_core import keys
    from comptoir_core.documents import pipeline
    from comptoir_core.documents.intake import IncomingMetadata, store_incoming
    from comptoir_core.documents.models import Mailbox

    meta = IncomingMetadata(source="upload")
    document_id = store_incoming(
        blobs=wiring.blob_store(), company_id=company, mailbox=Mailbox.purchase, body=text_pdf(), meta=meta
    )
    key = keys.incoming_object_key(company, "purchase", document_id)
    claimed = pipeline._claim(wiring.repository(), pipeline.parse_incoming_key(key, size=1), meta)
    return key, meta, pipeline._leased(wiring.repository(), claimed)


def test_a_second_run_waits_for_the_first_and_does_not_do_the_work_again(company, resources):
    import threading

    from comptoir_core.documents import pipeline

    key, meta, held = _held_by_another_run(company)
    repo, blobs, settings = wiring.repository(), wiring.blob_store(), get_settings()
    second: list = []
    waiting = threading.Thread(
        target=lambda: second.append(pipeline.run(repo=repo, blobs=blobs, settings=settings, key=key, size=1))
    )
    waiting.start()

    first = pipeline._process(repo, blobs, settings, held, meta)  # the first run finishes meanwhile
    waiting.join(timeout=30)

    assert second[0].status == first.status == "inbox"
    assert second[0].version == first.version  # the second run wrote nothing
    assert [e.event for e in second[0].history].count("ready") == 1


def test_a_run_that_waited_too_long_gives_the_event_back(company, resources, monkeypatch):
    from comptoir_core.documents import pipeline

    monkeypatch.setattr(pipeline, "WAIT_FOR_OTHER_RUN_S", 0.3)
    key, _, held = _held_by_another_run(company)

    with pytest.raises(pipeline.Busy):
        pipeline.run(
            repo=wiring.repository(), blobs=wiring.blob_store(), settings=get_settings(), key=key, size=1
        )
    assert (
        store.get_document(repo=wiring.repository(), company_id=company, document_id=held.id).status
        == "received"
    )


# ---- issue 11: rules that agree, exact originals, lists by index --------------------------------


def _sent(documents_api, company, document_id, totals: dict[str, str]):
    base = f"/companies/{company}/documents/{document_id}"
    documents_api.call("PATCH", base + "/fields", as_user=USER, body={"fields": totals})
    documents_api.call("POST", base + "/send", as_user=USER)
    return base


def test_a_booking_whose_amounts_do_not_add_up_is_a_400_and_changes_nothing(documents_api, company, ready):
    (document_id,) = ready(("a.pdf", text_pdf()))
    base = _sent(documents_api, company, document_id, {})

    response = documents_api.call(
        "POST",
        base + "/process",
        as_user=ACCOUNTANT,
        body={
            "booking": {
                "journal": "ACH",
                "account": "604000",
                "amount_excl_vat": "100.00",
                "vat_amount": "21.00",
                "amount_incl_vat": "120.00",
            }
        },
    )

    assert response.status_code == 400
    assert "does not add up" in body(response)["error"]["message"]
    assert body(get(documents_api, base))["status"] == "in_processing"


def test_a_booking_that_differs_from_the_invoice_totals_is_processed_with_warnings(
    documents_api, company, ready
):
    (document_id,) = ready(("a.pdf", text_pdf()))
    base = _sent(
        documents_api,
        company,
        document_id,
        {"total_excl_vat": "100.00", "vat_amount": "21.00", "total_incl_vat": "121.00"},
    )

    response = documents_api.call(
        "POST",
        base + "/process",
        as_user=ACCOUNTANT,
        body={
            "booking": {
                "journal": "ACH",
                "account": "604000",
                "amount_excl_vat": "100.00",
                "vat_amount": "6.00",
                "amount_incl_vat": "106.00",
            }
        },
    )

    assert response.status_code == 200, response.body
    warnings = body(response)["warnings"]
    assert any("VAT 6.00 differs from the invoice's 21.00" in w for w in warnings)
    assert any("incl. VAT 106.00 differs from the invoice's 121.00" in w for w in warnings)
    assert not any("excl. VAT 100.00" in w for w in warnings)


def test_label_and_remark_changes_are_events_in_the_history(documents_api, company, ready):
    (document_id,) = ready(("a.pdf", text_pdf()))
    base = f"/companies/{company}/documents/{document_id}"

    documents_api.call("POST", base + "/labels", as_user=USER, body={"add": ["travel", "q3"]})
    documents_api.call("POST", base + "/labels", as_user=USER, body={"remove": ["q3"]})
    documents_api.call("POST", base + "/remarks", as_user=USER, body={"text": "check the VAT"})

    events = body(get(documents_api, base + "/history"))["events"]
    assert [(e["event"], e["detail"]) for e in events[:3]] == [
        ("remark", "check the VAT"),
        ("labels", "removed q3"),
        ("labels", "added travel, q3"),
    ]
    assert all(e["by"] == USER for e in events[:3])


def test_an_iban_with_right_check_digits_and_a_bank_code_unknown_to_the_registry_is_accepted_with_a_warning(
    documents_api, company, ready
):
    (document_id,) = ready(("a.pdf", text_pdf()))

    response = documents_api.call(
        "PATCH",
        f"/companies/{company}/documents/{document_id}/fields",
        as_user=USER,
        body={"fields": {"iban": "BE68 5390 0754 7034"}},
    )

    assert response.status_code == 200, response.body
    document = body(response)
    assert document["fields"]["iban"]["value"] == "BE68539007547034"
    assert any("bank code is unknown" in w and "check digits are right" in w for w in document["warnings"])


@pytest.mark.parametrize(
    "iban, problem",
    [
        ("BE68539007547035", "its check digits do not match"),
        ("BE41539007547035", "its national check digits do not match"),
        ("BE0853900754703", "not the length or format"),
    ],
)
def test_an_iban_is_refused_with_the_check_that_failed(documents_api, company, ready, iban, problem):
    (document_id,) = ready(("a.pdf", text_pdf()))

    response = documents_api.call(
        "PATCH",
        f"/companies/{company}/documents/{document_id}/fields",
        as_user=USER,
        body={"fields": {"iban": iban}},
    )

    assert response.status_code == 400
    (detail,) = body(response)["error"]["details"]
    assert problem in detail["problem"]
    if problem != "its check digits do not match":
        assert "its check digits do not match" not in detail["problem"]


def test_the_box_counts_follow_every_change_of_status_and_mailbox(documents_api, company, ready):
    first, second, third = ready(("a.pdf", text_pdf("a")), ("b.pdf", text_pdf("b")), ("c.pdf", text_pdf("c")))
    base = f"/companies/{company}/documents/"

    def counts():
        return {m["id"]: m["count"] for m in body(get(documents_api, f"/companies/{company}/mailboxes"))}

    assert counts() == {"purchase": 3, "sales": 0, "misc": 0, "processing": 0}
    documents_api.call("POST", base + first + "/move", as_user=USER, body={"mailbox": "sales"})
    documents_api.call("POST", base + second + "/send", as_user=USER)
    documents_api.call("DELETE", base + third, as_user=ADMIN)
    assert counts() == {"purchase": 0, "sales": 1, "misc": 0, "processing": 1}
    documents_api.call("POST", base + third + "/restore", as_user=ADMIN)
    documents_api.call(
        "POST",
        base + second + "/process",
        as_user=ACCOUNTANT,
        body={"booking": {"journal": "A", "account": "6"}},
    )
    assert counts() == {"purchase": 1, "sales": 1, "misc": 0, "processing": 0}


def test_a_filtered_list_reads_one_bounded_page_and_says_so_in_its_answer(
    documents_api, company, ready, monkeypatch
):
    ready(*[(f"{name}.pdf", text_pdf(name)) for name in ("match-1", "other-1", "other-2", "match-2")])
    monkeypatch.setattr(service, "SCAN_PAGE", 2)
    path = f"/companies/{company}/mailboxes/purchase"

    first = body(get(documents_api, path, q="match", limit=5))
    second = body(get(documents_api, path, q="match", limit=5, cursor=first["next_cursor"]))

    assert ([d["name"] for d in first["documents"]], first["scanned"], first["partial"]) == (
        ["match-2.pdf"],
        2,
        True,
    )
    assert [d["name"] for d in second["documents"]] == ["match-1.pdf"]
    assert second["scanned"] == 2


def test_a_cursor_is_opaque_and_one_from_another_list_is_refused(documents_api, company, ready):
    ready(("a.pdf", text_pdf("a")), ("b.pdf", text_pdf("b")))
    history = body(get(documents_api, f"/companies/{company}/history", limit=1))

    assert history["next_cursor"] and not history["next_cursor"].startswith("doc_")
    for cursor in (history["next_cursor"], "doc_01jd0000000000000000000000", "e30"):
        refused = get(documents_api, f"/companies/{company}/mailboxes/purchase", cursor=cursor)
        assert refused.status_code == 400, cursor


def test_the_firm_box_names_each_company_and_pages(documents_api, company, ready):
    ids = ready(*[(f"{n}.pdf", text_pdf(str(n))) for n in range(3)])
    documents_api.call("POST", f"/companies/{company}/send", as_user=USER, body={"ids": ids})

    first = body(get(documents_api, "/firm/processing", as_user=ACCOUNTANT, limit=2))
    second = body(
        get(documents_api, "/firm/processing", as_user=ACCOUNTANT, limit=2, cursor=first["next_cursor"])
    )

    listed = first["documents"] + second["documents"]
    assert sorted(d["id"] for d in listed) == sorted(ids)
    assert {d["company_name"] for d in listed} == {"Demo SRL"}
    assert second["next_cursor"] is None


def test_the_archive_date_filter_is_served_by_the_key(documents_api, company, ready):
    older, newer = ready(("a.pdf", text_pdf("a")), ("b.pdf", text_pdf("b")))
    _process(documents_api, company, older, {"invoice_date": "2026-01-15"})
    _process(documents_api, company, newer, {"invoice_date": "2026-03-15"})

    answer = body(get(documents_api, f"/companies/{company}/archive", date_from="2026-03-01", limit=1))

    assert [d["id"] for d in answer["documents"]] == [newer]
    assert (answer["scanned"], answer["partial"], answer["next_cursor"]) == (1, False, None)


def test_many_remarks_and_events_live_in_their_own_items_and_page(documents_api, company, ready):
    (document_id,) = ready(("a.pdf", text_pdf()))
    caller = service.Caller(user_id=_member_id(company, USER), email=USER)
    repo = wiring.repository()
    for n in range(60):
        service.add_remark(
            repo=repo, caller=caller, company_id=company, document_id=document_id, text=f"r{n}" * 400
        )

    item = repo.get(company, f"DOC#{document_id}")
    stored = json.loads(item["data"])
    base = f"/companies/{company}/documents/{document_id}"
    remarks, cursor = [], None
    while True:
        page = body(get(documents_api, base + "/remarks", limit=25, **({"cursor": cursor} if cursor else {})))
        remarks += page["remarks"]
        cursor = page["next_cursor"]
        if not cursor:
            break

    assert len(json.dumps(item, default=str)) < 40_000
    assert (stored["remarks_total"], len(stored["remarks"])) == (60, store.ON_ITEM)
    assert len(remarks) == 60 and remarks[0]["text"].startswith("r59")
    assert body(get(documents_api, base))["remarks_total"] == 60


def _member_id(company: str, email: str) -> str:
    from comptoir_core import keys

    for member in wiring.repository().query(keys.company_pk(company), sk_prefix="MEMBER#"):
        profile = wiring.repository().get(keys.user_pk(member["user_id"]), keys.USER_PROFILE) or {}
        if profile.get("email") == email:
            return member["user_id"]
    raise AssertionError(f"{email} is not a member")


def test_a_second_write_to_an_original_key_never_replaces_what_was_processed(
    documents_api, company, ready, pump
):
    (document_id,) = ready(("a.pdf", text_pdf("the first bytes")))
    key = f"incoming/{company}/purchase/{document_id}"
    before = body(get(documents_api, f"/companies/{company}/documents/{document_id}"))
    original = get(documents_api, f"/companies/{company}/documents/{document_id}/file", original=1).body

    wiring.blob_store().put(key, text_pdf("something else"), content_type="application/pdf")
    assert all(answer == {"batchItemFailures": []} for answer in pump())

    after = body(get(documents_api, f"/companies/{company}/documents/{document_id}"))
    assert after == before
    assert (
        get(documents_api, f"/companies/{company}/documents/{document_id}/file", original=1).body == original
    )
    assert not {"original_version", "original_key", "working_key", "lease_until", "firm_id"} & set(after)


def test_the_history_dates_are_a_key_range_not_a_scan(documents_api, company, ready):
    from datetime import UTC, datetime, timedelta

    ready(("a.pdf", text_pdf("a")), ("b.pdf", text_pdf("b")))
    today = datetime.now(UTC).date()
    path = f"/companies/{company}/history"

    todays = body(get(documents_api, path, date_from=today.isoformat(), limit=50))
    before = body(get(documents_api, path, date_to=(today - timedelta(days=1)).isoformat(), limit=50))

    assert [d["name"] for d in todays["documents"]] == ["b.pdf", "a.pdf"]
    assert (todays["scanned"], todays["partial"]) == (2, False)
    assert (before["documents"], before["scanned"]) == ([], 0)


def test_each_recognised_field_says_where_on_its_page_it_was_read(documents_api, company, ready):
    (did,) = ready(("invoice.pdf", invoice_pdf(number="F2026-0099", incl="121,00")))

    fields = body(get(documents_api, f"/companies/{company}/documents/{did}"))["fields"]

    number, total = fields["invoice_number"], fields["total_incl_vat"]
    assert number["value"] == "F2026-0099" and number["page"] == 1
    # As fractions of the page (595 x 842 points): "Facture n° : F2026-0099" is printed at y = 170.
    x0, y0, x1, y1 = number["area"]
    assert 0 < x0 < x1 < 1 and y0 < 170 / 842 < y1 + 0.01
    assert total["area"][1] < 376 / 842 < total["area"][3] + 0.01
    # The document type was read from the word "FACTURE" (y = 140).
    assert fields["document_type"]["area"][1] < 140 / 842 < fields["document_type"]["area"][3] + 0.01
