"""split_merge: split, merge, page edits, suggestions and jobs, through the app, against moto.

Documents are made by the real documents pipeline (pipeline.ingest_now) from real PDFs; large
documents go through the real S3 notification and SQS queue to the jobs worker.
"""

import pymupdf
import pytest

from comptoir_core import wiring
from comptoir_core.documents import pipeline, store
from comptoir_core.documents import service as documents
from comptoir_core.documents.intake import IncomingMetadata
from comptoir_core.documents.models import DocumentStatus, FieldSource, Mailbox, Source
from comptoir_core.settings import get_settings
from comptoir_core.split_merge import service
from comptoir_core.split_merge.models import SplitRequest
from tests.functions.conftest import ACCOUNTANT, ADMIN, OTHER_ADMIN, USER, api_for, body
from tests.samples import invoice_pdf
from tests.split_merge import samples
from tests.split_merge.test_split_suggestion import three_invoices

split_merge_api = api_for("split_merge")


@pytest.fixture
def company(demo_companies):
    return demo_companies["Demo SRL"]


@pytest.fixture
def other_company(demo_companies):
    return demo_companies["Other BV"]


@pytest.fixture
def make_document(company):
    """A document made by the real pipeline from a PDF: its id."""

    def make(pdf: bytes, *, of: str | None = None, name="scan.pdf", labels=(), remark=None) -> str:
        document = pipeline.ingest_now(
            repo=wiring.repository(),
            blobs=wiring.blob_store(),
            settings=get_settings(),
            company_id=of or company,
            mailbox=Mailbox.purchase,
            body=pdf,
            meta=IncomingMetadata(source=Source.scan, name=name, labels=list(labels), remark=remark),
        )
        assert document.status == "inbox", document.problem
        return document.id

    return make


# Enough text on a page that recognition reads its text layer instead of running the OCR on it.
FILLER = "Sample text enough for a text layer, no OCR needed."


def numbered(count: int, prefix: str = "page") -> bytes:
    """A PDF whose page n starts with the line "<prefix> n"."""
    return samples.text_pdf([f"{prefix} {n}\n{FILLER}" for n in range(1, count + 1)])


def first_lines(pdf: bytes) -> list[str]:
    return [text.splitlines()[0] for text in samples.page_texts(pdf)]


def stored(company_id: str, document_id: str):
    return store.get_document(repo=wiring.repository(), company_id=company_id, document_id=document_id)


def texts_of(company_id: str, document_id: str) -> list[str]:
    """The first line of each page of the document's working PDF."""
    document = stored(company_id, document_id)
    return first_lines(store.read_working_pdf(blobs=wiring.blob_store(), document=document))


def post(api, path: str, payload, as_user=ADMIN):
    return api.call("POST", path, as_user=as_user, body=payload)


# --- split ---------------------------------------------------------------------------------------


def test_splitting_by_groups_makes_a_document_per_group_and_one_of_the_pages_left(
    split_merge_api, company, make_document
):
    source = make_document(numbered(6), labels=["travel"], remark="check the VAT")

    response = post(
        split_merge_api, f"/companies/{company}/documents/{source}/split", {"groups": [[1, 2], [5]]}
    )

    assert response.status_code == 200, response.body
    made = body(response)["documents"]
    assert [d["pages"] for d in made] == [2, 1, 3]
    assert [texts_of(company, d["id"]) for d in made] == [
        ["page 1", "page 2"],
        ["page 5"],
        ["page 3", "page 4", "page 6"],
    ]
    part = stored(company, made[0]["id"])
    assert (part.status, part.mailbox, part.derived_from, part.labels) == (
        "inbox",
        "purchase",
        [source],
        ["travel"],
    )
    assert [r.text for r in part.remarks] == ["check the VAT"]
    assert part.name == "scan (pages 1-2).pdf"
    retired = stored(company, source)
    assert (retired.status, retired.parts) == ("split", [d["id"] for d in made])
    assert retired.history[-1].event == "split"


def test_splitting_at_first_pages_cuts_before_each_of_them(split_merge_api, company, make_document):
    source = make_document(numbered(10))

    response = post(
        split_merge_api,
        f"/companies/{company}/documents/{source}/split",
        {"first_pages": [1, 5, 7]},
        as_user=USER,
    )

    assert response.status_code == 200, response.body
    assert [d["pages"] for d in body(response)["documents"]] == [4, 2, 4]


def test_parts_split_with_then_send_go_to_the_accountant_at_once(split_merge_api, company, make_document):
    source = make_document(numbered(3))

    response = post(
        split_merge_api,
        f"/companies/{company}/documents/{source}/split",
        {"first_pages": [2], "then": "send"},
        as_user=ACCOUNTANT,
    )

    assert response.status_code == 200, response.body
    assert {stored(company, d["id"]).status for d in body(response)["documents"]} == {"in_processing"}


def test_discarded_separator_pages_go_into_no_part(split_merge_api, company, make_document):
    source = make_document(numbered(5))

    response = post(
        split_merge_api,
        f"/companies/{company}/documents/{source}/split",
        {"groups": [[1, 2], [4, 5]], "discard": [3]},
    )

    assert [d["pages"] for d in body(response)["documents"]] == [2, 2]


BAD_SPLITS = [
    ({"groups": [[1, 9]]}, "page 9 is out of range: the document has 4 pages"),
    ({"groups": [[1, 2], [2, 3]]}, "page 2 is in more than one group"),
    ({"groups": [[1], []]}, "group 2 is empty"),
    ({"first_pages": [0, 2]}, "page 0 is out of range"),
    ({"groups": [[1]], "first_pages": [2]}, "either groups or first_pages"),
    ({"groups": [[1, 2, 3, 4]]}, "a single document"),
    ({"groups": [[1]], "then": "shred"}, "the request is not valid"),
]


def test_each_bad_split_is_a_400_with_its_reason_and_changes_nothing(split_merge_api, company, make_document):
    source = make_document(numbered(4))
    before = stored(company, source)

    for payload, problem in BAD_SPLITS:
        response = post(split_merge_api, f"/companies/{company}/documents/{source}/split", payload)

        assert response.status_code == 400, payload
        error = body(response)["error"]
        assert problem in error["message"] + str(error.get("details", "")), payload
    assert stored(company, source) == before
    assert len(list(store.company_documents(repo=wiring.repository(), company_id=company))) == 1


def test_a_document_of_another_company_is_not_found(split_merge_api, company, other_company, make_document):
    theirs = make_document(numbered(2), of=other_company)

    response = post(split_merge_api, f"/companies/{company}/documents/{theirs}/split", {"first_pages": [2]})

    assert response.status_code == 404
    assert stored(other_company, theirs).status == "inbox"


def test_a_stranger_to_the_company_gets_404_before_the_body_is_read(split_merge_api, company, make_document):
    source = make_document(numbered(2))

    response = post(
        split_merge_api,
        f"/companies/{company}/documents/{source}/split",
        {"nonsense": 1},
        as_user=OTHER_ADMIN,
    )

    assert response.status_code == 404


def test_splitting_a_document_twice_is_a_conflict(split_merge_api, company, make_document):
    source = make_document(numbered(4))
    path = f"/companies/{company}/documents/{source}/split"
    assert post(split_merge_api, path, {"first_pages": [3]}).status_code == 200

    again = post(split_merge_api, path, {"first_pages": [2]})

    assert again.status_code == 409
    assert "already split" in body(again)["error"]["message"]


def test_a_document_in_processing_cannot_be_split(split_merge_api, company, make_document):
    source = make_document(numbered(4))
    (sent, _) = body(
        post(
            split_merge_api,
            f"/companies/{company}/documents/{source}/split",
            {"first_pages": [3], "then": "send"},
        )
    )["documents"]

    response = post(
        split_merge_api, f"/companies/{company}/documents/{sent['id']}/split", {"first_pages": [2]}
    )

    assert response.status_code == 409
    assert "in processing" in body(response)["error"]["message"]


def test_a_document_being_split_elsewhere_is_a_conflict_and_stays_whole(
    split_merge_api, company, make_document
):
    source = make_document(numbered(4))
    service._lock(wiring.repository(), company, [source], owner="op_elsewhere", seconds=60)

    response = post(split_merge_api, f"/companies/{company}/documents/{source}/split", {"first_pages": [3]})

    assert response.status_code == 409
    assert stored(company, source).status == "inbox"


# --- merge ---------------------------------------------------------------------------------------


def test_merging_makes_one_document_of_exactly_the_named_pages_in_order(
    split_merge_api, company, make_document
):
    first = make_document(numbered(2, "first"), labels=["a"])
    second = make_document(numbered(3, "second"), labels=["b"])
    pages = [
        {"document": second, "page": 3},
        {"document": first, "page": 1},
        {"document": first, "page": 2},
        {"document": second, "page": 1},
    ]

    response = post(split_merge_api, f"/companies/{company}/merge", {"pages": pages})

    assert response.status_code == 200, response.body
    (made,) = body(response)["documents"]
    assert made["pages"] == 4
    assert texts_of(company, made["id"]) == ["second 3", "first 1", "first 2", "second 1"]
    merged = stored(company, made["id"])
    assert sorted(merged.derived_from) == sorted([first, second])
    assert sorted(merged.labels) == ["a", "b"]
    # All of the first's pages were used: it retires; the second keeps its page 2 and stays.
    assert (stored(company, first).status, stored(company, first).parts) == ("merged", [made["id"]])
    assert stored(company, second).status == "inbox"


def test_merging_a_page_twice_or_out_of_range_is_a_400(split_merge_api, company, make_document):
    source = make_document(numbered(2))
    merge = f"/companies/{company}/merge"

    twice = post(
        split_merge_api, merge, {"pages": [{"document": source, "page": 1}, {"document": source, "page": 1}]}
    )
    beyond = post(split_merge_api, merge, {"pages": [{"document": source, "page": 3}]})

    assert (twice.status_code, beyond.status_code) == (400, 400)
    assert "named twice" in str(body(twice)["error"])
    assert "page 3 is out of range" in body(beyond)["error"]["message"]
    assert stored(company, source).status == "inbox"


def test_merging_with_a_document_of_another_company_is_not_found(
    split_merge_api, company, other_company, make_document
):
    ours = make_document(numbered(1))
    theirs = make_document(numbered(1), of=other_company)

    response = post(
        split_merge_api,
        f"/companies/{company}/merge",
        {"pages": [{"document": ours, "page": 1}, {"document": theirs, "page": 1}]},
    )

    assert response.status_code == 404
    assert stored(company, ours).status == "inbox"


# --- page edits ----------------------------------------------------------------------------------


def test_page_edits_make_a_new_working_version_and_keep_the_original(split_merge_api, company, make_document):
    source = make_document(numbered(4))
    before = stored(company, source)

    response = post(
        split_merge_api,
        f"/companies/{company}/documents/{source}/pages",
        {"rotate": {"2": 90}, "order": [3, 1, 2], "delete": [4]},
    )

    assert response.status_code == 200, response.body
    assert body(response)["documents"] == [{"id": source, "pages": 3}]
    after = stored(company, source)
    assert (after.working_version, after.pages, after.status) == (before.working_version + 1, 3, "inbox")
    assert after.history[-1].event == "pages_edited"
    working = store.read_working_pdf(blobs=wiring.blob_store(), document=after)
    with pymupdf.open(stream=working) as document:
        assert [(p.get_text().splitlines()[0], p.rotation) for p in document] == [
            ("page 3", 0),
            ("page 1", 0),
            ("page 2", 90),
        ]
    assert first_lines(store.read_working_pdf(blobs=wiring.blob_store(), document=before)) == [
        "page 1",
        "page 2",
        "page 3",
        "page 4",
    ]
    assert store.read_original(blobs=wiring.blob_store(), document=after) == wiring.blob_store().get(
        before.original_key
    )


def test_after_a_page_edit_the_fields_are_read_again_and_corrections_stay(
    split_merge_api, company, make_document
):
    with pymupdf.open() as both:
        both.insert_pdf(pymupdf.open(stream=numbered(1, prefix="cover letter")))
        both.insert_pdf(pymupdf.open(stream=invoice_pdf()))
        source = make_document(both.tobytes())
    before = stored(company, source)
    corrected = before.fields["supplier_name"].model_copy(
        update={"value": "Dupont (Tournai)", "source": FieldSource.user}
    )
    store.save(
        repo=wiring.repository(),
        document=before.model_copy(update={"fields": {**before.fields, "supplier_name": corrected}}),
    )

    post(split_merge_api, f"/companies/{company}/documents/{source}/pages", {"delete": [1]})

    after = stored(company, source)
    assert before.fields["invoice_number"].page == 2
    assert (after.fields["invoice_number"].value, after.fields["invoice_number"].page) == ("F2026-0042", 1)
    assert (after.fields["supplier_name"].value, after.fields["supplier_name"].source) == (
        "Dupont (Tournai)",
        "user",
    )


BAD_EDITS = [
    ({"rotate": {"2": 45}}, "multiple of 90"),
    ({"rotate": {"7": 90}}, "page 7 is out of range"),
    ({"delete": [1, 2]}, "leaves nothing"),
    ({"order": [1, 1]}, "named twice"),
    ({"rotate": {"one": 90}}, "the request is not valid"),
    ({}, "give rotate, order or delete"),
]


def test_each_bad_page_edit_is_a_400_with_its_reason_and_changes_nothing(
    split_merge_api, company, make_document
):
    source = make_document(numbered(2))
    before = stored(company, source)

    for payload, problem in BAD_EDITS:
        response = post(split_merge_api, f"/companies/{company}/documents/{source}/pages", payload)

        assert response.status_code == 400, payload
        error = body(response)["error"]
        assert problem in error["message"] + str(error.get("details", "")), payload
    assert stored(company, source) == before


# --- suggestions ---------------------------------------------------------------------------------


def test_the_split_suggestion_names_where_each_invoice_starts(split_merge_api, company, make_document):
    source = make_document(samples.text_pdf(three_invoices()))

    response = split_merge_api.call(
        "GET", f"/companies/{company}/documents/{source}/split-suggestion", as_user=USER
    )

    assert response.status_code == 200, response.body
    suggestion = body(response)
    assert [f["page"] for f in suggestion["first_pages"]] == [1, 3, 4]
    assert suggestion["groups"] == [[1, 2], [3], [4, 5]]
    split = post(
        split_merge_api, f"/companies/{company}/documents/{source}/split", {"groups": suggestion["groups"]}
    )
    assert [d["pages"] for d in body(split)["documents"]] == [2, 1, 2]


# --- jobs ----------------------------------------------------------------------------------------


@pytest.fixture
def jobs_from_4_pages(monkeypatch):
    """Jobs for documents of more than 3 pages instead of 50: the job path without rendering 51 pages."""
    monkeypatch.setattr(service, "SYNC_PAGE_LIMIT", 3)


def test_a_document_of_more_than_50_pages_is_split_by_a_job(split_merge_api, company, make_document):
    source = make_document(numbered(51))

    response = post(
        split_merge_api, f"/companies/{company}/documents/{source}/split", {"first_pages": [20, 40]}
    )

    assert response.status_code == 202, response.body
    job = body(response)["job"]
    assert (job["status"], job["kind"], job["documents"]) == ("queued", "split", None)
    assert stored(company, source).status == "inbox"


def test_a_split_job_ends_with_the_same_documents_list_and_the_worker_sees_its_parts_done(
    split_merge_api, company, make_document, pump, jobs_from_4_pages
):
    source = make_document(numbered(9))
    pump()  # the documents worker sees the source's object: already done

    response = post(
        split_merge_api, f"/companies/{company}/documents/{source}/split", {"first_pages": [4, 8]}
    )

    assert response.status_code == 202, response.body
    job = body(response)["job"]
    again = post(split_merge_api, f"/companies/{company}/documents/{source}/split", {"first_pages": [2]})
    assert again.status_code == 409  # locked while the job waits

    answers = pump("split-merge-jobs")

    assert answers and all(answer == {"batchItemFailures": []} for answer in answers)
    status = body(split_merge_api.call("GET", f"/companies/{company}/jobs/{job['id']}", as_user=USER))
    assert status["status"] == "done"
    assert [d["pages"] for d in status["documents"]] == [3, 4, 2]
    assert texts_of(company, status["documents"][2]["id"]) == ["page 8", "page 9"]
    assert stored(company, source).status == "split"
    assert all(answer == {"batchItemFailures": []} for answer in pump())  # the parts' objects: already done
    assert len(list(store.company_documents(repo=wiring.repository(), company_id=company))) == 4


def test_merge_and_page_edit_jobs_end_with_their_documents(
    split_merge_api, company, make_document, pump, jobs_from_4_pages
):
    first, second = make_document(numbered(3, "first")), make_document(numbered(2, "second"))
    merge = post(
        split_merge_api,
        f"/companies/{company}/merge",
        {"pages": [{"document": d, "page": p} for d, p in ((second, 2), (first, 1), (first, 2), (first, 3))]},
    )
    assert merge.status_code == 202, merge.body
    pump("split-merge-jobs")
    merged = body(
        split_merge_api.call("GET", f"/companies/{company}/jobs/{body(merge)['job']['id']}", as_user=ADMIN)
    )
    assert merged["status"] == "done", merged
    (made,) = merged["documents"]

    edit = post(split_merge_api, f"/companies/{company}/documents/{made['id']}/pages", {"delete": [1]})
    assert edit.status_code == 202, edit.body
    pump("split-merge-jobs")
    edited = body(
        split_merge_api.call("GET", f"/companies/{company}/jobs/{body(edit)['job']['id']}", as_user=ADMIN)
    )

    assert edited["status"] == "done", edited
    assert edited["documents"] == [{"id": made["id"], "pages": 3}]
    assert texts_of(company, made["id"]) == ["first 1", "first 2", "first 3"]
    assert (stored(company, first).status, stored(company, second).status) == ("merged", "inbox")


def test_a_job_whose_document_changed_meanwhile_ends_failed_with_the_reason(
    split_merge_api, company, make_document, pump, jobs_from_4_pages
):
    source = make_document(numbered(4))
    job = body(post(split_merge_api, f"/companies/{company}/documents/{source}/split", {"first_pages": [2]}))[
        "job"
    ]
    document = stored(company, source)
    store.save(
        repo=wiring.repository(),
        document=document.model_copy(update={"status": DocumentStatus.in_processing}),
    )

    pump("split-merge-jobs")

    status = body(split_merge_api.call("GET", f"/companies/{company}/jobs/{job['id']}", as_user=ADMIN))
    assert status["status"] == "failed"
    assert status["error"]["code"] == "conflict"
    assert "in processing" in status["error"]["message"]


def test_a_job_of_another_company_or_an_unknown_job_is_not_found(
    split_merge_api, company, other_company, make_document, jobs_from_4_pages
):
    theirs = make_document(numbered(4), of=other_company)
    job = service.split_document(
        repo=wiring.repository(),
        blobs=wiring.blob_store(),
        settings=get_settings(),
        caller=_caller_of(other_company),
        company_id=other_company,
        document_id=theirs,
        request=SplitRequest(first_pages=[2]),
    ).job

    foreign = split_merge_api.call("GET", f"/companies/{company}/jobs/{job.id}", as_user=ADMIN)
    unknown = split_merge_api.call(
        "GET", f"/companies/{company}/jobs/job_01jd0000000000000000000000", as_user=ADMIN
    )

    assert (foreign.status_code, unknown.status_code) == (404, 404)


def _caller_of(company_id: str):
    from comptoir_core import keys
    from comptoir_core.tenancy import Caller

    member = next(wiring.repository().query(keys.company_pk(company_id), sk_prefix="MEMBER#"))
    return Caller(user_id=member["sk"].removeprefix("MEMBER#"), email="someone@other.test")


# --- resuming, lineage and names (issue 11) ------------------------------------------------------


def test_a_split_job_stopped_by_an_outage_releases_its_lock_and_its_rerun_finishes_without_duplicates(
    company, make_document, monkeypatch, jobs_from_4_pages
):
    source = make_document(numbered(6))
    job = service.split_document(
        repo=wiring.repository(),
        blobs=wiring.blob_store(),
        settings=get_settings(),
        caller=_caller_of(company),
        company_id=company,
        document_id=source,
        request=SplitRequest(first_pages=[3, 5]),
    ).job
    real_ingest = pipeline.ingest_now
    calls = []

    def dies_on_the_second_part(**kwargs):
        calls.append(kwargs["document_id"])
        if len(calls) == 2:
            raise TimeoutError("the worker ran out of time")
        return real_ingest(**kwargs)

    monkeypatch.setattr(pipeline, "ingest_now", dies_on_the_second_part)
    deps = {"repo": wiring.repository(), "blobs": wiring.blob_store(), "settings": get_settings()}
    with pytest.raises(TimeoutError):
        service.run_job(**deps, company_id=company, job_id=job.id)
    assert list(wiring.repository().query(company, sk_prefix=f"LOCK#{source}")) == []

    monkeypatch.setattr(pipeline, "ingest_now", real_ingest)
    done = service.run_job(**deps, company_id=company, job_id=job.id)

    assert done.status == "done"
    parts = [d.id for d in done.documents]
    assert parts[0] == calls[0]  # the part the first run made is the one the re-run kept
    assert [d.pages for d in done.documents] == [2, 2, 2]
    everything = list(store.company_documents(repo=wiring.repository(), company_id=company))
    assert sorted(d.id for d in everything) == sorted([source, *parts])
    assert stored(company, source).parts == parts


def test_a_job_run_again_after_it_retired_its_source_answers_the_parts_it_made(
    company, make_document, jobs_from_4_pages
):
    source = make_document(numbered(4))
    deps = {"repo": wiring.repository(), "blobs": wiring.blob_store(), "settings": get_settings()}
    job = service.split_document(
        **deps,
        caller=_caller_of(company),
        company_id=company,
        document_id=source,
        request=SplitRequest(first_pages=[3]),
    ).job
    first = service.run_job(**deps, company_id=company, job_id=job.id)
    # The worker died after the split, before the job was marked done: SQS delivers the job again.
    item = wiring.repository().get(company, f"JOB#{job.id}")
    wiring.repository().put({**item, "status": "running"})

    again = service.run_job(**deps, company_id=company, job_id=job.id)

    assert again.status == "done"
    assert again.documents == first.documents
    assert len(list(store.company_documents(repo=wiring.repository(), company_id=company))) == 3


def test_parts_keep_the_channel_of_their_original_name_the_operation_and_have_unique_names(
    split_merge_api, company, make_document
):
    source = make_document(numbered(6), name="x" * 250 + ".pdf")

    response = post(
        split_merge_api,
        f"/companies/{company}/documents/{source}/split",
        {"groups": [[1, 3, 5], [2, 4, 6]]},
    )

    assert response.status_code == 200, response.body
    parts = [stored(company, d["id"]) for d in body(response)["documents"]]
    assert [(p.source, p.derived_by, p.derived_from) for p in parts] == [("scan", "split", [source])] * 2
    names = [p.name for p in parts]
    assert len(set(names)) == 2 and all(len(n) <= 255 for n in names)


def test_a_merge_result_names_its_sources_and_the_operation(split_merge_api, company, make_document):
    first, second = make_document(numbered(1, "first")), make_document(numbered(1, "second"))

    response = post(
        split_merge_api,
        f"/companies/{company}/merge",
        {"pages": [{"document": first, "page": 1}, {"document": second, "page": 1}]},
    )

    (made,) = body(response)["documents"]
    merged = stored(company, made["id"])
    assert (merged.source, merged.derived_by, merged.derived_from) == ("scan", "merge", [first, second])
    assert merged.name == "scan (merged with 1 other).pdf"


def test_a_scan_of_real_invoices_splits_though_its_first_part_is_the_same_invoice_as_the_scan(
    split_merge_api, company, make_document
):
    scan = pymupdf.open()
    for number in ("F-901", "F-902"):
        scan.insert_pdf(pymupdf.open(stream=invoice_pdf(number=number), filetype="pdf"))
    source = make_document(scan.tobytes())

    response = post(
        split_merge_api,
        f"/companies/{company}/documents/{source}/split",
        {"first_pages": [1, 2]},
        as_user=USER,
    )

    # The first part, invoice F-901 like the scan, flags the scan as its duplicate while the parts are made.
    assert response.status_code == 200, response.body
    first, _ = body(response)["documents"]
    assert stored(company, first["id"]).duplicate_of == [source]
    assert (stored(company, source).status, len(stored(company, source).parts)) == ("split", 2)


def test_a_write_to_the_source_while_it_is_split_does_not_undo_the_split(
    split_merge_api, company, make_document, monkeypatch
):
    source = make_document(numbered(4))
    real_retire = documents.retire
    landed = []

    def retire_after_another_write(**kwargs):
        if not landed:  # a part's pipeline flags the source at this very moment
            repo = wiring.repository()
            current = store.get_document(repo=repo, company_id=company, document_id=source)
            store.save(
                repo=repo, document=current.model_copy(update={"labels": [*current.labels, "meanwhile"]})
            )
            landed.append(True)
        return real_retire(**kwargs)

    monkeypatch.setattr(documents, "retire", retire_after_another_write)

    response = post(
        split_merge_api, f"/companies/{company}/documents/{source}/split", {"first_pages": [1, 3]}
    )

    assert response.status_code == 200, response.body
    assert [d["pages"] for d in body(response)["documents"]] == [2, 2]
    kept = stored(company, source)
    assert (kept.status, len(kept.parts), kept.labels) == ("split", 2, ["meanwhile"])
