"""Reading the S3 key a channel wrote: only ids and a known mailbox, never a guess."""

import json

import pytest

from comptoir_core.documents.service import parse_incoming_key
from comptoir_core.errors import Invalid
from comptoir_core.events import s3_objects_in
from comptoir_core.ids import new_id

COMPANY = new_id("co")
DOCUMENT = new_id("doc")


def test_an_incoming_key_gives_company_mailbox_document_source_and_sender():
    incoming = parse_incoming_key(
        f"incoming/{COMPANY}/sales/{DOCUMENT}", size=12, metadata={"source": "dropbox", "sender": "x@y.be"}
    )

    assert (incoming.company_id, incoming.mailbox, incoming.document_id) == (COMPANY, "sales", DOCUMENT)
    assert (incoming.source, incoming.sender, incoming.size) == ("dropbox", "x@y.be", 12)


@pytest.mark.parametrize(
    "key",
    [
        f"incoming/{COMPANY}/purchase/../../{DOCUMENT}",
        f"incoming/{COMPANY}/purchase/{DOCUMENT}/extra",
        f"incoming/{COMPANY}/inbox/{DOCUMENT}",
        f"outgoing/{COMPANY}/purchase/{DOCUMENT}",
        f"incoming/not-a-company/purchase/{DOCUMENT}",
        f"incoming/{COMPANY}/purchase/invoice.pdf",
    ],
)
def test_a_key_that_is_not_exactly_an_incoming_document_is_refused(key):
    with pytest.raises(Invalid):
        parse_incoming_key(key, size=1, metadata={})


def test_an_unknown_source_is_refused_rather_than_defaulted():
    with pytest.raises(Invalid, match="unknown source"):
        parse_incoming_key(f"incoming/{COMPANY}/misc/{DOCUMENT}", size=1, metadata={"source": "fax"})


def test_keys_in_s3_events_are_url_decoded():
    body = json.dumps(_notification("ObjectCreated:Put", "a+b%21"))

    (created,) = s3_objects_in(body)

    assert created.key == "a b!"


def test_only_object_created_records_count():
    body = json.dumps(_notification("ObjectRemoved:Delete", "k"))

    assert s3_objects_in(body) == []


def _notification(event_name: str, key: str) -> dict:
    return {
        "Records": [
            {"eventName": event_name, "s3": {"bucket": {"name": "b"}, "object": {"key": key, "size": 3}}}
        ]
    }
