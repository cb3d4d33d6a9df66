"""Document items written before the list indexes come back listed, counted and paged (documents.migration).

Each test writes items as the earlier code wrote them (the document as DynamoDB attributes, all its
events on it, no list keys, no counter), runs the migration, and looks through the API.
"""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from comptoir_core import keys, wiring
from comptoir_core.documents import migration, store
from comptoir_core.documents.models import Document, DocumentStatus, HistoryEvent, Remark
from comptoir_core.ids import new_id
from comptoir_core.repository import Add
from tests.functions.conftest import ACCOUNTANT, ADMIN

AT = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


@pytest.fixture
def company(demo_companies) -> str:
    return demo_companies["Demo SRL"]


@pytest.fixture
def repo(resources):
    return wiring.repository()


def old_document(
    company_id: str, *, status="inbox", mailbox="purchase", events=30, remarks=3, permanent=False
):
    firm_id = wiring.repository().get(keys.company_pk(company_id), keys.COMPANY_PROFILE)["firm_id"]
    document_id = new_id("doc")
    return Document(
        id=document_id,
        company_id=company_id,
        firm_id=firm_id,
        mailbox=mailbox,
        status=status,
        source="upload",
        name=f"old-{document_id[-6:]}.pdf",
        received_at=AT,
        size=1000,
        pages=1,
        original_key=keys.incoming_object_key(company_id, mailbox, document_id),
        permanent=permanent,
        history=[
            HistoryEvent(at=AT + timedelta(minutes=n), event="received" if n == 0 else f"event {n}")
            for n in range(events)
        ],
        remarks=[Remark(id=new_id("rm"), at=AT, author="admin", text=f"remark {n}") for n in range(remarks)],
    )


def shape_one(document: Document, version: int = 3) -> dict:
    """The item as documents were first stored: every attribute of the document, no list keys."""
    data = json.loads(
        document.model_dump_json(exclude={"version", "history_total", "remarks_total"}), parse_float=Decimal
    )
    return {
        "pk": keys.company_pk(document.company_id),
        "sk": keys.document_sk(document.id),
        **data,
        "version": version,
    }


def listed(documents_api, path: str) -> list[str]:
    answer = documents_api.call("GET", path, as_user=ADMIN)
    assert answer.status_code == 200, answer.body
    return [d["id"] for d in json.loads(answer.body)["documents"]]


def counts(documents_api, company: str) -> dict[str, int]:
    answer = json.loads(documents_api.call("GET", f"/companies/{company}/mailboxes", as_user=ADMIN).body)
    return {box["id"]: box["count"] for box in answer}


def every_event(documents_api, company: str, document_id: str) -> list[str]:
    names, cursor = [], None
    while True:
        path = f"/companies/{company}/documents/{document_id}/history?limit=7"
        answer = json.loads(
            documents_api.call("GET", path + (f"&cursor={cursor}" if cursor else ""), as_user=ADMIN).body
        )
        names += [event["event"] for event in answer["events"]]
        cursor = answer.get("next_cursor")
        if not cursor:
            return names


def test_an_old_document_in_a_mailbox_is_listed_counted_and_its_whole_history_paged_after_migration(
    documents_api, company, repo
):
    document = old_document(company, events=30, remarks=3)
    repo.put(shape_one(document))
    before = counts(documents_api, company)
    assert document.id not in listed(documents_api, f"/companies/{company}/mailboxes/purchase")

    report = migration.migrate_company(repo=repo, company_id=company)

    assert (report.rewritten, report.children_written) == (1, 33)
    assert document.id in listed(documents_api, f"/companies/{company}/mailboxes/purchase")
    assert counts(documents_api, company) == {**before, "purchase": before["purchase"] + 1}
    assert sorted(every_event(documents_api, company, document.id)) == sorted(
        ["received", *(f"event {n}" for n in range(1, 30))]
    )
    remarks = json.loads(
        documents_api.call("GET", f"/companies/{company}/documents/{document.id}/remarks", as_user=ADMIN).body
    )
    assert sorted(r["text"] for r in remarks["remarks"]) == ["remark 0", "remark 1", "remark 2"]
    shown = json.loads(
        documents_api.call("GET", f"/companies/{company}/documents/{document.id}", as_user=ADMIN).body
    )
    assert shown["version"] == 3  # a client holding version 3 can still write


def test_running_the_migration_again_changes_nothing(documents_api, company, repo):
    repo.put(shape_one(old_document(company)))
    migration.migrate_company(repo=repo, company_id=company)
    items = list(repo.query(keys.company_pk(company)))

    again = migration.migrate_company(repo=repo, company_id=company)

    assert (again.rewritten, again.children_written) == (0, 0)
    assert list(repo.query(keys.company_pk(company))) == items


def test_a_run_stopped_after_writing_the_events_ends_with_each_event_once(documents_api, company, repo):
    document = old_document(company, events=25, remarks=0)
    item = shape_one(document)
    repo.put(item)
    _, children = migration.current_shape(item)
    repo.batch_put(children)  # what a run stopped before writing the document left

    migration.migrate_company(repo=repo, company_id=company)

    assert len(every_event(documents_api, company, document.id)) == 25


def test_old_documents_of_every_kind_land_in_their_lists_and_boxes_page_by_page(documents_api, company, repo):
    inbox = [old_document(company, events=2, remarks=0) for _ in range(5)]
    archived = old_document(company, status="processed", mailbox="sales", events=2, remarks=0)
    processing = old_document(company, status="in_processing", events=2, remarks=0)
    permanent = old_document(company, status="processed", events=2, remarks=0, permanent=True)
    for document in [*inbox, archived, processing, permanent]:
        repo.put(shape_one(document))
    # The counter as the earlier code left it: it never counted these documents.
    before = counts(documents_api, company)

    report = migration.migrate_company(repo=repo, company_id=company, page=3)

    assert report.rewritten == 8
    mailbox = listed(documents_api, f"/companies/{company}/mailboxes/purchase?limit=3")
    assert len(mailbox) == 3
    assert {d.id for d in inbox} <= set(
        listed(documents_api, f"/companies/{company}/mailboxes/purchase?limit=50")
    )
    assert archived.id in listed(documents_api, f"/companies/{company}/archive?tab=sales")
    assert permanent.id in listed(documents_api, f"/companies/{company}/archive?tab=permanent")
    assert document_ids(documents_api.call("GET", "/firm/processing", as_user=ACCOUNTANT)) >= {processing.id}
    assert counts(documents_api, company) == {
        **before,
        "purchase": before["purchase"] + 5,
        "processing": before["processing"] + 1,
    }


def document_ids(answer) -> set[str]:
    return {d["id"] for d in json.loads(answer.body)["documents"]}


def test_every_company_is_found_for_a_migration_of_all(demo_companies, repo):
    assert set(migration.company_ids(repo=repo)) == set(demo_companies.values())


def test_a_status_change_during_the_recount_is_counted_again_not_lost(company, repo):
    document = old_document(company, events=1, remarks=0)
    repo.put(shape_one(document))
    migration.migrate_company(repo=repo, company_id=company)
    moved = []

    class Busy(type(repo)):
        def page(self, *args, **kwargs):
            read = super().page(*args, **kwargs)
            if kwargs.get("consistent") and not moved:
                # Someone sends the document to the accountant just after the recount read it.
                changed = store.get_document(repo=self, company_id=company, document_id=document.id)
                moved_on = changed.model_copy(update={"status": DocumentStatus.in_processing})
                store.save(repo=self, document=moved_on)
                moved.append(True)
            return read

    counted = migration.recount_boxes(repo=Busy(repo.table_name), company_id=company)

    assert moved
    assert counted == store.box_counts(repo=repo, company_id=company)
    assert counted["processing"] >= 1


def test_a_counter_that_moved_after_it_was_read_is_not_overwritten(company, repo):
    seen = repo.get(keys.company_pk(company), keys.BOX_COUNTS_SK)
    repo.transact([], [Add(keys.company_pk(company), keys.BOX_COUNTS_SK, {"purchase": 1})])

    with pytest.raises(Exception, match="changed meanwhile"):
        repo.replace_if_unchanged(
            {"pk": keys.company_pk(company), "sk": keys.BOX_COUNTS_SK, "purchase": 0},
            seen=seen,
            attributes=store.BOXES,
        )


def test_the_command_migrates_every_company_and_says_what_it_did(documents_api, company, repo, capsys):
    from comptoir_infra.cli import main

    document = old_document(company, events=3, remarks=0)
    repo.put(shape_one(document))

    assert main(["migrate", "documents", "--table", repo.table_name]) == 0

    printed = capsys.readouterr().out
    assert f"{company}: " in printed and "1 rewritten" in printed and "2 companies migrated" in printed
    assert document.id in listed(documents_api, f"/companies/{company}/mailboxes/purchase")
