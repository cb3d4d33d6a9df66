"""A reader of Febelfin CODA 2.x files: 128-character records 0, 1, 2.1-2.3, 3.1-3.3, 4, 8 and 9.

Written here rather than taken from `febelfin-coda` (0.5): that parser asserts that the movements lead
from the old balance to the new one (a file whose balances do not add up cannot be read, let alone
flagged), ignores unknown record types and does not check record lengths, and names no line in its errors.

Here a file is kept as the bank wrote it: a statement whose movements do not lead from its old balance to
its new one is read, with `balance_consistent` false and the `computed_new_balance`. Bad input is an
Invalid naming the line (1-based). Amounts are Decimal, debits negative; dates are ISO dates."""

from datetime import date
from decimal import Decimal

from pydantic import BaseModel, Field

from comptoir_core.errors import Invalid

RECORD_LENGTH = 128
THOUSAND = Decimal(1000)


class Detail(BaseModel):
    """One detail of a globalised movement (transaction type 5-8 under the same sequence number)."""

    sequence: str
    detail_number: str
    amount: Decimal
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    counterparty_bic: str | None = None
    communication_type: str = "none"
    communication: str | None = None
    structured_reference: str | None = None
    transaction_code: str


class Movement(BaseModel):
    sequence: str
    date: date
    value_date: date | None = None
    amount: Decimal
    counterparty_name: str | None = None
    counterparty_iban: str | None = None
    counterparty_bic: str | None = None
    communication_type: str = "none"  # structured, structured-NNN, free, none
    communication: str | None = None
    structured_reference: str | None = None
    transaction_code: str
    bank_reference: str = ""
    globalisation: int = 0
    r_transaction: str | None = None  # reject, return, refund, reversal, cancellation
    r_reason: str | None = None
    information: str | None = None  # records 3.x, joined
    details: list[Detail] = Field(default_factory=list)


class Statement(BaseModel):
    account_iban: str | None
    account_number: str
    account_holder: str | None = None
    currency: str
    statement_number: str
    old_balance: Decimal
    old_balance_date: date
    new_balance: Decimal
    date: date
    balance_consistent: bool
    computed_new_balance: Decimal | None = None
    total_debit: Decimal = Decimal(0)
    total_credit: Decimal = Decimal(0)
    free_communication: str | None = None
    movements: list[Movement] = Field(default_factory=list)


R_TYPES = {"1": "reject", "2": "return", "3": "refund", "4": "reversal", "5": "cancellation"}


def decode(data: bytes) -> str:
    """UTF-8 when it is, else Windows-1252 (what Belgian banks write)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _date(value: str, line: int) -> date | None:
    if value in ("000000", "      ", "999999"):
        return None
    try:
        return date(2000 + int(value[4:6]), int(value[2:4]), int(value[0:2]))
    except ValueError as error:
        raise Invalid(f"line {line}: {value!r} is not a date (DDMMYY)", details=[{"line": line}]) from error


def _amount(sign: str, digits: str, line: int) -> Decimal:
    if not digits.isdigit() or sign not in "01":
        raise Invalid(f"line {line}: {digits!r} is not an amount", details=[{"line": line}])
    value = (Decimal(digits) / THOUSAND).quantize(Decimal("0.001"))
    if value == value.quantize(Decimal("0.01")):
        value = value.quantize(Decimal("0.01"))  # cents, as money is shown; a third decimal is kept
    return -value if sign == "1" else value


def _text(value: str) -> str | None:
    value = " ".join(value.split())
    return value or None


def _account(structure: str, zone: str) -> tuple[str | None, str, str]:
    """(IBAN or None, the account as written, currency) from an account zone of 37 characters."""
    if structure == "0":  # Belgian account number: 12 digits, a blank, the currency
        return None, zone[0:12].strip(), zone[13:16].strip()
    if structure == "1":  # foreign account number
        return None, zone[0:34].strip(), zone[34:37].strip()
    if structure == "2":  # Belgian IBAN: 16 characters, blanks, the currency at 35-37
        iban = zone[0:31].strip()
        return iban, iban, zone[34:37].strip()
    iban = zone[0:34].strip()  # "3": foreign IBAN
    return iban, iban, zone[34:37].strip()


def _communication(kind: str, zone: str) -> tuple[str, str | None, str | None]:
    """(communication_type, communication, structured_reference) of a 2.1 communication zone."""
    if kind == "1":
        code = zone[0:3]
        content = zone[3:]
        if code in ("101", "102"):
            digits = content[0:12]
            return "structured", f"+++{digits[0:3]}/{digits[3:7]}/{digits[7:12]}+++", digits
        return f"structured-{code}", _text(content), None
    text = _text(zone)
    return ("free", text, None) if text else ("none", None, None)


def parse(data: bytes) -> list[Statement]:
    """Every statement of a CODA file, in file order."""
    text = decode(data)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines or not lines[0].startswith("0") or len(lines[0]) != RECORD_LENGTH or lines[0][127] != "2":
        raise Invalid(
            "line 1: this is not a CODA 2 file (a header record 0 of 128 characters, version 2)",
            details=[{"line": 1}],
        )
    statements: list[Statement] = []
    state: dict | None = None
    current: dict | None = None  # the movement or detail the 2.2/2.3 records continue
    info: dict | None = None
    for number, record in enumerate(lines, start=1):
        if len(record) != RECORD_LENGTH:
            raise Invalid(
                f"line {number}: a CODA record has 128 characters, this one {len(record)}",
                details=[{"line": number}],
            )
        kind = record[0]
        if kind == "0":
            if state is not None:
                raise Invalid(f"line {number}: a new header before the trailer 9", details=[{"line": number}])
            state = {"header": record, "movements": [], "free": [], "records": 0}
            continue
        if state is None:
            raise Invalid(f"line {number}: a record before the header 0", details=[{"line": number}])
        if kind == "1":
            iban, account, currency = _account(record[1], record[5:42])
            state.update(
                iban=iban,
                account=account,
                currency=currency,
                paper_number=record[2:5],
                old_balance=_amount(record[42], record[43:58], number),
                old_date=_date(record[58:64], number),
                holder=_text(record[64:90]),
                coda_number=record[125:128],
            )
            state["records"] += 1
        elif kind == "2":
            state["records"] += 1
            article = record[1]
            if article == "1":
                current = _movement_record(record, number)
                if current["detail_number"] == "0000":
                    state["movements"].append(current)
                else:
                    parents = [m for m in state["movements"] if m["sequence"] == current["sequence"]]
                    if not parents:
                        raise Invalid(
                            f"line {number}: a detail of movement {current['sequence']}, which is not there",
                            details=[{"line": number}],
                        )
                    parents[-1]["details"].append(current)
            elif article in "23":
                if current is None or record[2:6] != current["sequence"]:
                    raise Invalid(
                        f"line {number}: record 2.{article} continues no movement", details=[{"line": number}]
                    )
                if article == "2":
                    current["communication_zone"] += record[10:63]
                    current["bic"] = _text(record[98:109])
                    current["r_type"] = R_TYPES.get(record[112])
                    current["r_reason"] = _text(record[113:117])
                else:
                    account = record[10:47]
                    current["counterparty_account"] = _text(account[0:34])
                    current["counterparty_name"] = _text(record[47:82])
                    current["communication_zone"] += record[82:125]
            else:
                raise Invalid(f"line {number}: unknown record type 2.{article}", details=[{"line": number}])
        elif kind == "3":
            state["records"] += 1
            article = record[1]
            if article == "1":
                info = {"sequence": record[2:6], "text": record[40:113]}
                parents = [m for m in state["movements"] if m["sequence"] == info["sequence"]]
                if parents:
                    parents[-1]["information"].append(info)
            elif article in "23":
                if info is None:
                    raise Invalid(
                        f"line {number}: record 3.{article} continues nothing", details=[{"line": number}]
                    )
                info["text"] += record[10:115] if article == "2" else record[10:100]
            else:
                raise Invalid(f"line {number}: unknown record type 3.{article}", details=[{"line": number}])
        elif kind == "4":
            state["records"] += 1
            state["free"].append(record[32:112])
        elif kind == "8":
            state["records"] += 1
            state["new_balance"] = _amount(record[41], record[42:57], number)
            state["new_date"] = _date(record[57:63], number)
        elif kind == "9":
            if "old_balance" not in state or "new_balance" not in state:
                raise Invalid(
                    f"line {number}: a statement without its records 1 and 8", details=[{"line": number}]
                )
            state["total_debit"] = _amount("0", record[22:37], number)
            state["total_credit"] = _amount("0", record[37:52], number)
            statements.append(_statement(state))
            state, current, info = None, None, None
        else:
            raise Invalid(f"line {number}: unknown record type {kind!r}", details=[{"line": number}])
    if state is not None:
        raise Invalid(
            f"line {len(lines)}: the file ends before the trailer record 9", details=[{"line": len(lines)}]
        )
    return statements


def _movement_record(record: str, number: int) -> dict:
    return {
        "sequence": record[2:6],
        "detail_number": record[6:10],
        "bank_reference": record[10:31].strip(),
        "amount": _amount(record[31], record[32:47], number),
        "value_date": _date(record[47:53], number),
        "transaction_code": record[53:61],
        "communication_kind": record[61],
        "communication_zone": record[62:115],
        "entry_date": _date(record[115:121], number),
        "globalisation": int(record[124]) if record[124].isdigit() else 0,
        "counterparty_account": None,
        "counterparty_name": None,
        "bic": None,
        "r_type": None,
        "r_reason": None,
        "details": [],
        "information": [],
        "line": number,
    }


def _fields(raw: dict) -> dict:
    communication_type, communication, reference = _communication(
        raw["communication_kind"], raw["communication_zone"]
    )
    account = raw["counterparty_account"]
    iban = account if account and account[:2].isalpha() and account[2:4].isdigit() else None
    return {
        "sequence": raw["sequence"],
        "amount": raw["amount"],
        "counterparty_name": raw["counterparty_name"],
        "counterparty_iban": iban,
        "counterparty_bic": raw["bic"],
        "communication_type": communication_type,
        "communication": communication,
        "structured_reference": reference,
        "transaction_code": raw["transaction_code"],
    }


def _statement(state: dict) -> Statement:
    movements = []
    for raw in state["movements"]:
        if raw["entry_date"] is None:
            raise Invalid(
                f"line {raw['line']}: a movement without its entry date", details=[{"line": raw["line"]}]
            )
        movements.append(
            Movement(
                **_fields(raw),
                date=raw["entry_date"],
                value_date=raw["value_date"],
                bank_reference=raw["bank_reference"],
                globalisation=raw["globalisation"],
                r_transaction=raw["r_type"],
                r_reason=raw["r_reason"],
                information=_text(" ".join(i["text"] for i in raw["information"])),
                details=[Detail(**_fields(d), detail_number=d["detail_number"]) for d in raw["details"]],
            )
        )
    computed = state["old_balance"] + sum((m.amount for m in movements), Decimal(0))
    consistent = computed == state["new_balance"]
    header = state["header"]
    statement_date = state["new_date"] or _date(header[5:11], 1)
    return Statement(
        account_iban=state["iban"],
        account_number=state["account"],
        account_holder=state["holder"],
        currency=state["currency"],
        statement_number=state["coda_number"].strip() or state["paper_number"],
        old_balance=state["old_balance"],
        old_balance_date=state["old_date"],
        new_balance=state["new_balance"],
        date=statement_date,
        balance_consistent=consistent,
        computed_new_balance=None if consistent else computed,
        total_debit=state["total_debit"],
        total_credit=state["total_credit"],
        free_communication=_text(" ".join(state["free"])),
        movements=movements,
    )


def as_json(statements: list[Statement]) -> dict:
    """What `comptoir coda FILE --json` prints: amounts as decimal strings, debits negative."""

    def amount(value: Decimal) -> str:
        return f"{value:.2f}"

    def movement(m: Movement | Detail, dated: bool) -> dict:
        out = {}
        if dated:
            out["date"] = m.date.isoformat()
            out["value_date"] = m.value_date.isoformat() if m.value_date else None
        out.update(
            amount=amount(m.amount),
            counterparty_name=m.counterparty_name,
            counterparty_iban=m.counterparty_iban,
            communication_type=m.communication_type,
            communication=m.communication,
            structured_reference=m.structured_reference,
            transaction_code=m.transaction_code,
        )
        if dated:
            out["r_transaction"] = m.r_transaction
            out["details"] = [movement(d, False) for d in m.details]
        return out

    return {
        "statements": [
            {
                "account_iban": s.account_iban,
                "account_number": s.account_number,
                "currency": s.currency,
                "statement_number": s.statement_number,
                "old_balance": amount(s.old_balance),
                "new_balance": amount(s.new_balance),
                "date": s.date.isoformat(),
                "balance_consistent": s.balance_consistent,
                **({} if s.balance_consistent else {"computed_new_balance": amount(s.computed_new_balance)}),
                "movements": [movement(m, True) for m in s.movements],
            }
            for s in statements
        ]
    }


def is_coda(data: bytes) -> bool:
    """Whether bytes look like a CODA file (its first record a version-2 header of 128 characters): for
    the channels that receive files of any kind, e.g. attachments mailed to the Miscellaneous address."""
    first = decode(data[:260]).replace("\r\n", "\n").split("\n", 1)[0]
    return len(first) == RECORD_LENGTH and first.startswith("0") and first[127] == "2"
