"""A user's field corrections, and what invoice recognition learns from them for the next invoice
of the same supplier. Needs the PDF layer (like the pipeline)."""

from botocore.exceptions import ClientError

from comptoir_core.approvals import service as approvals
from comptoir_core.blobs import BlobStore
from comptoir_core.documents import service, store
from comptoir_core.documents.models import Document
from comptoir_core.observability import logger
from comptoir_core.recognition.profiles import record_correction
from comptoir_core.repository import Repository
from comptoir_core.settings import get_settings
from comptoir_core.tenancy import Caller
from comptoir_pdf.recognition import pages_from_json


def correct_fields(
    *,
    repo: Repository,
    blobs: BlobStore,
    caller: Caller,
    company_id: str,
    document_id: str,
    corrections: dict,
) -> Document:
    document = service.correct_fields(
        repo=repo, caller=caller, company_id=company_id, document_id=document_id, corrections=corrections
    )
    if {"supplier_vat", "total_incl_vat"} & set(corrections):
        # Before any decision, the invoice's approval starts again with the rules that fit it now.
        document = approvals.restart_invoice_chain(repo=repo, settings=get_settings(), document=document)
    try:
        words = pages_from_json(blobs.get(store.words_key(company_id, document_id, document.working_version)))
    except ClientError:
        words = None  # recognised before words were kept: learn what needs no positions
    for name in corrections:
        try:
            record_correction(
                repo=repo, company_id=company_id, fields=document.fields, field_name=name, words=words
            )
        except Exception:
            # The correction itself is saved; a lesson not learnt must not undo it.
            logger.exception("learning from a correction failed", extra={"field": name})
    return document
