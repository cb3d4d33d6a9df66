"""The portal in AWS: web/dist from a private bucket behind CloudFront, the APIs on the same origin."""

import json
import shutil
import subprocess

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from comptoir_infra.local.web import APP_ROUTE_PREFIXES, content_security_policy
from comptoir_infra.names import construct_name
from comptoir_infra.spec import DOCUMENTS_BUCKET, SPEC
from comptoir_infra.web_hosting import (
    VIEWER_IP_HEADER,
    WebHosting,
    deep_link_function_code,
    viewer_ip_function_code,
)

from .lookup import one, resources

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER = "216adef6-5c7f-47e4-b989-5492eafa07d3"


def distribution(template_json) -> dict:
    return one(resources(template_json, "AWS::CloudFront::Distribution"))[1]["Properties"][
        "DistributionConfig"
    ]


def origin_of(config: dict, origin_id: str) -> dict:
    return next(o for o in config["Origins"] if o["Id"] == origin_id)


def test_the_distribution_answers_the_api_domain_over_tls_with_no_error_page_rewriting(template_json):
    config = distribution(template_json)
    assert config["Aliases"] == [{"Ref": "DomainName"}]
    assert config["ViewerCertificate"]["AcmCertificateArn"] == {"Ref": "CloudFrontCertificateArn"}
    assert config["ViewerCertificate"]["SslSupportMethod"] == "sni-only"
    # An API's 404 or 403 stays the API's JSON answer: never turned into index.html.
    assert "CustomErrorResponses" not in config
    assert config["DefaultRootObject"] == "index.html"


def test_every_app_base_path_goes_uncached_to_the_api_domain_with_everything_forwarded(template_json):
    config = distribution(template_json)
    by_path = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert set(by_path) == {f"/{app.base_path}/*" for app in SPEC.apps}
    domain_id, _ = one(resources(template_json, "AWS::ApiGateway::DomainName"))
    for behavior in by_path.values():
        assert behavior["CachePolicyId"] == CACHING_DISABLED
        assert behavior["OriginRequestPolicyId"] == ALL_VIEWER
        assert set(behavior["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
        assert behavior["ViewerProtocolPolicy"] == "https-only"
        origin = origin_of(config, behavior["TargetOriginId"])
        assert origin["DomainName"] == {"Fn::GetAtt": [domain_id, "RegionalDomainName"]}
        assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"


def test_the_rest_comes_from_a_private_bucket_through_origin_access_control(template_json):
    config = distribution(template_json)
    default = config["DefaultCacheBehavior"]
    origin = origin_of(config, default["TargetOriginId"])
    bucket_id, bucket = one(resources(template_json, "AWS::S3::Bucket", "PortalBucket"))
    assert origin["DomainName"] == {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]}
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    oac_id, _ = one(resources(template_json, "AWS::CloudFront::OriginAccessControl"))
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert bucket["Properties"]["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    # The bucket lets CloudFront read, and only this distribution.
    policy = one(resources(template_json, "AWS::S3::BucketPolicy", "PortalBucketPolicy"))[1]
    reads = [s for s in policy["Properties"]["PolicyDocument"]["Statement"] if s["Action"] == "s3:GetObject"]
    assert reads[0]["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "AWS:SourceArn" in json.dumps(reads[0]["Condition"])


def documents_bucket(template_json) -> tuple[str, dict]:
    return one(resources(template_json, "AWS::S3::Bucket", f"{construct_name(DOCUMENTS_BUCKET)}Bucket"))


def test_every_answer_carries_the_csp_of_comptoir_up_connecting_only_to_the_documents_buckets_domain(
    template_json,
):
    policy_id, policy = one(resources(template_json, "AWS::CloudFront::ResponseHeadersPolicy"))
    security = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    bucket_id, _ = documents_bucket(template_json)
    # The one definition, with the bucket's regional domain (a token CloudFormation fills in) as upload origin.
    marker = "https://UPLOAD-ORIGIN"
    before, after = content_security_policy(marker).split(marker)
    assert security["ContentSecurityPolicy"] == {
        "ContentSecurityPolicy": {
            "Fn::Join": ["", [before + "https://", {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]}, after]]
        },
        "Override": True,
    }
    assert before.endswith("connect-src 'self' ")
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    config = distribution(template_json)
    for behavior in [config["DefaultCacheBehavior"], *config["CacheBehaviors"]]:
        assert behavior["ResponseHeadersPolicyId"] == {"Ref": policy_id}


def test_the_documents_bucket_lets_only_the_portal_post_or_put_presigned_uploads_from_a_browser(
    template_json,
):
    _, bucket = documents_bucket(template_json)
    assert bucket["Properties"]["CorsConfiguration"] == {
        "CorsRules": [
            {
                "AllowedOrigins": [{"Fn::Join": ["", ["https://", {"Ref": "DomainName"}]]}],
                "AllowedMethods": ["POST", "PUT"],
                "AllowedHeaders": ["content-type"],
                "ExposedHeaders": ["ETag"],
                "MaxAge": 3000,
            }
        ]
    }
    # The portal's own bucket takes no browser writes at all.
    _, portal = one(resources(template_json, "AWS::S3::Bucket", "PortalBucket"))
    assert "CorsConfiguration" not in portal["Properties"]


def cloudfront_function(template_json: dict, name: str) -> dict[str, dict]:
    return {k: v for k, v in resources(template_json, "AWS::CloudFront::Function").items() if name in k}


def run_function(code: str, uri: str) -> str:
    """The deep-link function run by node on a viewer request for `uri`: the URI it hands on."""
    script = code + f"\nprocess.stdout.write(handler({{request: {{uri: {json.dumps(uri)}}}}}).uri);\n"
    return subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("node") is None, reason="node comes with scripts/system-packages")
def test_deep_links_are_rewritten_to_index_html_and_nothing_else_is(template_json):
    function = one(cloudfront_function(template_json, "DeepLinks"))[1]["Properties"]
    assert function["FunctionConfig"]["Runtime"] == "cloudfront-js-2.0"
    code = function["FunctionCode"]
    assert code == deep_link_function_code()
    association = distribution(template_json)["DefaultCacheBehavior"]["FunctionAssociations"]
    assert [a["EventType"] for a in association] == ["viewer-request"]
    for deep_link in ["/", "/sign-in", "/c/abc/box/sales", "/firm/processing", "/invitations/tok", "/help"]:
        assert run_function(code, deep_link) == "/index.html", deep_link
    assert {f"/{p}/x" for p in APP_ROUTE_PREFIXES} == {
        uri for uri in (f"/{p}/x" for p in APP_ROUTE_PREFIXES) if run_function(code, uri) == "/index.html"
    }
    # Assets, files and anything unknown reach the bucket as asked; API paths never reach it at all.
    for kept in ["/assets/index-abc.js", "/sw.js", "/manifest.webmanifest", "/nowhere", "/cx", "/sign-inx"]:
        assert run_function(code, kept) == kept
    for app in SPEC.apps:
        assert run_function(code, f"/{app.base_path}/companies") == f"/{app.base_path}/companies"


def hosting_template(dist) -> dict:
    stack = cdk.Stack(cdk.App(), "Hosting", env=cdk.Environment(region="eu-west-1"))
    WebHosting(
        stack,
        "Portal",
        domain_name="portal.example.be",
        certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/x",
        api_origin_domain="d-abc.execute-api.eu-west-1.amazonaws.com",
        base_paths=["accounts", "documents"],
        dist=dist,
    )
    return Template.from_stack(stack).to_json()


def test_a_built_app_is_deployed_to_the_bucket_and_synthesis_works_without_one(tmp_path):
    assert not resources(hosting_template(tmp_path / "missing"), "Custom::CDKBucketDeployment")
    (tmp_path / "dist" / "assets").mkdir(parents=True)
    (tmp_path / "dist" / "index.html").write_text("<!doctype html>")
    (tmp_path / "dist" / "assets" / "index-abc.js").write_text("1")
    deployments = resources(hosting_template(tmp_path / "dist"), "Custom::CDKBucketDeployment").values()
    caches = sorted(tuple(d["Properties"].get("SystemMetadata", {}).values()) for d in deployments)
    assert caches == [("no-cache",), ("public, max-age=31536000, immutable",)]
    # The shell's deployment invalidates the edge's copies.
    assert [
        d["Properties"].get("DistributionPaths") for d in deployments if "DistributionId" in d["Properties"]
    ]


@pytest.mark.skipif(shutil.which("node") is None, reason="node comes with scripts/system-packages")
def test_every_api_request_carries_the_viewers_own_address_whatever_the_client_sent(template_json):
    function_id, function = one(cloudfront_function(template_json, "ViewerIp"))
    code = function["Properties"]["FunctionCode"]
    assert code == viewer_ip_function_code()
    behaviours = distribution(template_json)["CacheBehaviors"]
    assert behaviours and all(
        [(a["EventType"], a["FunctionARN"]) for a in b["FunctionAssociations"]]
        == [("viewer-request", {"Fn::GetAtt": [function_id, "FunctionARN"]})]
        for b in behaviours
    )
    spoofed = {"headers": {VIEWER_IP_HEADER: {"value": "10.9.8.7"}}, "uri": "/accounts/login"}
    script = (
        code
        + f"\nvar event = {{viewer: {{ip: '203.0.113.9'}}, request: {json.dumps(spoofed)}}};"
        + f"\nprocess.stdout.write(handler(event).headers[{json.dumps(VIEWER_IP_HEADER)}].value);\n"
    )
    answer = subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout
    assert answer == "203.0.113.9"
