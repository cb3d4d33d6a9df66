"""Latency of Dropbox's webhook: a signed notification until its 200, the accounts queued.

Dropbox wants an answer within seconds and retries (then disables the webhook) otherwise; the issue's
target is under 100 ms. Two measurements:

- "in process": the `dropbox_webhook` app's handler through chalice.test.Client, AWS in moto in the
  same process (signature check, body validation, one SQS SendMessageBatch per 10 accounts): the cost of
  our code with a near-free SQS.
- "over HTTP": the running local stack (`comptoir up` in a subprocess), the request through its gateway
  to the app, SQS in its embedded moto, while its pump and worker take the queued accounts: what a caller
  sees on the 2-core machine.

Each run posts a notification naming 1 account, then one naming 10 (one batch), `--requests` times each.
"""

import argparse
import hashlib
import hmac
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

COMPTOIR = Path(sys.executable).parent / "comptoir"
SECRET = "bench-app-secret"  # noqa: S105 (signs the benchmark's own notifications)


def notification(accounts: int, n: int) -> bytes:
    ids = [f"dbid:AAH4f99T0taONIb-bench{n:05d}x{a:02d}" for a in range(accounts)]
    return json.dumps({"list_folder": {"accounts": ids}, "delta": {"users": [1]}}).encode()


def signature(payload: bytes) -> str:
    return hmac.new(SECRET.encode(), payload, hashlib.sha256).hexdigest()


def summary(label: str, times_ms: list[float]) -> str:
    ordered = sorted(times_ms)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"{label:<24} {statistics.median(ordered):>9.1f} {p95:>9.1f} {ordered[-1]:>9.1f} {len(ordered):>6}"


def drain(queue_url: str) -> None:
    import boto3

    sqs = boto3.client("sqs")
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages"):
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )


def in_process(requests: int) -> list[str]:
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 (moto's dummy credentials)
        AWS_DEFAULT_REGION="eu-west-1",
        POWERTOOLS_METRICS_DISABLED="true",
        POWERTOOLS_LOG_LEVEL="WARNING",
        COMPTOIR_DROPBOX_APP_KEY="bench-app-key",
        COMPTOIR_DROPBOX_APP_SECRET=SECRET,
    )
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from chalice.test import Client
    from moto import mock_aws

    from comptoir_core import wiring
    from comptoir_infra.local.apps import load_app_module
    from comptoir_infra.local.provision import provision
    from comptoir_infra.spec import DROPBOX_QUEUE, SPEC

    rows = []
    with mock_aws():
        made = provision(endpoint=None, region="eu-west-1", inbound_domain="in.bench")
        os.environ.update(made.app_environment())
        wiring.reset()
        module = load_app_module(SPEC.app("dropbox_notifications"))
        with Client(module.app) as client:
            for accounts in (1, 10):
                times = []
                for n in range(requests + 5):
                    # moto's SQS looks at every message it holds on each send: take them off, untimed.
                    drain(made.queue_urls[DROPBOX_QUEUE])
                    payload = notification(accounts, n)
                    headers = {"Content-Type": "application/json", "X-Dropbox-Signature": signature(payload)}
                    started = time.perf_counter()
                    response = client.http.post("/webhook", headers=headers, body=payload)
                    elapsed = (time.perf_counter() - started) * 1000
                    assert response.status_code == 200, response.body
                    if n >= 5:  # the first calls make the SQS client
                        times.append(elapsed)
                rows.append(summary(f"in process, {accounts} account(s)", times))
    return rows


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def settle(aws_endpoint: str) -> None:
    import boto3

    sqs = boto3.client(
        "sqs",
        endpoint_url=aws_endpoint,
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 (the embedded moto's dummy credentials)
    )
    url = sqs.get_queue_url(QueueName="dropbox-accounts")["QueueUrl"]
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    while any(
        int(v) for v in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"].values()
    ):
        time.sleep(0.01)


def over_http(requests: int) -> list[str]:
    port = free_port()
    environment = {
        **os.environ,
        "COMPTOIR_DEMO_PASSWORD": "Bench-Password-42",
        "COMPTOIR_DROPBOX_APP_KEY": "bench-app-key",
        "COMPTOIR_DROPBOX_APP_SECRET": SECRET,
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
    environment.pop("AWS_ENDPOINT_URL", None)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        arguments = [str(COMPTOIR), "up", "--port", str(port), "--smtp-port", str(free_port())]
        aws_port = free_port()
        arguments += ["--aws-port", str(aws_port), "--data", str(Path(folder) / "data")]
        process = subprocess.Popen(
            arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/health", timeout=1) as response:  # noqa: S310
                        if response.status == 200:
                            break
                except OSError:
                    if time.monotonic() > deadline or process.poll() is not None:
                        raise RuntimeError("comptoir up did not start") from None
                    time.sleep(0.05)
            for accounts in (1, 10):
                times = []
                for n in range(requests + 5):
                    # moto's SQS slows down with every message it holds (real SQS does not): each
                    # notification is sent once the stack's worker has taken the previous ones.
                    settle(f"http://127.0.0.1:{aws_port}")
                    payload = notification(accounts, n)
                    request = urllib.request.Request(  # noqa: S310 (our own http://127.0.0.1 URL)
                        f"{url}/dropbox-notifications/webhook", data=payload, method="POST"
                    )
                    request.add_header("Content-Type", "application/json")
                    request.add_header("X-Dropbox-Signature", signature(payload))
                    started = time.perf_counter()
                    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                        response.read()
                        assert response.status == 200
                    if n >= 5:
                        times.append((time.perf_counter() - started) * 1000)
                rows.append(summary(f"over HTTP, {accounts} account(s)", times))
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)
    return rows


COLD_START = """
import time
started = time.perf_counter()
from comptoir_infra.local.apps import load_app_module
from comptoir_infra.spec import SPEC
load_app_module(SPEC.app("dropbox_notifications"))
{extra}
print((time.perf_counter() - started) * 1000)
"""


def cold_start(runs: int) -> list[str]:
    """A fresh interpreter importing the app (Lambda's init), as it is, and with the SDK imported too."""
    rows = []
    for label, extra in (
        ("app import (cold start)", ""),
        ("  same, with the SDK", "import comptoir_core.dropbox.sync"),
    ):
        times = [
            float(
                subprocess.run(
                    [sys.executable, "-P", "-c", COLD_START.format(extra=extra)],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            for _ in range(runs)
        ]
        rows.append(summary(label, times))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="notifications of each size, per mode")
    parser.add_argument("--cold-runs", type=int, default=5, help="fresh interpreters importing the app")
    args = parser.parse_args()
    rows = over_http(args.requests) + in_process(args.requests) + cold_start(args.cold_runs)
    print(f"Dropbox webhook latency, ms, {os.cpu_count()} cores")
    print(f"{'mode':<24} {'median':>9} {'p95':>9} {'max':>9} {'runs':>6}")
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
