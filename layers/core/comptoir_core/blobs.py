"""The S3 blob store. Its keys come from comptoir_core.keys, made of ids: user-provided names never become a key."""

from comptoir_core import aws


class BlobStore:
    def __init__(self, bucket: str):
        self.bucket = bucket

    def put(
        self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None
    ) -> None:
        aws.client("s3").put_object(
            Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, Metadata=metadata or {}
        )

    def metadata(self, key: str) -> dict[str, str]:
        """The user metadata stored with an object (x-amz-meta-*)."""
        return aws.client("s3").head_object(Bucket=self.bucket, Key=key)["Metadata"]
