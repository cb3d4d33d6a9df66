"""The one adapter that sends e-mail: SES in AWS, the embedded SES locally (the local outbox reads it).

Templates, languages and who wants which e-mail live in `comptoir_core.notifications`; this only sends.
"""

from pydantic import BaseModel

from comptoir_core import aws


class OutgoingEmail(BaseModel):
    sender: str
    to: list[str]
    subject: str
    text: str
    html: str | None = None


def send_email(email: OutgoingEmail) -> str:
    """Send one message; returns SES's message id. Errors propagate so a worker's retry sends again."""
    body: dict = {"Text": {"Data": email.text, "Charset": "UTF-8"}}
    if email.html is not None:
        body["Html"] = {"Data": email.html, "Charset": "UTF-8"}
    answer = aws.client("ses").send_email(
        Source=email.sender,
        Destination={"ToAddresses": email.to},
        Message={"Subject": {"Data": email.subject, "Charset": "UTF-8"}, "Body": body},
    )
    return answer["MessageId"]
