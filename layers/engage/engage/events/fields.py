"""Reading a domain event's `data` (engage/events/envelope.py): its values are JSON, so a
consumer checks each one's type before it counts it."""

from __future__ import annotations

from pydantic import JsonValue


def text(value: JsonValue) -> str | None:
    """`value` if it is a non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def number(value: JsonValue) -> float | None:
    """`value` as a float if it is a JSON number (not a boolean), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
