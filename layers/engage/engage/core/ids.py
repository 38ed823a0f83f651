"""Identifiers: time-ordered ids (ULID layout, Crockford base32) and random URL tokens."""

from __future__ import annotations

import secrets
import zlib

from engage.core import clock

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def new_id(at_ms: int | None = None) -> str:
    """A 26-character ULID-layout id: 48-bit millisecond time + 80 random bits, sortable by time.

    The time is the one clock's (`engage.core.clock`), so ids agree with cut-offs such as the
    enqueue's `id_floor(clock.now_ms() + 1)` even when a test has set the clock."""
    ms = clock.now_ms() if at_ms is None else at_ms
    value = (ms << 80) | secrets.randbits(80)
    out = []
    for _ in range(26):
        out.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(out))


def id_floor(at_ms: int) -> str:
    """The smallest id created at `at_ms` or later (random part all zero): a sort-key bound."""
    value = at_ms << 80
    out = []
    for _ in range(26):
        out.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(out))


def id_time_ms(value: str) -> int:
    """The millisecond time of an id made by `new_id` (its first 10 characters); raises
    ValueError for a string that is not one."""
    head = value[:10].upper()
    if len(head) != 10:
        raise ValueError("not an id")
    ms = 0
    for char in head:
        ms = ms * 32 + _CROCKFORD.index(char)
    return ms


def token(length: int = 8) -> str:
    """A random base62 token of `length` characters (62^8 is about 2.2e14 values), uniform over
    all of them: one number below 62^length from the OS's CSPRNG, written in base62 (one draw
    instead of one per character: dispatch makes one per recipient)."""
    value = secrets.randbelow(62**length)
    out = []
    for _ in range(length):
        value, digit = divmod(value, 62)
        out.append(_BASE62[digit])
    return "".join(out)


def base62_digit(index: int) -> str:
    """One base62 character for 0 <= index < 62."""
    return _BASE62[index]


def base62_index(char: str) -> int:
    """Inverse of `base62_digit`; raises ValueError for a character outside the alphabet."""
    return _BASE62.index(char)


def shard_of(value: str, shards: int) -> int:
    """A stable shard number in [0, shards) for a key (CRC-32, identical across processes)."""
    return zlib.crc32(value.encode()) % shards
