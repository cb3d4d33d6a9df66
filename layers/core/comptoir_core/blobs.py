"""The S3 blob store. Its keys come from comptoir_core.keys, made of ids: user-provided names never become a key."""

from urllib.parse import quote

from comptoir_core import aws


class BlobStore:
    def __init__(self, bucket: str):
        self.bucket = bucket

    def put(
        self, key: str, body: bytes, *, content_type: str, metadata: dict[str, str] | None = None
    ) -> str | None:
        """Store an object; returns its S3 version id (None in an unversioned bucket)."""
        answer = aws.client("s3").put_object(
            Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, Metadata=metadata or {}
        )
        return answer.get("VersionId")

    def metadata(self, key: str, *, version_id: str | None = None) -> dict[str, str]:
        """The user metadata stored with an object (x-amz-meta-*), of one version if given."""
        return self.head(key, version_id=version_id)["Metadata"]

    def head(self, key: str, *, version_id: str | None = None) -> dict:
        extra = {"VersionId": version_id} if version_id else {}
        return aws.client("s3").head_object(Bucket=self.bucket, Key=key, **extra)

    def get(self, key: str, *, version_id: str | None = None) -> bytes:
        """An object's bytes; with `version_id`, exactly that version whatever was written since."""
        extra = {"VersionId": version_id} if version_id else {}
        return aws.client("s3").get_object(Bucket=self.bucket, Key=key, **extra)["Body"].read()

    def get_with_type(self, key: str) -> tuple[bytes, str]:
        response = aws.client("s3").get_object(Bucket=self.bucket, Key=key)
        return response["Body"].read(), response.get("ContentType", "application/octet-stream")

    def size(self, key: str, *, version_id: str | None = None) -> int:
        return int(self.head(key, version_id=version_id)["ContentLength"])

    def upload_form(
        self, key: str, *, max_bytes: int, metadata: dict[str, str], expires_s: int = 900
    ) -> dict[str, object]:
        """A presigned S3 POST for exactly `key`, between 1 byte and `max_bytes`, with this metadata."""
        fields = {f"x-amz-meta-{name}": value for name, value in metadata.items()}
        conditions: list = [["content-length-range", 1, max_bytes], *({k: v} for k, v in fields.items())]
        return aws.client("s3").generate_presigned_post(
            Bucket=self.bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expires_s
        )

    def download_url(
        self,
        key: str,
        *,
        filename: str,
        content_type: str,
        expires_s: int = 300,
        version_id: str | None = None,
    ) -> str:
        return aws.client("s3").generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentType": content_type,
                "ResponseContentDisposition": content_disposition(filename),
                **({"VersionId": version_id} if version_id else {}),
            },
            ExpiresIn=expires_s,
        )


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A Content-Disposition for a user-provided name: ASCII fallback plus RFC 6266/5987 UTF-8 form."""
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in filename)
    return (
        f"{disposition}; filename=\"{ascii_name or 'document'}\"; filename*=UTF-8''{quote(filename, safe='')}"
    )
