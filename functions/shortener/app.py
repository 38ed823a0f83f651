"""shortener group (seed 004 "URL Shortener"): public redirect."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import RedirectResponse

from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.shortener.service import resolve_click

router = APIRouter(tags=["shortener"])


@router.get(
    "/r/{token}",
    status_code=302,
    response_class=RedirectResponse,
    response_model=None,
    responses={302: {"description": "Redirect to the stored destination (`Location`)"}},
)
def redirect(token: str) -> RedirectResponse:
    """302 to the stored destination; the click is recorded."""
    return RedirectResponse(
        resolve_click(token), status_code=302, headers={"Cache-Control": "no-store"}
    )


app = create_app("shortener", [router])
handler = http_handler(app)
