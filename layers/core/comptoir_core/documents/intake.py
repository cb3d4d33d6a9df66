"""The one way into the pipeline: a channel stores the received bytes under incoming/ with what it knows.

Every channel (upload, e-mail, Dropbox, mobile, scan, API, a split or merge) calls `store_incoming`.
The S3 object event then feeds the documents worker, which reads the metadata back with
`read_incoming_metadata`. S3 user metadata is ASCII and at most 2 KB, so what the channel knows
travels as one base64url JSON value, its free texts shortened to fit.
"""

import base64
import json

from pydantic import BaseModel, Field, ValidationError

from comptoir_core import keys
from comptoir_core.blobs import BlobStore
from comptoir_core.documents.models import IncomingObject, Mailbox, MailInfo, MobileInfo, Source
from comptoir_core.errors import Invalid
from comptoir_core.ids import is_valid_id, new_id

METADATA_KEY = "comptoir"
_METADATA_BUDGET = 1800  # bytes of the encoded value; S3 allows 2 KB of user metadata in all


class IncomingMetadata(BaseModel):
    source: Source
    name: str = Field(default="document", max_length=255)  # the file name as received: data, never a key
    sender: str | None = None
    labels: list[str] = Field(default_factory=list)
    remark: str | None = None
    mail: MailInfo | None = None
    mobile: MobileInfo | None = None
    # Split and merge results name their sources.
    derived_from: list[str] = Field(default_factory=list)
    derived_by: str | None = None  # "split" or "merge"
    # "send": go to In processing as soon as the pipeline is done (a split with then=send).
    then: str | None = None
    # Set by a channel that already knows a reason to stop (e.g. the e-mail's virus verdict).
    problem: str | None = None


def encode_metadata(meta: IncomingMetadata) -> dict[str, str]:
    data = meta.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    data["source"] = meta.source.value
    for _ in range(12):
        encoded = base64.urlsafe_b64encode(json.dumps(data, ensure_ascii=False).encode()).decode()
        if len(encoded) <= _METADATA_BUDGET:
            return {METADATA_KEY: encoded}
        _shorten_longest_text(data)
    raise Invalid("the document's description is too long to store")


def read_incoming_metadata(metadata: dict[str, str]) -> IncomingMetadata:
    encoded = metadata.get(METADATA_KEY)
    try:
        if encoded is None:
            # An object put by hand (or by another tool) carries a plain source and sender, if anything.
            return IncomingMetadata(
                source=metadata.get("source", Source.upload.value), sender=metadata.get("sender") or None
            )
        return IncomingMetadata.model_validate_json(base64.urlsafe_b64decode(encoded.encode()))
    except (ValueError, ValidationError) as error:
        raise Invalid(f"unreadable incoming metadata: {error}") from error


def parse_incoming_key(key: str, *, size: int) -> IncomingObject:
    """Read an incoming/<company>/<mailbox>/<document> key; anything else is refused, never guessed."""
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != "incoming":
        raise Invalid(f"not an incoming document key: {key!r}")
    _, company_id, mailbox, document_id = parts
    if not is_valid_id(company_id, "co") or not is_valid_id(document_id, "doc"):
        raise Invalid(f"not an incoming document key: {key!r}")
    if mailbox not in Mailbox.__members__:
        raise Invalid(f"unknown mailbox in {key!r}")
    return IncomingObject(
        key=key, company_id=company_id, mailbox=Mailbox(mailbox), document_id=document_id, size=size
    )


def store_incoming(
    *,
    blobs: BlobStore,
    company_id: str,
    mailbox: Mailbox,
    body: bytes,
    meta: IncomingMetadata,
    document_id: str | None = None,
) -> str:
    """Store a received file as the original of a new document; returns the new document's id. A
    caller that must find its document again after a crash (a split's part) chooses the id."""
    document_id = document_id or new_id("doc")
    blobs.put(
        keys.incoming_object_key(company_id, mailbox.value, document_id),
        body,
        content_type="application/octet-stream",
        metadata=encode_metadata(meta),
    )
    return document_id


def _shorten_longest_text(data: dict) -> None:
    texts = [(k, v) for k, v in data.items() if isinstance(v, str) and k not in ("source", "then")]
    texts += [(f"mail.{k}", v) for k, v in (data.get("mail") or {}).items() if isinstance(v, str)]
    key, value = max(texts, key=lambda kv: len(kv[1].encode()))
    shorter = value[: max(len(value) * 2 // 3, 1)] + "…"
    if key.startswith("mail."):
        data["mail"][key[5:]] = shorter
    else:
        data[key] = shorter
