"""End-to-end: the real local stack (`comptoir up`) in a subprocess, over HTTP and SMTP."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import DEMO_PASSWORD

COMPTOIR = Path(sys.executable).parent / "comptoir"


def wait_for(predicate, timeout_s: float = 30):
    """Poll until `predicate` gives something truthy, and give it back (its last answer at the deadline).
    How fast things happen is measured in benchmarks/, never asserted here."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return predicate()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Http:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class RunningStack:
    process: subprocess.Popen
    port: int
    smtp_port: int
    aws_port: int
    data_dir: Path
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def aws_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.aws_port}"

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body=None,
        raw: bytes | None = None,
        content_type: str = "application/json",
        accept: str | None = "*/*",
        headers: dict[str, str] | None = None,
    ) -> Http:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        request.add_header("Content-Type", content_type)
        # As browsers do: API Gateway hands out a binary body only to a request that accepts it.
        if accept is not None:
            request.add_header("Accept", accept)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Http(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Http(error.code, dict(error.headers), error.read())

    def login(self, email: str, password: str = DEMO_PASSWORD) -> dict:
        response = self.request("POST", "/accounts/login", body={"email": email, "password": password})
        assert response.status == 200, response.body
        return response.json()

    def stop(self) -> None:
        """SIGTERM, as Ctrl-C would, and wait for the clean stop."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def start_stack(
    data_dir: Path,
    *extra: str,
    env: dict[str, str] | None = None,
    ports: tuple[int, int, int] | None = None,
) -> RunningStack:
    port, smtp_port, aws_port = ports or (free_port(), free_port(), free_port())
    log = data_dir.parent / f"{data_dir.name}-{port}.log"
    environment = {**os.environ, "COMPTOIR_DEMO_PASSWORD": DEMO_PASSWORD, **(env or {})}
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        environment.pop(name, None)
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                str(COMPTOIR),
                "up",
                "--port",
                str(port),
                "--smtp-port",
                str(smtp_port),
                "--aws-port",
                str(aws_port),
            ]
            + ["--data", str(data_dir), *extra],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=environment,
        )
    stack = RunningStack(process, port, smtp_port, aws_port, data_dir, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"comptoir up exited with {process.returncode}:\n{log.read_text()}")
        try:
            if stack.request("GET", "/health").status == 200:
                return stack
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"comptoir up did not become healthy:\n{log.read_text()}")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    running = start_stack(tmp_path_factory.mktemp("stack") / "data")
    yield running
    if running.process.poll() is None:
        running.stop()
