"""templates group (seed 004 "Templates Page": read-only)."""

from __future__ import annotations

from fastapi import APIRouter

from engage.core.auth import CurrentPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.schemas import Ok
from engage.templates.library import list_templates
from engage.templates.schemas import TemplateListPublic

router = APIRouter(tags=["templates"])


@router.get("/templates")
def templates(principal: CurrentPrincipal) -> Ok[TemplateListPublic]:
    """The template library."""
    return Ok(data=list_templates())


app = create_app("templates", [router])
handler = http_handler(app)
