"""E-mail intake: messages per minute through the local stack, and parse time by message size.

Through the stack (`comptoir up` started by the script, real SMTP): the must-show message (two PDFs
and a JPEG to Demo SRL's purchase address), first one at a time (latency: from the SMTP server's 250
to the three documents listed in Purchase with status inbox), then a burst of messages sent back to
back (throughput: messages imported per minute by ingest_email, and messages whose documents are all
through the documents pipeline per minute).

In process: `comptoir_core.mail.parse.parse_message` on messages of growing size (a text body, then
PDF attachments), the median time of the runs and the peak of Python's allocations (tracemalloc,
measured in a separate run since it slows allocation down).
"""

import os
import sys

# Run as a script, this file's folder comes first on the path, and its name would hide the standard
# library's `email` package (which smtplib and urllib import): take the folder off the path first.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != _HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import smtplib  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from comptoir_core.mail.parse import parse_message  # noqa: E402
from tests.mail.builders import attach, message, receipt_photo, ses_stored  # noqa: E402
from tests.samples import text_pdf  # noqa: E402

COMPTOIR = Path(sys.executable).parent / "comptoir"
PASSWORD = "Bench-Password-42"  # noqa: S105 (the throwaway demo data's)
MB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    def __init__(self, data_dir: Path):
        self.port, self.smtp_port, aws_port = free_port(), free_port(), free_port()
        arguments = [str(COMPTOIR), "up", "--port", str(self.port), "--smtp-port", str(self.smtp_port)]
        arguments += ["--aws-port", str(aws_port), "--data", str(data_dir)]
        environment = {**os.environ, "COMPTOIR_DEMO_PASSWORD": PASSWORD}
        environment.pop("AWS_ENDPOINT_URL", None)
        self.process = subprocess.Popen(
            arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.call("GET", "/health").get("status") == "ok":
                    break
            except OSError:
                time.sleep(0.1)
        token = self.call(
            "POST", "/accounts/login", {"email": "admin@demo.comptoir.local", "password": PASSWORD}
        )
        self.token = token["id_token"]
        self.company = self.call("GET", "/accounts/companies")[0]["id"]
        listed = self.call("GET", f"/accounts/companies/{self.company}/addresses")
        self.purchase = next(a["address"] for a in listed if a["mailbox"] == "purchase")

    def call(self, method: str, path: str, body=None):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
        )
        request.add_header("Content-Type", "application/json")
        if getattr(self, "token", None):
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.loads(response.read())

    def send(self, raw: bytes) -> None:
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30) as smtp:
            smtp.sendmail("bounce@supplier.be", [self.purchase], raw)

    def ready_documents(self, label: str) -> list[dict]:
        path = f"/documents/companies/{self.company}/mailboxes/purchase?label={label}&limit=200"
        return [d for d in self.call("GET", path)["documents"] if d["status"] != "received"]

    def imported(self, subject: str) -> bool:
        listed = self.call("GET", f"/ingest-email/companies/{self.company}/messages")
        return any(m["subject"] == subject and m["outcome"] != "receiving" for m in listed)

    def imported_messages(self) -> int:
        listed = self.call("GET", f"/ingest-email/companies/{self.company}/messages")
        return sum(1 for m in listed if m["outcome"] != "receiving")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def must_show_message(to: str, label: str) -> bytes:
    made = message(to=to, subject=f"Invoices #{label}", message_id=f"<{label}@supplier.be>")
    attach(made, text_pdf(f"Invoice 1 {label}"), "invoice-1.pdf", "application/pdf")
    attach(made, text_pdf(f"Invoice 2 {label}"), "invoice-2.pdf", "application/pdf")
    attach(made, receipt_photo(), "receipt.jpg", "image/jpeg")
    return made.as_bytes(policy=made.policy.clone(linesep="\r\n"))  # SMTP's line ends


def wait(predicate, timeout_s: float = 300):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise TimeoutError("the stack did not finish in time")


def through_the_stack(latency_runs: int, burst: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        stack = Stack(Path(folder) / "data")
        try:
            latencies, ingested = [], []
            for n in range(latency_runs):
                label = f"lat{n}"
                raw = must_show_message(stack.purchase, label)
                stack.send(raw)
                sent = time.monotonic()
                wait(lambda label=label: stack.imported(f"Invoices #{label}"))
                ingested.append(time.monotonic() - sent)
                wait(lambda label=label: len(stack.ready_documents(label)) == 3)
                latencies.append(time.monotonic() - sent)
            before = stack.imported_messages()
            raws = [must_show_message(stack.purchase, f"burst{n}") for n in range(burst)]
            started = time.monotonic()
            for raw in raws:
                stack.send(raw)
            accepted = time.monotonic() - started
            wait(lambda: stack.imported_messages() >= before + burst)
            imported = time.monotonic() - started
            wait(lambda: all(len(stack.ready_documents(f"burst{n}")) == 3 for n in range(burst)))
            documented = time.monotonic() - started
        finally:
            stack.stop()
    print(
        f"latency, 2 PDFs + 1 JPEG ({latency_runs} runs): imported by ingest_email after median "
        f"{statistics.median(ingested):.2f} s, max {max(ingested):.2f} s; 3 documents in inbox after "
        f"median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s"
    )
    print(
        f"burst of {burst} messages: SMTP accepted all in {accepted:.2f} s "
        f"({burst / accepted * 60:.0f}/min); ingest_email imported all in {imported:.2f} s "
        f"({burst / imported * 60:.0f} messages/min); all {3 * burst} documents in inbox after "
        f"{documented:.2f} s ({burst / documented * 60:.0f} messages/min)"
    )


def sized_messages() -> list[tuple[str, bytes]]:
    pdf = text_pdf(*(f"Invoice page {n}" for n in range(20)))
    made = []
    made.append(("text only, 4 KB", message(text="Hello " * 600).as_bytes()))
    one = attach(message(), text_pdf("Invoice"), "invoice.pdf", "application/pdf")
    made.append(("1 small PDF", one.as_bytes()))
    for target in (1 * MB, 10 * MB, 39 * MB):  # as stored: base64 makes attachments a third larger
        each = target * 3 // 4 // 4
        content = pdf + os.urandom(max(0, each - len(pdf)))  # incompressible, like a scan
        many = message()
        for n in range(4):
            attach(many, content, f"scan-{n}.pdf", "application/pdf")
        made.append((f"4 PDFs, {each * 4 / MB:.1f} MB", many.as_bytes()))
    return [(name, ses_stored(raw, recipient="x@in.comptoir.local")) for name, raw in made]


def parse_times(runs: int) -> None:
    print(f"{'message':<18} {'size MB':>8} {'parse ms (median)':>18} {'peak MB':>8} {'peak/size':>9}")
    for name, raw in sized_messages():
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            parse_message(raw)
            times.append((time.perf_counter() - started) * 1000)
        tracemalloc.start()
        parse_message(raw)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"{name:<18} {len(raw) / MB:>8.2f} {statistics.median(times):>18.1f} {peak / MB:>8.1f}"
            f" {peak / len(raw):>9.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency-runs", type=int, default=10)
    parser.add_argument("--burst", type=int, default=30, help="messages sent back to back")
    parser.add_argument("--parse-runs", type=int, default=5)
    parser.add_argument("--parse-only", action="store_true")
    parser.add_argument("--stack-only", action="store_true")
    args = parser.parse_args()
    if not args.stack_only:
        parse_times(args.parse_runs)
    if not args.parse_only:
        through_the_stack(args.latency_runs, args.burst)


if __name__ == "__main__":
    main()
