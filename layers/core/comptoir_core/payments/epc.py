"""The EPC QR code (EPC069-12) a banking app scans to pay: version 002, UTF-8, error correction M.

segno's `helpers.make_epc_qr` insists on a text or a reference; a payment without communication is valid
EPC069-12 too, so the payload is written here (the standard's twelve lines) and segno encodes it.
"""

import io
from decimal import Decimal

import segno

from comptoir_core.payments import text

MAX_PAYLOAD_BYTES = 331  # EPC069-12: a larger code is refused by banking apps
MAX_VERSION = 13


def epc_payload(
    *,
    name: str,
    iban: str,
    amount: Decimal,
    bic: str | None = None,
    reference: str | None = None,
    free_text: str | None = None,
) -> bytes:
    """The EPC069-12 payload. `reference` is a valid structured reference (a Belgian one travels as its
    12 digits, an RF one as it is), `free_text` a free text: never both."""
    if reference and free_text:
        raise ValueError("a structured reference or a free text, never both")
    structured = text.reference_for_bank(reference)[1] if reference else ""
    lines = [
        "BCD",
        "002",
        "1",  # UTF-8
        "SCT",
        bic or "",
        name[: text.NAME_MAX],
        iban,
        f"EUR{amount.quantize(Decimal('0.01'))}",
        "",  # purpose
        structured,
        (free_text or "")[: text.TEXT_MAX],
    ]
    while lines[-1] == "":  # trailing empty fields may be left out (and the text is the last)
        lines.pop()
    payload = "\n".join(lines).encode("utf-8")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise ValueError("the payment data is too long for an EPC QR code")
    return payload


def epc_qr(payload: bytes) -> segno.QRCode:
    code = segno.make_qr(payload, error="m", boost_error=False, mode="byte")
    if code.version > MAX_VERSION:  # cannot happen under 331 bytes at level M; checked all the same
        raise ValueError("the EPC QR code would exceed version 13")
    return code


def render(code: segno.QRCode, fmt: str) -> bytes:
    """PNG (scale 8) or SVG of the code, with its quiet zone."""
    out = io.BytesIO()
    if fmt == "svg":
        code.save(out, kind="svg", scale=8, border=4, xmldecl=True)
    else:
        code.save(out, kind="png", scale=8, border=4)
    return out.getvalue()
