"""The pure parts of payments: the SEPA character set, references, end-to-end ids, the pain.001 writer and the
EPC payload, checked with lxml against the official XSDs and with zxing-cpp."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from comptoir_core.payments import epc, pain, text
from comptoir_core.payments.models import Communication, Counterparty, Method, Payment, PaymentStatus
from comptoir_core.payments.service import _end_to_end_ids
from tests.payments.checks import decode_epc, transactions, validate_pain


def test_names_are_transliterated_to_the_sepa_set():
    assert text.transliterate("Café & Crème — Société Générale «Œuvre» n°5 @home") == (
        "Cafe + Creme - Societe Generale 'OEuvre' no5 (at)home"
    )
    assert all(c in text.SEPA_CHARACTERS for c in text.transliterate("Ærøskøbing Straße 漢字 ½ €"))


def test_a_name_over_70_characters_is_shortened_and_says_so():
    name, shortened = text.sepa_name("A" * 69 + "é" + "B")
    assert (len(name), shortened) == (70, True)
    assert text.sepa_name("Brasserie Dupont") == ("Brasserie Dupont", False)


@pytest.mark.parametrize(
    "value,ok",
    [
        ("F2026-0042", True),
        ("/F1", False),
        ("F1/", False),
        ("F//1", False),
        ("F_1", False),
        ("A" * 36, False),
        ("F 1", True),
        (" F1", False),
        ("", False),
    ],
)
def test_an_end_to_end_id_is_35_characters_of_the_sepa_set_without_stray_slashes(value, ok):
    assert text.is_sepa_id(value) is ok


def test_structured_references_belgian_and_rf_are_recognised_and_checked():
    assert text.reference_for_bank("+++090/9337/55493+++") == ("BBA", "090933755493")
    assert text.reference_for_bank("RF18 5390 0754 7034") == ("ISO", "RF18539007547034")
    assert text.structured_value("+++090/9337/55494+++") is None
    assert text.structured_value("RF19539007547034") is None


def test_a_free_text_that_is_a_structured_reference_travels_as_structured():
    communication = Communication(type="unstructured", value="+++090/9337/55493+++")
    assert (communication.type, communication.value) == ("structured", "+++090/9337/55493+++")


def _payment(pid: str, number: str | None) -> Payment:
    return Payment(
        id=pid,
        company_id="co_x",
        document_id="doc_x",
        method=Method.sepa,
        status=PaymentStatus.to_execute,
        amount=Decimal("1.00"),
        counterparty=Counterparty(name="X", iban="BE71096123456769"),
        communication=Communication(),
        invoice_number=number,
        created_at=datetime.now(UTC),
        created_by="a@b.c",
    )


def test_the_end_to_end_id_is_the_invoice_number_only_when_a_bank_takes_it_and_it_is_unique():
    payments = [
        _payment("pay_1", "F-1"),
        _payment("pay_2", "F-2"),
        _payment("pay_3", "F-2"),
        _payment("pay_4", "F_4"),
        _payment("pay_5", None),
    ]
    assert _end_to_end_ids(payments) == {
        "pay_1": "F-1",
        "pay_2": "pay-2",
        "pay_3": "pay-3",
        "pay_4": "pay-4",
        "pay_5": "pay-5",
    }


def _transfer(n: int, **overrides) -> pain.Transfer:
    values = dict(
        end_to_end_id=f"E{n}",
        name="Dupont",
        iban="BE71096123456769",
        amount=Decimal("10.10"),
        execution_date=date(2026, 12, 20),
    )
    return pain.Transfer(**{**values, **overrides})


@pytest.mark.parametrize("version", ["001.001.09", "001.001.03"])
def test_a_file_without_bics_names_no_empty_agent_and_drops_an_empty_remittance(version):
    xml = pain.build(
        version=version,
        message_id="sf-1",
        created_at=datetime(2026, 12, 4, 10, 0),
        debtor=pain.Debtor(name="Demo SRL", iban="BE15001765432130"),
        transfers=[_transfer(1), _transfer(2, free_text="Facture 2", bic="GKCCBEBB")],
    )
    document = validate_pain(xml, version)
    txs = transactions(document, version)
    assert [(t["has_creditor_agent"], t["unstructured"], t["structured"]) for t in txs] == [
        (False, None, None),
        (True, "Facture 2", None),
    ]
    assert b"<FinInstnId><Othr><Id>NOTPROVIDED</Id></Othr></FinInstnId>" in xml
    assert b"<FinInstnId />" not in xml and b"<FinInstnId/>" not in xml


def test_every_id_of_a_file_is_set_and_unique():
    xml = pain.build(
        version="001.001.09",
        message_id="sf-9",
        created_at=datetime(2026, 12, 4, 10, 0),
        debtor=pain.Debtor(name="Demo SRL", iban="BE15001765432130", bic="GEBABEBB"),
        transfers=[_transfer(n, execution_date=date(2026, 12, 20 + n % 3)) for n in range(9)],
    )
    document = validate_pain(xml, "001.001.09")
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
    ids = (
        [e.text for e in document.iterfind(".//p:MsgId", ns)]
        + [e.text for e in document.iterfind(".//p:PmtInfId", ns)]
        + [e.text for e in document.iterfind(".//p:EndToEndId", ns)]
    )
    assert len(ids) == 1 + 3 + 9 and len(set(ids)) == len(ids) and all(ids)
    assert document.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=ns) == "90.90"


def test_an_epc_code_without_communication_decodes_with_empty_remittance():
    payload = epc.epc_payload(name="Dupont", iban="BE71096123456769", amount=Decimal("5"))
    decoded = decode_epc(epc.render(epc.epc_qr(payload), "png"))
    assert (decoded["amount"], decoded["reference"], decoded["text"], decoded["ec_level"]) == (
        "EUR5.00",
        "",
        "",
        "M",
    )
    with pytest.raises(ValueError):
        epc.epc_payload(
            name="D",
            iban="BE71096123456769",
            amount=Decimal("1"),
            reference="RF18539007547034",
            free_text="both",
        )
