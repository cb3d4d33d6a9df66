"""Start time and idle memory of the local stack (`comptoir up`).

Start: from launching the process to the first `GET /health` answering 200, on a fresh data folder
(provisioning and demo data) and on a restart (restoring the snapshot). Idle memory: the resident
set of the process after it has been up and idle for a few seconds. Stop: from SIGTERM (what Ctrl-C
does) to the process's exit, the last snapshot written.
Targets (issue #2): start under 5 s, idle memory under 400 MB, stop within 5 s, on the 2-core machine.
"""

import argparse
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def start_once(data_dir: Path, idle_s: float) -> tuple[float, float, float]:
    port = free_port()
    arguments = [str(COMPTOIR), "up", "--port", str(port), "--smtp-port", str(free_port())]
    arguments += ["--aws-port", str(free_port()), "--data", str(data_dir)]
    environment = {**os.environ, "COMPTOIR_DEMO_PASSWORD": "Bench-Password-42"}
    started = time.monotonic()
    process = subprocess.Popen(
        arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment
    )
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"comptoir up exited with {process.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.02)
        elapsed = time.monotonic() - started
        time.sleep(idle_s)
        memory = resident_mb(process.pid)
    finally:
        stopping = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
    return elapsed, memory, time.monotonic() - stopping


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=5.0, help="seconds idle before reading memory")
    args = parser.parse_args()
    rows = []
    for kind in ("fresh", "restart"):
        starts, memories, stops = [], [], []
        with tempfile.TemporaryDirectory() as folder:
            data_dir = Path(folder) / "data"
            if kind == "restart":
                start_once(data_dir, 0)  # make the snapshot to restore
            for _ in range(args.runs):
                if kind == "fresh" and data_dir.exists():
                    subprocess.run(["rm", "-rf", str(data_dir)], check=True)
                elapsed, memory, stop = start_once(data_dir, args.idle)
                starts.append(elapsed)
                memories.append(memory)
                stops.append(stop)
        rows.append((kind, statistics.median(starts), max(starts), max(memories), max(stops)))
    print(f"local stack, {args.runs} runs each, {os.cpu_count()} cores")
    print(f"{'start':<8} {'start median s':>15} {'start max s':>12} {'idle MB max':>12} {'stop max s':>11}")
    for kind, median_s, max_s, max_mb, max_stop in rows:
        print(f"{kind:<8} {median_s:>15.2f} {max_s:>12.2f} {max_mb:>12.0f} {max_stop:>11.2f}")


if __name__ == "__main__":
    main()
