"""A raw inbound message, as SES stores it, read into what the e-mail channel needs.

Pure: bytes in, a `ParsedMessage` out. Never raises on bad input: malformed MIME, lying content
types, hostile names and zip bombs all end as parts to import or parts skipped with a reason.

Where SES puts what (and the local SMTP listener does the same):
- SES prepends its own header block to the message it stores: `Return-Path`, one `Received` naming
  its host (`by inbound-smtp.<region>.amazonaws.com`) and the envelope recipient (`for <address>`),
  `X-SES-Spam-Verdict`, `X-SES-Virus-Verdict`, `Received-SPF`, `Authentication-Results: amazonses.com;
  spf=…; dkim=…; dmarc=…`, `X-SES-RECEIPT`, `X-SES-DKIM-SIGNATURE`. Only that leading block is
  trusted: the same names further down were written by the sender.
- With several recipients in one SMTP transaction SES stores one object and names one recipient in
  its `Received` header; the others are found in the To and Cc headers (see `ParsedMessage`).
"""

import base64
import hashlib
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser

from comptoir_core.bank.coda import is_coda
from comptoir_core.mail.sniff import (
    DESCRIPTIONS,
    EXTENSIONS,
    IMAGES,
    IMPORTED,
    NOT_THE_CLAIMED_PDF,
    Kind,
    claims_pdf,
    image_size,
    sniff,
)
from comptoir_core.mail.unzip import Member, SkippedMember, ZipLimits, ZipRefused, unpack
from comptoir_core.names import safe_name

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    # SES refuses bigger messages when it stores them in S3; a little room for its own headers.
    max_message_bytes: int = 41 * MB
    max_part_bytes: int = 25 * MB
    max_parts: int = 100  # leaf parts looked at in one message, forwarded ones included
    max_depth: int = 10  # nesting of multiparts and forwarded messages
    # Images smaller than this on their longer side, or in bytes, are logos, icons and signatures.
    small_image_px: int = 300
    small_image_bytes: int = 10 * 1024
    # An image the HTML body shows (cid:) below this size is part of the layout, not a document.
    inline_image_bytes: int = 100 * 1024
    max_inline_images_bytes: int = 5 * MB  # pictures of the body kept inside its document
    max_labels: int = 20
    max_remark_chars: int = 1000
    zip: ZipLimits = field(default_factory=ZipLimits)


LIMITS = Limits()

# The headers SES prepends, lower case.
_SES_HEADERS = frozenset(
    {
        "return-path",
        "received",
        "x-ses-spam-verdict",
        "x-ses-virus-verdict",
        "received-spf",
        "authentication-results",
        "x-ses-receipt",
        "x-ses-dkim-signature",
        "x-ses-outgoing",
    }
)
_SES_HOST = re.compile(r"^inbound-smtp\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$", re.IGNORECASE)
_BY = re.compile(r"\bby\s+([^\s;]+)", re.IGNORECASE)
_FOR = re.compile(r"\bfor\s+<?([^\s<>;,]+@[^\s<>;,]+)>?", re.IGNORECASE)
_COMMENT = re.compile(r"\([^()]*\)")
_AUTH_RESULT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([a-z]+)", re.IGNORECASE)
_LABEL = re.compile(r"(?<![\w#&])#([^\W\d_][\w-]{0,39})")
_REMARK = re.compile(r"\[\*(.+?)\*\]", re.DOTALL)
_CID = re.compile(r"""cid:([^"'\s>)]+)""", re.IGNORECASE)
_CID_BYTES = re.compile(rb"""cid:([^"'\s>)]+)""", re.IGNORECASE)
_CHARSET_DECLARED = re.compile(rb"<meta[^>]+charset", re.IGNORECASE)
_SIGNATURE_TYPES = frozenset(
    {"application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"}
)


@dataclass(frozen=True)
class Verdicts:
    spam: str | None = None
    virus: str | None = None
    spf: str | None = None
    dkim: str | None = None
    dmarc: str | None = None


@dataclass(frozen=True)
class Part:
    """A file to import: its bytes, what they are, and the name it came with."""

    name: str
    kind: Kind
    body: bytes
    sha256: str
    origin: str  # "attachment", "forwarded message", "zip <name>", "message body"


@dataclass(frozen=True)
class Skipped:
    name: str
    reason: str
    size: int = 0
    # A refusal (a program, a zip bomb, a file not what it claims): False for what is no document at all
    # (a logo, a signature, an empty part, a duplicate), which never stands in for the body.
    refused: bool = True


@dataclass
class ParsedMessage:
    size: int
    fingerprint: str  # the same message delivered twice has the same fingerprint
    sender: str | None = None
    subject: str | None = None
    message_id: str | None = None
    # The envelope recipient SES names in its own Received header (trusted), then the To and Cc
    # addresses (the sender's word: only ever used for mailboxes whose address is known).
    envelope_recipient: str | None = None
    header_recipients: list[str] = field(default_factory=list)
    verdicts: Verdicts = field(default_factory=Verdicts)
    labels: list[str] = field(default_factory=list)
    remark: str | None = None
    parts: list[Part] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # CODA bank statements (comptoir_core.bank): not documents, read by the bank context instead.
    bank_files: list[tuple[str, bytes]] = field(default_factory=list)
    # The body as an HTML document, for a message with nothing else to import.
    body: Part | None = None
    defects: list[str] = field(default_factory=list)

    @property
    def virus_found(self) -> bool:
        return (self.verdicts.virus or "").upper() == "FAIL"

    @property
    def attachments_refused(self) -> bool:
        """Attachments were sent and every one of them was refused: the body does not replace them."""
        return not self.parts and any(skipped.refused for skipped in self.skipped)


@dataclass
class _Leaf:
    part: Message
    level: int  # 0 for the message itself, +1 per forwarded message
    order: int
    related: bool  # inside multipart/related: shown by the HTML next to it


def parse_message(raw: bytes, limits: Limits = LIMITS) -> ParsedMessage:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    parsed = ParsedMessage(size=len(raw), fingerprint="")
    ses = _ses_block(message)
    parsed.verdicts = _verdicts(ses)
    parsed.envelope_recipient = _envelope_recipient(ses)
    parsed.sender = _sender(message, ses)
    parsed.subject = _header_text(message, "Subject", 500)
    parsed.message_id = _header_text(message, "Message-ID", 500, strip="<> ")
    parsed.header_recipients = _header_recipients(message)
    parsed.labels = _labels(parsed.subject, limits)

    leaves: list[_Leaf] = []
    _walk(message, leaves, parsed, level=0, depth=0, related=False, limits=limits)
    parsed.fingerprint = _fingerprint(message, leaves, limits)
    html_body, text_body = _bodies(leaves)
    body_text = _text_of(text_body) if text_body is not None else None
    body_html = _html_of(html_body) if html_body is not None else None
    if not body_text and body_html:
        body_text = html_to_text(body_html[0].decode("utf-8", "replace"))
    parsed.remark = _remark(body_text or "", limits)
    shown_cids = set(_CID.findall(body_html[0].decode("utf-8", "replace"))) if body_html else set()

    seen: dict[str, str] = {}
    for leaf in leaves:
        if leaf.part is html_body or leaf.part is text_body:
            continue
        _take(leaf, parsed, seen, shown_cids, limits)
    parsed.body = _body_part(parsed, body_html, body_text, _shown_images(leaves, shown_cids, limits))
    parsed.defects = sorted(
        {type(defect).__name__ for part in message.walk() for defect in getattr(part, "defects", [])}
    )
    return parsed


# --- headers -------------------------------------------------------------------------------------


def _ses_block(message: Message) -> list[tuple[str, str]]:
    """The leading run of SES's own headers (one Received at most), unfolded."""
    block = []
    received = 0
    for name, value in message.raw_items():
        lower = name.lower()
        if lower not in _SES_HEADERS:
            break
        if lower == "received":
            received += 1
            if received > 1:
                break
        block.append((lower, re.sub(r"\r?\n[ \t]+", " ", str(value)).strip()))
    return block


def _first(block: list[tuple[str, str]], name: str) -> str | None:
    return next((value for key, value in block if key == name), None)


def _verdicts(ses: list[tuple[str, str]]) -> Verdicts:
    results: dict[str, str] = {}
    auth = _first(ses, "authentication-results")
    if auth and auth.split(";", 1)[0].strip().lower() == "amazonses.com":
        for method, result in _AUTH_RESULT.findall(_COMMENT.sub(" ", auth.split(";", 1)[-1])):
            method, result = method.lower(), result.lower()
            # Several DKIM signatures: one that passes is enough.
            if method not in results or (method == "dkim" and result == "pass"):
                results[method] = result
    if "spf" not in results and (received_spf := _first(ses, "received-spf")):
        results["spf"] = received_spf.split(None, 1)[0].lower()
    return Verdicts(
        spam=_verdict(_first(ses, "x-ses-spam-verdict")),
        virus=_verdict(_first(ses, "x-ses-virus-verdict")),
        spf=results.get("spf"),
        dkim=results.get("dkim"),
        dmarc=results.get("dmarc"),
    )


def _verdict(value: str | None) -> str | None:
    return value.strip().split()[0].upper()[:40] if value and value.strip() else None


def _envelope_recipient(ses: list[tuple[str, str]]) -> str | None:
    received = _first(ses, "received")
    if not received:
        return None
    clean = received
    for _ in range(5):  # nested comments
        clean = _COMMENT.sub(" ", clean)
    by = _BY.search(clean)
    if by is None or not _SES_HOST.match(by.group(1)):
        return None
    found = _FOR.search(clean, by.end())
    return found.group(1).strip().lower() if found else None


def _sender(message: Message, ses: list[tuple[str, str]]) -> str | None:
    for candidate in (_address_of(message, "From"), _address_of(message, "Sender")):
        if candidate:
            return candidate
    return_path = _first(ses, "return-path")
    if return_path:
        address = parseaddr(return_path)[1].strip().lower()
        return address or None
    return None


def _address_of(message: Message, name: str) -> str | None:
    try:
        header = message.get(name)
        if header is None:
            return None
        addresses = getattr(header, "addresses", None)
        if addresses:
            return addresses[0].addr_spec.lower() or None
        address = parseaddr(str(header))[1]
    except Exception:  # a header Python's parser chokes on: fall back on the raw text
        address = parseaddr(_raw_header(message, name) or "")[1]
    address = address.strip().lower()
    return address if "@" in address else None


def _header_recipients(message: Message) -> list[str]:
    found: list[str] = []
    for key, value in message.raw_items():
        if key.lower() not in ("to", "cc"):
            continue
        # The raw text, parsed leniently: a malformed address list still yields its good addresses.
        for _, address in getaddresses([re.sub(r"\r?\n[ \t]+", " ", str(value))]):
            address = address.strip().lower()
            if "@" in address and address not in found:
                found.append(address)
    return found[:50]


def _header_text(message: Message, name: str, limit: int, strip: str = "") -> str | None:
    try:
        value = message.get(name)
        text = str(value) if value is not None else None
    except Exception:
        text = _raw_header(message, name)
    if text is None:
        return None
    text = " ".join(text.split()).strip(strip) if strip else " ".join(text.split())
    return text[:limit] or None


def _raw_header(message: Message, name: str) -> str | None:
    for key, value in message.raw_items():
        if key.lower() == name.lower():
            return str(value)
    return None


def _labels(subject: str | None, limits: Limits) -> list[str]:
    labels: list[str] = []
    for label in _LABEL.findall(subject or ""):
        label = label.rstrip("-")
        if label.lower() not in (known.lower() for known in labels):
            labels.append(label)
    return labels[: limits.max_labels]


def _remark(text: str, limits: Limits) -> str | None:
    remarks = [" ".join(found.split()) for found in _REMARK.findall(text)]
    remark = "\n".join(r for r in remarks if r)
    return remark[: limits.max_remark_chars] or None


def _fingerprint(message: Message, leaves: list["_Leaf"], limits: Limits) -> str:
    """The message as its sender wrote it: the headers that name it and the content of each part.

    Two deliveries of one message (a retry, a copy for another recipient, the same message sent
    again by a client that re-encodes it) differ in the trace headers SES adds on top, and may differ
    in MIME boundaries and line wrapping; none of that is content, so they share a fingerprint."""
    digest = hashlib.sha256()
    for name in ("Message-ID", "From", "Date", "Subject"):
        digest.update(" ".join((_raw_header(message, name) or "").split()).encode("utf-8", "replace"))
        digest.update(b"\x00")
    for leaf in leaves:
        digest.update(_content_type(leaf.part).encode() + b"\x00")
        if _too_large_to_decode(leaf.part, limits):  # never decoded: its encoded form stands for it
            payload = leaf.part.get_payload()
            content = payload.encode("utf-8", "surrogateescape") if isinstance(payload, str) else b""
        else:
            content = _decoded(leaf.part)
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


# --- the MIME tree -------------------------------------------------------------------------------


def _walk(
    part: Message, leaves: list[_Leaf], parsed: ParsedMessage, *, level, depth, related, limits
) -> None:
    if depth > limits.max_depth:
        parsed.skipped.append(Skipped("(nested part)", f"nested more than {limits.max_depth} levels deep"))
        return
    content_type = _content_type(part)
    if content_type == "message/rfc822" or (part.is_multipart() and content_type.startswith("message/")):
        for inner in _payload_list(part):
            _walk(inner, leaves, parsed, level=level + 1, depth=depth + 1, related=False, limits=limits)
        return
    if part.is_multipart():
        inside_related = related or content_type == "multipart/related"
        for inner in _payload_list(part):
            _walk(inner, leaves, parsed, level=level, depth=depth + 1, related=inside_related, limits=limits)
        return
    if len(leaves) >= limits.max_parts:
        if not any(s.reason.startswith("more than") for s in parsed.skipped):
            parsed.skipped.append(
                Skipped("(further parts)", f"more than {limits.max_parts} parts in one message")
            )
        return
    leaves.append(_Leaf(part=part, level=level, order=len(leaves), related=related))


def _payload_list(part: Message) -> list[Message]:
    payload = part.get_payload()
    if isinstance(payload, list):
        return [p for p in payload if isinstance(p, Message)]
    return []


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if not name:
        try:
            name = part.get_param("name")  # the older place, still used by some mailers
            if isinstance(name, tuple):  # RFC 2231 left undecoded
                name = name[2]
        except Exception:
            name = None
    if name and "=?" in str(name):  # RFC 2047 words inside a parameter: not standard, but common
        try:
            from email.header import decode_header, make_header

            name = str(make_header(decode_header(str(name))))
        except Exception:  # noqa: S110 — the name stays as it came
            pass
    return str(name) if name else None


def _content_id(part: Message) -> str:
    try:
        return str(part.get("Content-ID", "") or "").strip().strip("<>")
    except Exception:
        return ""


def _disposition(part: Message) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:
        return None


def _is_body_candidate(leaf: _Leaf) -> bool:
    content_type = _content_type(leaf.part)
    return (
        content_type in ("text/plain", "text/html")
        and _filename(leaf.part) is None
        and _disposition(leaf.part) != "attachment"
    )


def _bodies(leaves: list[_Leaf]) -> tuple[Message | None, Message | None]:
    """The message's own HTML and plain text bodies (those of a forwarded one when it has none)."""
    candidates = sorted(
        (leaf for leaf in leaves if _is_body_candidate(leaf)), key=lambda leaf: (leaf.level, leaf.order)
    )
    html_body = next((c.part for c in candidates if _content_type(c.part) == "text/html"), None)
    text_body = next((c.part for c in candidates if _content_type(c.part) == "text/plain"), None)
    return html_body, text_body


def _decoded(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if data is None:
        payload = part.get_payload()
        data = payload.encode("utf-8", "replace") if isinstance(payload, str) else b""
    return data


def _too_large_to_decode(part: Message, limits: Limits) -> bool:
    return _encoded_size(part) > limits.max_part_bytes * 1.4 + 4096  # base64 grows by a third


def _encoded_size(part: Message) -> int:
    payload = part.get_payload()
    return len(payload) if isinstance(payload, (str, bytes)) else 0


def _charset(part: Message) -> str:
    try:
        charset = part.get_content_charset() or "utf-8"
        "".encode(charset)
        return charset
    except Exception:
        return "utf-8"


def _text_of(part: Message) -> str:
    return _decoded(part).decode(_charset(part), "replace").replace("\r\n", "\n")


def _html_of(part: Message) -> tuple[bytes, str]:
    data = _decoded(part)
    return data, _charset(part)


def _take(leaf: _Leaf, parsed: ParsedMessage, seen: dict[str, str], shown_cids: set[str], limits) -> None:
    if _is_body_candidate(leaf):
        # The text of this message or a forwarded one (or a piece of it: some mailers cut the HTML
        # around inline pictures): never an attachment. The body chosen may become the document.
        return
    part = leaf.part
    content_type = _content_type(part)
    origin = "forwarded message" if leaf.level else "attachment"
    name = safe_name(_filename(part), fallback="")
    if content_type in _SIGNATURE_TYPES:
        parsed.skipped.append(
            Skipped(name or "signature", "a digital signature of the message, not a document", refused=False)
        )
        return
    if _too_large_to_decode(part, limits):
        parsed.skipped.append(
            Skipped(
                name or "attachment", f"larger than {limits.max_part_bytes // MB} MB", _encoded_size(part)
            )
        )
        return
    data = _decoded(part)
    if len(data) > limits.max_part_bytes:
        parsed.skipped.append(
            Skipped(name or "attachment", f"larger than {limits.max_part_bytes // MB} MB", len(data))
        )
        return
    if not data.strip():
        if name:
            parsed.skipped.append(Skipped(name, "empty", refused=False))
        return
    if is_coda(data):
        parsed.bank_files.append((name or "statement.cod", data))
        return
    kind = sniff(data)
    if _not_the_claimed_pdf(kind, name, content_type):
        parsed.skipped.append(Skipped(name or "attachment.pdf", NOT_THE_CLAIMED_PDF, len(data)))
        return
    name = name or _default_name(kind, len(seen) + len(parsed.skipped) + 1)
    if kind in IMAGES:
        reason = _small_image(part, data, leaf, shown_cids, limits)
        if reason:
            parsed.skipped.append(Skipped(name, reason, len(data), refused=False))
            return
    if kind == Kind.zip:
        _take_zip(name, data, parsed, seen, limits)
        return
    _keep(Part(name=name, kind=kind, body=data, sha256=_sha(data), origin=origin), parsed, seen)


def _take_zip(name: str, data: bytes, parsed: ParsedMessage, seen: dict[str, str], limits: Limits) -> None:
    try:
        members = list(unpack(data, limits.zip))
    except ZipRefused as refused:
        parsed.skipped.append(Skipped(name, f"zip not unpacked: {refused.reason}", len(data)))
        return
    for member in members:
        if isinstance(member, SkippedMember):
            parsed.skipped.append(Skipped(f"{name} › {member.name}", member.reason))
            continue
        assert isinstance(member, Member)
        kind = sniff(member.data)
        shown = f"{name} › {member.name}"
        if _not_the_claimed_pdf(kind, member.name):
            parsed.skipped.append(Skipped(shown, NOT_THE_CLAIMED_PDF, len(member.data)))
            continue
        if kind == Kind.zip:
            parsed.skipped.append(Skipped(shown, "a zip inside a zip is not unpacked", len(member.data)))
            continue
        if kind in IMAGES and _too_small(member.data, limits):
            parsed.skipped.append(
                Skipped(shown, "a small image (icon or logo)", len(member.data), refused=False)
            )
            continue
        part = Part(
            name=member.name, kind=kind, body=member.data, sha256=_sha(member.data), origin=f"zip {name}"
        )
        _keep(part, parsed, seen, shown=shown)


def _not_the_claimed_pdf(kind: Kind, name: str | None, declared_type: str | None = None) -> bool:
    """A "PDF" whose bytes are another file we would take (an HTML page, a photo, a zip): never
    converted. A program or another file we skip anyway keeps its own, more telling, reason."""
    return kind != Kind.pdf and (kind in IMPORTED or kind == Kind.zip) and claims_pdf(name, declared_type)


def _keep(part: Part, parsed: ParsedMessage, seen: dict[str, str], shown: str | None = None) -> None:
    shown = shown or part.name
    if part.kind not in IMPORTED:
        reason = DESCRIPTIONS.get(part.kind, DESCRIPTIONS[Kind.unknown])
        parsed.skipped.append(Skipped(shown, f"{reason}", len(part.body)))
        return
    if part.sha256 in seen:
        parsed.skipped.append(
            Skipped(shown, f"the same file as {seen[part.sha256]}", len(part.body), refused=False)
        )
        return
    seen[part.sha256] = shown
    parsed.parts.append(part)


def _small_image(part: Message, data: bytes, leaf: _Leaf, shown_cids: set[str], limits: Limits) -> str | None:
    if _too_small(data, limits):
        return "a small image (logo, icon or signature)"
    content_id = _content_id(part)
    shown = bool(content_id) and content_id in shown_cids
    if (shown or leaf.related) and len(data) < limits.inline_image_bytes:
        return "an image shown in the message body (logo or signature)"
    return None


def _too_small(data: bytes, limits: Limits) -> bool:
    if len(data) < limits.small_image_bytes:
        return True
    size = image_size(data)
    return size is not None and max(size) < limits.small_image_px


def _default_name(kind: Kind, n: int) -> str:
    return f"attachment-{n}.{EXTENSIONS.get(kind, 'bin')}"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- the body as a document ----------------------------------------------------------------------


def _shown_images(leaves: list[_Leaf], shown_cids: set[str], limits: Limits) -> dict[str, bytes]:
    """The JPEG and PNG images the HTML body shows by content id, within a total size."""
    images: dict[str, bytes] = {}
    total = 0
    for leaf in leaves:
        content_id = _content_id(leaf.part)
        if not content_id or content_id not in shown_cids:
            continue
        data = _decoded(leaf.part)
        if sniff(data) in (Kind.jpeg, Kind.png) and total + len(data) <= limits.max_inline_images_bytes:
            images[content_id] = data
            total += len(data)
    return images


def _inline(markup: bytes, images: dict[str, bytes]) -> bytes:
    """cid: references become data: URIs, so the body's document shows its pictures without them
    being separate files (the PDF conversion fetches nothing, and a data: URI needs no fetching)."""

    def replace(match: re.Match) -> bytes:
        data = images.get(match.group(1).decode("ascii", "replace"))
        if data is None:
            return match.group(0)
        return b"data:image/%s;base64,%s" % (sniff(data).value.encode(), base64.b64encode(data))

    return _CID_BYTES.sub(replace, markup) if images else markup


def _body_part(
    parsed: ParsedMessage,
    body_html: tuple[bytes, str] | None,
    body_text: str | None,
    images: dict[str, bytes],
) -> Part | None:
    if body_html and html_to_text(body_html[0].decode(body_html[1], "replace")).strip():
        data, charset = body_html
        if not _CHARSET_DECLARED.search(data[:4096]):
            data = f'<meta charset="{html.escape(charset)}">\n'.encode("ascii") + data
        data = _inline(data, images)
    elif body_text and body_text.strip():
        data = text_to_html(body_text, title=parsed.subject or "")
    else:
        return None
    name = safe_name(parsed.subject, fallback="") or f"E-mail from {parsed.sender or 'unknown sender'}"
    return Part(name=name, kind=Kind.html, body=data, sha256=_sha(data), origin="message body")


def text_to_html(text: str, *, title: str = "") -> bytes:
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        '<body><pre style="white-space: pre-wrap; font-family: sans-serif">'
        f"{html.escape(text)}</pre></body></html>\n"
    ).encode()


class _TextExtractor(HTMLParser):
    _SKIPPED = frozenset({"script", "style", "head", "title"})
    _BREAKS = frozenset({"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self._SKIPPED:
            self._skipping += 1
        elif tag in self._BREAKS:
            self.chunks.append("\n")

    def handle_endtag(self, tag):
        if tag in self._SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.chunks.append(data)


def html_to_text(markup: str) -> str:
    extractor = _TextExtractor()
    try:
        extractor.feed(markup)
        extractor.close()
    except Exception:  # noqa: S110 — what was read so far is the text
        pass
    return "".join(extractor.chunks)
