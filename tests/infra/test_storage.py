"""The table, the buckets and the queues, as the spec describes them."""

import pytest
from aws_cdk.assertions import Match

from comptoir_infra.names import construct_name
from comptoir_infra.spec import SPEC

from .lookup import dlq_id, one, queue_id, resources

TABLE = SPEC.table
BUCKETS = {bucket.id: bucket for bucket in SPEC.buckets}
NOTIFICATIONS = [(bucket, n) for bucket in SPEC.buckets for n in bucket.notifications]
QUEUES = {queue.id: queue for queue in SPEC.queues}


def bucket_of(template_json, bucket_id: str) -> tuple[str, dict]:
    return one(resources(template_json, "AWS::S3::Bucket", f"{construct_name(bucket_id)}Bucket"))


def table_properties(template_json) -> dict:
    return one(resources(template_json, "AWS::DynamoDB::Table"))[1]["Properties"]


def test_the_table_keeps_point_in_time_recovery(template):
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}},
    )


def test_the_table_is_protected_from_deletion(template):
    template.has_resource(
        "AWS::DynamoDB::Table",
        {"Properties": Match.object_like({"DeletionProtectionEnabled": True}), "DeletionPolicy": "Retain"},
    )


def test_the_table_is_encrypted_at_rest_with_a_kms_key(template):
    template.has_resource_properties("AWS::DynamoDB::Table", {"SSESpecification": {"SSEEnabled": True}})


def test_the_table_bills_per_request(template):
    template.has_resource_properties("AWS::DynamoDB::Table", {"BillingMode": "PAY_PER_REQUEST"})


def test_the_table_has_the_spec_keys(template_json):
    assert table_properties(template_json)["KeySchema"] == [
        {"AttributeName": TABLE.partition_key, "KeyType": "HASH"},
        {"AttributeName": TABLE.sort_key, "KeyType": "RANGE"},
    ]


@pytest.mark.parametrize("index", TABLE.indexes, ids=lambda index: index.name)
def test_the_table_has_each_spec_index_with_every_attribute(template_json, index):
    indexes = {i["IndexName"]: i for i in table_properties(template_json)["GlobalSecondaryIndexes"]}
    assert indexes[index.name]["KeySchema"] == [
        {"AttributeName": index.partition_key, "KeyType": "HASH"},
        {"AttributeName": index.sort_key, "KeyType": "RANGE"},
    ]
    assert indexes[index.name]["Projection"] == {"ProjectionType": "ALL"}


def test_the_table_expires_items_through_the_spec_ttl_attribute(template):
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {"TimeToLiveSpecification": {"AttributeName": TABLE.ttl_attribute, "Enabled": True}},
    )


@pytest.mark.parametrize("bucket_id", BUCKETS)
def test_a_bucket_is_encrypted_at_rest(template_json, bucket_id):
    _, bucket = bucket_of(template_json, bucket_id)
    rules = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rules[0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")


@pytest.mark.parametrize("bucket_id", BUCKETS)
def test_a_bucket_blocks_every_kind_of_public_access(template_json, bucket_id):
    _, bucket = bucket_of(template_json, bucket_id)
    assert bucket["Properties"]["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }


@pytest.mark.parametrize("bucket_id", BUCKETS)
def test_a_bucket_refuses_requests_without_tls(template, template_json, bucket_id):
    logical_id, _ = bucket_of(template_json, bucket_id)
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": logical_id},
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                        )
                    ]
                )
            },
        },
    )


@pytest.mark.parametrize("bucket_id", BUCKETS)
def test_a_bucket_outlives_the_stack(template_json, bucket_id):
    _, bucket = bucket_of(template_json, bucket_id)
    assert (bucket["DeletionPolicy"], bucket["UpdateReplacePolicy"]) == ("Retain", "Retain")


@pytest.mark.parametrize("bucket_id", BUCKETS)
def test_a_bucket_keeps_versions_exactly_when_the_spec_says_so(template_json, bucket_id):
    _, bucket = bucket_of(template_json, bucket_id)
    status = bucket["Properties"].get("VersioningConfiguration", {}).get("Status")
    assert (status == "Enabled") is BUCKETS[bucket_id].versioned


@pytest.mark.parametrize(
    ("bucket", "notification"), NOTIFICATIONS, ids=[f"{b.id}:{n.prefix}" for b, n in NOTIFICATIONS]
)
def test_objects_created_under_a_spec_prefix_are_announced_to_its_queue(template_json, bucket, notification):
    bucket_logical_id, _ = bucket_of(template_json, bucket.id)
    configurations = [
        configuration
        for resource in resources(template_json, "Custom::S3BucketNotifications").values()
        if resource["Properties"]["BucketName"] == {"Ref": bucket_logical_id}
        for configuration in resource["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    ]
    expected = {
        "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": notification.prefix}]}},
        "QueueArn": {"Fn::GetAtt": [queue_id(template_json, QUEUES[notification.queue]), "Arn"]},
    }
    assert expected in configurations


@pytest.mark.parametrize("queue", SPEC.queues, ids=lambda queue: queue.id)
def test_a_queue_hands_a_failing_message_to_its_dlq_after_the_spec_receive_count(template_json, queue):
    properties = template_json["Resources"][queue_id(template_json, queue)]["Properties"]
    assert properties["RedrivePolicy"] == {
        "deadLetterTargetArn": {"Fn::GetAtt": [dlq_id(template_json, queue), "Arn"]},
        "maxReceiveCount": queue.max_receive_count,
    }


@pytest.mark.parametrize("queue", SPEC.queues, ids=lambda queue: queue.id)
def test_a_queue_hides_a_received_message_for_the_spec_visibility_timeout(template_json, queue):
    properties = template_json["Resources"][queue_id(template_json, queue)]["Properties"]
    assert properties["VisibilityTimeout"] == queue.visibility_timeout_s


@pytest.mark.parametrize("queue", SPEC.queues, ids=lambda queue: queue.id)
def test_a_queue_and_its_dlq_are_encrypted_at_rest(template_json, queue):
    for logical_id in (queue_id(template_json, queue), dlq_id(template_json, queue)):
        assert template_json["Resources"][logical_id]["Properties"]["SqsManagedSseEnabled"] is True


@pytest.mark.parametrize("queue", SPEC.queues, ids=lambda queue: queue.id)
def test_a_queue_and_its_dlq_refuse_requests_without_tls(template, template_json, queue):
    for logical_id in (queue_id(template_json, queue), dlq_id(template_json, queue)):
        template.has_resource_properties(
            "AWS::SQS::QueuePolicy",
            {
                "Queues": Match.array_with([{"Ref": logical_id}]),
                "PolicyDocument": {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {"Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
                            )
                        ]
                    )
                },
            },
        )


@pytest.mark.parametrize("bucket_id", [b for b, bucket in BUCKETS.items() if bucket.expiring])
def test_working_material_expires_and_nothing_else_does(template_json, bucket_id):
    _, bucket = bucket_of(template_json, bucket_id)
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]

    assert {(r["Prefix"], r["ExpirationInDays"]) for r in rules} == set(BUCKETS[bucket_id].expiring)
    assert all(r["Status"] == "Enabled" and r["Prefix"] not in ("", "incoming/") for r in rules)
