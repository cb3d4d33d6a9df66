"""communication: an attachment's download link as JSON, for the portal (it cannot follow a redirect to S3)."""

import pytest

from tests.forms import multipart
from tests.functions.conftest import ACCOUNTANT, OTHER_ADMIN, USER, api_for, body
from tests.samples import text_pdf

PDF_BYTES = text_pdf("Relevé de compte")
communication_api = api_for("communication")


@pytest.fixture
def cid(demo_companies):
    return demo_companies["Demo SRL"]


def test_given_an_attachment_when_its_link_is_asked_then_a_short_lived_url_naming_it_is_answered(
    communication_api, cid
):
    content_type, payload = multipart(
        ("relevé.pdf", PDF_BYTES), subject="Relevé", message="Voici", audience="all"
    )
    conversation = body(
        communication_api.call(
            "POST", f"/companies/{cid}/conversations", as_user=USER, raw=payload, content_type=content_type
        )
    )
    aid = conversation["messages"][0]["attachments"][0]["id"]
    path = f"/companies/{cid}/conversations/{conversation['id']}/attachments/{aid}/link"

    answer = communication_api.call("GET", path, as_user=ACCOUNTANT)
    stranger = communication_api.call("GET", path, as_user=OTHER_ADMIN)

    assert answer.status_code == 200
    link = body(answer)
    assert link["expires_in"] == 300 and aid in link["url"]
    assert "response-content-disposition=attachment" in link["url"]
    assert stranger.status_code == 404
