"""Create the spec's resources in the embedded AWS: the same list CDK builds from."""

import json
from dataclasses import dataclass, field

import boto3

from comptoir_infra.spec import (
    APPROVAL_CHAIN,
    APPROVALS_QUEUE,
    DROPBOX_QUEUE,
    INCOMING_QUEUE,
    SPEC,
    TOKENS_KEY,
    browser_upload_cors,
)

ACCOUNT_ID = "123456789012"  # moto's default account
# The domain of the apps' sender address (COMPTOIR_MAIL_SENDER): verified, as SES requires before sending.
SENDER_DOMAIN = "comptoir.local"


@dataclass(frozen=True)
class LocalResources:
    region: str
    endpoint: str
    table_name: str
    bucket_names: dict[str, str]
    queue_urls: dict[str, str]
    user_pool_id: str
    user_pool_client_id: str
    user_pool_arn: str
    inbound_domain: str
    key_ids: dict[str, str]
    topic_arns: dict[str, str] = field(default_factory=dict)
    state_machine_arns: dict[str, str] = field(default_factory=dict)

    def app_environment(self) -> dict[str, str]:
        """What CDK's stage_config gives each app in AWS, here for the local stack."""
        names = SPEC.env
        return {
            names["stage"]: "local",
            names["table"]: self.table_name,
            names["documents_bucket"]: self.bucket_names["documents"],
            names["user_pool_id"]: self.user_pool_id,
            names["user_pool_client_id"]: self.user_pool_client_id,
            names["user_pool_arn"]: self.user_pool_arn,
            names["inbound_domain"]: self.inbound_domain,
            names["textract_enabled"]: "false",
            names["dropbox_queue_url"]: self.queue_urls[DROPBOX_QUEUE],
            names["documents_queue_url"]: self.queue_urls[INCOMING_QUEUE],
            names["tokens_key_id"]: self.key_ids[TOKENS_KEY],
            names["approval_chain_arn"]: self.state_machine_arns[APPROVAL_CHAIN],
            names["approvals_queue_url"]: self.queue_urls[APPROVALS_QUEUE],
        }


def local_name(resource_id: str) -> str:
    return f"comptoir-{resource_id}"


def provision(
    *, endpoint: str, region: str, inbound_domain: str, portal_origin: str | None = None
) -> LocalResources:
    session = boto3.session.Session(region_name=region)
    dynamodb = session.client("dynamodb", endpoint_url=endpoint)
    s3 = session.client("s3", endpoint_url=endpoint)
    sqs = session.client("sqs", endpoint_url=endpoint)
    cognito = session.client("cognito-idp", endpoint_url=endpoint)
    kms = session.client("kms", endpoint_url=endpoint)
    sns = session.client("sns", endpoint_url=endpoint)
    stepfunctions = session.client("stepfunctions", endpoint_url=endpoint)
    # Notifications (approval reminders, …) leave from the inbound domain, verified as SES wants.
    session.client("ses", endpoint_url=endpoint).verify_domain_identity(Domain=inbound_domain)

    table_name = _table(dynamodb)
    queue_urls = _queues(sqs)
    topic_arns = _topics(sns, sqs, queue_urls)
    bucket_names = _buckets(s3, region, portal_origin)
    pool_id, pool_arn, client_id = _user_pool(cognito)
    session.client("ses", endpoint_url=endpoint).verify_domain_identity(Domain=SENDER_DOMAIN)
    return LocalResources(
        region=region,
        endpoint=endpoint,
        table_name=table_name,
        bucket_names=bucket_names,
        queue_urls=queue_urls,
        user_pool_id=pool_id,
        user_pool_client_id=client_id,
        user_pool_arn=pool_arn,
        inbound_domain=inbound_domain,
        key_ids=_keys(kms),
        topic_arns=topic_arns,
        state_machine_arns=_state_machines(stepfunctions, queue_urls),
    )


def _topics(sns, sqs, queue_urls: dict[str, str]) -> dict[str, str]:
    """The spec's SNS topics, each subscribed by its queue (SNS's envelope, as in AWS)."""
    arns = {}
    for topic in SPEC.topics:
        arn = sns.create_topic(Name=local_name(topic.id))["TopicArn"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_urls[topic.queue], AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn)
        arns[topic.id] = arn
    return arns


def _table(dynamodb) -> str:
    table = SPEC.table
    name = local_name(table.id)
    key_names = {table.partition_key, table.sort_key}
    for index in table.indexes:
        key_names |= {index.partition_key, index.sort_key}
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in sorted(key_names)],
        KeySchema=[
            {"AttributeName": table.partition_key, "KeyType": "HASH"},
            {"AttributeName": table.sort_key, "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": index.name,
                "KeySchema": [
                    {"AttributeName": index.partition_key, "KeyType": "HASH"},
                    {"AttributeName": index.sort_key, "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in table.indexes
        ],
    )
    dynamodb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute}
    )
    return name


def _queues(sqs) -> dict[str, str]:
    urls = {}
    for queue in SPEC.queues:
        dlq_url = sqs.create_queue(QueueName=local_name(queue.dlq_id))["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        redrive = {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(queue.max_receive_count)}
        # The app's @on_sqs_message names the queue by its spec id, so the local queue carries that name.
        urls[queue.id] = sqs.create_queue(
            QueueName=queue.id,
            Attributes={
                "VisibilityTimeout": str(queue.visibility_timeout_s),
                "RedrivePolicy": json.dumps(redrive),
            },
        )["QueueUrl"]
        urls[queue.dlq_id] = dlq_url
    return urls


def _state_machines(stepfunctions, queue_urls: dict[str, str]) -> dict[str, str]:
    """The spec's state machines from their ASL files, as CDK loads them. moto executes them only when its
    Step Functions execution is switched on before they are made (the local stack does it, and tests)."""
    return {
        machine.id: stepfunctions.create_state_machine(
            name=local_name(machine.id),
            definition=machine.definition_with(queue_urls),
            roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/{local_name(machine.id)}",
        )["stateMachineArn"]
        for machine in SPEC.state_machines
    }


def _keys(kms) -> dict[str, str]:
    """The spec's KMS keys. moto makes new key material each start: what a previous run encrypted
    (a linked Dropbox's token) cannot be read after a restart, and the link asks to be made again."""
    made = {
        key.id: kms.create_key(Description=key.description, KeyUsage="ENCRYPT_DECRYPT") for key in SPEC.keys
    }
    return {key_id: answer["KeyMetadata"]["KeyId"] for key_id, answer in made.items()}


def _buckets(s3, region: str, portal_origin: str | None = None) -> dict[str, str]:
    names = {}
    for bucket in SPEC.buckets:
        name = local_name(bucket.id)
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
        if bucket.versioned:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        if bucket.expiring:
            s3.put_bucket_lifecycle_configuration(
                Bucket=name,
                LifecycleConfiguration={
                    "Rules": [
                        {
                            "ID": f"expire-{prefix.strip('/')}",
                            "Filter": {"Prefix": prefix},
                            "Status": "Enabled",
                            "Expiration": {"Days": days},
                            "NoncurrentVersionExpiration": {"NoncurrentDays": days},
                        }
                        for prefix, days in bucket.expiring
                    ]
                },
            )
        if bucket.browser_uploads and portal_origin:
            # moto's S3 answers preflights from the bucket's CORS (403 to any other origin), as AWS does.
            s3.put_bucket_cors(
                Bucket=name, CORSConfiguration={"CORSRules": [browser_upload_cors(portal_origin)]}
            )
        names[bucket.id] = name
    return names


def connect_notifications(resources: LocalResources) -> None:
    """S3 object-created events to their queues. Separate, so restoring a snapshot triggers nothing."""
    session = boto3.session.Session(region_name=resources.region)
    s3 = session.client("s3", endpoint_url=resources.endpoint)
    sqs = session.client("sqs", endpoint_url=resources.endpoint)
    for bucket in SPEC.buckets:
        if not bucket.notifications:
            continue
        configurations = []
        for notification in bucket.notifications:
            queue_arn = sqs.get_queue_attributes(
                QueueUrl=resources.queue_urls[notification.queue], AttributeNames=["QueueArn"]
            )["Attributes"]["QueueArn"]
            configurations.append(
                {
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": notification.prefix}]}},
                }
            )
        s3.put_bucket_notification_configuration(
            Bucket=resources.bucket_names[bucket.id],
            NotificationConfiguration={"QueueConfigurations": configurations},
        )


def _user_pool(cognito) -> tuple[str, str, str]:
    spec = SPEC.user_pool
    pool = cognito.create_user_pool(
        PoolName=local_name(spec.id),
        Policies={
            "PasswordPolicy": {
                "MinimumLength": spec.password_min_length,
                "RequireUppercase": True,
                "RequireLowercase": True,
                "RequireNumbers": True,
                "RequireSymbols": False,
            }
        },
        AutoVerifiedAttributes=["email"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
    )["UserPool"]
    client = cognito.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName=local_name(spec.client_id),
        GenerateSecret=False,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        # The id token carries the e-mail, as Cognito's default client does: it names who did what.
        ReadAttributes=["email", "email_verified"],
        AccessTokenValidity=spec.access_token_minutes,
        IdTokenValidity=spec.access_token_minutes,
        RefreshTokenValidity=spec.refresh_token_days,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
    )["UserPoolClient"]
    return pool["Id"], pool["Arn"], client["ClientId"]
