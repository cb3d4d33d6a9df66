"""SES inbound: mail for the inbound domain is stored, raw, in the documents bucket under inbound/."""

from aws_cdk.assertions import Match

from .lookup import one, resources


def documents_bucket_id(template_json) -> str:
    return one(resources(template_json, "AWS::S3::Bucket", "DocumentsBucket"))[0]


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
