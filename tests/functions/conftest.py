"""Per-function tests: each Chalice app through chalice.test.Client, against in-process moto."""

import json

import boto3
import pytest
from chalice.test import Client

from comptoir_infra.local.apps import load_app_module
from comptoir_infra.local.provision import connect_notifications
from comptoir_infra.spec import SPEC

ADMIN = "admin@demo.comptoir.local"
USER = "user@demo.comptoir.local"
ACCOUNTANT = "accountant@demo.comptoir.local"
OTHER_ADMIN = "admin@other.comptoir.local"


class Api:
    """A thin caller over chalice.test.Client that sends JSON and a user's token."""

    def __init__(self, client: Client, id_token):
        self._client = client
        self._id_token = id_token

    def call(
        self,
        method: str,
        path: str,
        *,
        as_user: str | None = None,
        body=None,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ):
        headers = {"Content-Type": content_type, "Accept": "*/*"}
        if as_user:
            headers["Authorization"] = self._id_token(as_user)
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        return getattr(self._client.http, method.lower())(path, headers=headers, body=payload)


def api_for(app_name: str):
    @pytest.fixture
    def fixture(id_token):
        module = load_app_module(SPEC.app(app_name))
        with Client(module.app) as client:
            yield Api(client, id_token)

    return fixture


accounts_api = api_for("accounts")
documents_api = api_for("documents")


@pytest.fixture
def pump(resources):
    """Deliver what S3 notified to a queue, through the consuming app's handler, as Lambda would.

    The bucket notifications are connected to the moto queues, so an object put under a watched
    prefix really produces its event; `pump(queue_id)` drains the queue and returns the handlers'
    answers (batchItemFailures)."""
    connect_notifications(resources)
    sqs = boto3.client("sqs")
    clients: dict[str, Client] = {}

    def deliver(queue_id: str = "documents-incoming") -> list[dict]:
        queue = next(q for q in SPEC.queues if q.id == queue_id)
        if queue.consumer_app not in clients:
            clients[queue.consumer_app] = Client(load_app_module(SPEC.app(queue.consumer_app)).app)
        client = clients[queue.consumer_app]
        answers = []
        while True:
            received = sqs.receive_message(
                QueueUrl=resources.queue_urls[queue_id], MaxNumberOfMessages=queue.batch_size
            ).get("Messages", [])
            if not received:
                return answers
            event = client.events.generate_sqs_event(
                queue_name=queue_id, message_bodies=[m["Body"] for m in received]
            )
            answers.append(client.lambda_.invoke(queue.consumer_handler, event).payload)
            for message in received:
                sqs.delete_message(
                    QueueUrl=resources.queue_urls[queue_id], ReceiptHandle=message["ReceiptHandle"]
                )

    return deliver


def body(response) -> dict | list:
    return json.loads(response.body)


@pytest.fixture
def executing_resources(aws_env, monkeypatch):
    """As tests/conftest.py's `resources`, with moto's Step Functions execution on before the approval
    chain is created (a module that runs chains overrides `resources` with this)."""
    from moto import mock_aws

    from comptoir_core import wiring
    from comptoir_infra.local.provision import provision
    from tests.conftest import REGION

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        made = provision(endpoint=None, region=REGION, inbound_domain="in.comptoir.test")
        for name, value in made.app_environment().items():
            monkeypatch.setenv(name, value)
        wiring.reset()
        yield made
        wiring.reset()
