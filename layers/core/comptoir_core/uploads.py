"""Files out of an HTTP request: a multipart/form-data body, or a raw body named by a `filename` query.

The names are data only (shown to users, never used as a key or a path).
"""

from email.parser import BytesParser
from email.policy import HTTP

from comptoir_core.errors import Invalid
from comptoir_core.names import safe_name

MAX_FILES = 20


class RequestParts:
    """The files of an upload and its plain form fields (multipart) or query parameters (raw body)."""

    def __init__(self, files: list[tuple[str, bytes]], fields: dict[str, str]):
        self.files = files
        self.fields = fields


def parts_of(content_type: str, body: bytes, query: dict[str, str]) -> RequestParts:
    if content_type.lower().startswith("multipart/form-data"):
        return _multipart(content_type, body)
    name = (query.get("filename") or "").strip()
    if not name:
        raise Invalid("send multipart/form-data, or the raw file with a ?filename= query")
    fields = {k: v for k, v in query.items() if k != "filename"}
    return RequestParts([(safe_name(name, fallback="document"), body)], fields)


def _multipart(content_type: str, body: bytes) -> RequestParts:
    if "boundary=" not in content_type:
        raise Invalid("the multipart body has no boundary")
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\nMIME-Version: 1.0\r\n\r\n" + body
    )
    if not message.is_multipart():
        return RequestParts([], {})  # no part at all: the service says no file came
    files, fields = [], {}
    for part in message.iter_parts():
        if part.get_content_disposition() != "form-data":
            continue
        field_name = part.get_param("name", header="content-disposition") or ""
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if filename is not None:
            files.append((safe_name(filename, fallback="document"), payload))
        elif field_name:
            fields[field_name] = payload.decode("utf-8", "replace")
    if len(files) > MAX_FILES:
        raise Invalid(f"at most {MAX_FILES} files an upload")
    return RequestParts(files, fields)
