"""The large-import path: the firm asks for an upload URL, puts the ledger there (the JSON of the PUT
route with any number of fiscal years, or a zip of CSV tables), and the S3 event runs the import job.

The zip holds UTF-8 CSV files with a header row:
  accounts.csv      code, name_fr, name_nl, class, group
  journals.csv      code, name_fr, name_nl, type
  fiscal_years.csv  id, start, end, state, as_of
  periods.csv       fiscal_year, id, start, end, special
  partners.csv      id, name, type, vat, iban
  lines.csv         entry, date, fiscal_year, period, journal, ref, description, due_date,
                    account, debit, credit, partner, reconcile, label, line_due_date
(one row per entry line; the entry's columns repeat on each of its lines). Extra columns are ignored."""

import csv
import io
import json
import zipfile
from datetime import UTC, datetime

from pydantic import ValidationError

from comptoir_core import keys
from comptoir_core.bank.service import MAX_CODA_BYTES, import_statements
from comptoir_core.blobs import BlobStore
from comptoir_core.errors import Conflict, Invalid, NotFound
from comptoir_core.ids import is_valid_id, new_id
from comptoir_core.ledger.models import ImportCreate, ImportRead, LedgerSnapshot
from comptoir_core.ledger.service import check_year, import_year
from comptoir_core.repository import Repository

MAX_IMPORT_BYTES = 200 * 1024 * 1024


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def create_import(
    *, repo: Repository, blobs: BlobStore, company_id: str, request: ImportCreate
) -> ImportRead:
    import_id = new_id("imp")
    read = ImportRead(id=import_id, status="waiting_upload", format=request.format, created_at=_now())
    repo.put(
        {
            "pk": keys.company_pk(company_id),
            "sk": keys.ledger_import_sk(import_id),
            **read.model_dump(mode="json"),
        }
    )
    form = blobs.upload_form(
        keys.ledger_upload_key(company_id, import_id),
        max_bytes=MAX_IMPORT_BYTES,
        metadata={"format": request.format},
    )
    return read.model_copy(
        update={"url": form["url"], "fields": form["fields"], "max_bytes": MAX_IMPORT_BYTES}
    )


def read_import(*, repo: Repository, company_id: str, import_id: str) -> ImportRead:
    if not is_valid_id(import_id, "imp"):
        raise NotFound("import not found")
    item = repo.get(keys.company_pk(company_id), keys.ledger_import_sk(import_id))
    if item is None:
        raise NotFound("import not found")
    return ImportRead.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk")})


# A ledger file sent through the API (the portal, same origin) rather than to the upload URL: Lambda's
# request limit bounds it; a larger one goes to the presigned URL.
MAX_API_UPLOAD_BYTES = 6 * 1024 * 1024
RECENT_IMPORTS = 10


def receive_file(
    *, repo: Repository, blobs: BlobStore, company_id: str, import_id: str, data: bytes
) -> ImportRead:
    """The file of an import waiting for its upload, sent through the API: stored where the upload
    URL would have put it, so the same S3 event starts the same job."""
    current = read_import(repo=repo, company_id=company_id, import_id=import_id)
    if current.status != "waiting_upload":
        raise Conflict(f"this import is {current.status}: its file was received already")
    if not data:
        raise Invalid("the ledger file is empty")
    if len(data) > MAX_API_UPLOAD_BYTES:
        raise Invalid(
            f"the ledger file is over {MAX_API_UPLOAD_BYTES // (1024 * 1024)} MB: use the upload URL"
        )
    blobs.put(
        keys.ledger_upload_key(company_id, import_id),
        data,
        content_type="application/zip" if current.format == "zip" else "application/json",
        metadata={"format": current.format},
    )
    queued = current.model_copy(update={"status": "queued"})
    repo.put(
        {
            "pk": keys.company_pk(company_id),
            "sk": keys.ledger_import_sk(import_id),
            **queued.model_dump(mode="json", exclude={"url", "fields", "max_bytes"}),
        }
    )
    return queued


def recent_imports(*, repo: Repository, company_id: str) -> list[ImportRead]:
    """The company's latest ledger imports, newest first (ids are time-ordered)."""
    page = repo.page(
        keys.company_pk(company_id), sk_prefix=keys.LEDGER_IMPORT_SK_PREFIX, limit=RECENT_IMPORTS
    )
    return [
        ImportRead.model_validate({k: v for k, v in item.items() if k not in ("pk", "sk", "version")})
        for item in page.items
    ]


def parse_upload_key(key: str) -> tuple[str, str]:
    _, company_id, import_id = key.split("/")
    return company_id, import_id


def run_import(*, repo: Repository, blobs: BlobStore, company_id: str, import_id: str) -> ImportRead:
    """Every fiscal year of the upload checked first, then applied one by one; a refusal applies nothing
    and is kept on the import (its details name the lines)."""
    current = read_import(repo=repo, company_id=company_id, import_id=import_id)
    if current.status in ("done", "failed"):
        return current
    pk, sk = keys.company_pk(company_id), keys.ledger_import_sk(import_id)

    def save(read: ImportRead) -> ImportRead:
        repo.put({"pk": pk, "sk": sk, **read.model_dump(mode="json", exclude={"url", "fields", "max_bytes"})})
        return read

    current = save(current.model_copy(update={"status": "running", "progress": 5}))
    data = blobs.get(keys.ledger_upload_key(company_id, import_id))
    is_zip = data[:2] == b"PK"
    bank_files = coda_files_of(data) if is_zip else []
    try:
        if bank_files and not _has_books(data):
            # Bank statements alone: no books to check or apply.
            snapshot = LedgerSnapshot.model_construct(fiscal_years=[], entries=[])
        else:
            snapshot = snapshot_from_zip(data) if is_zip else _snapshot_from_json(data)
        years = [fy.id for fy in snapshot.fiscal_years]
        strays = [e.id for e in snapshot.entries if e.fiscal_year not in years]
        if strays:
            raise Invalid(
                "entries name a fiscal year the upload does not define", details=[{"entry": strays[0]}]
            )
        for fy in years:
            check_year(_only(snapshot, fy), fy)
        current = save(current.model_copy(update={"progress": 30}))
        results = []
        for index, fy in enumerate(years, start=1):
            results.append(
                import_year(
                    repo=repo,
                    blobs=blobs,
                    company_id=company_id,
                    fiscal_year=fy,
                    snapshot=_only(snapshot, fy),
                )
            )
            current = save(current.model_copy(update={"progress": 30 + 70 * index // len(years)}))
        statements = sum(
            len(import_statements(repo=repo, blobs=blobs, company_id=company_id, data=coda).statements)
            for coda in bank_files
        )
    except Invalid as error:
        return save(
            current.model_copy(
                update={"status": "failed", "error": {"message": error.message, "details": error.details}}
            )
        )
    return save(
        current.model_copy(
            update={"status": "done", "progress": 100, "fiscal_years": results, "bank_statements": statements}
        )
    )


def coda_files_of(data: bytes) -> list[bytes]:
    """The CODA bank files a firm's zip carries (any name: recognised by their first record)."""
    from comptoir_core.bank.coda import is_coda

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return []
    found = []
    for info in archive.infolist():
        if info.is_dir() or info.file_size > MAX_CODA_BYTES:
            continue
        member = archive.read(info)
        if is_coda(member):
            found.append(member)
    return found


def _has_books(data: bytes) -> bool:
    return "lines.csv" in zipfile.ZipFile(io.BytesIO(data)).namelist()


def _only(snapshot: LedgerSnapshot, fiscal_year: str) -> LedgerSnapshot:
    return snapshot.model_copy(
        update={"entries": [e for e in snapshot.entries if e.fiscal_year == fiscal_year]}
    )


def _snapshot_from_json(data: bytes) -> LedgerSnapshot:
    try:
        return LedgerSnapshot.model_validate(json.loads(data))
    except ValueError as error:
        if isinstance(error, ValidationError):
            details = [
                {"field": ".".join(map(str, e["loc"])), "problem": e["msg"]}
                for e in error.errors(include_url=False, include_input=False)
            ]
            raise Invalid("the ledger is not valid", details=details[:200]) from error
        raise Invalid("the upload is neither JSON nor a zip of CSV tables") from error


def _table(archive: zipfile.ZipFile, name: str, required: bool = True) -> list[dict]:
    try:
        raw = archive.read(name)
    except KeyError as error:
        if not required:
            return []
        raise Invalid(f"the zip has no {name}") from error
    return [
        {k: (v if v != "" else None) for k, v in row.items()}
        for row in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    ]


def snapshot_from_zip(data: bytes) -> LedgerSnapshot:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise Invalid("the upload is not a readable zip") from error
    periods: dict[str, list[dict]] = {}
    for row in _table(archive, "periods.csv"):
        periods.setdefault(row["fiscal_year"], []).append(row)
    years = [{**row, "periods": periods.get(row["id"], [])} for row in _table(archive, "fiscal_years.csv")]
    entries: dict[str, dict] = {}
    for number, row in enumerate(_table(archive, "lines.csv"), start=2):
        if not row.get("entry"):
            raise Invalid(
                f"lines.csv line {number}: no entry id", details=[{"file": "lines.csv", "line": number}]
            )
        entry = entries.setdefault(
            row["entry"],
            {"id": row["entry"], **{k: row.get(k) for k in ("date", "fiscal_year", "period", "journal", "ref",
                                                               "description", "due_date")}, "lines": []},
        )  # fmt: skip
        entry["lines"].append(
            {
                "account": row.get("account"),
                "debit": row.get("debit") or "0",
                "credit": row.get("credit") or "0",
                "partner": row.get("partner"),
                "reconcile": row.get("reconcile"),
                "label": row.get("label"),
                "due_date": row.get("line_due_date"),
            }
        )
    document = {
        "chart_of_accounts": _table(archive, "accounts.csv"),
        "journals": _table(archive, "journals.csv"),
        "fiscal_years": years,
        "partners": _table(archive, "partners.csv", required=False),
        "entries": list(entries.values()),
    }
    return _snapshot_from_json(json.dumps(document).encode())
