"""The API contract over HTTP: the OpenAPI documents served, schemathesis run against every app, and the
gateway holding requests and answers to AWS's real limits.

Schemathesis runs on a stack of its own (it uploads, moves and deletes at random), with real ids so its
requests reach the code behind the membership check, a bounded number of examples and a fixed seed.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from comptoir_infra.spec import SPEC
from tests.e2e.conftest import start_stack, wait_for
from tests.samples import text_pdf

ST = Path(sys.executable).parent / "st"
CONFIG = Path(__file__).with_name("schemathesis.toml")
ADMIN = "admin@demo.comptoir.local"


@pytest.fixture(scope="module")
def fuzzed_stack(tmp_path_factory):
    running = start_stack(tmp_path_factory.mktemp("contract") / "data")
    yield running
    if running.process.poll() is None:
        running.stop()


@pytest.fixture(scope="module")
def demo(fuzzed_stack):
    token = fuzzed_stack.login(ADMIN)["id_token"]
    companies = fuzzed_stack.request("GET", "/accounts/companies", token=token).json()
    company = next(c["id"] for c in companies if c["name"] == "Demo SRL")
    uploaded = fuzzed_stack.request(
        "POST",
        f"/documents/companies/{company}/mailboxes/purchase/documents?filename=invoice.pdf",
        token=token,
        raw=text_pdf("Invoice 2026-17\nTotal 121,00 EUR"),
        content_type="application/pdf",
    )
    (document,) = uploaded.json()["documents"]

    def ready():
        answer = fuzzed_stack.request(
            "GET", f"/documents/companies/{company}/documents/{document}", token=token
        )
        return answer.status == 200 and answer.json()["status"] == "inbox"

    assert wait_for(ready)
    return {"token": token, "company": company, "document": document}


@pytest.mark.parametrize("app", SPEC.apps, ids=[app.name for app in SPEC.apps])
def test_schemathesis_finds_no_server_error_and_no_undocumented_status(fuzzed_stack, demo, app, tmp_path):
    base = f"{fuzzed_stack.url}/{app.base_path}"
    environment = {
        **os.environ,
        "COMPTOIR_TEST_COMPANY": demo["company"],
        "COMPTOIR_TEST_DOCUMENT": demo["document"],
        "NO_COLOR": "1",
    }
    run = subprocess.run(
        [
            str(ST),
            "--config-file",
            str(CONFIG),
            "run",
            f"{base}/openapi.json",
            "--url",
            base,
            "-H",
            f"Authorization: Bearer {demo['token']}",
            "--checks",
            "not_a_server_error,status_code_conformance",
            # The coverage phase trips a recursion bug of Python 3.11's ast module inside hypothesis.
            "--phases",
            "examples,fuzzing",
            "--workers",
            "1",
            "--no-shrink",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=environment,
        cwd=tmp_path,
        timeout=600,
    )

    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "Tested:" in run.stdout


def test_the_whole_api_document_is_served_with_every_app_under_its_base_path(stack):
    answer = stack.request("GET", "/openapi.json")

    assert answer.status == 200
    document = answer.json()
    assert document["openapi"] == "3.1.0"
    assert "/accounts/login" in document["paths"]
    assert "/documents/companies/{cid}/mailboxes/{box}" in document["paths"]
    own = stack.request("GET", "/split-merge/openapi.json").json()
    assert own["servers"] == [{"url": "/split-merge"}]
    assert "/companies/{cid}/merge" in own["paths"]


def test_a_method_no_server_knows_is_a_405_in_our_shape(stack):
    answer = stack.request("QUERY", "/documents/firm/processing")

    assert answer.status == 405
    assert answer.json()["error"]["code"] == "method_not_allowed"


def test_a_body_over_lambdas_6_mb_once_base64_encoded_is_refused_as_aws_would(stack):
    token = stack.login(ADMIN)["id_token"]
    company = next(c["id"] for c in stack.request("GET", "/accounts/companies", token=token).json())
    # 4.8 MB of PDF: under API Gateway's 10 MB, but 6.4 MB once base64-encoded into Lambda's event.
    big = b"%PDF-1.4\n" + b"0" * 4_800_000

    answer = stack.request(
        "POST",
        f"/documents/companies/{company}/mailboxes/purchase/documents?filename=big.pdf",
        token=token,
        raw=big,
        content_type="application/pdf",
    )

    assert answer.status == 413
    assert "presigned upload" in answer.json()["error"]["message"]


def test_a_page_image_is_served_to_a_client_that_sends_no_accept_header(stack):
    token = stack.login(ADMIN)["id_token"]
    company = next(c["id"] for c in stack.request("GET", "/accounts/companies", token=token).json())
    uploaded = stack.request(
        "POST",
        f"/documents/companies/{company}/mailboxes/misc/documents?filename=page.pdf",
        token=token,
        raw=text_pdf("A page to look at"),
        content_type="application/pdf",
    )
    (document,) = uploaded.json()["documents"]

    def thumbnail():
        answer = stack.request(
            "GET",
            f"/documents/companies/{company}/documents/{document}/pages/1?size=thumb",
            token=token,
            accept=None,
        )
        return answer if answer.status == 200 else None

    answer = wait_for(thumbnail)
    assert answer is not None
    assert answer.headers["Content-Type"] == "image/png"
    assert answer.body.startswith(b"\x89PNG")


def test_the_frameworks_own_unsupported_media_type_leaves_in_our_error_shape(stack):
    token = stack.login(ADMIN)["id_token"]
    company = next(c["id"] for c in stack.request("GET", "/accounts/companies", token=token).json())

    answer = stack.request(
        "POST",
        f"/documents/companies/{company}/mailboxes/purchase/documents",
        token=token,
        raw=b"PK\x03\x04",
        content_type="application/x-7z-compressed",
    )

    assert answer.status == 415
    assert answer.json()["error"]["code"] == "unsupported_media_type"
