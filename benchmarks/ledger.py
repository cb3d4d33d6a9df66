"""A year of 100,000 ledger lines imported, and the dashboard answered from it (issue #14).

In process, against in-process moto (the table and bucket of the resource spec), as the import job and
the dashboard route run them:
- import: the JSON bytes parsed into the snapshot model, checked line by line, the year's sums per
  account and period and its open items computed, the normalised year written to S3 and its item to
  the table. Wall and CPU time (the CPU time is what a loaded machine does not distort), and the
  process's max RSS before and after (the JSON and the generated snapshot are held throughout).
- dashboard: `read_dashboard` (the route's one service call: the year items read, the figures added up
  from the stored sums) called --calls times; p50, p95, max. Target: p95 under 300 ms.

Run: .venv/bin/python benchmarks/ledger.py [--lines 100000] [--calls 200]
"""

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    # moto's fake credentials
    fake = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    os.environ.update(fake, AWS_DEFAULT_REGION="eu-west-1", POWERTOOLS_METRICS_DISABLED="true")
    os.environ.pop("AWS_ENDPOINT_URL", None)
    from moto import mock_aws

    from comptoir_core import wiring
    from comptoir_core.dashboard.service import read_dashboard
    from comptoir_core.ledger.models import LedgerSnapshot
    from comptoir_core.ledger.service import import_year
    from comptoir_infra.local.provision import provision
    from tests.ledger import sme

    snapshot = sme.big_year(args.lines)
    raw = json.dumps(snapshot).encode()
    lines = sum(len(e["lines"]) for e in snapshot["entries"])
    del snapshot
    with mock_aws():
        made = provision(endpoint=None, region="eu-west-1", inbound_domain="in.comptoir.test")
        for name, value in made.app_environment().items():
            os.environ[name] = value
        wiring.reset()
        company = "co_01jd0000000000000000000000"
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        started, cpu_started = time.perf_counter(), time.process_time()
        parsed = LedgerSnapshot.model_validate_json(raw)
        parse_s, parse_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        result = import_year(
            repo=wiring.repository(), blobs=wiring.blob_store(), company_id=company, fiscal_year="2025",
            snapshot=parsed,
        )  # fmt: skip
        total_s, total_cpu = time.perf_counter() - started, time.process_time() - cpu_started
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        del parsed
        times = []
        for _ in range(args.calls):
            t = time.perf_counter()
            read_dashboard(repo=wiring.repository(), company_id=company, fiscal_year="2025")
            times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(f"lines {lines}, entries {result.entries}, JSON {len(raw) / 1e6:.1f} MB")
    print(f"import: wall {total_s:.1f} s, CPU {total_cpu:.1f} s (parse: wall {parse_s:.1f} s, CPU {parse_cpu:.1f} s); "
          f"process max RSS {rss_before:.0f} MB before the import, {rss_after:.0f} MB after")  # fmt: skip
    p95 = times[int(len(times) * 0.95) - 1]
    print(f"dashboard over {args.calls} calls: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
          f"max {times[-1]:.1f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
