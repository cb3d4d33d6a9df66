"""The local stack's buckets follow the spec as CDK's do: versioned, and working material expiring."""

import boto3

from comptoir_infra.spec import SPEC


def test_the_local_buckets_are_versioned_and_expire_what_the_spec_says(resources):
    s3 = boto3.client("s3")
    for bucket in SPEC.buckets:
        name = resources.bucket_names[bucket.id]
        versioning = s3.get_bucket_versioning(Bucket=name).get("Status")
        rules = s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"] if bucket.expiring else []

        assert versioning == ("Enabled" if bucket.versioned else None)
        assert {(r["Filter"]["Prefix"], r["Expiration"]["Days"]) for r in rules} == set(bucket.expiring)
