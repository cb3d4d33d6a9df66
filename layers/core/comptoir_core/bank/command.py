"""`comptoir coda FILE [--json]`: what a CODA file holds, without the portal."""

import json
import sys
from pathlib import Path

from comptoir_core.bank import coda
from comptoir_core.errors import Invalid


def coda_command(path: Path, *, as_json: bool) -> int:
    try:
        statements = coda.parse(path.read_bytes())
    except OSError as error:
        print(f"comptoir coda: {error}", file=sys.stderr)
        return 2
    except Invalid as error:
        print(f"comptoir coda: {path}: {error.message}", file=sys.stderr)
        return 1
    data = coda.as_json(statements)
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for s in data["statements"]:
        flag = "" if s["balance_consistent"] else f"  (movements lead to {s['computed_new_balance']}!)"
        print(f"{s['account_number']} {s['currency']} n° {s['statement_number']} {s['date']}: "
              f"{s['old_balance']} → {s['new_balance']}{flag}")  # fmt: skip
        for m in s["movements"]:
            print(
                f"  {m['date']} {m['amount']:>14} {m['counterparty_name'] or ''} {m['communication'] or ''}"
            )
    return 0
