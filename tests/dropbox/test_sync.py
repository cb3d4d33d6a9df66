"""The sync of a linked account: the SDK against the fake Dropbox, S3, DynamoDB and KMS in moto."""

import dataclasses
import threading

import boto3
import pytest
from botocore.exceptions import ClientError

from comptoir_core import keys, wiring
from comptoir_core.blobs import BlobStore
from comptoir_core.documents.intake import read_incoming_metadata
from comptoir_core.documents.models import Source
from comptoir_core.dropbox import linking, records, sync
from comptoir_core.dropbox import wiring as dropbox_wiring
from comptoir_core.dropbox.models import LinkStatus
from tests.samples import jpeg_photo, text_pdf


class FlakyBlobStore(BlobStore):
    """S3 that refuses the next `failures` writes, as an outage would."""

    def __init__(self, bucket: str, failures: int = 1):
        super().__init__(bucket)
        self.failures = failures

    def put(self, *args, **kwargs):
        if self.failures:
            self.failures -= 1
            raise ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "injected"}}, "PutObject")
        return super().put(*args, **kwargs)


@pytest.fixture
def linked(link, company, dropbox_account):
    link()
    return dropbox_account


@pytest.fixture(name="purchase")
def purchase_folder(company) -> str:
    return company.folder("Achats")


def run(account_id: str, **replace):
    deps = dataclasses.replace(dropbox_wiring.sync_deps(), **replace)
    return sync.sync_account(deps=deps, account_id=account_id)


def incoming(company_id: str) -> list[dict]:
    """The objects a channel stored for the company, with their key parts and decoded metadata."""
    s3 = boto3.client("s3")
    bucket = wiring.blob_store().bucket
    found = []
    for item in s3.list_objects_v2(Bucket=bucket, Prefix=f"incoming/{company_id}/").get("Contents", []):
        head = s3.head_object(Bucket=bucket, Key=item["Key"])
        body = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
        _, _, mailbox, document_id = item["Key"].split("/")
        found.append(
            {
                "mailbox": mailbox,
                "id": document_id,
                "meta": read_incoming_metadata(head["Metadata"]),
                "body": body,
            }
        )
    return found


def link_read(company):
    return linking.get_link(repo=wiring.repository(), caller=company.admin, company_id=company.id)


def test_a_pdf_in_the_purchase_folder_becomes_a_purchase_document_and_leaves_dropbox(
    linked, fake_dropbox, company, purchase
):
    pdf = text_pdf("Facture 2026-001")
    fake_dropbox.put_file(linked, f"{purchase}/Facture 2026-001.pdf", pdf)

    (result,) = run(linked)

    (stored,) = incoming(company.id)
    assert stored["mailbox"] == "purchase" and stored["body"] == pdf
    assert stored["meta"].source == Source.dropbox
    assert stored["meta"].name == "Facture 2026-001.pdf"
    assert stored["meta"].sender == "anna@demo.example"
    assert result.imported == [stored["id"]]
    assert not fake_dropbox.exists(linked, f"{purchase}/Facture 2026-001.pdf")
    assert link_read(company).imported == 1


def test_a_photo_in_the_sales_folder_goes_to_sales(linked, fake_dropbox, company):
    fake_dropbox.put_file(linked, company.folder("Ventes") + "/ticket.jpg", jpeg_photo())

    run(linked)

    assert [s["mailbox"] for s in incoming(company.id)] == ["sales"]


def test_other_file_types_stay_in_dropbox_with_a_note_and_other_folders_are_ignored(
    linked, fake_dropbox, company, purchase
):
    fake_dropbox.put_file(linked, f"{purchase}/notes.docx", b"PK\x03\x04 a word file")
    fake_dropbox.put_file(linked, f"{purchase}/fake.pdf", b"not a pdf at all")
    fake_dropbox.put_file(
        linked, f"/{company.enterprise_number}/loose.pdf", text_pdf("outside the mailboxes")
    )
    fake_dropbox.put_file(linked, "/holidays/beach.jpg", jpeg_photo())

    run(linked)

    assert incoming(company.id) == []
    for path in (
        f"{purchase}/notes.docx",
        f"{purchase}/fake.pdf",
        f"/{company.enterprise_number}/loose.pdf",
        "/holidays/beach.jpg",
    ):
        assert fake_dropbox.exists(linked, path)
    notes = {note.path: note.reason for note in link_read(company).skipped}
    assert set(notes) == {f"{purchase}/notes.docx", f"{purchase}/fake.pdf"}
    assert "not a PDF or a photo" in notes[f"{purchase}/notes.docx"]
    assert notes[f"{purchase}/fake.pdf"] == "not the PDF it claims to be: left in Dropbox"


def test_a_pdf_named_file_whose_bytes_are_an_html_page_or_a_photo_stays_in_dropbox(
    linked, fake_dropbox, company, purchase
):
    page = b"<!DOCTYPE html><html><body><h1>Invoice</h1></body></html>"
    fake_dropbox.put_file(linked, f"{purchase}/invoice.pdf", page)
    fake_dropbox.put_file(linked, f"{purchase}/scan.pdf", jpeg_photo())

    run(linked)

    notes = {note.path: note.reason for note in link_read(company).skipped}
    assert incoming(company.id) == []
    assert notes == {
        f"{purchase}/invoice.pdf": "not the PDF it claims to be: left in Dropbox",
        f"{purchase}/scan.pdf": "not the PDF it claims to be: left in Dropbox",
    }
    assert fake_dropbox.exists(linked, f"{purchase}/invoice.pdf")


def test_with_s3_failing_once_the_file_stays_in_dropbox_and_arrives_on_the_next_run(
    linked, fake_dropbox, company, world, purchase
):
    fake_dropbox.put_file(linked, f"{purchase}/invoice.pdf", text_pdf("Invoice"))
    flaky = FlakyBlobStore(world.resources.bucket_names["documents"], failures=1)

    with pytest.raises(sync.SyncIncomplete):
        run(linked, blobs=flaky)

    assert incoming(company.id) == []
    assert fake_dropbox.exists(linked, f"{purchase}/invoice.pdf")
    assert "tried again" in link_read(company).problem

    run(linked, blobs=flaky)

    assert [s["meta"].name for s in incoming(company.id)] == ["invoice.pdf"]
    assert not fake_dropbox.exists(linked, f"{purchase}/invoice.pdf")
    assert link_read(company).problem is None


def test_a_file_stored_but_not_deleted_is_not_stored_again(linked, fake_dropbox, company, purchase):
    fake_dropbox.put_file(linked, f"{purchase}/invoice.pdf", text_pdf("Invoice"))
    # Dropbox answers 429 to every try of the delete (the SDK retries twice): the file stays.
    fake_dropbox.rate_limit("files/delete_v2", times=3, retry_after=0)

    with pytest.raises(sync.SyncIncomplete):
        run(linked)
    assert fake_dropbox.exists(linked, f"{purchase}/invoice.pdf")

    run(linked)

    assert len(incoming(company.id)) == 1
    assert not fake_dropbox.exists(linked, f"{purchase}/invoice.pdf")


def test_new_files_after_the_cursor_are_taken_and_old_ones_not_looked_at_again(
    linked, fake_dropbox, company, purchase
):
    fake_dropbox.put_file(linked, f"{purchase}/one.pdf", text_pdf("one"))
    run(linked)
    downloads = fake_dropbox.count("files/download")

    fake_dropbox.put_file(linked, f"{purchase}/two.pdf", text_pdf("two"))
    run(linked)

    assert sorted(s["meta"].name for s in incoming(company.id)) == ["one.pdf", "two.pdf"]
    assert fake_dropbox.count("files/download") == downloads + 1
    assert fake_dropbox.count("files/list_folder/continue") >= 1


def test_many_changes_come_page_by_page(linked, fake_dropbox, company, purchase):
    run(linked)  # the cursor
    fake_dropbox.page_size = 2
    for n in range(5):
        fake_dropbox.put_file(linked, f"{purchase}/{n}.pdf", text_pdf(str(n)))

    run(linked)

    assert len(incoming(company.id)) == 5
    assert fake_dropbox.paths(linked) == sorted(
        [f"/{company.enterprise_number}", purchase, company.folder("Divers"), company.folder("Ventes")]
    )


def test_an_expired_access_token_is_refreshed_and_the_new_one_kept(linked, fake_dropbox, company, purchase):
    before = wiring.repository().get(keys.company_pk(company.id), records.LINK_SK)["access_token"]
    fake_dropbox.expire_access_tokens()
    fake_dropbox.put_file(linked, f"{purchase}/invoice.pdf", text_pdf("Invoice"))
    refreshes = fake_dropbox.count("oauth2/token")

    run(linked)

    assert len(incoming(company.id)) == 1
    assert fake_dropbox.count("oauth2/token") == refreshes + 1
    after = wiring.repository().get(keys.company_pk(company.id), records.LINK_SK)["access_token"]
    assert after != before
    # The kept token is used as is by the next run: no refresh.
    run(linked)
    assert fake_dropbox.count("oauth2/token") == refreshes + 1


def test_a_revoked_link_gets_a_clear_status_and_stops_syncing(linked, fake_dropbox, company, purchase):
    fake_dropbox.revoke_app(linked)
    fake_dropbox.expire_access_tokens()
    fake_dropbox.put_file(linked, f"{purchase}/invoice.pdf", text_pdf("Invoice"))

    (result,) = run(linked)

    read = link_read(company)
    assert result.status == read.status == LinkStatus.revoked
    assert "no longer accepts" in read.problem and "linked again" in read.problem
    assert incoming(company.id) == []
    calls = len(fake_dropbox.calls)
    assert run(linked) == []  # no longer linked to the account: nothing is even asked of Dropbox
    assert len(fake_dropbox.calls) == calls
    assert fake_dropbox.exists(linked, f"{purchase}/invoice.pdf")


def test_a_rate_limited_call_waits_for_retry_after_and_goes_on(linked, fake_dropbox, company, purchase):
    fake_dropbox.put_file(linked, f"{purchase}/invoice.pdf", text_pdf("Invoice"))
    fake_dropbox.rate_limit("files/download", retry_after=1)

    run(linked)

    assert len(incoming(company.id)) == 1


def test_a_deleted_company_folder_is_made_again_and_syncing_goes_on(linked, fake_dropbox, company, purchase):
    run(linked)
    fake_dropbox.delete_path(linked, f"/{company.enterprise_number}")

    run(linked)
    fake_dropbox.put_file(linked, f"{purchase}/invoice.pdf", text_pdf("Invoice"))
    run(linked)

    assert fake_dropbox.exists(linked, company.folder("Ventes"))
    assert len(incoming(company.id)) == 1


def test_a_sync_finding_the_link_busy_leaves_the_work_to_the_running_one(
    linked, fake_dropbox, company, purchase
):
    repo = wiring.repository()
    running = sync._acquire(repo, company.id, linked, "running-sync")
    fake_dropbox.put_file(linked, f"{purchase}/invoice.pdf", text_pdf("Invoice"))

    (result,) = run(linked)

    assert result.busy and incoming(company.id) == []
    link, again = sync._release(repo, records.read_link(repo, company.id), "running-sync", failed=0)
    assert again  # asked for one more round: the running sync goes on instead of letting go
    assert running.lease_owner == "running-sync"


def test_two_notifications_at_once_never_import_a_file_twice(linked, fake_dropbox, company, purchase):
    for n in range(4):
        fake_dropbox.put_file(linked, f"{purchase}/{n}.pdf", text_pdf(str(n)))
    start = threading.Barrier(2)
    errors = []

    def notified():
        start.wait()
        try:
            run(linked)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=notified) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(s["meta"].name for s in incoming(company.id)) == ["0.pdf", "1.pdf", "2.pdf", "3.pdf"]
    assert records.read_link(wiring.repository(), company.id).lease_owner is None
