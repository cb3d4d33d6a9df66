"""The raw inbound messages SES (or the local SMTP listener) stores under `inbound/`: read with a cap,
and handed out through short-lived download links. The only code of the channel that calls S3 itself;
documents go in through comptoir_core.documents.intake."""

from comptoir_core import aws

INBOUND_PREFIX = "inbound/"


class MessageTooLarge(Exception):
    pass


class InboundMessages:
    def __init__(self, bucket: str):
        self.bucket = bucket

    def read(self, key: str, *, max_bytes: int) -> bytes:
        """The stored message; MessageTooLarge rather than more than `max_bytes` in memory."""
        body = aws.client("s3").get_object(Bucket=self.bucket, Key=key)["Body"]
        try:
            data = body.read(max_bytes + 1)
        finally:
            body.close()
        if len(data) > max_bytes:
            raise MessageTooLarge(f"{key} is larger than {max_bytes} bytes")
        return data

    def size(self, key: str) -> int:
        return int(aws.client("s3").head_object(Bucket=self.bucket, Key=key)["ContentLength"])

    def download_url(self, key: str, *, expires_in: int) -> str:
        return aws.client("s3").generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentType": "message/rfc822",
                "ResponseContentDisposition": 'attachment; filename="message.eml"',
            },
            ExpiresIn=expires_in,
        )
