"""Identifiers: sortable, unguessable, and safe to place inside keys."""

import re
import secrets
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32, lower case
ID_PATTERN = re.compile(r"^[a-z]{2,4}_[0-9a-hjkmnp-tv-z]{26}$")


def new_id(prefix: str) -> str:
    """A ULID-like id with a type prefix: time-ordered, 80 random bits."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return f"{prefix}_{''.join(reversed(chars))}"


def is_valid_id(value: str, prefix: str) -> bool:
    return bool(ID_PATTERN.match(value)) and value.startswith(prefix + "_")
