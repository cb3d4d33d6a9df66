"""`comptoir up`: start every part of the local stack, in order, and stop them all."""

import json
import logging
import os
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from moto.server import ThreadedMotoServer

from comptoir_core import wiring
from comptoir_core.approvals import service as approvals
from comptoir_core.settings import get_settings
from comptoir_infra.local import demo, moto_patches, outbox, snapshot
from comptoir_infra.local.apps import load_all
from comptoir_infra.local.dropbox_poll import DropboxPoller
from comptoir_infra.local.gateway import Gateway
from comptoir_infra.local.provision import LocalResources, connect_notifications, provision
from comptoir_infra.local.pump import QueuePump
from comptoir_infra.local.schedules import ScheduleTimer
from comptoir_infra.local.smtp import InboundMailHandler, start_smtp
from comptoir_infra.local.tokens import TokenVerifier
from comptoir_infra.spec import INBOUND_TOPIC

log = logging.getLogger("comptoir.local")
# A stop (Ctrl-C, SIGTERM) ends the process within this many seconds, the state saved.
STOP_BUDGET_S = 5

HOST = "127.0.0.1"  # loopback only, always
REGION = "eu-west-1"
INBOUND_DOMAIN = "in.comptoir.local"


@dataclass(frozen=True)
class Options:
    port: int = 8000
    smtp_port: int = 2525
    aws_port: int = 4566
    data_dir: Path = Path(".comptoir-data")
    reset: bool = False
    demo_password: str | None = None
    snapshot_every_s: float = 30
    # The scheduled handlers (approval reminders) run this often locally.
    schedule_every_s: float = 60


class LocalStack:
    def __init__(self, options: Options):
        self.options = options
        self.resources: LocalResources | None = None
        self.demo_password = ""
        self.restored = False
        self._moto: ThreadedMotoServer | None = None
        self._gateway: Gateway | None = None
        self._pump: QueuePump | None = None
        self._smtp = None
        self._dropbox: DropboxPoller | None = None
        self._schedules: ScheduleTimer | None = None
        self._snapshots_stop = threading.Event()
        self._snapshot_lock = threading.Lock()
        self._snapshot_thread: threading.Thread | None = None
        self._last_state: snapshot.State | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.options.port}"

    def start(self) -> None:
        options = self.options
        _ensure_free(options.port, options.smtp_port, options.aws_port)
        # moto's Step Functions executor calls the embedded server itself, at localhost:$MOTO_PORT.
        os.environ["MOTO_PORT"] = str(options.aws_port)
        moto_patches.apply()  # Query reads its page, not the whole table sorted (see the module)
        self._moto = ThreadedMotoServer(ip_address=HOST, port=options.aws_port, verbose=False)
        self._moto.start()
        endpoint = f"http://{HOST}:{options.aws_port}"
        _point_sdk_at(endpoint)
        _execute_state_machines(endpoint)

        self.resources = provision(
            endpoint=endpoint, region=REGION, inbound_domain=INBOUND_DOMAIN, portal_origin=self.url
        )
        os.environ.update(self.resources.app_environment())
        # Dropbox sends the browser back here after consent (http is allowed for loopback addresses).
        os.environ.setdefault("COMPTOIR_DROPBOX_REDIRECT_URL", f"{self.url}/dropbox-webhook/oauth/callback")
        # The links in the e-mails (invitations, new messages) point at this stack.
        os.environ.setdefault("COMPTOIR_PORTAL_ORIGIN", self.url)
        wiring.reset()
        self._load_or_seed()
        if self.restored:
            # The table came back, the running executions did not: pending approval chains start again.
            approvals.resume_chains(repo=wiring.repository(), settings=get_settings())
        connect_notifications(self.resources)

        modules = load_all()
        self._pump = QueuePump(
            modules=modules, queue_urls=self.resources.queue_urls, endpoint=endpoint, region=REGION
        )
        self._pump.start()
        self._schedules = ScheduleTimer(modules=modules, every_s=options.schedule_every_s)
        self._schedules.start()
        # No webhook reaches a laptop: linked Dropbox accounts are long-polled instead.
        self._dropbox = DropboxPoller()
        self._dropbox.start()
        self._smtp = start_smtp(
            host=HOST,
            port=options.smtp_port,
            handler=InboundMailHandler(
                bucket=self.resources.bucket_names["documents"],
                inbound_domain=INBOUND_DOMAIN,
                endpoint=endpoint,
                region=REGION,
                is_known=demo.is_mailbox_address,
                topic_arn=self.resources.topic_arns[INBOUND_TOPIC],
            ),
        )
        verifier = TokenVerifier(
            jwks_url=f"{endpoint}/{self.resources.user_pool_id}/.well-known/jwks.json",
            issuer=f"https://cognito-idp.{REGION}.amazonaws.com/{self.resources.user_pool_id}",
            client_id=self.resources.user_pool_client_id,
        )
        self._gateway = Gateway(
            modules=modules,
            verifier=verifier,
            host=HOST,
            port=options.port,
            local_pages={outbox.PATH: outbox.page_for(region=REGION)},
            # The portal sends big files straight to moto's S3, which the presigned forms name.
            upload_origin=endpoint,
        )
        self._gateway.start()
        self._snapshot_thread = threading.Thread(target=self._snapshot_loop, name="snapshots", daemon=True)
        self._snapshot_thread.start()
        self._gateway.ready.set()

    def stop(self) -> None:
        """Stop taking work, write the last snapshot, then stop the embedded AWS: within STOP_BUDGET_S
        (a worker thread mid-run is not waited for; its message comes back on the next start)."""
        started = time.monotonic()
        steps = []

        def step(name: str, action) -> None:
            at = time.monotonic()
            action()
            steps.append(f"{name} {time.monotonic() - at:.2f}s")

        if self._gateway:
            self._gateway.ready.clear()
            step("gateway", self._gateway.stop)
        # The parts that take work stop in parallel: each may wait for a poll or a connection to end.
        stoppers = [
            threading.Thread(target=part.stop, name=f"stop-{name}", daemon=True)
            for name, part in (
                ("smtp", self._smtp),
                ("dropbox", self._dropbox),
                ("pump", self._pump),
                ("schedules", self._schedules),
            )
            if part
        ]
        for thread in stoppers:
            thread.start()
        self._snapshots_stop.set()
        for thread in stoppers:
            thread.join(timeout=max(0.0, 1.5 - (time.monotonic() - started)))
        steps.append(f"workers {time.monotonic() - started:.2f}s")
        if self._snapshot_thread:
            self._snapshot_thread.join(timeout=1)
        if self.resources:
            step("snapshot", self.snapshot)
        if self._moto:
            step("aws", self._moto.stop)
        log.info("stopped in %.2f s (%s)", time.monotonic() - started, ", ".join(steps))

    def snapshot(self) -> None:
        with self._snapshot_lock:
            self.options.data_dir.mkdir(parents=True, exist_ok=True)
            self._last_state = snapshot.capture(
                self.resources,
                self.options.data_dir,
                demo_password=self.demo_password,
                previous=self._last_state,
            )

    def _load_or_seed(self) -> None:
        options = self.options
        state = None if options.reset else snapshot.load(options.data_dir)
        if state is None:
            self.demo_password = options.demo_password or demo.new_password()
            demo.seed(password=self.demo_password)
            self.snapshot()
            return
        snapshot.restore(self.resources, options.data_dir, state)
        self._last_state = state
        self.restored = True
        self.demo_password = options.demo_password or state.demo_password or demo.new_password()
        if self.demo_password != state.demo_password:
            demo.set_passwords(password=self.demo_password)

    def _snapshot_loop(self) -> None:
        while not self._snapshots_stop.wait(self.options.snapshot_every_s):
            try:
                self.snapshot()
            except Exception:
                log.exception("snapshot failed; the next one tries again")

    def banner(self) -> str:
        resources = self.resources
        logins = "\n".join(
            f"    {user.email:<32} "
            + ", ".join(f"{company} ({role.value})" for company, role in user.roles.items())
            for user in demo.DEMO_USERS
        )
        origin = "restored from" if self.restored else "new demo data in"
        return (
            f"Comptoir is up ({origin} {self.options.data_dir})\n"
            f"  API        {self.url}/<app>/…   health: {self.url}/health\n"
            f"  apps       " + ", ".join(f"/{a}" for a in self._gateway.mounts) + "\n"
            f"  outbox     {self.url}{outbox.PATH} (every e-mail sent, newest first)\n"
            f"  SMTP       {HOST}:{self.options.smtp_port} (mail for the mailbox addresses)\n"
            f"{demo.address_lines()}"
            f"  AWS (moto) {resources.endpoint}\n"
            f"  demo logins (password: {self.demo_password})\n{logins}\n"
        )


def _execute_state_machines(endpoint: str) -> None:
    """Switch on moto's Step Functions execution (its config API; no environment variable does it). It
    must be on before the state machines are created."""
    request = urllib.request.Request(  # noqa: S310 (our own loopback server)
        f"{endpoint}/moto-api/config",
        data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (our own loopback server)
        response.read()


def _ensure_free(*ports: int) -> None:
    """Fail before starting anything, rather than half-way with a part already running."""
    for port in ports:
        with socket.socket() as probe:
            # As the servers themselves bind (SO_REUSEADDR): a port in TIME_WAIT after a stop is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((HOST, port))
            except OSError as error:
                raise OSError(f"port {port} on {HOST} is in use") from error


def _point_sdk_at(endpoint: str) -> None:
    """Every boto3 client in this process talks to the embedded AWS, through default resolution."""
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    os.environ["AWS_DEFAULT_REGION"] = REGION
    # No CloudWatch here: metrics would only be printed.
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "comptoir")
