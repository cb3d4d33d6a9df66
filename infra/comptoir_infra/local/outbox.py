"""The local outbox: every e-mail the apps sent through the embedded SES, newest first, at GET /_outbox.

Local only (the gateway binds loopback). An HTML page to read them as a person would, or JSON with
`?format=json` for tests and scripts. moto keeps what SES sent in its backend, in this process.
"""

import html
import json
from urllib.parse import parse_qs

from comptoir_infra.local.provision import ACCOUNT_ID

PATH = "/_outbox"


def sent_messages(region: str) -> list[dict]:
    """What was sent, newest first: id, from, to, subject, body (the HTML part when there is one)."""
    from moto.ses.models import ses_backends

    messages = []
    for message in reversed(list(ses_backends[ACCOUNT_ID][region].sent_messages)):
        if not hasattr(message, "subject"):
            continue  # a raw message: the apps send none
        destinations = message.destinations or {}
        messages.append(
            {
                "id": message.id,
                "from": message.source,
                "to": list(destinations.get("ToAddresses") or []),
                "subject": message.subject,
                "body": message.body,
            }
        )
    return messages


def page_for(*, region: str):
    def page(query: str) -> tuple[int, dict, bytes]:
        messages = sent_messages(region)
        if parse_qs(query).get("format") == ["json"]:
            return 200, {"Content-Type": "application/json"}, json.dumps(messages).encode()
        return (
            200,
            {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"},
            render(messages),
        )

    return page


def render(messages: list[dict]) -> bytes:
    """One page: each e-mail as a card (sender, recipients, subject) with its body shown sandboxed."""
    cards = []
    for message in messages:
        body = message["body"] or ""
        shown = (
            f'<iframe sandbox="" srcdoc="{html.escape(body)}"></iframe>'
            if body.lstrip().lower().startswith("<!doctype html")
            else f"<pre>{html.escape(body)}</pre>"
        )
        cards.append(
            "<article>"
            f"<h2>{html.escape(message['subject'])}</h2>"
            f"<p><b>From</b> {html.escape(message['from'])} <b>To</b> {html.escape(', '.join(message['to']))}</p>"
            f"{shown}</article>"
        )
    style = (
        "body{font-family:sans-serif;max-width:60rem;margin:2rem auto}article{border:1px solid #ccc;"
        "border-radius:6px;padding:0 1rem 1rem;margin-bottom:1rem}iframe{width:100%;height:16rem;border:0}"
    )
    empty = "<p>No e-mail sent yet.</p>" if not cards else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Comptoir outbox</title>'
        f"<style>{style}</style></head><body><h1>Outbox ({len(messages)})</h1>{empty}{''.join(cards)}"
        "</body></html>"
    ).encode()
