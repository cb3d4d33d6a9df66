"""communication: conversations, attachments, counters and VAT documents OK, through the Chalice app on moto."""

import re
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from comptoir_core import keys, wiring
from comptoir_core.communication import service
from comptoir_infra.local.outbox import sent_messages
from tests.conftest import REGION
from tests.forms import multipart
from tests.functions.conftest import ACCOUNTANT, ADMIN, OTHER_ADMIN, USER, api_for, body
from tests.samples import text_pdf

PDF_BYTES = text_pdf("Relevé de compte")

communication_api = api_for("communication")
accounts_api = api_for("accounts")


@pytest.fixture
def cid(demo_companies):
    return demo_companies["Demo SRL"]


def start(api, cid, *, as_user=USER, audience="all", subject="Facture manquante", message="Bonjour 👋"):
    response = api.call(
        "POST",
        f"/companies/{cid}/conversations",
        as_user=as_user,
        body={"subject": subject, "message": message, "audience": audience},
    )
    assert response.status_code == 201, response.body
    return body(response)


def waiting(api, cid, who) -> int:
    response = api.call("GET", f"/companies/{cid}/counter", as_user=who)
    assert response.status_code == 200, response.body
    return body(response)["waiting"]


def test_a_message_waits_for_the_other_side_until_they_open_the_conversation(communication_api, cid):
    conversation = start(communication_api, cid)
    assert waiting(communication_api, cid, ACCOUNTANT) == 1
    assert waiting(communication_api, cid, USER) == 0

    opened = communication_api.call(
        "GET", f"/companies/{cid}/conversations/{conversation['id']}", as_user=ACCOUNTANT
    )
    assert body(opened)["messages"][0]["text"] == "Bonjour 👋"
    assert waiting(communication_api, cid, ACCOUNTANT) == 0

    answer = communication_api.call(
        "POST",
        f"/companies/{cid}/conversations/{conversation['id']}/messages",
        as_user=ACCOUNTANT,
        body={"text": "Je regarde ça."},
    )
    assert answer.status_code == 201
    assert waiting(communication_api, cid, USER) == 1
    assert waiting(communication_api, cid, ACCOUNTANT) == 0


def test_a_new_message_emails_the_readers_in_their_language_but_not_its_author(communication_api, cid):
    start(communication_api, cid, subject="TVA Q3")

    sent = sent_messages(REGION)
    recipients = sorted(address for message in sent for address in message["to"])
    # Ugo User wrote it; the admin and the accountant may read an `all` conversation.
    assert recipients == sorted([ADMIN, ACCOUNTANT])
    to_accountant = next(m for m in sent if m["to"] == [ACCOUNTANT])
    assert to_accountant["subject"] == "Demo SRL : nouveau message — TVA Q3"
    assert "<img" not in to_accountant["body"] and "Bonjour 👋" in to_accountant["body"]


def test_a_conversation_for_the_firm_is_invisible_to_the_other_members(communication_api, cid):
    conversation = start(communication_api, cid, audience="firm")
    path = f"/companies/{cid}/conversations/{conversation['id']}"

    assert communication_api.call("GET", path, as_user=ACCOUNTANT).status_code == 200
    assert communication_api.call("GET", path, as_user=USER).status_code == 200
    assert communication_api.call("GET", path, as_user=ADMIN).status_code == 404
    listed = body(communication_api.call("GET", f"/companies/{cid}/conversations", as_user=ADMIN))
    assert listed["items"] == []
    assert [m["to"] for m in sent_messages(REGION)] == [[ACCOUNTANT]]


def test_a_conversation_for_the_company_is_invisible_to_the_accountant(communication_api, cid):
    conversation = start(communication_api, cid, audience="company")
    path = f"/companies/{cid}/conversations/{conversation['id']}"

    assert communication_api.call("GET", path, as_user=ACCOUNTANT).status_code == 404
    assert communication_api.call("GET", path, as_user=ADMIN).status_code == 200
    assert waiting(communication_api, cid, ACCOUNTANT) == 0


def test_an_attachment_is_stored_and_served_by_a_redirect_to_a_short_lived_url(communication_api, cid):
    content_type, payload = multipart(
        ("relevé août.pdf", PDF_BYTES), subject="Relevé", message="Voici le PDF", audience="all"
    )
    response = communication_api.call(
        "POST", f"/companies/{cid}/conversations", as_user=USER, raw=payload, content_type=content_type
    )
    assert response.status_code == 201, response.body
    conversation = body(response)
    attachment = conversation["messages"][0]["attachments"][0]
    assert attachment["name"] == "relevé août.pdf" and attachment["content_type"] == "application/pdf"

    path = f"/companies/{cid}/conversations/{conversation['id']}/attachments/{attachment['id']}"
    download = communication_api.call("GET", path, as_user=ACCOUNTANT)

    assert download.status_code == 303
    location = download.headers["Location"]
    assert attachment["id"] in location
    # A SigV4 link (comptoir_core.aws) that stops working within five minutes.
    assert int(parse_qs(urlsplit(location).query)["X-Amz-Expires"][0]) <= 300
    stored = boto3.client("s3").get_object(
        Bucket=wiring.blob_store().bucket,
        Key=keys.attachment_object_key(cid, conversation["id"], attachment["id"]),
    )
    assert stored["Body"].read() == PDF_BYTES
    assert communication_api.call("GET", path, as_user=OTHER_ADMIN).status_code == 404


def test_an_attachment_of_a_conversation_one_may_not_read_is_404(communication_api, cid):
    content_type, payload = multipart(
        ("a.pdf", PDF_BYTES), subject="Privé", message="Pour la fiduciaire", audience="firm"
    )
    conversation = body(
        communication_api.call(
            "POST", f"/companies/{cid}/conversations", as_user=USER, raw=payload, content_type=content_type
        )
    )
    aid = conversation["messages"][0]["attachments"][0]["id"]

    response = communication_api.call(
        "GET", f"/companies/{cid}/conversations/{conversation['id']}/attachments/{aid}", as_user=ADMIN
    )

    assert response.status_code == 404


def test_a_big_attachment_goes_through_a_presigned_upload(communication_api, cid):
    conversation = start(communication_api, cid)
    form = communication_api.call(
        "POST",
        f"/companies/{cid}/conversations/{conversation['id']}/attachments/uploads",
        as_user=ACCOUNTANT,
        body={"name": "grand livre.pdf"},
    )
    assert form.status_code == 201, form.body
    upload = body(form)
    assert upload["fields"]["key"] == keys.attachment_object_key(
        cid, conversation["id"], upload["attachment"]
    )
    # What the browser's POST to the form does: the object lands under that key.
    wiring.blob_store().put(upload["fields"]["key"], PDF_BYTES, content_type="application/pdf")

    message = communication_api.call(
        "POST",
        f"/companies/{cid}/conversations/{conversation['id']}/messages",
        as_user=ACCOUNTANT,
        body={"text": "Le grand livre", "uploads": [upload["attachment"]]},
    )

    assert message.status_code == 201, message.body
    assert body(message)["attachments"] == [
        {
            "id": upload["attachment"],
            "name": "grand livre.pdf",
            "content_type": "application/pdf",
            "size": len(PDF_BYTES),
        }
    ]


def test_someone_elses_upload_cannot_be_claimed(communication_api, cid):
    conversation = start(communication_api, cid)
    upload = body(
        communication_api.call(
            "POST",
            f"/companies/{cid}/conversations/{conversation['id']}/attachments/uploads",
            as_user=ACCOUNTANT,
            body={"name": "x.pdf"},
        )
    )

    response = communication_api.call(
        "POST",
        f"/companies/{cid}/conversations/{conversation['id']}/messages",
        as_user=USER,
        body={"text": "mine now", "uploads": [upload["attachment"]]},
    )

    assert response.status_code == 400


def test_a_program_as_attachment_is_415_naming_it_and_nothing_is_written(communication_api, cid):
    content_type, payload = multipart(
        ("facture.pdf", b"MZ\x90\x00" + b"\x00" * 200), subject="Facture", message="ci-joint"
    )

    response = communication_api.call(
        "POST", f"/companies/{cid}/conversations", as_user=USER, raw=payload, content_type=content_type
    )

    assert response.status_code == 415
    assert "facture.pdf is a Windows program" in body(response)["error"]["message"]
    listed = body(communication_api.call("GET", f"/companies/{cid}/conversations?state=all", as_user=USER))
    assert listed["items"] == []


def test_too_many_attachments_is_400(communication_api, cid):
    content_type, payload = multipart(
        *[(f"{n}.pdf", PDF_BYTES) for n in range(11)], subject="Pièces", message="onze"
    )

    response = communication_api.call(
        "POST", f"/companies/{cid}/conversations", as_user=USER, raw=payload, content_type=content_type
    )

    assert response.status_code == 400
    assert "at most 10 attachments" in body(response)["error"]["message"]


def test_an_attachment_over_the_limit_is_413_naming_it(communication_api, cid, monkeypatch):
    monkeypatch.setattr(service, "MAX_ATTACHMENT_BYTES", 1024 * 1024)
    content_type, payload = multipart(
        ("scan.pdf", PDF_BYTES + b"\n%" + b"x" * (1024 * 1024)), subject="Scan", message="lourd"
    )

    response = communication_api.call(
        "POST", f"/companies/{cid}/conversations", as_user=USER, raw=payload, content_type=content_type
    )

    assert response.status_code == 413
    assert body(response)["error"]["message"] == "scan.pdf is over 1 MB"


def test_a_message_over_10000_characters_is_400_naming_the_field(communication_api, cid):
    conversation = start(communication_api, cid)

    response = communication_api.call(
        "POST",
        f"/companies/{cid}/conversations/{conversation['id']}/messages",
        as_user=USER,
        body={"text": "é" * 10_001},
    )

    assert response.status_code == 400
    assert body(response)["error"]["details"][0]["field"] == "text"


def test_a_referenced_document_must_be_one_of_the_company(communication_api, cid):
    response = communication_api.call(
        "POST",
        f"/companies/{cid}/conversations",
        as_user=USER,
        body={"subject": "Doc", "message": "voir", "document_id": "doc_01jd0000000000000000000000"},
    )

    assert response.status_code == 400
    assert "not a document of this company" in body(response)["error"]["message"]


def test_closing_is_for_the_author_or_an_accountant_and_a_closed_one_stays_readable(communication_api, cid):
    conversation = start(communication_api, cid)
    base = f"/companies/{cid}/conversations"

    assert (
        communication_api.call("POST", f"{base}/{conversation['id']}/close", as_user=ADMIN).status_code == 403
    )
    closed = communication_api.call("POST", f"{base}/{conversation['id']}/close", as_user=ACCOUNTANT)
    assert closed.status_code == 200 and body(closed)["state"] == "closed"

    def ids(state):
        return [
            c["id"]
            for c in body(communication_api.call("GET", f"{base}?state={state}", as_user=USER))["items"]
        ]

    assert ids("open") == [] and ids("closed") == ids("all") == [conversation["id"]]
    late = communication_api.call(
        "POST", f"{base}/{conversation['id']}/messages", as_user=USER, body={"text": "x"}
    )
    assert late.status_code == 409
    assert waiting(communication_api, cid, ACCOUNTANT) == 0


def test_the_list_pages_with_a_cursor(communication_api, cid, monkeypatch):
    monkeypatch.setattr(service, "PAGE_SIZE", 2)
    made = [start(communication_api, cid, subject=f"n°{n}")["id"] for n in range(3)]

    first = body(communication_api.call("GET", f"/companies/{cid}/conversations", as_user=USER))
    second = body(
        communication_api.call(
            "GET", f"/companies/{cid}/conversations?cursor={first['cursor']}", as_user=USER
        )
    )

    assert [c["id"] for c in first["items"]] == made[::-1][:2]
    assert [c["id"] for c in second["items"]] == made[:1] and second["cursor"] is None


def test_a_removed_user_reaches_nothing_and_their_messages_keep_their_name(
    communication_api, accounts_api, cid
):
    conversation = start(communication_api, cid)
    uid = next(
        u["id"]
        for u in body(accounts_api.call("GET", f"/companies/{cid}/users", as_user=ADMIN))
        if u["email"] == USER
    )

    assert accounts_api.call("DELETE", f"/companies/{cid}/users/{uid}", as_user=ACCOUNTANT).status_code == 204

    path = f"/companies/{cid}/conversations/{conversation['id']}"
    assert communication_api.call("GET", path, as_user=USER).status_code == 404
    assert communication_api.call("GET", f"/companies/{cid}/counter", as_user=USER).status_code == 404
    kept = body(communication_api.call("GET", path, as_user=ACCOUNTANT))
    assert kept["messages"][0]["author_name"] == "Ugo User"


def test_a_module_turned_off_answers_404_and_on_again_200(communication_api, accounts_api, cid):
    path = f"/companies/{cid}/counter"
    assert (
        accounts_api.call(
            "PUT", f"/companies/{cid}/modules", as_user=ADMIN, body={"communication": False}
        ).status_code
        == 403
    )

    turned = accounts_api.call(
        "PUT", f"/companies/{cid}/modules", as_user=ACCOUNTANT, body={"communication": False}
    )

    assert body(turned) == {
        "approvals": True,
        "payments": True,
        "financial": True,
        "reports": True,
        "communication": False,
    }
    assert communication_api.call("GET", path, as_user=USER).status_code == 404
    assert (
        body(accounts_api.call("GET", f"/companies/{cid}", as_user=USER))["modules"]["communication"] is False
    )
    accounts_api.call("PUT", f"/companies/{cid}/modules", as_user=ACCOUNTANT, body={"communication": True})
    assert communication_api.call("GET", path, as_user=USER).status_code == 200


# ---- VAT documents OK ---------------------------------------------------------------------------------


def test_vat_documents_ok_for_a_quarter_reaches_the_accountant(communication_api, cid):
    declared = communication_api.call("POST", f"/companies/{cid}/vat-periods/2026-Q3", as_user=USER)

    assert declared.status_code == 201, declared.body
    listed = body(communication_api.call("GET", f"/companies/{cid}/vat-periods", as_user=ACCOUNTANT))
    assert [(p["period"], p["by_name"], p["acknowledged_at"]) for p in listed] == [
        ("2026-Q3", "Ugo User", None)
    ]
    assert [m["to"] for m in sent_messages(REGION)] == [[ACCOUNTANT]]
    assert re.search(r"Q3", sent_messages(REGION)[0]["subject"])


def test_a_month_is_not_a_period_of_a_quarterly_company(communication_api, cid):
    response = communication_api.call("POST", f"/companies/{cid}/vat-periods/2026-10", as_user=USER)

    assert response.status_code == 400
    assert "quarterly" in body(response)["error"]["message"]


def test_an_ok_is_taken_back_only_until_the_accountant_acknowledges_it(communication_api, cid):
    base = f"/companies/{cid}/vat-periods"
    communication_api.call("POST", f"{base}/2026-Q2", as_user=USER)
    assert communication_api.call("DELETE", f"{base}/2026-Q2", as_user=ADMIN).status_code == 204
    communication_api.call("POST", f"{base}/2026-Q2", as_user=USER)
    assert communication_api.call("POST", f"{base}/2026-Q2", as_user=USER).status_code == 409

    assert communication_api.call("POST", f"{base}/2026-Q2/acknowledge", as_user=USER).status_code == 403
    acknowledged = communication_api.call("POST", f"{base}/2026-Q2/acknowledge", as_user=ACCOUNTANT)

    assert acknowledged.status_code == 200 and body(acknowledged)["acknowledged_at"]
    assert communication_api.call("DELETE", f"{base}/2026-Q2", as_user=USER).status_code == 409


# ---- who may read what, for every route (walked from the route tables, as the tenancy test does) -------


def _routes(app_name):
    from comptoir_infra.local.apps import load_app_module
    from comptoir_infra.spec import SPEC

    app = load_app_module(SPEC.app(app_name)).app
    return [(path, method) for path, methods in app.routes.items() for method in methods if "{cid}" in path]


def _concrete(path, cid, conversation_id, attachment_id, uid="00000000-0000-0000-0000-000000000000"):
    values = {
        "cid": cid,
        "conv": conversation_id,
        "aid": attachment_id,
        "period": "2026-Q3",
        "uid": uid,
        "rid": "ar_01jd0000000000000000000000",
        "box": "purchase",
    }
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, path
    return path


def _conversation_with_attachment(api, cid, *, audience):
    content_type, payload = multipart(
        ("a.pdf", PDF_BYTES), subject="Audience", message="qui lit ?", audience=audience
    )
    made = body(
        api.call(
            "POST", f"/companies/{cid}/conversations", as_user=USER, raw=payload, content_type=content_type
        )
    )
    return made["id"], made["messages"][0]["attachments"][0]["id"]


@pytest.mark.parametrize("audience,outsider", [("firm", ADMIN), ("company", ACCOUNTANT)])
def test_a_member_outside_the_audience_gets_404_on_every_route_of_the_conversation(
    communication_api, cid, audience, outsider
):
    conversation_id, attachment_id = _conversation_with_attachment(communication_api, cid, audience=audience)
    wrong = []

    for path, method in _routes("communication"):
        if "{conv}" not in path:
            continue
        response = communication_api.call(
            method,
            _concrete(path, cid, conversation_id, attachment_id),
            as_user=outsider,
            body={"text": "x", "name": "y"},
        )
        if response.status_code != 404:
            wrong.append((method, path, response.status_code))

    assert wrong == []
    assert waiting(communication_api, cid, outsider) == 0


@pytest.mark.parametrize("app_name", ["communication", "accounts"])
def test_a_removed_user_gets_404_on_every_company_route(communication_api, accounts_api, cid, app_name):
    conversation_id, attachment_id = _conversation_with_attachment(communication_api, cid, audience="all")
    users = body(accounts_api.call("GET", f"/companies/{cid}/users", as_user=ACCOUNTANT))
    uid = next(u["id"] for u in users if u["email"] == USER)
    accounts_api.call("DELETE", f"/companies/{cid}/users/{uid}", as_user=ACCOUNTANT)
    api = communication_api if app_name == "communication" else accounts_api
    wrong = []

    for path, method in _routes(app_name):
        concrete = _concrete(path, cid, conversation_id, attachment_id, uid=uid)
        response = api.call(method, concrete, as_user=USER, body={})
        if response.status_code != 404:
            wrong.append((method, path, response.status_code))

    assert wrong == []


def test_the_roles_each_route_needs(communication_api, accounts_api, cid):
    """Members reach what their role allows: 403 names the role, the others pass the role check."""
    conversation_id, _ = _conversation_with_attachment(communication_api, cid, audience="all")
    needs = [
        (accounts_api, "PUT", "/companies/{cid}/modules", {"reports": True}, {ADMIN, USER}),
        (
            accounts_api,
            "POST",
            "/companies/{cid}/invitations",
            {"email": "a@b.example", "name": "A"},
            {ADMIN, USER},
        ),
        (
            accounts_api,
            "POST",
            "/companies/{cid}/access-requests",
            {"email": "a@b.example", "name": "A"},
            {USER},
        ),
        (accounts_api, "GET", "/companies/{cid}/access-requests", None, {USER}),
        (communication_api, "POST", "/companies/{cid}/vat-periods/2026-Q1", None, {ACCOUNTANT}),
        (communication_api, "POST", "/companies/{cid}/conversations/{conv}/close", None, {ADMIN}),
    ]
    wrong = []

    for api, method, path, request, refused in needs:
        concrete = path.replace("{cid}", cid).replace("{conv}", conversation_id)
        for who in refused:
            status = api.call(method, concrete, as_user=who, body=request).status_code
            if status != 403:
                wrong.append((who, method, path, status))

    assert wrong == []


def test_the_firm_view_counts_what_waits_for_the_accountant_per_company(communication_api, accounts_api, cid):
    start(communication_api, cid)
    start(communication_api, cid, subject="Deuxième")
    communication_api.call("POST", f"/companies/{cid}/vat-periods/2026-Q1", as_user=USER)
    communication_api.call("POST", f"/companies/{cid}/vat-periods/2026-Q2", as_user=USER)
    # A document sent to the firm: the box counter the documents context keeps with every move.
    wiring.repository().put({"pk": keys.company_pk(cid), "sk": keys.BOX_COUNTS_SK, "processing": 1})

    home = body(accounts_api.call("GET", "/firm/companies?sort=waiting", as_user=ACCOUNTANT))

    assert [
        (c["name"], c["conversations_waiting"], c["documents_in_processing"], c["last_vat_ok"]) for c in home
    ] == [
        ("Demo SRL", 2, 1, "2026-Q2"),
        ("Other BV", 0, 0, None),
    ]
