"""Split and merge over HTTP on the running local stack: a 10-page upload split by first pages, then two
of its parts merged back, every page's text checked in the working PDFs the documents app serves."""

import urllib.request

import pymupdf

from tests.e2e.conftest import wait_for
from tests.split_merge.samples import text_pdf

ADMIN = "admin@demo.comptoir.local"


def _page_texts(stack, token: str, company: str, document_id: str) -> list[str]:
    """The text of each page of the working PDF, as the documents app serves it (binary: Accept it)."""
    request = urllib.request.Request(
        f"{stack.url}/documents/companies/{company}/documents/{document_id}/file"
    )
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Accept", "application/pdf")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        body = response.read()
    with pymupdf.open(stream=body, filetype="pdf") as document:
        return [page.get_text().splitlines()[0] for page in document]


def test_a_ten_page_upload_split_in_three_then_two_parts_merged_back(stack):
    token = stack.login(ADMIN)["id_token"]
    company = stack.request("GET", "/accounts/companies", token=token).json()[0]["id"]
    uploaded = stack.request(
        "POST",
        f"/documents/companies/{company}/mailboxes/purchase/documents?filename=batch.pdf&source=scan",
        token=token,
        # Enough text a page that recognition reads the text layer rather than running the OCR.
        raw=text_pdf([f"Batch page {n}\nSample text enough for a text layer." for n in range(1, 11)]),
        content_type="application/pdf",
    )
    assert uploaded.status == 202, uploaded.body
    (source,) = uploaded.json()["documents"]

    def ready():
        document = stack.request(
            "GET", f"/documents/companies/{company}/documents/{source}", token=token
        ).json()
        return document if document.get("status") == "inbox" else None

    assert wait_for(ready), "the upload is read and in its mailbox"

    split = stack.request(
        "POST",
        f"/split-merge/companies/{company}/documents/{source}/split",
        token=token,
        body={"first_pages": [1, 5, 8]},
    )

    assert split.status == 200, split.body
    parts = split.json()["documents"]
    assert [p["pages"] for p in parts] == [4, 3, 3]
    expected = [[f"Batch page {n}" for n in pages] for pages in ([1, 2, 3, 4], [5, 6, 7], [8, 9, 10])]
    assert [_page_texts(stack, token, company, p["id"]) for p in parts] == expected
    retired = stack.request("GET", f"/documents/companies/{company}/documents/{source}", token=token).json()
    assert (retired["status"], retired["parts"]) == ("split", [p["id"] for p in parts])

    first, _, last = parts
    merge = stack.request(
        "POST",
        f"/split-merge/companies/{company}/merge",
        token=token,
        body={
            "pages": [
                {"document": d["id"], "page": n} for d in (first, last) for n in range(1, d["pages"] + 1)
            ]
        },
    )

    assert merge.status == 200, merge.body
    (merged,) = merge.json()["documents"]
    assert merged["pages"] == 7
    assert _page_texts(stack, token, company, merged["id"]) == expected[0] + expected[2]
    for part in (first, last):
        document = stack.request(
            "GET", f"/documents/companies/{company}/documents/{part['id']}", token=token
        ).json()
        assert (document["status"], document["parts"]) == ("merged", [merged["id"]])
