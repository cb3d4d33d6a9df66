"""The `comptoir` command: `comptoir up` runs the local stack; `comptoir extract FILE` reads an invoice;
`comptoir openapi` writes the API's OpenAPI document; `comptoir migrate documents` updates stored documents."""

import argparse
import logging
import os
import signal
import sys
import threading
from pathlib import Path


def _port(value: str) -> int:
    port = int(value)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port (1-65535)")
    return port


def _seconds(value: str) -> float:
    seconds = float(value)
    if not 0.5 <= seconds <= 3600:
        raise SystemExit(f"COMPTOIR_SNAPSHOT_SECONDS={value}: give 0.5 to 3600 seconds")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="comptoir", description="Comptoir, the accounting firm's client portal"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="start the whole system locally (loopback only)")
    up.add_argument("--port", type=_port, default=8000, help="HTTP gateway port (default 8000)")
    up.add_argument("--smtp-port", type=_port, default=2525, help="SMTP listener port (default 2525)")
    up.add_argument("--aws-port", type=_port, default=4566, help="embedded AWS (moto) port (default 4566)")
    up.add_argument(
        "--data", type=Path, default=Path(".comptoir-data"), help="state folder (default .comptoir-data/)"
    )
    up.add_argument("--reset", action="store_true", help="start from the demo data alone")
    extract = commands.add_parser("extract", help="print the invoice fields of a PDF, image or UBL/CII file")
    extract.add_argument("file", type=Path)
    extract.add_argument("--json", action="store_true", help="one JSON object {fields: {name: {value, …}}}")
    extract.add_argument("--company-vat", help="the customer's own VAT number (BE0…): never the supplier's")
    extract.add_argument(
        "--company-iban", action="append", default=[], help="the customer's own IBAN (repeatable)"
    )
    coda = commands.add_parser("coda", help="print the statements and movements of a CODA bank file")
    coda.add_argument("file", type=Path)
    coda.add_argument("--json", action="store_true", help="one JSON object {statements: [...]}")
    openapi = commands.add_parser("openapi", help="write the whole API's OpenAPI 3.1 document")
    openapi.add_argument("--out", type=Path, help="file to write (default: standard output)")
    migrate = commands.add_parser("migrate", help="bring stored items written by earlier versions up to date")
    migrate.add_argument("what", choices=["documents"], help="documents: list keys, summaries, box counters")
    migrate.add_argument("--company", action="append", default=[], help="only this company id (repeatable)")
    migrate.add_argument(
        "--table",
        default=os.environ.get("COMPTOIR_TABLE_NAME", "comptoir-table"),
        help="the table (default $COMPTOIR_TABLE_NAME, else the local stack's comptoir-table)",
    )
    migrate.add_argument(
        "--endpoint",
        default=os.environ.get("AWS_ENDPOINT_URL"),
        help="AWS endpoint (the local stack: http://127.0.0.1:4566; default $AWS_ENDPOINT_URL, else AWS)",
    )
    args = parser.parse_args(argv)
    if args.command == "migrate":
        return _migrate(args)
    if args.command == "coda":
        from comptoir_core.bank.command import coda_command

        return coda_command(args.file, as_json=args.json)
    if args.command == "openapi":
        return _openapi(args.out)
    if args.command == "up":
        return _up(args)
    if args.command == "extract":
        from comptoir_pdf.recognition.command import extract_command

        return extract_command(
            args.file, as_json=args.json, company_vat=args.company_vat, company_ibans=args.company_iban
        )
    return 2


def _openapi(out: Path | None) -> int:
    import json

    from comptoir_infra.local.apps import load_all
    from comptoir_infra.openapi import merged_document

    text = json.dumps(merged_document(load_all()), indent=2, sort_keys=True) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text)
    return 0


def _migrate(args) -> int:
    """Migrate one company at a time (each idempotent: a run stopped anywhere is simply run again)."""
    if args.endpoint:
        os.environ["AWS_ENDPOINT_URL"] = args.endpoint
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            os.environ.setdefault(name, "local")  # the local stack takes any credentials
        os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    from comptoir_core.documents.migration import company_ids, migrate_company
    from comptoir_core.repository import Repository

    repo = Repository(args.table)
    companies = args.company or company_ids(repo=repo)
    for company_id in companies:
        report = migrate_company(repo=repo, company_id=company_id)
        print(
            f"{company_id}: {report.read} documents read, {report.rewritten} rewritten,"
            f" {report.children_written} events and remarks given their own items; boxes {report.counts}",
            flush=True,
        )
    print(f"{len(companies)} companies migrated")
    return 0


def _up(args) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    # The embedded parts are chatty at INFO: one line per AWS call or SMTP connection.
    for chatty in ("werkzeug", "mail.log", "botocore", "moto"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    from comptoir_infra.local.stack import STOP_BUDGET_S, LocalStack, Options

    stack = LocalStack(
        Options(
            port=args.port,
            smtp_port=args.smtp_port,
            aws_port=args.aws_port,
            data_dir=args.data,
            reset=args.reset,
            demo_password=os.environ.get("COMPTOIR_DEMO_PASSWORD") or None,
            snapshot_every_s=_seconds(os.environ.get("COMPTOIR_SNAPSHOT_SECONDS", "30")),
        )
    )
    stopping = threading.Event()

    def on_signal(*_) -> None:
        # Signals reach the main thread only, and it only waits: none is lost to a worker thread. A
        # second signal while stopping changes nothing; the watchdog ends the process in any case.
        if not stopping.is_set():
            stopping.set()
            _watchdog(STOP_BUDGET_S)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, on_signal)
    try:
        stack.start()
    except OSError as error:
        print(
            f"comptoir up: cannot start: {error} (is another instance running? see --port/--aws-port)",
            file=sys.stderr,
        )
        stack.stop()
        return 1
    print(stack.banner(), flush=True)
    while not stopping.wait(1):  # a timed wait: the main thread stays ready for signals
        pass
    print("stopping…", flush=True)
    stack.stop()
    print("stopped; state saved in", args.data, flush=True)
    # The state is saved and every part stopped: leave now, without the interpreter's own shutdown
    # (joining leftover threads, tearing down moto's state), which can take seconds on a busy machine.
    logging.shutdown()
    sys.stderr.flush()
    os._exit(0)


def _watchdog(seconds: float) -> None:
    """End the process `seconds` after a stop began, whatever still runs (the state is saved first)."""

    def expire() -> None:
        print(f"comptoir up: not stopped after {seconds} s; exiting", file=sys.stderr, flush=True)
        os._exit(3)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


if __name__ == "__main__":
    sys.exit(main())
