"""Reading the S3 key a channel wrote: only ids and a known mailbox, never a guess."""

import json

import pytest

from comptoir_core.documents.intake import (
    IncomingMetadata,
    encode_metadata,
    parse_incoming_key,
    read_incoming_metadata,
)
from comptoir_core.errors import Invalid
from comptoir_core.events import s3_objects_in
from comptoir_core.ids import new_id

COMPANY = new_id("co")
DOCUMENT = new_id("doc")


def test_an_incoming_key_gives_company_mailbox_and_document():
    incoming = parse_incoming_key(f"incoming/{COMPANY}/sales/{DOCUMENT}", size=12)

    assert (incoming.company_id, incoming.mailbox, incoming.document_id, incoming.size) == (
        COMPANY,
        "sales",
        DOCUMENT,
        12,
    )


def test_what_a_channel_knows_survives_s3_metadata_even_when_long_and_not_ascii():
    meta = IncomingMetadata(source="mail", name="facture été.pdf", sender="x@y.be", remark="é" * 5000)

    encoded = encode_metadata(meta)
    read = read_incoming_metadata(encoded)

    assert all(value.isascii() for value in encoded.values())
    assert sum(len(k) + len(v) for k, v in encoded.items()) < 2048  # S3's limit on user metadata
    assert (read.source, read.name, read.sender) == ("mail", "facture été.pdf", "x@y.be")
    assert read.remark.startswith("éé") and read.remark.endswith("…")


def test_plain_source_and_sender_metadata_are_read_too():
    read = read_incoming_metadata({"source": "api", "sender": "erp@client.be"})

    assert (read.source, read.sender) == ("api", "erp@client.be")


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
    # Named, not shown: the ids are new each run, and test workers must collect the same tests.
    ids=["dot-dot", "extra-segment", "unknown-mailbox", "other-prefix", "bad-company", "file-name"],
)
def test_a_key_that_is_not_exactly_an_incoming_document_is_refused(key):
    with pytest.raises(Invalid):
        parse_incoming_key(key, size=1)


def test_an_unknown_source_is_refused_rather_than_defaulted():
    with pytest.raises(Invalid, match="unreadable incoming metadata"):
        read_incoming_metadata({"source": "fax"})


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
