"""What the accountant's screens of the portal read: box counters per company, an access request approved
with another role, the archive's eye (seen by the client), a ledger file sent through the API."""

import json

import pytest

from tests.forms import multipart
from tests.functions.conftest import ACCOUNTANT, ADMIN, USER, api_for, body
from tests.ledger import sme
from tests.samples import text_pdf

reports_api = api_for("reports")


@pytest.fixture
def company(demo_companies):
    return demo_companies["Demo SRL"]


def _processed_document(documents_api, company, pump) -> str:
    content_type, payload = multipart(("seen.pdf", text_pdf("Seen")))
    uploaded = documents_api.call(
        "POST",
        f"/companies/{company}/mailboxes/purchase/documents",
        as_user=ADMIN,
        raw=payload,
        content_type=content_type,
    )
    pump()
    did = body(uploaded)["documents"][0]
    documents_api.call("POST", f"/companies/{company}/documents/{did}/send", as_user=ADMIN)
    processed = documents_api.call(
        "POST",
        f"/companies/{company}/documents/{did}/process",
        as_user=ACCOUNTANT,
        body={"booking": {"journal": "ACH", "account": "604000", "reference": "ACH-2026-0042"}},
    )
    assert processed.status_code == 200, processed.body
    assert body(processed)["booking"]["reference"] == "ACH-2026-0042"
    return did


def test_the_firm_home_counts_what_waits_in_each_box_of_each_company(
    accounts_api, documents_api, company, pump
):
    content_type, payload = multipart(("a.pdf", text_pdf("A")), ("b.pdf", text_pdf("B")))
    documents_api.call(
        "POST",
        f"/companies/{company}/mailboxes/sales/documents",
        as_user=ADMIN,
        raw=payload,
        content_type=content_type,
    )
    pump()

    lines = body(accounts_api.call("GET", "/firm/companies", as_user=ACCOUNTANT))

    demo = next(line for line in lines if line["id"] == company)
    assert demo["boxes"] == {"purchase": 0, "sales": 2, "misc": 0, "processing": 0}
    assert demo["documents_in_processing"] == 0


def test_an_access_request_approved_with_another_role_invites_with_that_role(accounts_api, company):
    asked = {"email": "carla@client.example", "name": "Carla", "role": "admin", "language": "nl"}
    rid = body(accounts_api.call("POST", f"/companies/{company}/access-requests", as_user=ADMIN, body=asked))[
        "id"
    ]
    approve = f"/companies/{company}/access-requests/{rid}/approve"

    refused_role = accounts_api.call("POST", approve, as_user=ACCOUNTANT, body={"role": "accountant"})
    approved = accounts_api.call("POST", approve, as_user=ACCOUNTANT, body={"role": "user"})

    assert refused_role.status_code == 400
    assert approved.status_code == 200 and body(approved)["role"] == "user"
    listed = body(accounts_api.call("GET", f"/companies/{company}/access-requests", as_user=ACCOUNTANT))
    assert [(r["email"], r["status"], r["role"]) for r in listed] == [
        ("carla@client.example", "approved", "user")
    ]


def test_the_archive_eye_turns_blue_once_a_client_opened_the_document_not_when_the_accountant_did(
    documents_api, company, pump
):
    did = _processed_document(documents_api, company, pump)
    archive = f"/companies/{company}/archive?tab=purchase"

    documents_api.call("GET", f"/companies/{company}/documents/{did}", as_user=ACCOUNTANT)
    before = body(documents_api.call("GET", archive, as_user=ACCOUNTANT))["documents"]
    opened = documents_api.call("GET", f"/companies/{company}/documents/{did}", as_user=USER)
    after = body(documents_api.call("GET", archive, as_user=ACCOUNTANT))["documents"]

    assert [(d["id"], d["seen"]) for d in before] == [(did, False)]
    assert body(opened)["seen_at"]
    assert [(d["id"], d["seen"]) for d in after] == [(did, True)]


def test_a_ledger_file_sent_through_the_api_is_imported_by_the_worker_and_listed(reports_api, company, pump):
    books = sme.build()[0]
    base = f"/companies/{company}/ledger/imports"
    iid = body(reports_api.call("POST", base, as_user=ACCOUNTANT, body={"format": "json"}))["id"]

    sent = reports_api.call(
        "PUT", f"{base}/{iid}/file", as_user=ACCOUNTANT, raw=json.dumps(books["2025"]).encode()
    )
    again = reports_api.call("PUT", f"{base}/{iid}/file", as_user=ACCOUNTANT, raw=b"{}")
    pump("books-jobs")

    assert sent.status_code == 202 and body(sent)["status"] == "queued"
    assert again.status_code == 409
    listed = body(reports_api.call("GET", base, as_user=ACCOUNTANT))
    assert [(i["id"], i["status"], i["progress"]) for i in listed] == [(iid, "done", 100)]
    assert [y["fiscal_year"] for y in listed[0]["fiscal_years"]] == ["2025"]
    assert reports_api.call("GET", base, as_user=ADMIN).status_code == 403


def test_a_refused_ledger_file_keeps_its_error_in_words(reports_api, company, pump):
    base = f"/companies/{company}/ledger/imports"
    iid = body(reports_api.call("POST", base, as_user=ACCOUNTANT, body={"format": "json"}))["id"]

    reports_api.call("PUT", f"{base}/{iid}/file", as_user=ACCOUNTANT, raw=b"this is no ledger")
    pump("books-jobs")

    job = body(reports_api.call("GET", f"{base}/{iid}", as_user=ACCOUNTANT))
    assert job["status"] == "failed" and job["error"]["message"]


def test_a_miscellaneous_document_filed_permanent_says_so_in_the_lists(documents_api, company, pump):
    content_type, payload = multipart(("statuts.pdf", text_pdf("Statuts")))
    uploaded = documents_api.call(
        "POST",
        f"/companies/{company}/mailboxes/misc/documents",
        as_user=ADMIN,
        raw=payload,
        content_type=content_type,
    )
    pump()
    did = body(uploaded)["documents"][0]

    filed = documents_api.call(
        "POST",
        f"/companies/{company}/documents/{did}/permanent",
        as_user=ACCOUNTANT,
        body={"permanent": True},
    )

    assert filed.status_code == 200
    dossier = body(
        documents_api.call("GET", f"/companies/{company}/archive?tab=permanent", as_user=ACCOUNTANT)
    )
    box = body(documents_api.call("GET", f"/companies/{company}/mailboxes/misc", as_user=ADMIN))
    assert [(d["id"], d["permanent"]) for d in dossier["documents"]] == [(did, True)]
    assert [(d["id"], d["permanent"]) for d in box["documents"]] == [(did, True)]
