"""Zip attachments unpacked within limits: a zip bomb is refused whole, before anything is imported.

Two passes over the archive. The first decompresses every member in small chunks, keeping nothing,
and counts what really comes out (the sizes a zip declares can lie): too many files, too much in
total, one file too large, or a compression ratio no real document reaches, and the whole zip is
refused. The second pass hands the members over one at a time, so at most one member is held.
"""

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from comptoir_core.names import safe_name

_CHUNK = 64 * 1024
# Entries that archivers add and nobody means to send.
_NOISE_PREFIXES = ("__MACOSX/",)
_NOISE_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


@dataclass(frozen=True)
class ZipLimits:
    max_members: int = 50
    max_member_bytes: int = 25 * 1024 * 1024
    max_total_bytes: int = 100 * 1024 * 1024
    # Real documents compress to a tenth at best (text-heavy PDFs, XML); a bomb to a thousandth.
    max_ratio: int = 100
    # Below this size a high ratio proves nothing (a page of XML compresses very well).
    ratio_floor_bytes: int = 1024 * 1024


class ZipRefused(Exception):
    """The archive as a whole is not unpacked; `reason` says why, for people."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Member:
    name: str  # the base name as data: never a path, never a key
    data: bytes


@dataclass(frozen=True)
class SkippedMember:
    name: str
    reason: str


def unpack(data: bytes, limits: ZipLimits = ZipLimits()) -> Iterator[Member | SkippedMember]:
    """The archive's files, or ZipRefused before the first one when it breaks a limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [info for info in archive.infolist() if not _is_noise(info)]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as error:
        raise ZipRefused(f"the zip cannot be read ({error})") from error
    with archive:
        files = _check_declared(entries, limits)
        _check_actual(archive, files, len(data), limits)
        for info in files:
            name = safe_name(info.filename, fallback="file-in-zip")
            if info.flag_bits & 0x1:
                yield SkippedMember(name, "it is encrypted in the zip")
                continue
            yield Member(name, _read(archive, info, limits))


def _is_noise(info: zipfile.ZipInfo) -> bool:
    base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
    return info.is_dir() or info.filename.startswith(_NOISE_PREFIXES) or base in _NOISE_NAMES


def _check_declared(entries: list[zipfile.ZipInfo], limits: ZipLimits) -> list[zipfile.ZipInfo]:
    """What the central directory says, checked before decompressing anything."""
    if len(entries) > limits.max_members:
        raise ZipRefused(f"the zip holds {len(entries)} files, more than {limits.max_members}")
    total = 0
    for info in entries:
        if info.file_size > limits.max_member_bytes:
            raise ZipRefused(
                f"{safe_name(info.filename)} would unpack to {_mb(info.file_size)}, "
                f"more than {_mb(limits.max_member_bytes)}"
            )
        _check_ratio(info.file_size, info.compress_size, limits, safe_name(info.filename))
        total += info.file_size
    if total > limits.max_total_bytes:
        raise ZipRefused(f"the zip would unpack to {_mb(total)}, more than {_mb(limits.max_total_bytes)}")
    return entries


def _check_actual(archive: zipfile.ZipFile, files: list[zipfile.ZipInfo], size: int, limits: ZipLimits):
    """Decompress everything once, keeping nothing, and count what really comes out."""
    total = 0
    for info in files:
        if info.flag_bits & 0x1:
            continue
        produced = 0
        try:
            with archive.open(info) as member:
                while chunk := member.read(_CHUNK):
                    produced += len(chunk)
                    total += len(chunk)
                    if produced > limits.max_member_bytes or total > limits.max_total_bytes:
                        raise ZipRefused("the zip unpacks to more than it declares: a zip bomb")
        except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError, OSError) as error:
            raise ZipRefused(f"{safe_name(info.filename)} in the zip cannot be unpacked ({error})") from error
        _check_ratio(produced, info.compress_size, limits, safe_name(info.filename))
    _check_ratio(total, size, limits, "the zip")


def _check_ratio(unpacked: int, packed: int, limits: ZipLimits, what: str) -> None:
    if unpacked > limits.ratio_floor_bytes and unpacked > limits.max_ratio * max(packed, 1):
        raise ZipRefused(
            f"{what} expands {unpacked // max(packed, 1)} times, more than {limits.max_ratio}: a zip bomb"
        )


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: ZipLimits) -> bytes:
    with archive.open(info) as member:
        data = member.read(limits.max_member_bytes + 1)
    if len(data) > limits.max_member_bytes:  # cannot happen after the check pass; never trust it anyway
        raise ZipRefused("the zip changed while it was read")
    return data


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
