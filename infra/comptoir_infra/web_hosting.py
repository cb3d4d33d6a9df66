"""The web portal in AWS: web/dist in a private bucket behind CloudFront, on the API's own domain.

One distribution answers DomainName: each app's base path (`/accounts/*`, `/documents/*`, …, from the
spec) goes to the API Gateway custom domain uncached, with every header (Host and Authorization
included), cookie, query string and method; everything else comes from the bucket through origin
access control. A viewer-request CloudFront Function rewrites the app's deep links (the first segments
of comptoir_infra.local.web.APP_ROUTE_PREFIXES, and `/`) to `/index.html`, as `comptoir up` does; there
is no error-page rewriting, so an API's 404 stays its JSON 404. Every answer carries the same strict
Content-Security-Policy as `comptoir up` (one definition, comptoir_infra.local.web), whose connect-src
names the documents bucket's regional domain, where the portal sends presigned uploads. A second
viewer-request function on the API behaviours writes the viewer's address into VIEWER_IP_HEADER
(replacing whatever the client sent), so the API's WAF limits sign-ins per person, not per edge server.
"""

import json
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from comptoir_infra.local.web import APP_ROUTE_PREFIXES, content_security_policy, dist_dir

# What index.html, the manifest and the service worker are, unhashed: checked at every visit.
UNHASHED_CACHE = "no-cache"
HASHED_CACHE = "public, max-age=31536000, immutable"


def deep_link_function_code(prefixes: tuple[str, ...] = APP_ROUTE_PREFIXES) -> str:
    """The viewer-request function: `/` and the app's own paths are index.html, anything else unchanged."""
    return (
        f"var APP_PREFIXES = {json.dumps(dict.fromkeys(prefixes, True), sort_keys=True)};\n"
        "function handler(event) {\n"
        "  var request = event.request;\n"
        "  var first = request.uri.split('/')[1];\n"
        "  if (request.uri === '/' || APP_PREFIXES[first] === true) {\n"
        "    request.uri = '/index.html';\n"
        "  }\n"
        "  return request;\n"
        "}\n"
    )


# Set by CloudFront from the connection, never taken from the client: what the login rate rule counts by.
VIEWER_IP_HEADER = "x-comptoir-viewer-ip"


def viewer_ip_function_code() -> str:
    """The viewer-request function of the API behaviours: the viewer's own address in VIEWER_IP_HEADER."""
    return (
        "function handler(event) {\n"
        "  var request = event.request;\n"
        f"  request.headers[{json.dumps(VIEWER_IP_HEADER)}] = {{ value: event.viewer.ip }};\n"
        "  return request;\n"
        "}\n"
    )


class WebHosting(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain_name: str,
        certificate_arn: str,
        api_origin_domain: str,
        base_paths: list[str],
        dist: Path | None = None,
        upload_origin: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        dist = dist_dir() if dist is None else dist
        self.bucket = s3.Bucket(
            self,
            "Bucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            # Only the built app (rebuilt from the checkout at every deployment), kept like every bucket.
            removal_policy=RemovalPolicy.RETAIN,
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="Comptoir: the strict CSP of comptoir up",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(upload_origin), override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True
                ),
            ),
        )
        deep_links = cloudfront.Function(
            self,
            "DeepLinks",
            code=cloudfront.FunctionCode.from_inline(deep_link_function_code()),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="Comptoir: the app's deep links are index.html",
        )
        viewer_ip = cloudfront.Function(
            self,
            "ViewerIp",
            code=cloudfront.FunctionCode.from_inline(viewer_ip_function_code()),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="Comptoir: the viewer's address for the API's WAF",
        )
        # The regional custom domain routes by Host: the viewer's Host (DomainName) is forwarded with the
        # rest, and its certificate covers it.
        api_origin = origins.HttpOrigin(
            api_origin_domain, protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY
        )
        api_behavior = cloudfront.BehaviorOptions(
            origin=api_origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
            cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
            origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER,
            response_headers_policy=headers,
            compress=False,
            function_associations=[
                cloudfront.FunctionAssociation(
                    function=viewer_ip, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                )
            ],
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Comptoir: the web portal and its API on one origin",
            domain_names=[domain_name],
            certificate=acm.Certificate.from_certificate_arn(self, "Certificate", certificate_arn),
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=deep_links, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors={f"/{base}/*": api_behavior for base in base_paths},
        )
        self.deployed = (dist / "index.html").is_file()
        if self.deployed:
            self._deploy(dist)

    def _deploy(self, dist: Path) -> None:
        """Hashed assets cached for good; the rest (index.html, manifest, service worker, icons) revalidated,
        and their cached copies at the edge invalidated at each deployment."""
        assets = s3deploy.BucketDeployment(
            self,
            "Assets",
            sources=[s3deploy.Source.asset(str(dist), exclude=["*", "!assets", "!assets/**"])],
            destination_bucket=self.bucket,
            cache_control=[s3deploy.CacheControl.from_string(HASHED_CACHE)],
            prune=False,
        )
        shell = s3deploy.BucketDeployment(
            self,
            "Shell",
            sources=[s3deploy.Source.asset(str(dist), exclude=["assets", "assets/**"])],
            destination_bucket=self.bucket,
            cache_control=[s3deploy.CacheControl.from_string(UNHASHED_CACHE)],
            prune=False,
            distribution=self.distribution,
            distribution_paths=["/*"],
        )
        # The new index.html names assets that must already be there.
        shell.node.add_dependency(assets)
