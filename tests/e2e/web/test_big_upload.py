"""A scan too big for the API (over Lambda's 6 MB once base64-encoded) imported by the portal's Import button:
the browser sends it by the presigned upload straight to the documents bucket (moto's S3 here), under the
strict CSP, and it lands in the box with its thumbnail like any small file."""

import random
import urllib.error
import urllib.request

import pymupdf
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.web.conftest import sign_in
from tests.samples import invoice_pdf

pytestmark = pytest.mark.e2e

ADMIN = "admin@demo.comptoir.local"


def big_scan(megabytes: int = 8) -> bytes:
    """A real invoice PDF of about `megabytes` MB: its text page carries a random-noise image (which no
    compression shrinks), drawn small in a corner like a scanned logo."""
    document = pymupdf.open(stream=invoice_pdf(number="F-BIG-8"), filetype="pdf")
    side = int((megabytes * 1024 * 1024 / 3) ** 0.5)
    noise = random.Random(8).randbytes(side * side * 3)
    document[0].insert_image(
        pymupdf.Rect(480, 720, 560, 800), pixmap=pymupdf.Pixmap(pymupdf.csRGB, side, side, noise, False)
    )
    return document.tobytes()


@pytest.fixture(scope="module")
def demo_company(stack):
    tokens = stack.login(ADMIN)
    me = stack.request("GET", "/accounts/me", token=tokens["id_token"]).json()
    return next(c["id"] for c in me["companies"] if c["name"] == "Demo SRL")


def test_a_scan_over_the_apis_limit_goes_straight_to_the_bucket_and_appears_with_its_thumbnail(
    page: Page, stack, demo_company
):
    scan = big_scan()
    assert len(scan) > 7 * 1024 * 1024  # through the API this would be refused (413), as in AWS
    sign_in(page, ADMIN, language="en")
    page.goto(f"/c/{demo_company}/box/purchase")
    expect(page.get_by_role("heading", name="Purchases")).to_be_visible()
    posts = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))

    page.locator("input[data-testid=import]").set_input_files(
        [{"name": "big-scan.pdf", "mimeType": "application/pdf", "buffer": scan}]
    )

    uploads = page.get_by_role("list", name="Files being imported")
    entry = uploads.locator("li", has_text="big-scan.pdf")
    expect(entry).to_contain_text("Imported", timeout=30_000)
    # The file's own progress, complete: every byte of it was sent.
    progress = entry.get_by_role("progressbar")
    assert progress.evaluate("p => p.value === p.max && p.max === " + str(len(scan)))
    # A form from the API, then the file to moto's S3; never the file through the API.
    assert f"{stack.url}/documents/companies/{demo_company}/uploads" in posts
    assert any(url.startswith(f"http://127.0.0.1:{stack.aws_port}/") for url in posts)
    assert not any("/mailboxes/purchase/documents" in url for url in posts)

    # The pipeline reads it from its object event; the box shows it without a reload.
    # (AuthImage shows a placeholder of that name until the image itself has come.)
    thumbnail = page.locator("img[alt='First page of big-scan.pdf']")
    expect(thumbnail).to_be_visible(timeout=60_000)
    assert thumbnail.evaluate("img => img.src.startsWith('blob:') && img.naturalWidth > 0")
    expect(page.get_by_role("link", name="big-scan.pdf", exact=True)).to_be_visible()


def preflight(url: str, origin: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, method="OPTIONS", headers={"Origin": origin, "Access-Control-Request-Method": "POST"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_the_local_bucket_answers_the_portals_preflight_and_refuses_another_origins(stack):
    bucket = f"http://127.0.0.1:{stack.aws_port}/comptoir-documents"
    status, headers = preflight(bucket, stack.url)
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == stack.url
    assert headers["Access-Control-Allow-Methods"] == "POST, PUT"
    assert preflight(bucket, "https://elsewhere.example")[0] == 403
