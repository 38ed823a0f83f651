"""Text that can be stored and sent back: request strings must be valid Unicode.

JSON can carry a lone UTF-16 surrogate (`"\\ud800"`); Python decodes it into a `str` that
cannot be encoded as UTF-8, so storing it or echoing it in a response would fail (a 500), and
DynamoDB refuses it. `CheckedText` refuses such input field by field, as a 400 naming the
field (issue 8 section 4). Added by the groups helper of issue 8.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, field_validator


def is_valid_text(value: str) -> bool:
    """True when `value` encodes as UTF-8 (no lone surrogates)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _walk(value: Any) -> bool:
    if isinstance(value, str):
        return is_valid_text(value)
    if isinstance(value, dict):
        return all(_walk(k) and _walk(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return all(_walk(v) for v in value)
    return True


class CheckedText(BaseModel):
    """Mixin for request models: every string in every field (nested too) is valid Unicode;
    otherwise a 400 whose `details` names the field."""

    @field_validator("*", mode="before")
    @classmethod
    def _valid_unicode(cls, value: Any) -> Any:
        if not _walk(value):
            raise ValueError("must be valid Unicode text (no lone surrogates)")
        return value
