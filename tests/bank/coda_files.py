"""CODA files written for the tests from the Febelfin standard (CODA 2.x record layouts), field by field."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


def _d(day: date | None) -> str:
    return day.strftime("%d%m%y") if day else "000000"


def _n(value: Decimal) -> tuple[str, str]:
    """(sign, 15 digits with 3 decimals): 0 credit, 1 debit."""
    sign = "1" if value < 0 else "0"
    return sign, f"{int(abs(value) * 1000):015d}"


def _a(text: str | None, width: int) -> str:
    text = text or ""
    assert len(text) <= width, (text, width)
    return text.ljust(width)


def _check(record: str) -> str:
    assert len(record) == 128, (len(record), record)
    return record


@dataclass
class Mov:
    amount: Decimal
    entry_date: date
    value_date: date | None = None
    name: str | None = None
    iban: str | None = None
    bic: str | None = None
    structured: str | None = None  # 12 digits (type 101)
    structured_type: str | None = None  # e.g. "127" with `structured_text`
    structured_text: str | None = None
    free: str | None = None  # may run over 2.1, 2.2 and 2.3
    code: str = "00150000"  # type 0, family 01 (transfers), transaction 50, category 000
    globalisation: int = 0
    details: list["Mov"] = field(default_factory=list)
    r_type: str = " "
    information: str | None = None


@dataclass
class Stmt:
    account: str  # an IBAN, or 12 digits for a Belgian account without IBAN
    currency: str
    number: int
    old_balance: Decimal
    old_date: date
    new_balance: Decimal | None  # None: the right one
    new_date: date
    movements: list[Mov]
    holder: str = "ATELIER DEMO SRL"
    free_communication: str | None = None


def _account_zone(account: str, currency: str) -> tuple[str, str]:
    if account.isdigit():
        return "0", f"{account:<12} {currency}" + " " * 21
    if account.startswith("BE"):
        return "2", _a(account, 31) + "   " + currency
    return "3", _a(account, 34) + currency


def _movement_records(seq: int, detail: int, m: Mov, paper: int) -> list[str]:
    sign, digits = _n(m.amount)
    if m.structured:
        kind, zone = "1", "101" + m.structured
    elif m.structured_type:
        kind, zone = "1", m.structured_type + (m.structured_text or "")
    else:
        kind, zone = "0", m.free or ""
    parts = [zone[:53], zone[53:106], zone[106:149]]
    need_22 = bool(parts[1] or m.bic or m.r_type.strip())
    need_23 = bool(parts[2] or m.name or m.iban)
    if need_23:
        need_22 = True
    link = "1" if m.information else "0"
    code = m.code if not detail else m.code
    records = [
        _check(
            "21" + f"{seq:04d}" + f"{detail:04d}" + _a("REF" + f"{seq:04d}{detail:04d}", 21) + sign + digits
            + _d(m.value_date) + code + kind + _a(parts[0], 53) + _d(m.entry_date) + f"{paper:03d}"
            + str(m.globalisation) + ("1" if need_22 else "0") + " " + (link if not need_22 else "0")
        )
    ]  # fmt: skip
    if need_22:
        records.append(
            _check(
                "22" + f"{seq:04d}" + f"{detail:04d}" + _a(parts[1], 53) + _a("", 35) + _a(m.bic, 11) + "   "
                + m.r_type + "    " + "    " + "    " + ("1" if need_23 else "0") + " "
                + (link if not need_23 else "0")
            )
        )  # fmt: skip
    if need_23:
        account = _a(m.iban, 34) + ("EUR" if m.iban else "   ")
        records.append(
            _check(
                "23"
                + f"{seq:04d}"
                + f"{detail:04d}"
                + account
                + _a(m.name, 35)
                + _a(parts[2], 43)
                + "0 "
                + link
            )
        )
    if m.information:
        records.append(
            _check(
                "31" + f"{seq:04d}" + f"{detail:04d}" + _a("INFO", 21) + m.code + "0" + _a(m.information, 73)
                + " " * 12 + "0 0"
            )
        )  # fmt: skip
    return records


def write(statements: list[Stmt], *, created: date = date(2025, 3, 31), encoding: str = "cp1252") -> bytes:
    lines: list[str] = []
    for s in statements:
        structure, zone = _account_zone(s.account, s.currency)
        total = s.old_balance + sum((m.amount for m in s.movements), Decimal(0))
        new = total if s.new_balance is None else s.new_balance
        body: list[str] = []
        sign, digits = _n(s.old_balance)
        body.append(
            _check(
                "1" + structure + f"{s.number:03d}" + zone + sign + digits + _d(s.old_date) + _a(s.holder, 26)
                + _a("COMPTE A VUE", 35) + f"{s.number:03d}"
            )
        )  # fmt: skip
        for seq, m in enumerate(s.movements, start=1):
            body.extend(_movement_records(seq, 0, m, s.number))
            for index, d in enumerate(m.details, start=1):
                body.extend(_movement_records(seq, index, d, s.number))
        if s.free_communication:
            body.append(
                _check("4 " + "0001" + "0000" + " " * 22 + _a(s.free_communication, 80) + " " * 15 + "0")
            )
        sign, digits = _n(new)
        body.append(_check("8" + f"{s.number:03d}" + zone + sign + digits + _d(s.new_date) + " " * 64 + "0"))
        debit = sum((-m.amount for m in s.movements if m.amount < 0), Decimal(0))
        credit = sum((m.amount for m in s.movements if m.amount > 0), Decimal(0))
        lines.append(
            _check(
                "0" + "0000" + _d(created) + "725" + "05" + " " + " " * 7 + _a("FILE1", 10) + _a("ATELIER DEMO", 26)
                + _a("KREDBEBB", 11) + "00403019261" + " " + "00000" + _a("", 16) + _a("", 16) + " " * 7 + "2"
            )
        )  # fmt: skip
        lines.extend(body)
        lines.append(
            _check("9" + " " * 15 + f"{len(body):06d}" + _n(debit)[1] + _n(credit)[1] + " " * 75 + "2")
        )
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


KBC = "BE68539007547034"
BELFIUS = "BE71096123456769"


def rich_file(*, balanced: bool = True) -> bytes:
    """Two statements: KBC (EUR) and a USD account; everything the issue asks a reader to read."""
    kbc = Stmt(
        account=KBC,
        currency="EUR",
        number=42,
        old_balance=Decimal("-1250.40"),  # overdrawn
        old_date=date(2025, 3, 27),
        new_balance=None if balanced else Decimal("999.99"),
        new_date=date(2025, 3, 28),
        free_communication="Vos extraits en ligne: merci de votre confiance.",
        movements=[
            Mov(Decimal("1210.00"), date(2025, 3, 28), value_date=date(2025, 3, 27), name="Maison Dupont SA",
                iban="BE62510007547061", bic="GEBABEBB", structured="090933755493"),
            Mov(Decimal("-2420.00"), date(2025, 3, 28), value_date=date(2025, 3, 28), name="Immo Gent NV",
                iban="BE71096123456769",
                free="Loyer avril 2025 entrepôt rue de la Station 12 à Gent, contrat 2019-44, indexation "
                     "comprise selon l'avenant du 1er mars, merci"),
            # a direct debit collected under structured type 127 (SEPA), then reversed the same day
            Mov(Decimal("-95.37"), date(2025, 3, 28), name="Electrabel Energie", iban="BE68539007547034",
                code="00505000", structured_type="127",
                structured_text="280325 1 BE12ZZZ0123456789 MANDATE-0042 ELECTRABEL ACOMPTE MARS"),
            Mov(Decimal("95.37"), date(2025, 3, 28), name="Electrabel Energie", iban="BE68539007547034",
                code="00505300", r_type="4", free="Reversal of direct debit MANDATE-0042"),
            # a globalisation: one debit of 3 000 for a batch of two salaries
            Mov(Decimal("-3000.00"), date(2025, 3, 28), code="10103000", globalisation=1,
                free="Batch salaires mars",
                details=[
                    Mov(Decimal("-1800.00"), date(2025, 3, 28), code="50103000", name="Jan Peeters",
                        iban="BE43068999999501", free="Salaire mars"),
                    Mov(Decimal("-1200.00"), date(2025, 3, 28), code="50103000", name="Marie Dubois",
                        iban="BE79000000000233", free="Salaire mars"),
                ]),
        ],
    )  # fmt: skip
    usd = Stmt(
        account="BE43068999999501",
        currency="USD",
        number=7,
        old_balance=Decimal("5000.00"),
        old_date=date(2025, 3, 27),
        new_balance=None,
        new_date=date(2025, 3, 28),
        movements=[
            Mov(Decimal("-1500.00"), date(2025, 3, 28), value_date=date(2025, 3, 31), name="Wood Supply Inc",
                iban="US12345678901234567890", free="PO 7781 Oak boards", information="Charges USD 12.50"),
        ],
    )  # fmt: skip
    return write([kbc, usd])


def belgian_account_file() -> bytes:
    """An account without IBAN (structure 0), one movement."""
    return write([
        Stmt(account="737001234521", currency="EUR", number=1, old_balance=Decimal("10.00"),
             old_date=date(2025, 1, 30), new_balance=None, new_date=date(2025, 1, 31),
             movements=[Mov(Decimal("5.00"), date(2025, 1, 31), free="Interest")]),
    ])  # fmt: skip
