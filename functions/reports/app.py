"""reports: the firm's ledger in, the dashboard, cost rubrics, CODA bank statements, histories and
reports in Excel and PDF, and the worker that runs report and large-import jobs. Thin: parse, call, return."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from chalice import Chalice

from comptoir_core import idempotency, wiring
from comptoir_core.accounts.modules import Module
from comptoir_core.api import authorizer, caller_in_company, dump, parse_body, parse_query, view
from comptoir_core.bank import requests as missing
from comptoir_core.bank import service as bank
from comptoir_core.bank.models import AccountsRead, MovementsRead, StatementsImported, TransactionsQuery
from comptoir_core.bank.requests import MissingDocumentsRequest, MissingDocumentsRequested
from comptoir_core.dashboard import service as dashboard
from comptoir_core.dashboard.models import Dashboard, DashboardQuery, Rubrics
from comptoir_core.errors import Invalid
from comptoir_core.events import S3ObjectCreated, s3_objects_in
from comptoir_core.ledger import history, imports
from comptoir_core.ledger import service as ledger
from comptoir_core.ledger.history import HistoryQuery, HistoryRead
from comptoir_core.ledger.models import ImportCreate, ImportRead, LedgerImported, LedgerSnapshot, YearsRead
from comptoir_core.observability import logger, metrics, observe
from comptoir_core.openapi_docs import documented, publish_openapi
from comptoir_core.reports import service as reports
from comptoir_core.reports.models import ReportCreate, ReportRead
from comptoir_core.settings import get_settings
from comptoir_core.tenancy import Role, authorize
from comptoir_core.uploads import parts_of

app = Chalice(app_name="comptoir-reports")
app.register_middleware(observe, "http")
publish_openapi(app, title="Comptoir reports")
app.api.binary_types.extend(
    ["multipart/form-data", "application/octet-stream", "text/plain", "application/zip"]
)

JOBS_QUEUE = "books-jobs"
ACCOUNTANTS = frozenset({Role.accountant})
# Who may upload bank statements: members with the financial module and accountants. The module gate
# (built in the communication context) is wired at merge; until then every role of a member may.
BANK_UPLOADERS = frozenset({Role.admin, Role.user, Role.accountant})
CODA_CONTENT_TYPES = ["multipart/form-data", "application/octet-stream", "text/plain", "application/json"]
COMPANY = "/companies/{cid}"


def _member(cid: str, roles=None, module: Module | None = Module.reports):
    """A member (of `roles`, when named) of a company that has the route's module on; the firm's own
    books push (module None) works whatever the company's modules."""
    caller = caller_in_company(app.current_request, cid, module=module)
    if roles:
        authorize(repo=wiring.repository(), caller=caller, company_id=cid, roles=roles)
    return caller


# ---- the books ---------------------------------------------------------------------------------


@app.route(COMPANY + "/ledger/{fiscal_year}", methods=["PUT"], authorizer=authorizer)
@documented(body=LedgerSnapshot, answer=LedgerImported, errors=(400, 403, 404))
@view
def put_ledger(cid, fiscal_year):
    """Replace one fiscal year of the books (accountants): all or nothing, the same snapshot changes nothing."""
    _member(cid, ACCOUNTANTS, module=None)
    snapshot = parse_body(app.current_request, LedgerSnapshot)
    logger.append_keys(fiscal_year=fiscal_year)
    return dump(
        ledger.import_year(
            repo=wiring.repository(), blobs=wiring.blob_store(), company_id=cid, fiscal_year=fiscal_year,
            snapshot=snapshot,
        )
    )  # fmt: skip


@app.route(COMPANY + "/ledger/imports", methods=["POST"], authorizer=authorizer)
@documented(body=ImportCreate, answer=ImportRead, status=201, errors=(400, 403, 404))
@view
def create_import(cid):
    """An upload URL for a large ledger (JSON or a zip of CSV tables); the upload starts the import job."""
    _member(cid, ACCOUNTANTS, module=None)
    request = parse_body(app.current_request, ImportCreate)
    created = imports.create_import(
        repo=wiring.repository(), blobs=wiring.blob_store(), company_id=cid, request=request
    )
    return dump(created, status=201)


@app.route(COMPANY + "/ledger/imports", methods=["GET"], authorizer=authorizer)
@documented(answer=list[ImportRead], errors=(403, 404))
@view
def list_imports(cid):
    """The company's latest ledger imports, newest first: their status, progress and errors."""
    _member(cid, ACCOUNTANTS, module=None)
    return dump(imports.recent_imports(repo=wiring.repository(), company_id=cid))


@app.route(
    COMPANY + "/ledger/imports/{iid}/file",
    methods=["PUT"],
    authorizer=authorizer,
    content_types=["application/octet-stream", "application/json", "application/zip"],
)
@documented(
    answer=ImportRead, status=202, errors=(400, 403, 404, 409),
    body_media_types=("application/octet-stream", "application/json", "application/zip"),
)  # fmt: skip
@view
def put_import_file(cid, iid):
    """The ledger file of an import sent through the API (up to 6 MB; same origin for the portal): the
    import job starts as from the upload URL."""
    _member(cid, ACCOUNTANTS, module=None)
    received = imports.receive_file(
        repo=wiring.repository(), blobs=wiring.blob_store(), company_id=cid, import_id=iid,
        data=app.current_request.raw_body or b"",
    )  # fmt: skip
    return dump(received, status=202)


@app.route(COMPANY + "/ledger/imports/{iid}", methods=["GET"], authorizer=authorizer)
@documented(answer=ImportRead, errors=(403, 404))
@view
def read_import(cid, iid):
    """An import job: status, progress, the fiscal years applied or the lines refused."""
    _member(cid, ACCOUNTANTS, module=None)
    return dump(imports.read_import(repo=wiring.repository(), company_id=cid, import_id=iid))


@app.route(COMPANY + "/ledger/years", methods=["GET"], authorizer=authorizer)
@documented(answer=YearsRead, errors=(404,))
@view
def ledger_years(cid):
    """The imported fiscal years with their periods and when each was updated (none yet: an empty list)."""
    _member(cid)
    return dump(ledger.list_years(repo=wiring.repository(), company_id=cid))


@app.route(COMPANY + "/dashboard", methods=["GET"], authorizer=authorizer)
@documented(query=DashboardQuery, answer=Dashboard, errors=(400, 404))
@view
def read_dashboard(cid):
    """Key figures of a fiscal year (the latest when omitted), by quarter and month, and the years."""
    _member(cid)
    query = parse_query(app.current_request, DashboardQuery)
    return dump(
        dashboard.read_dashboard(repo=wiring.repository(), company_id=cid, fiscal_year=query.fiscal_year)
    )


@app.route(COMPANY + "/rubrics", methods=["GET"], authorizer=authorizer)
@documented(answer=Rubrics, errors=(404,))
@view
def read_rubrics(cid):
    """The cost rubrics: charge account prefixes per rubric (longest prefix wins)."""
    _member(cid)
    return dump(dashboard.read_rubrics(repo=wiring.repository(), company_id=cid))


@app.route(COMPANY + "/rubrics", methods=["PUT"], authorizer=authorizer)
@documented(body=Rubrics, answer=Rubrics, errors=(400, 403, 404))
@view
def put_rubrics(cid):
    """Replace the cost rubrics (accountants)."""
    _member(cid, ACCOUNTANTS)
    rubrics = parse_body(app.current_request, Rubrics)
    return dump(dashboard.save_rubrics(repo=wiring.repository(), company_id=cid, rubrics=rubrics))


# ---- bank statements -----------------------------------------------------------------------------


@app.route(
    COMPANY + "/bank/statements", methods=["POST"], authorizer=authorizer, content_types=CODA_CONTENT_TYPES
)
@documented(
    answer=StatementsImported, status=201, errors=(400, 403, 404),
    body_media_types=("multipart/form-data", "application/octet-stream", "text/plain"),
)  # fmt: skip
@view
def upload_statements(cid):
    """A CODA file (multipart or raw body): 201 with its statements, 200 when all were there already."""
    _member(cid, BANK_UPLOADERS, module=Module.financial)
    request = app.current_request
    content_type = request.headers.get("content-type", "")
    body = request.raw_body or b""
    if content_type.lower().startswith("multipart/form-data"):
        files = parts_of(content_type, body, {}).files
        if len(files) != 1:
            raise Invalid("send one CODA file")
        body = files[0][1]
    imported = bank.import_statements(
        repo=wiring.repository(), blobs=wiring.blob_store(), company_id=cid, data=body
    )
    return dump(imported, status=201 if imported.created else 200)


@app.route(COMPANY + "/bank/accounts", methods=["GET"], authorizer=authorizer)
@documented(answer=AccountsRead, errors=(404,))
@view
def bank_accounts(cid):
    """The bank accounts with their balance as the bank stated it, its date and the consistency flag."""
    _member(cid, module=Module.financial)
    return dump(bank.list_accounts(repo=wiring.repository(), company_id=cid))


@app.route(COMPANY + "/bank/transactions", methods=["GET"], authorizer=authorizer)
@documented(query=TransactionsQuery, answer=MovementsRead, errors=(400, 404))
@view
def bank_transactions(cid):
    """Bank movements, newest first, each with the document and open item it matches."""
    return _movements(cid, unmatched_only=False)


@app.route(COMPANY + "/bank/unmatched", methods=["GET"], authorizer=authorizer)
@documented(query=TransactionsQuery, answer=MovementsRead, errors=(400, 404))
@view
def bank_unmatched(cid):
    """The movements no document matches: the missing documents."""
    return _movements(cid, unmatched_only=True)


def _movements(cid: str, *, unmatched_only: bool):
    _member(cid, module=Module.financial)
    query = parse_query(app.current_request, TransactionsQuery)
    return dump(
        bank.list_movements(
            repo=wiring.repository(),
            blobs=wiring.blob_store(),
            company_id=cid,
            query=query,
            unmatched_only=unmatched_only,
        )
    )


@app.route(COMPANY + "/bank/unmatched/requests", methods=["POST"], authorizer=authorizer)
@documented(
    body=MissingDocumentsRequest, answer=MissingDocumentsRequested, status=201, errors=(400, 403, 404)
)
@view
def request_missing_documents(cid):
    """The accountant asks the client for the documents of movements no document matches: a conversation."""
    caller = _member(cid, module=Module.financial)
    request = parse_body(app.current_request, MissingDocumentsRequest)
    return dump(
        missing.request_missing_documents(
            repo=wiring.repository(),
            blobs=wiring.blob_store(),
            caller=caller,
            company_id=cid,
            request=request,
            link_base=get_settings().portal_origin,
        ),
        status=201,
    )


# ---- histories and reports -------------------------------------------------------------------------


def _history(cid: str, kind: str):
    _member(cid)
    query = parse_query(app.current_request, HistoryQuery)
    return dump(
        history.read_history(
            repo=wiring.repository(), blobs=wiring.blob_store(), company_id=cid, kind=kind, query=query
        )
    )


@app.route(COMPANY + "/history/suppliers", methods=["GET"], authorizer=authorizer)
@documented(query=HistoryQuery, answer=HistoryRead, errors=(400, 404))
@view
def supplier_history(cid):
    """Supplier lines (44), open by default, with their documents and whether they can be paid."""
    return _history(cid, "suppliers")


@app.route(COMPANY + "/history/customers", methods=["GET"], authorizer=authorizer)
@documented(query=HistoryQuery, answer=HistoryRead, errors=(400, 404))
@view
def customer_history(cid):
    """Customer lines (40), open by default, with their documents."""
    return _history(cid, "customers")


@app.route(COMPANY + "/history/accounts", methods=["GET"], authorizer=authorizer)
@documented(query=HistoryQuery, answer=HistoryRead, errors=(400, 404))
@view
def account_history(cid):
    """The lines of an account (`account` a prefix), with their documents."""
    return _history(cid, "accounts")


@app.route(COMPANY + "/reports", methods=["POST"], authorizer=authorizer)
@documented(body=ReportCreate, answer=ReportRead, status=202, errors=(400, 404))
@view
def request_report(cid):
    """Start a report (xlsx or pdf) in the reader's language; poll it for its progress and download URL."""
    caller = _member(cid)
    request = parse_body(app.current_request, ReportCreate)
    report = reports.request_report(
        repo=wiring.repository(), blobs=wiring.blob_store(), caller=caller, company_id=cid, request=request
    )
    metrics.add_metric(name="ReportRequested", unit="Count", value=1)
    return dump(report, status=202)


@app.route(COMPANY + "/reports/{rid}", methods=["GET"], authorizer=authorizer)
@documented(answer=ReportRead, errors=(404,))
@view
def read_report(cid, rid):
    """A report: status, progress and, once done, a download URL (5 minutes)."""
    _member(cid)
    return dump(
        reports.read_report(
            repo=wiring.repository(), blobs=wiring.blob_store(), company_id=cid, report_id=rid
        )
    )


# ---- the worker ------------------------------------------------------------------------------------


def _run_job(item: S3ObjectCreated) -> None:
    if item.key.startswith("report-jobs/"):
        from comptoir_pdf.report import render_report_pdf

        company_id, report_id = reports.parse_job_key(item.key)
        logger.append_keys(company_id=company_id, report_id=report_id)
        reports.run_report(
            repo=wiring.repository(), blobs=wiring.blob_store(), company_id=company_id, report_id=report_id,
            render_pdf=render_report_pdf,
        )  # fmt: skip
    elif item.key.startswith("ledger-uploads/"):
        company_id, import_id = imports.parse_upload_key(item.key)
        logger.append_keys(company_id=company_id, import_id=import_id)
        imports.run_import(
            repo=wiring.repository(), blobs=wiring.blob_store(), company_id=company_id, import_id=import_id
        )


@app.on_sqs_message(queue=JOBS_QUEUE, batch_size=1)
def on_books_job(event):
    """A report job or a ledger upload → S3 event → SQS → here. A failure goes back to the queue, then its DLQ."""
    run_once = idempotency.once_per("on_books_job", _run_job, event.context)

    def handle(record) -> None:
        for created in s3_objects_in(record.body):
            run_once(item=created)

    return process_partial_response(
        event=event.to_dict(), record_handler=handle, processor=BatchProcessor(event_type=EventType.SQS)
    )
