"""SES's own notification of a received message: where its S3 action stored it, for whom, and what
SES's checks said. The receipt rule's S3 action publishes it to SNS, SNS hands it to the `mail-inbound`
queue (an SQS message holding SNS's envelope), and `ingest_email` reads it. The local SMTP listener
builds the same notification (`ses_notification`), so both reach the worker in one shape.

The recipients are all the envelope recipients the rule matched (a Bcc to two mailboxes names both),
which the stored message itself cannot tell (SES's Received header names one)."""

import json
from datetime import datetime

from pydantic import BaseModel, Field

from comptoir_core.mail.parse import Verdicts

SUBJECT = "Amazon SES Email Receipt Notification"


class SesReceipt(BaseModel):
    """What the worker takes from one notification (also its idempotency key)."""

    bucket: str
    key: str
    recipients: list[str] = Field(default_factory=list)
    spam: str | None = None
    virus: str | None = None
    spf: str | None = None
    dkim: str | None = None
    dmarc: str | None = None

    def verdicts(self) -> Verdicts:
        """As the headers spell them: spam and virus in capitals, the authentication checks in lower case."""
        return Verdicts(
            spam=self.spam,
            virus=self.virus,
            spf=_lower(self.spf),
            dkim=_lower(self.dkim),
            dmarc=_lower(self.dmarc),
        )


def receipts_in(sqs_body: str) -> list[SesReceipt]:
    """The SES notifications in one SQS message: SNS's envelope (or raw delivery) around SES's JSON.
    Anything else (SNS's subscription confirmation, another notification type) has none."""
    message = json.loads(sqs_body)
    if message.get("Type") == "Notification":
        message = json.loads(message.get("Message") or "{}")
    if message.get("notificationType") != "Received":
        return []
    receipt = message.get("receipt") or {}
    action = receipt.get("action") or {}
    if action.get("type") != "S3":
        return []

    def status(name: str) -> str | None:
        return (receipt.get(name) or {}).get("status")

    return [
        SesReceipt(
            bucket=action["bucketName"],
            key=action["objectKey"],
            recipients=[r.lower() for r in receipt.get("recipients", [])],
            spam=status("spamVerdict"),
            virus=status("virusVerdict"),
            spf=status("spfVerdict"),
            dkim=status("dkimVerdict"),
            dmarc=status("dmarcVerdict"),
        )
    ]


def ses_notification(
    *,
    message_id: str,
    source: str,
    recipients: list[str],
    bucket: str,
    key: str,
    topic_arn: str,
    received_at: datetime,
    spam: str,
    virus: str,
    spf: str = "GRAY",
    dkim: str = "GRAY",
    dmarc: str = "GRAY",
) -> str:
    """The JSON SES publishes for a message its S3 action stored (the documented "Received" shape)."""
    at = received_at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{received_at.microsecond // 1000:03d}Z"
    return json.dumps(
        {
            "notificationType": "Received",
            "mail": {
                "timestamp": at,
                "source": source,
                "messageId": message_id,
                "destination": recipients,
                "headersTruncated": False,
            },
            "receipt": {
                "timestamp": at,
                "processingTimeMillis": 1,
                "recipients": recipients,
                "spamVerdict": {"status": spam},
                "virusVerdict": {"status": virus},
                "spfVerdict": {"status": spf},
                "dkimVerdict": {"status": dkim},
                "dmarcVerdict": {"status": dmarc},
                "action": {
                    "type": "S3",
                    "topicArn": topic_arn,
                    "bucketName": bucket,
                    "objectKeyPrefix": key.rsplit("/", 1)[0] + "/",
                    "objectKey": key,
                },
            },
        }
    )


def _lower(value: str | None) -> str | None:
    return value.lower() if value else value
