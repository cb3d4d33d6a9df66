"""The local stack as a whole: queues delivered to their handlers, SMTP like SES inbound, state kept
across a clean restart, and a stop within 5 s."""

import smtplib
import time
from email.message import EmailMessage

import boto3
import pytest

from comptoir_core.ids import new_id
from comptoir_infra.local.stack import STOP_BUDGET_S
from tests.e2e.conftest import start_stack, wait_for

ADMIN = "admin@demo.comptoir.local"


def _s3(stack):
    return boto3.client(
        "s3",
        endpoint_url=stack.aws_endpoint,
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def _demo_company(stack, token) -> str:
    return stack.request("GET", "/accounts/companies", token=token).json()[0]["id"]


def _set_demo_language(stack, language: str) -> str:
    """As the demo admin, change Demo SRL's settings; returns its id."""
    token = stack.login(ADMIN)["id_token"]
    company = _demo_company(stack, token)
    path = f"/accounts/companies/{company}/settings"
    assert stack.request("PUT", path, token=token, body={"settings": {"language": language}}).status == 200
    return company


def test_a_file_dropped_in_s3_reaches_the_documents_worker_through_the_queue(stack):
    token = stack.login(ADMIN)["id_token"]
    company = _demo_company(stack, token)
    document_id = new_id("doc")

    _s3(stack).put_object(
        Bucket="comptoir-documents",
        Key=f"incoming/{company}/purchase/{document_id}",
        Body=b"%PDF-1.7",
        Metadata={"source": "api", "sender": "erp@client.be"},
    )

    def listed():
        documents = stack.request(
            "GET", f"/documents/companies/{company}/mailboxes/purchase", token=token
        ).json()["documents"]
        return [d for d in documents if d["id"] == document_id]

    (document,) = wait_for(listed)
    assert (document["source"], document["sender"]) == ("api", "erp@client.be")


def test_mail_for_the_inbound_domain_is_stored_where_ses_would_store_it(stack):
    before = _s3(stack).list_objects_v2(Bucket="comptoir-documents", Prefix="inbound/").get("KeyCount", 0)
    token = stack.login(ADMIN)["id_token"]
    company = _demo_company(stack, token)
    listed = stack.request("GET", f"/accounts/companies/{company}/addresses", token=token).json()
    message = EmailMessage()
    message["From"] = "supplier@example.be"
    message["To"] = listed[0]["address"]  # a mailbox address: any other is refused at RCPT
    message["Subject"] = "Invoice"
    message.set_content("See attached.")

    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)

    stored = _s3(stack).list_objects_v2(Bucket="comptoir-documents", Prefix="inbound/")
    assert stored["KeyCount"] == before + 1
    newest = max(stored["Contents"], key=lambda o: o["LastModified"])
    raw = _s3(stack).get_object(Bucket="comptoir-documents", Key=newest["Key"])["Body"].read()
    assert b"X-SES-Virus-Verdict: PASS" in raw and b"Subject: Invoice" in raw


def test_mail_for_another_domain_is_refused_at_rcpt_with_550(stack):
    with smtplib.SMTP("127.0.0.1", stack.smtp_port, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail("someone@example.be")
        code, _ = smtp.rcpt("victim@example.com")

    assert code == 550


def test_data_written_before_a_clean_restart_is_there_after_it(tmp_path):
    first = start_stack(tmp_path / "data")
    try:
        token = first.login(ADMIN)["id_token"]
        company = _demo_company(first, token)
        written = first.request(
            "PUT",
            f"/accounts/companies/{company}/settings",
            token=token,
            body={"settings": {"language": "nl", "fiscal_year_start_month": 4}},
        )
        assert written.status == 200
        document_id = new_id("doc")
        _s3(first).put_object(
            Bucket="comptoir-documents", Key=f"incoming/{company}/misc/{document_id}", Body=b"x"
        )
        mailbox = f"/documents/companies/{company}/mailboxes/misc"
        assert wait_for(lambda: first.request("GET", mailbox, token=token).json()["documents"])
    finally:
        first.stop()
    assert first.process.returncode == 0

    second = start_stack(tmp_path / "data")
    try:
        token = second.login(ADMIN)["id_token"]  # the user and its password survived
        me = second.request("GET", "/accounts/me", token=token).json()
        assert [c["id"] for c in me["companies"]] == [company]  # memberships still match the user's id
        settings = second.request("GET", f"/accounts/companies/{company}/settings", token=token).json()
        assert (settings["settings"]["language"], settings["settings"]["fiscal_year_start_month"]) == (
            "nl",
            4,
        )
        assert settings["version"] == 1
        listed = second.request("GET", mailbox, token=token).json()["documents"]
        assert [d["id"] for d in listed] == [document_id]
        original = _s3(second).get_object(
            Bucket="comptoir-documents", Key=f"incoming/{company}/misc/{document_id}"
        )
        assert original["Body"].read() == b"x"
    finally:
        second.stop()


def test_a_crash_loses_at_most_the_last_snapshot_interval(tmp_path):
    first = start_stack(tmp_path / "data", env={"COMPTOIR_SNAPSHOT_SECONDS": "0.5"})
    try:
        company = _set_demo_language(first, "en")
        time.sleep(2)  # a few snapshot intervals
    finally:
        first.process.kill()  # no clean stop: only the periodic snapshots count
        first.process.wait(timeout=15)

    second = start_stack(tmp_path / "data")
    try:
        token = second.login(ADMIN)["id_token"]
        settings = second.request("GET", f"/accounts/companies/{company}/settings", token=token).json()
        assert settings["settings"]["language"] == "en"
    finally:
        second.stop()


def test_reset_starts_again_from_the_demo_data_alone(tmp_path):
    first = start_stack(tmp_path / "data")
    try:
        company = _set_demo_language(first, "en")
    finally:
        first.stop()

    second = start_stack(tmp_path / "data", "--reset")
    try:
        token = second.login(ADMIN)["id_token"]
        new_company = _demo_company(second, token)
        assert new_company != company
        settings = second.request("GET", f"/accounts/companies/{new_company}/settings", token=token).json()
        assert settings["version"] == 0
    finally:
        second.stop()


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_ctrl_c_or_term_stops_the_stack_cleanly_and_saves_the_state(tmp_path, signal_name):
    """How fast it stops is measured in benchmarks/local_stack.py, not asserted here."""
    import signal

    running = start_stack(tmp_path / "data")
    running.process.send_signal(getattr(signal, signal_name))
    running.process.wait(timeout=15)

    assert running.process.returncode == 0
    assert (tmp_path / "data" / "state.json").exists()


def test_a_restart_right_after_a_stop_takes_the_same_ports_and_refuses_the_old_tokens(tmp_path):
    import signal

    first = start_stack(tmp_path / "data")
    ports = (first.port, first.smtp_port, first.aws_port)
    token = first.login(ADMIN)["id_token"]
    assert first.request("GET", "/accounts/me", token=token).status == 200  # connections: TIME_WAIT after
    first.process.send_signal(signal.SIGTERM)
    # Its watchdog ends the process STOP_BUDGET_S after the signal at the latest (exit code 3, not 0).
    first.process.wait(timeout=STOP_BUDGET_S + 1)  # stopped within the budget, or this raises

    second = start_stack(tmp_path / "data", ports=ports)
    try:
        old = second.request("GET", "/accounts/me", token=token)
        fresh = second.login(ADMIN)["id_token"]
        again = second.request("GET", "/accounts/me", token=fresh)
    finally:
        second.stop()

    assert first.process.returncode == 0
    assert old.status == 401  # a new user pool each start: sign in again
    assert again.status == 200


def test_a_busy_port_is_a_clear_error_not_a_hang(stack, tmp_path):
    import subprocess

    from tests.e2e.conftest import COMPTOIR, free_port

    ports = ["--smtp-port", str(free_port()), "--aws-port", str(free_port())]
    result = subprocess.run(
        [str(COMPTOIR), "up", "--port", str(stack.port), *ports, "--data", str(tmp_path / "d")],
        capture_output=True,
        timeout=60,
        text=True,
    )

    assert result.returncode == 1
    assert f"port {stack.port} on 127.0.0.1 is in use" in result.stderr
