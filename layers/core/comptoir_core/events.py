"""Event shapes shared by the asynchronous handlers: S3 notifications carried by SQS."""

import json
from urllib.parse import quote_plus, unquote_plus

from pydantic import BaseModel


class S3ObjectCreated(BaseModel):
    bucket: str
    key: str
    size: int
    # Set on a notification we queue ourselves to run an object again (a retried document): another
    # value than the first delivery's, so the idempotency record of that delivery does not swallow it.
    retry: str | None = None
    # The S3 version the event is about (versioned buckets): the one a document records as its original.
    version_id: str | None = None


def s3_objects_in(sqs_body: str) -> list[S3ObjectCreated]:
    """The objects of one S3 event notification; the s3:TestEvent S3 sends on set-up has none."""
    message = json.loads(sqs_body)
    return [
        S3ObjectCreated(
            bucket=record["s3"]["bucket"]["name"],
            # S3 URL-encodes keys in events (a space arrives as "+").
            key=unquote_plus(record["s3"]["object"]["key"]),
            size=int(record["s3"]["object"].get("size", 0)),
            retry=(record.get("comptoir") or {}).get("retry"),
            version_id=record["s3"]["object"].get("versionId") or None,
        )
        for record in message.get("Records", [])
        if record.get("eventName", "").startswith("ObjectCreated")
    ]


def retry_notification(*, bucket: str, key: str, size: int, retry: str, version_id: str | None = None) -> str:
    """An SQS body in S3's own notification shape, for an object (that version of it) to be handled again."""
    s3_object: dict = {"key": quote_plus(key), "size": size}
    if version_id:
        s3_object["versionId"] = version_id
    record = {
        "eventSource": "comptoir",
        "eventName": "ObjectCreated:Retry",
        "s3": {"bucket": {"name": bucket}, "object": s3_object},
        "comptoir": {"retry": retry},
    }
    return json.dumps({"Records": [record]})
