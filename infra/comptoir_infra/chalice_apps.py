"""One Chalice app of the spec inside the CDK stack: its own role, its package, and the wiring Chalice
cannot know at package time (the real user pool behind the authorizer, the CDK queues behind its SQS
handlers, the Lambda runtime the layers are built for)."""

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import CfnCondition, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from chalice.cdk import Chalice
from chalice.utils import to_cfn_resource_name

from comptoir_infra.names import construct_name
from comptoir_infra.spec import App, Spec

# The runtime the layers' wheels are built for (comptoir_infra.layers). Chalice would pick the version of
# the Python that runs the synthesis, which is not necessarily the runtime's.
RUNTIME = lambda_.Runtime.PYTHON_3_12
API_STAGE = "api"
# Where Chalice's generated API puts the Cognito authorizer named "cognito" (comptoir_core.api).
AUTHORIZER_ARNS = "DefinitionBody.securityDefinitions.cognito.x-amazon-apigateway-authorizer.providerARNs"
# Actions an app that uses the pool needs (comptoir_core.identity): sign-in and the password policy (told in
# words when a password is too weak); and an app that creates users: creating, setting a first password,
# reading a user's last sign-in.
USER_POOL_ACTIONS = ["cognito-idp:InitiateAuth", "cognito-idp:DescribeUserPool"]
USER_ADMIN_ACTIONS = [
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminGetUser",
]
# Textract has no resource-level permissions: these actions can only be granted on "*".
TEXTRACT_ACTIONS = ["textract:AnalyzeExpense", "textract:DetectDocumentText"]


@dataclass(frozen=True)
class Resources:
    """What the stack made that an app may be given access to."""

    table: dynamodb.ITable
    documents_bucket: s3.IBucket
    user_pool: cognito.IUserPool
    queues: dict[str, sqs.IQueue]
    layers: dict[str, lambda_.ILayerVersion]
    textract_enabled: CfnCondition


@dataclass(frozen=True)
class ChaliceApi:
    app: App
    role: iam.Role
    chalice: Chalice

    @property
    def rest_api(self):
        return self.chalice.get_resource("RestAPI")


def add_chalice_app(
    stack: Stack, spec: Spec, app: App, resources: Resources, environment: dict[str, str], work_dir: Path
) -> ChaliceApi:
    name = construct_name(app.name)
    role = _role(stack, f"{name}Role", spec, app, resources)
    stage_config = {
        "api_gateway_stage": API_STAGE,
        # The custom domain is regional; its base path mappings point at regional APIs.
        "api_gateway_endpoint_type": "REGIONAL",
        "environment_variables": environment,
        "layers": [resources.layers[layer].layer_version_arn for layer in app.layers],
        "automatic_layer": False,
        "manage_iam_role": False,
        "iam_role_arn": role.role_arn,
        "lambda_memory_size": app.memory_mb,
        "lambda_timeout": app.timeout_s,
    }
    with _packaging(work_dir):
        chalice = Chalice(
            stack,
            name,
            source_dir=str(app.source_dir),
            stage_config=stage_config,
            # Every app has a RestAPI and an APIHandler: the ids must be made unique.
            preserve_logical_ids=False,
        )
    api = ChaliceApi(app=app, role=role, chalice=chalice)
    api.rest_api.add_property_override(AUTHORIZER_ARNS, [resources.user_pool.user_pool_arn])
    for function in _functions(chalice):
        function.add_property_override("Runtime", RUNTIME.name)
    for queue in spec.queues:
        if queue.consumer_app != app.name:
            continue
        function = _consume(chalice, queue.consumer_handler, resources.queues[queue.id], queue.batch_size)
        if queue.consumer_memory_mb:
            function.add_property_override("MemorySize", queue.consumer_memory_mb)
        if queue.consumer_timeout_s:
            function.add_property_override("Timeout", queue.consumer_timeout_s)
        if queue.dead_letter_handler:
            dlq = resources.queues[queue.id].dead_letter_queue.queue
            _consume(chalice, queue.dead_letter_handler, dlq, 10)
    return api


def _consume(chalice: Chalice, handler: str, queue: sqs.IQueue, batch_size: int):
    """Point the handler's SQS event at the CDK queue (Chalice only knows the queue's name)."""
    function_id = to_cfn_resource_name(handler)  # how Chalice names a handler's function and event
    prefix = f"Events.{function_id}SqsEventSource.Properties"
    function = chalice.get_resource(function_id)
    function.add_property_override(f"{prefix}.Queue", queue.queue_arn)
    function.add_property_override(f"{prefix}.BatchSize", batch_size)
    # Handlers answer with Powertools' partial batch response: without this, Lambda ignores it and
    # deletes the records that failed along with those that succeeded.
    function.add_property_override(f"{prefix}.FunctionResponseTypes", ["ReportBatchItemFailures"])
    return function


def _functions(chalice: Chalice):
    for child in chalice.sam_template.node.children:
        if getattr(child, "cfn_resource_type", None) == "AWS::Serverless::Function":
            yield child


def _role(stack: Stack, role_id: str, spec: Spec, app: App, resources: Resources) -> iam.Role:
    """Only what the spec says the app uses, plus its logs."""
    role = iam.Role(
        stack,
        role_id,
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=f"Comptoir {app.name} functions",
        managed_policies=[
            iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSLambdaBasicExecutionRole")
        ],
    )
    if app.uses_table:
        resources.table.grant_read_write_data(role)
    if app.uses_documents_bucket:
        # Read and write, never delete: originals are kept unchanged forever. Only the named prefixes.
        bucket = resources.documents_bucket
        if app.bucket_reads or app.bucket_writes:
            for prefix in app.bucket_reads:
                bucket.grant_read(role, f"{prefix}*")
            for prefix in app.bucket_writes:
                bucket.grant_put(role, f"{prefix}*")
        else:
            bucket.grant_read(role)
            bucket.grant_put(role)
    if app.uses_user_pool:
        actions = USER_POOL_ACTIONS + (USER_ADMIN_ACTIONS if app.creates_users else [])
        role.add_to_policy(
            iam.PolicyStatement(actions=actions, resources=[resources.user_pool.user_pool_arn])
        )
    for queue in spec.queues:
        if queue.consumer_app == app.name:
            resources.queues[queue.id].grant_consume_messages(role)
            if queue.dead_letter_handler:
                resources.queues[queue.id].dead_letter_queue.queue.grant_consume_messages(role)
    if "pdf" in app.layers:
        _allow_textract(stack, role_id, role, resources.textract_enabled)
    return role


def _allow_textract(stack: Stack, role_id: str, role: iam.Role, enabled: CfnCondition) -> None:
    """Invoice recognition lives in the pdf layer; it may call Textract only when the stack enables it."""
    policy = iam.Policy(
        stack,
        f"{role_id}Textract",
        roles=[role],
        statements=[iam.PolicyStatement(actions=TEXTRACT_ACTIONS, resources=["*"])],
    )
    policy.node.default_child.cfn_options.condition = enabled


@contextlib.contextmanager
def _packaging(work_dir: Path) -> Iterator[None]:
    """Run `chalice package` for one app without leaking into the next one or into the caller.

    Chalice imports every app as the module `app` (so the previous one must leave sys.modules), copies
    the stage's environment into os.environ, and writes its packages under the working directory.
    """
    saved_environ = dict(os.environ)
    saved_path = list(sys.path)
    sys.modules.pop("app", None)
    work_dir.mkdir(parents=True, exist_ok=True)
    try:
        with contextlib.chdir(work_dir):
            yield
    finally:
        sys.modules.pop("app", None)
        sys.path[:] = saved_path
        os.environ.clear()
        os.environ.update(saved_environ)
