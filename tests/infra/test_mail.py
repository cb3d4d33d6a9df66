"""SES inbound: mail for the inbound domain is stored, raw, in the documents bucket under inbound/."""

from aws_cdk.assertions import Match

from comptoir_core.mail.store import INBOUND_PREFIX as READ_PREFIX
from comptoir_infra.local.smtp import INBOUND_PREFIX as LOCAL_PREFIX
from comptoir_infra.names import construct_name
from comptoir_infra.spec import DOCUMENTS_BUCKET, INBOUND_QUEUE, INBOUND_TOPIC, SPEC
from comptoir_infra.stack import INBOUND_PREFIX as SES_PREFIX

from .lookup import handler_function, one, queue_id, resources


def documents_bucket_id(template_json) -> str:
    return one(resources(template_json, "AWS::S3::Bucket", "DocumentsBucket"))[0]


def topic_id(template_json) -> str:
    return one(resources(template_json, "AWS::SNS::Topic", f"{construct_name(INBOUND_TOPIC)}Topic"))[0]


def test_mail_for_the_inbound_domain_is_stored_under_inbound_in_the_documents_bucket(template, template_json):
    template.has_resource_properties(
        "AWS::SES::ReceiptRule",
        {
            "Rule": Match.object_like(
                {
                    "Enabled": True,
                    "Recipients": [{"Ref": "InboundMailDomain"}],
                    "Actions": [
                        {
                            "S3Action": {
                                "BucketName": {"Ref": documents_bucket_id(template_json)},
                                "ObjectKeyPrefix": "inbound/",
                                "TopicArn": {"Ref": topic_id(template_json)},
                            }
                        }
                    ],
                }
            )
        },
    )


def test_ses_of_this_account_may_put_objects_only_under_inbound(template_json):
    bucket_id = documents_bucket_id(template_json)
    policy = one(
        {
            k: v
            for k, v in resources(template_json, "AWS::S3::BucketPolicy").items()
            if v["Properties"]["Bucket"] == {"Ref": bucket_id}
        }
    )[1]
    ses = [
        statement
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Principal") == {"Service": "ses.amazonaws.com"}
    ]
    assert ses == [
        {
            "Action": "s3:PutObject",
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
            "Effect": "Allow",
            "Principal": {"Service": "ses.amazonaws.com"},
            "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, "/inbound/*"]]},
        }
    ]


def test_the_prefix_ses_writes_to_is_the_one_ingest_email_reads_and_has_no_object_event():
    (bucket,) = [b for b in SPEC.buckets if b.id == DOCUMENTS_BUCKET]
    notified = {n.prefix: n.queue for n in bucket.notifications}
    assert SES_PREFIX == READ_PREFIX == LOCAL_PREFIX == "inbound/"
    assert SES_PREFIX not in notified  # SES's own notification tells more (every recipient, verdicts)


def test_ses_notifications_reach_the_mail_inbound_queue_through_sns(template_json):
    queue = queue_id(template_json, next(q for q in SPEC.queues if q.id == INBOUND_QUEUE))
    (subscription,) = [
        s["Properties"]
        for s in resources(template_json, "AWS::SNS::Subscription").values()
        if s["Properties"]["TopicArn"] == {"Ref": topic_id(template_json)}
    ]
    assert subscription["Protocol"] == "sqs"
    assert subscription["Endpoint"] == {"Fn::GetAtt": [queue, "Arn"]}
    assert subscription.get("RawMessageDelivery") in (None, False)  # SNS's envelope: the worker reads it


def test_a_stored_message_reaches_the_ingest_email_worker_through_its_queue(template_json):
    queue = next(q for q in SPEC.queues if q.id == INBOUND_QUEUE)
    function = handler_function(template_json, SPEC.app("ingest_email"), "on_inbound_message")
    (event,) = [e["Properties"] for e in function["Properties"]["Events"].values() if e["Type"] == "SQS"]
    assert event["Queue"] == {"Fn::GetAtt": [queue_id(template_json, queue), "Arn"]}
