"""Reading and writing document items and their derived files. The documents context's only storage code.

S3 layout, made of ids only (user-provided names never become a key):
  incoming/<company>/<mailbox>/<document>              the original, as received, forever
  documents/<company>/<document>/working/v<n>.pdf       the working PDF of version n
  documents/<company>/<document>/pages/v<n>/<page>-<size>  its page images
  documents/<company>/<document>/words/v<n>.json         the words recognition read on it
"""

import json
from decimal import Decimal

from comptoir_core import keys
from comptoir_core.blobs import BlobStore
from comptoir_core.documents.models import Document
from comptoir_core.errors import NotFound
from comptoir_core.ids import is_valid_id
from comptoir_core.repository import Item, Repository


def working_pdf_key(company_id: str, document_id: str, version: int) -> str:
    return f"documents/{company_id}/{document_id}/working/v{version}.pdf"


def page_image_key(company_id: str, document_id: str, version: int, page: int, size: str) -> str:
    return f"documents/{company_id}/{document_id}/pages/v{version}/{page}-{size}"


def words_key(company_id: str, document_id: str, version: int) -> str:
    """The words recognition read on working version n, with their positions (JSON)."""
    return f"documents/{company_id}/{document_id}/words/v{version}.json"


def to_item(document: Document) -> Item:
    """The table item of a document: JSON-ready values with numbers as Decimal, as DynamoDB wants."""
    data = json.loads(document.model_dump_json(exclude={"version"}), parse_float=Decimal)
    return {"pk": keys.company_pk(document.company_id), "sk": keys.document_sk(document.id), **data}


def from_item(item: Item) -> Document:
    return Document.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")})


def get_document(*, repo: Repository, company_id: str, document_id: str) -> Document:
    """A document of a company, whatever its status; no caller check (callers authorize first)."""
    if not is_valid_id(document_id, "doc"):
        raise NotFound("document not found")
    item = repo.get(keys.company_pk(company_id), keys.document_sk(document_id))
    if item is None:
        raise NotFound("document not found")
    return from_item(item)


def save(*, repo: Repository, document: Document) -> Document:
    """Write a changed document only if nobody changed it since it was read (else Conflict)."""
    written = repo.replace_versioned(to_item(document), expected_version=document.version)
    return document.model_copy(update={"version": int(written["version"])})


def save_all(*, repo: Repository, documents: list[Document]) -> list[Document]:
    """Write several changed documents in one transaction: all of them, or none (Conflict)."""
    written = repo.replace_all_versioned([(to_item(d), d.version) for d in documents])
    return [
        d.model_copy(update={"version": int(w["version"])}) for d, w in zip(documents, written, strict=True)
    ]


def company_documents(*, repo: Repository, company_id: str, before: str | None = None):
    """The company's documents, newest first (ids are time-ordered), from just below `before` if given."""
    sk_before = keys.document_sk(before) if before else None
    for item in repo.query(
        keys.company_pk(company_id), sk_prefix=keys.DOCUMENT_SK_PREFIX, descending=True, sk_before=sk_before
    ):
        yield from_item(item)


def read_working_pdf(*, blobs: BlobStore, document: Document) -> bytes:
    if not document.working_key:
        raise NotFound("this document has no PDF yet")
    return blobs.get(document.working_key)


def read_original(*, blobs: BlobStore, document: Document) -> bytes:
    return blobs.get(document.original_key)
