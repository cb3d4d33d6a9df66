"""Notifications: every e-mail in every language, no remote content, the reader's language and choice."""

import re

import pytest

from comptoir_core import keys, wiring
from comptoir_core.accounts.modules import Module, require_module, write_modules
from comptoir_core.errors import NotFound
from comptoir_core.notifications import Kind, notify, send_digests, send_due_digests
from comptoir_core.notifications.templates import render
from comptoir_infra.local.outbox import sent_messages
from tests.conftest import REGION


@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_every_email_renders_in_every_language_with_text_and_html_and_nothing_remote(kind, language):
    context = {"company": "Demo SRL", "link": "http://127.0.0.1:8000/x", "name": "<b>Eve</b>", "subject": "S"}

    subject, text, html = render(kind, language, context)

    assert subject and "{" not in subject and "{" not in text
    assert f'<html lang="{language}">' in html
    assert not re.search(r"<(img|script|link|iframe|style)\b|src=", html, re.IGNORECASE)
    assert "<b>Eve</b>" not in html  # context is escaped, never markup


def _profile(repo, user_id, email, language, emails="each"):
    repo.put(
        {
            "pk": keys.user_pk(user_id),
            "sk": keys.USER_PROFILE,
            "id": user_id,
            "email": email,
            "name": user_id,
            "language": language,
            "emails": emails,
        }
    )


def test_each_reader_gets_their_language_once_and_digest_readers_wait_for_the_digest(resources):
    repo = wiring.repository()
    _profile(repo, "u-fr", "fr@client.example", "fr")
    _profile(repo, "u-en", "en@client.example", "en")
    _profile(repo, "u-digest", "digest@client.example", "nl", emails="digest")
    context = {"company": "Demo SRL", "report": "Bilan", "link": "http://127.0.0.1:8000/r"}

    sent = notify(
        repo=repo, kind=Kind.report_ready, recipients=["u-fr", "u-en", "u-fr", "u-digest"], context=context
    )

    assert sent == 2
    subjects = {m["to"][0]: m["subject"] for m in sent_messages(REGION)}
    assert subjects == {
        "fr@client.example": "Demo SRL : votre rapport est prêt",
        "en@client.example": "Demo SRL: your report is ready",
    }
    assert send_digests(repo=repo, user_ids=["u-digest", "u-fr"]) == 1
    digest = sent_messages(REGION)[0]
    assert digest["to"] == ["digest@client.example"] and "Demo SRL: uw rapport is klaar" in digest["body"]
    assert send_digests(repo=repo, user_ids=["u-digest"]) == 0


def test_the_daily_job_sends_the_digests_that_hold_something_once(resources):
    repo = wiring.repository()
    _profile(repo, "u-digest", "digest@client.example", "en", emails="digest")
    _profile(repo, "u-each", "each@client.example", "en")
    context = {"company": "Demo SRL", "report": "Balance", "link": "http://127.0.0.1:8000/r"}
    notify(repo=repo, kind=Kind.report_ready, recipients=["u-digest", "u-each"], context=context)
    notify(repo=repo, kind=Kind.report_ready, recipients=["u-digest"], context=context)
    before = len(sent_messages(REGION))

    first = send_due_digests(repo=repo)
    second = send_due_digests(repo=repo)

    assert (first, second) == (1, 0)
    (digest,) = sent_messages(REGION)[: len(sent_messages(REGION)) - before]
    assert digest["to"] == ["digest@client.example"]
    assert digest["body"].count("Demo SRL: your report is ready") == 2


def test_the_module_gate_is_404_when_off_and_every_module_is_on_by_default(resources):
    repo = wiring.repository()
    company_id = "co_01jd0000000000000000000000"
    require_module(repo=repo, company_id=company_id, module=Module.payments)

    write_modules(repo=repo, company_id=company_id, changes={Module.payments: False}, by="test")

    with pytest.raises(NotFound):
        require_module(repo=repo, company_id=company_id, module="payments")
    require_module(repo=repo, company_id=company_id, module=Module.reports)


def test_the_outbox_page_shows_each_email_newest_first_escaped_and_sandboxed():
    from comptoir_infra.local.outbox import render as outbox_page

    page = outbox_page(
        [
            {
                "id": "2",
                "from": "no-reply@comptoir.local",
                "to": ["b@x.example"],
                "subject": "Second <b>",
                "body": "<!DOCTYPE html><p>hi</p>",
            },
            {
                "id": "1",
                "from": "no-reply@comptoir.local",
                "to": ["a@x.example"],
                "subject": "First",
                "body": "plain",
            },
        ]
    ).decode()

    assert page.index("Second &lt;b&gt;") < page.index("First")
    assert '<iframe sandbox="" srcdoc="&lt;!DOCTYPE html&gt;&lt;p&gt;hi&lt;/p&gt;">' in page
    assert "<pre>plain</pre>" in page
