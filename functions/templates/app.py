"""templates group (seed 004 "Templates Page": read-only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from engage.core.auth import CurrentPrincipal
from engage.core.envelope import ok
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.templates.library import list_templates

router = APIRouter(tags=["templates"])


@router.get("/templates")
def templates(principal: CurrentPrincipal) -> dict[str, Any]:
    """The template library."""
    return ok(list_templates())


app = create_app("templates", [router])
handler = http_handler(app)
