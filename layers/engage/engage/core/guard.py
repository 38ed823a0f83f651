"""Checks on a raw request before any route parses it (issue 8 section 4: no input gives a 500).

`create_app` runs them on every request (core/http.py `RequestGuard`), so no route needs to:

- JSON nested deeper than `MAX_JSON_DEPTH` is refused: CPython's `json` and pydantic recurse
  per level, and a body 100,000 levels deep raises RecursionError wherever it is parsed. Depth
  is measured on the bytes (strings skipped, brackets counted) before anything parses them.
- A body that is not UTF-8 is refused (RFC 8259 section 8.1: JSON exchanged between systems is
  UTF-8). Python's `json.loads(bytes)` would otherwise decode it with `surrogatepass`.
- A string holding a lone UTF-16 surrogate (`"\\ud800"` escaped in JSON, or in the path) is
  refused, naming the field. Such a string is not Unicode text: UTF-8 cannot encode it, so
  DynamoDB, JSON encoders, CSV exports and SMS providers all fail on it later, far from the
  request. Refusing it at the door, with the field named, tells the client what to fix; silently
  replacing it (U+FFFD) would store data the client did not send.

Bodies of HTML forms (`multipart/form-data`, `application/x-www-form-urlencoded`) are left to
Starlette's form parser, which decodes them without producing surrogates.
"""

from __future__ import annotations

import json
import re
from typing import Any

from engage.core.errors import ValidationFailed

MAX_JSON_DEPTH = 64
"""Deepest JSON nesting accepted; Engage's deepest body (a segment's criteria) uses 4 levels."""

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPENERS = frozenset(b"[{")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")
LONE_SURROGATE = "contains an unpaired UTF-16 surrogate (not Unicode text)"


def is_form(content_type: str) -> bool:
    """Whether a Content-Type names an HTML form body (parsed by Starlette, not checked here)."""
    return content_type.split(";", 1)[0].strip().lower() in _FORMS


def json_depth_exceeds(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether `raw` (JSON text, or anything) opens more than `limit` nested arrays/objects.

    Linear in the body and cheap: a body with at most `limit` brackets in all is passed at once;
    otherwise string literals are cut out with one regular expression and the remaining
    brackets are counted until the limit is passed.
    """
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS):
        depth = depth + 1 if byte in _OPENERS else depth - 1
        if depth > limit:
            return True
    return False


def lone_surrogate_at(value: Any) -> str | None:
    """The dotted path (`audience.segmentId`, `csv_data.0.name`) of the first string, key or
    value, in decoded JSON `value` that holds a lone surrogate; "" for the top level; None if
    none does. Iterative, so any depth is safe."""
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        item, path = stack.pop()
        if isinstance(item, str):
            if not is_unicode(item):
                return path
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{path}.{key}" if path else str(key)
                if not is_unicode(key):
                    return child_path
                stack.append((child, child_path))
        elif isinstance(item, list):
            stack.extend((child, f"{path}.{i}" if path else str(i)) for i, child in enumerate(item))
    return None


def check_body(raw: bytes) -> None:
    """Refuse a non-form request body that would break a parser or a store later.

    Raises ValidationFailed (400 `validation_error`), `details` naming the field: nested deeper
    than MAX_JSON_DEPTH (`body`), not UTF-8 (`body`), or a lone surrogate in a JSON string
    (the field's dotted path). Anything else, JSON or not, is left to the route.
    """
    if not raw:
        return
    if json_depth_exceeds(raw):
        raise ValidationFailed(
            "Body nests too deeply",
            {"body": f"JSON may nest at most {MAX_JSON_DEPTH} arrays or objects"},
        )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "Body is not UTF-8", {"body": f"invalid UTF-8 at byte {exc.start}"}
        ) from None
    if not _SURROGATE_ESCAPE.search(raw):
        return
    try:
        value = json.loads(raw)
    except ValueError:
        return  # not JSON: the route says so
    path = lone_surrogate_at(value)
    if path is not None:
        raise ValidationFailed("Text is not valid Unicode", {path or "body": LONE_SURROGATE})


def check_path(path: str) -> None:
    """Refuse a request path holding a lone surrogate (400, `details.path`)."""
    if not is_unicode(path):
        raise ValidationFailed("Text is not valid Unicode", {"path": LONE_SURROGATE})


def is_unicode(text: str) -> bool:
    """Whether `text` is Unicode text (UTF-8 can encode it: no lone surrogate)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
