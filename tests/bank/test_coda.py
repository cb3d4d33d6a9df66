"""The CODA reader on files written from the Febelfin standard (tests/bank/coda_files.py)."""

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from comptoir_core.bank import coda
from comptoir_core.errors import Invalid
from tests.bank import coda_files


@pytest.fixture(scope="module")
def statements():
    return coda.parse(coda_files.rich_file())


def test_two_statements_in_one_file_are_both_read(statements):
    assert [(s.account_iban, s.currency, s.statement_number) for s in statements] == [
        (coda_files.KBC, "EUR", "042"),
        ("BE43068999999501", "USD", "007"),
    ]


def test_a_negative_balance_is_read_negative(statements):
    kbc = statements[0]
    assert kbc.old_balance == Decimal("-1250.40")
    assert kbc.new_balance == Decimal("-1250.40") + Decimal("1210") - Decimal("2420") - Decimal("3000")


def test_a_structured_communication_gives_its_twelve_digits(statements):
    first = statements[0].movements[0]
    assert (first.communication_type, first.structured_reference) == ("structured", "090933755493")
    assert first.communication == "+++090/9337/55493+++"
    assert (first.counterparty_name, first.counterparty_iban, first.counterparty_bic) == (
        "Maison Dupont SA", "BE62510007547061", "GEBABEBB",
    )  # fmt: skip


def test_a_free_communication_is_joined_across_records_2_1_2_2_and_2_3(statements):
    rent = statements[0].movements[1]
    assert rent.communication_type == "free"
    assert rent.communication == (
        "Loyer avril 2025 entrepôt rue de la Station 12 à Gent, contrat 2019-44, indexation "
        "comprise selon l'avenant du 1er mars, merci"
    )


def test_a_sepa_direct_debit_is_structured_127_with_its_text_and_its_reversal_is_named(statements):
    debit, reversal = statements[0].movements[2:4]
    assert debit.communication_type == "structured-127" and "MANDATE-0042" in debit.communication
    assert (reversal.amount, reversal.r_transaction) == (Decimal("95.37"), "reversal")


def test_a_globalisation_carries_its_details_and_only_its_total_moves_the_balance(statements):
    batch = statements[0].movements[4]
    assert batch.amount == Decimal("-3000.00") and batch.globalisation == 1
    assert [(d.counterparty_name, d.amount) for d in batch.details] == [
        ("Jan Peeters", Decimal("-1800.00")),
        ("Marie Dubois", Decimal("-1200.00")),
    ]
    assert statements[0].balance_consistent is True


def test_a_foreign_currency_movement_keeps_its_value_date_apart_from_its_entry_date(statements):
    usd = statements[1]
    movement = usd.movements[0]
    assert usd.currency == "USD" and movement.amount == Decimal("-1500.00")
    assert (movement.date, movement.value_date) == (date(2025, 3, 28), date(2025, 3, 31))
    assert movement.counterparty_iban == "US12345678901234567890"
    assert movement.information == "Charges USD 12.50"


def test_balances_that_do_not_add_up_are_kept_as_written_and_flagged():
    kbc, usd = coda.parse(coda_files.rich_file(balanced=False))

    assert kbc.new_balance == Decimal("999.99")
    assert kbc.balance_consistent is False
    assert kbc.computed_new_balance == Decimal("-5460.40")
    assert usd.balance_consistent is True and usd.computed_new_balance is None


def test_an_account_without_iban_is_named_as_written():
    (statement,) = coda.parse(coda_files.belgian_account_file())
    assert (statement.account_iban, statement.account_number) == (None, "737001234521")


def test_a_utf8_file_reads_as_the_windows_1252_one():
    assert coda.parse(coda_files.rich_file()) == coda.parse(
        coda_files.rich_file().decode("cp1252").encode("utf-8")
    )


def _lines(data: bytes) -> list[str]:
    return data.decode("cp1252").split("\r\n")


def test_a_record_of_the_wrong_length_is_refused_naming_its_line():
    lines = _lines(coda_files.rich_file())
    lines[3] = lines[3][:-1]
    with pytest.raises(Invalid, match="line 4: a CODA record has 128 characters, this one 127"):
        coda.parse("\r\n".join(lines).encode("cp1252"))


def test_an_unknown_record_type_is_refused_naming_its_line():
    lines = _lines(coda_files.rich_file())
    lines[2] = "7" + lines[2][1:]
    with pytest.raises(Invalid, match="line 3: unknown record type '7'"):
        coda.parse("\r\n".join(lines).encode("cp1252"))


def test_a_file_that_is_not_coda_is_refused():
    with pytest.raises(Invalid, match="line 1: this is not a CODA 2 file"):
        coda.parse(b"%PDF-1.7\n1 0 obj\n")


def test_the_command_prints_the_json_the_issue_describes(tmp_path):
    path = tmp_path / "statement.cod"
    path.write_bytes(coda_files.rich_file(balanced=False))

    done = subprocess.run(
        [sys.executable, "-m", "comptoir_infra.cli", "coda", str(path), "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip

    printed = json.loads(done.stdout)
    kbc = printed["statements"][0]
    assert kbc["balance_consistent"] is False and kbc["computed_new_balance"] == "-5460.40"
    assert kbc["old_balance"] == "-1250.40" and kbc["movements"][2]["amount"] == "-95.37"
    assert kbc["movements"][4]["details"][0]["amount"] == "-1800.00"
    assert set(kbc["movements"][0]) >= {
        "date", "value_date", "amount", "counterparty_name", "counterparty_iban", "communication_type",
        "communication", "structured_reference", "details",
    }  # fmt: skip


def test_the_command_names_the_bad_line_and_fails(tmp_path):
    path = tmp_path / "bad.cod"
    path.write_bytes(b"hello\n")
    done = subprocess.run([sys.executable, "-m", "comptoir_infra.cli", "coda", str(path), "--json"],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 1 and "line 1" in done.stderr


def test_a_coda_file_is_told_apart_from_other_attachments():
    assert coda.is_coda(coda_files.rich_file())
    assert not coda.is_coda(b"%PDF-1.7\n") and not coda.is_coda(b"1" * 128 + b"\n")
