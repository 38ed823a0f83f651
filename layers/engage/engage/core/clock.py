"""The one clock. Tests replace it with `set_clock` instead of sleeping (STYLE.md rule 8)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """The current time, timezone-aware UTC."""
    return _now()


def now_iso() -> str:
    """The current time as ISO 8601 with a `Z` suffix and millisecond precision."""
    return iso(now())


def iso(value: datetime) -> str:
    """Format a UTC datetime as `2025-01-20T10:00:00.000Z`."""
    return (
        value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    )


def parse(value: object) -> datetime | None:
    """An ISO 8601 time (`...Z`, an offset, or naive = UTC) as an aware UTC datetime; None
    when `value` is not a string holding one (event data, stored times)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


def now_ms() -> int:
    """The current time in epoch milliseconds."""
    return int(now().timestamp() * 1000)


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Replace the clock (None restores the real one)."""
    global _now
    _now = fn if fn is not None else (lambda: datetime.now(UTC))
