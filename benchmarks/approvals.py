"""Invoice approval on the local stack, the approval chain executed by the embedded Step Functions.

Decision to visible: from the start of an approver's POST …/approve to the moment the document view shows
the caller the new status: after the first of two approvals (`to_approve_by_others`, written by the route)
and after the last (`approved`, written by the worker once the chain ended: SendTaskSuccess, the Map's end,
the chain's end message through SQS). Chains per minute: a burst of invoices, each needing two approvers,
approved in bulk by both; chains ended per minute from the first bulk decision. State transitions per
approved invoice: the `…StateEntered` events of each execution's history (what AWS bills a standard
workflow for), read from the embedded Step Functions.

    .venv/bin/python benchmarks/approvals.py [--runs 15] [--burst 20]
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import boto3

# The repository root instead of this folder: a benchmark file must never shadow a standard module.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from tests.e2e.conftest import start_stack  # noqa: E402 (one way to start the stack, shared with e2e)
from tests.samples import invoice_pdf  # noqa: E402

ADMIN = "admin@demo.comptoir.local"
USER = "user@demo.comptoir.local"
SUPPLIER = "BE0403170701"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def upload(stack, token, company, number: str) -> str:
    answer = stack.request(
        "POST",
        f"/documents/companies/{company}/mailboxes/purchase/documents?filename={number}.pdf",
        token=token,
        raw=invoice_pdf(supplier_vat=SUPPLIER, number=number, incl="1.500,00"),
        content_type="application/pdf",
    )
    assert answer.status == 202, answer.body
    return answer.json()["documents"][0]


def status(stack, token, company, did) -> str | None:
    return (
        stack.request("GET", f"/documents/companies/{company}/documents/{did}", token=token)
        .json()
        .get("approval_status")
    )


def waiting_for_both(stack, token, company, did) -> bool:
    """Both callback tasks recorded by the worker: what the chain waits for is known."""
    answer = stack.request("GET", f"/approvals/companies/{company}/documents/{did}", token=token)
    return answer.status == 200 and [a["event"] for a in answer.json()["audit"]].count("waiting") == 2


def until(predicate, timeout_s: float = 120, every_s: float = 0.02) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("not there in time")
        time.sleep(every_s)


def decide_and_see(stack, tokens, company, did, approver: str, expected: str) -> float:
    started = time.monotonic()
    answer = stack.request(
        "POST", f"/approvals/companies/{company}/documents/{did}/approve", token=tokens[approver], body={}
    )
    assert answer.status == 200, answer.body
    until(lambda: status(stack, tokens[approver], company, did) == expected)
    return time.monotonic() - started


def transitions(stack) -> list[int]:
    """StateEntered events of every succeeded execution: the billed state transitions of each chain."""
    client = boto3.client(
        "stepfunctions",
        endpoint_url=stack.aws_endpoint,
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106 (the embedded AWS takes any)
    )
    machine = client.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    counts = []
    for execution in client.list_executions(stateMachineArn=machine, statusFilter="SUCCEEDED")["executions"]:
        events = client.get_execution_history(executionArn=execution["executionArn"], maxResults=1000)[
            "events"
        ]
        counts.append(sum(1 for e in events if e["type"].endswith("StateEntered")))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--burst", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        stack = start_stack(Path(data_dir) / "data")
        try:
            tokens = {email: stack.login(email)["id_token"] for email in (ADMIN, USER)}
            company = stack.request("GET", "/accounts/companies", token=tokens[ADMIN]).json()[0]["id"]
            stack.request(
                "PUT",
                f"/approvals/companies/{company}/invoice-approval",
                token=tokens[ADMIN],
                body={"enabled": True},
            )
            stack.request(
                "POST",
                f"/approvals/companies/{company}/invoice-rules",
                token=tokens[ADMIN],
                body={"approvers": [ADMIN, USER], "suppliers": [SUPPLIER], "min_amount": "1000.00"},
            )

            first, last = [], []
            for n in range(args.runs):
                did = upload(stack, tokens[ADMIN], company, f"BENCH-{n}")
                until(lambda did=did: waiting_for_both(stack, tokens[ADMIN], company, did))
                first.append(decide_and_see(stack, tokens, company, did, ADMIN, "to_approve_by_others"))
                last.append(decide_and_see(stack, tokens, company, did, USER, "approved"))
            print(f"decision → visible, {args.runs} invoices approved by A then B, one at a time")
            for label, times in (("first approval", first), ("last approval", last)):
                print(
                    f"  {label:15} p50 {statistics.median(times) * 1000:6.0f} ms"
                    f"   p95 {percentile(times, 0.95) * 1000:6.0f} ms   max {max(times) * 1000:6.0f} ms"
                )

            burst = [upload(stack, tokens[USER], company, f"BURST-{n}") for n in range(args.burst)]
            for did in burst:
                until(lambda did=did: waiting_for_both(stack, tokens[ADMIN], company, did), every_s=0.1)
            started = time.monotonic()
            for approver in (ADMIN, USER):
                for chunk in range(0, len(burst), 10):  # as a client pages a long selection
                    answer = stack.request(
                        "POST",
                        f"/approvals/companies/{company}/decisions",
                        token=tokens[approver],
                        body={"kind": "invoice", "ids": burst[chunk : chunk + 10], "decision": "approve"},
                    )
                    assert all(r["ok"] for r in answer.json()["results"]), answer.body
            for did in burst:
                until(lambda did=did: status(stack, tokens[ADMIN], company, did) == "approved", every_s=0.1)
            elapsed = time.monotonic() - started
            print(
                f"throughput: {args.burst} chains (2 approvals each) decided in bulk, ended in {elapsed:.1f} s"
                f" = {args.burst / elapsed * 60:.0f} chains/min"
            )
            counts = transitions(stack)
            print(
                f"state transitions per approved invoice (2 approvers): {statistics.median(counts):.0f}"
                f" (min {min(counts)}, max {max(counts)}, {len(counts)} executions)"
            )
        finally:
            stack.stop()


if __name__ == "__main__":
    main()
