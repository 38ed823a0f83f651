"""Success envelopes of seed 004 ("Response Format"): `{"success": true, "data", ...}`."""

from __future__ import annotations

import math
from typing import Any


def ok(data: Any, message: str | None = None) -> dict[str, Any]:
    """`{"success": True, "data": data}` plus `message` when given."""
    body: dict[str, Any] = {"success": True, "data": data}
    if message:
        body["message"] = message
    return body


def pagination(page: int, page_size: int, total: int) -> dict[str, Any]:
    """Seed 004's pagination block: page, pageSize, total, totalPages, hasNextPage, hasPrevPage."""
    total_pages = math.ceil(total / page_size) if page_size else 0
    return {
        "page": page,
        "pageSize": page_size,
        "total": total,
        "totalPages": total_pages,
        "hasNextPage": page < total_pages,
        "hasPrevPage": page > 1,
    }


def paged(items: list[Any], page: int, page_size: int, total: int) -> dict[str, Any]:
    """`{"success": True, "data": items, "pagination": {...}}` (seed 004 paginated responses)."""
    return {"success": True, "data": items, "pagination": pagination(page, page_size, total)}
