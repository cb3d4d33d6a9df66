"""Event shapes shared by the asynchronous handlers: S3 notifications carried by SQS."""

import json
from urllib.parse import unquote_plus

from pydantic import BaseModel


class S3ObjectCreated(BaseModel):
    bucket: str
    key: str
    size: int
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
            version_id=record["s3"]["object"].get("versionId") or None,
        )
        for record in message.get("Records", [])
        if record.get("eventName", "").startswith("ObjectCreated")
    ]
