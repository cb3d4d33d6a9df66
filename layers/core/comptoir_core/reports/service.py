"""Reports generated asynchronously: a request is recorded and its job object put under report-jobs/; the
S3 event brings it to the reports worker, which builds the table, renders it and stores the file."""

from collections.abc import Callable
from datetime import UTC, datetime

from comptoir_core import keys
from comptoir_core.blobs import BlobStore
from comptoir_core.errors import NotFound
from comptoir_core.ids import is_valid_id, new_id
from comptoir_core.ledger.service import read_content, read_year
from comptoir_core.observability import logger
from comptoir_core.reports.models import ReportCreate, ReportFormat, ReportRead, ReportTable
from comptoir_core.reports.tables import build_table
from comptoir_core.reports.xlsx import render_xlsx
from comptoir_core.repository import Repository
from comptoir_core.tenancy import Caller

CONTENT_TYPES = {
    ReportFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.pdf: "application/pdf",
}


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def reader_language(*, repo: Repository, caller: Caller) -> str:
    item = repo.get(keys.user_pk(caller.user_id), keys.USER_PROFILE) or {}
    return item.get("language") if item.get("language") in ("fr", "nl", "en") else "fr"


def request_report(
    *, repo: Repository, blobs: BlobStore, caller: Caller, company_id: str, request: ReportCreate
) -> ReportRead:
    """Record the request (checked now: the year must exist) and start its job; 202 with its id."""
    read_year(repo=repo, company_id=company_id, fiscal_year=request.fiscal_year)
    report = ReportRead(
        id=new_id("rep"),
        kind=request.kind,
        format=request.format,
        fiscal_year=request.fiscal_year,
        language=request.language or reader_language(repo=repo, caller=caller),
        status="queued",
        created_at=_now(),
    )
    repo.put(
        {
            "pk": keys.company_pk(company_id),
            "sk": keys.report_sk(report.id),
            **report.model_dump(mode="json"),
            "request": request.model_dump(mode="json"),
            "requested_by": caller.user_id,
        }
    )
    blobs.put(keys.report_job_key(company_id, report.id), b"{}", content_type="application/json")
    return report


def parse_job_key(key: str) -> tuple[str, str]:
    _, company_id, report_id = key.split("/")
    return company_id, report_id


def _item(repo: Repository, company_id: str, report_id: str) -> dict:
    if not is_valid_id(report_id, "rep"):
        raise NotFound("report not found")
    item = repo.get(keys.company_pk(company_id), keys.report_sk(report_id))
    if item is None:
        raise NotFound("report not found")
    return item


def _save(repo: Repository, item: dict, **changes) -> dict:
    item = {**item, **changes}
    repo.put(item)
    return item


def run_report(
    *,
    repo: Repository,
    blobs: BlobStore,
    company_id: str,
    report_id: str,
    render_pdf: Callable[[dict], bytes],
) -> None:
    """Build and render one report; a failure is recorded on the report and raised (the queue retries)."""
    item = _item(repo, company_id, report_id)
    if item["status"] == "done":
        return
    item = _save(repo, item, status="running", progress=10)
    try:
        request = ReportCreate.model_validate(item["request"])
        year = read_year(repo=repo, company_id=company_id, fiscal_year=request.fiscal_year)
        content = read_content(blobs=blobs, figures=year)
        item = _save(repo, item, progress=40)
        company = repo.get(keys.company_pk(company_id), keys.COMPANY_PROFILE) or {}
        table: ReportTable = build_table(
            request=request,
            year=year,
            content=content,
            company_name=company.get("name") or (content.get("company") or {}).get("name") or company_id,
            language=item["language"],
        )
        item = _save(repo, item, progress=70)
        data = (
            render_xlsx(table)
            if request.format == ReportFormat.xlsx
            else render_pdf(table.model_dump(mode="json"))
        )
        blobs.put(
            keys.report_file_key(company_id, report_id, request.format.value),
            data,
            content_type=CONTENT_TYPES[request.format],
        )
        _save(repo, item, status="done", progress=100, done_at=_now().isoformat(), title=table.title)
    except Exception as error:
        _save(repo, item, status="failed", error=type(error).__name__)
        raise
    _tell_ready(repo, company_id, report_id, item, company.get("name", ""), table.title)


def _tell_ready(
    repo: Repository, company_id: str, report_id: str, item: dict, company: str, title: str
) -> None:
    """The one who asked hears the report is ready (best effort: the report is there whatever the mail)."""
    from comptoir_core import notifications
    from comptoir_core.settings import get_settings

    if not item.get("requested_by"):
        return
    link = f"{get_settings().portal_origin}/c/{company_id}/reports/{report_id}"
    try:
        notifications.notify(
            repo=repo,
            kind=notifications.Kind.report_ready,
            recipients=[item["requested_by"]],
            context={"company": company, "report": title, "link": link},
        )
    except Exception:
        logger.exception("a report-ready e-mail was not sent")


def read_report(*, repo: Repository, blobs: BlobStore, company_id: str, report_id: str) -> ReportRead:
    item = _item(repo, company_id, report_id)
    report = ReportRead.model_validate({k: v for k, v in item.items() if k in ReportRead.model_fields})
    if report.status == "done":
        filename = f"{item.get('title', report.kind.value)} {report.fiscal_year}.{report.format.value}"
        report.filename = filename
        report.download_url = blobs.download_url(
            keys.report_file_key(company_id, report_id, report.format.value),
            filename=filename,
            content_type=CONTENT_TYPES[report.format],
        )
    return report
