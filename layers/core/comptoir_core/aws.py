"""boto3 clients and resources, one per service, made on first use with default endpoint resolution.

The local stack sets AWS_ENDPOINT_URL; nothing here knows whether it runs locally.
"""

from functools import cache

import boto3
from botocore.config import Config

# Many threads share one client locally (queue pollers, gateway requests): room for all of them.
_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, max_pool_connections=50)
# S3 signs with SigV4 and addresses buckets virtually, so presigned URLs and upload forms name the bucket's
# regional domain (boto3's default is the legacy global domain with SigV2), the origin the portal's CSP
# allows. A local endpoint (an IP address) keeps path-style addressing.
_S3_CONFIG = _CONFIG.merge(Config(signature_version="s3v4", s3={"addressing_style": "virtual"}))


def _config(service: str) -> Config:
    return _S3_CONFIG if service == "s3" else _CONFIG


@cache
def client(service: str):
    return boto3.client(service, config=_config(service))


@cache
def resource(service: str):
    return boto3.resource(service, config=_config(service))


def reset_clients() -> None:
    """Forget every client, e.g. after tests switch moto or the endpoint."""
    client.cache_clear()
    resource.cache_clear()


# Error codes AWS answers when a call may succeed later: throttling, service limits, a passing outage.
TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "SlowDown",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "InternalServerError",
        "InternalFailure",
        "InternalServerErrorException",
    }
)


def is_transient(error: BaseException) -> bool:
    """An AWS error worth retrying later (SQS redelivers the event), rather than a final answer."""
    from botocore.exceptions import ClientError, ConnectionError, ReadTimeoutError

    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code") in TRANSIENT_CODES
    return isinstance(error, (ConnectionError, ReadTimeoutError))
