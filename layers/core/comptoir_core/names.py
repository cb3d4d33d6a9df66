"""File names as received (uploads, e-mail attachments, Dropbox files) are data: shown to people,
never a path or a key. Made safe to show, in one way for every channel."""

import re
import unicodedata

MAX_NAME_CHARS = 255  # IncomingMetadata.name's limit

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


def safe_name(raw: str | None, *, fallback: str = "attachment") -> str:
    """The last path component, without control or bidi characters, trimmed to MAX_NAME_CHARS."""
    if not raw:
        return fallback
    name = unicodedata.normalize("NFC", str(raw))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _CONTROL.sub("", name)
    name = _SPACES.sub(" ", name).strip().lstrip(".").strip()
    if not name:
        return fallback
    if len(name) > MAX_NAME_CHARS:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_NAME_CHARS - len(extension) - 2] + "…." + extension
        else:
            name = name[: MAX_NAME_CHARS - 1] + "…"
    return name
