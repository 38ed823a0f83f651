"""dashboard group (seed 004 GET /dashboard with seed 000's embedded reports)."""

from __future__ import annotations

from fastapi import APIRouter

from engage.core.auth import CurrentPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.schemas import Ok
from engage.dashboard.schemas import DashboardPublic
from engage.dashboard.service import dashboard

router = APIRouter(tags=["dashboard"])


@router.get("/dashboard")
def get_dashboard(principal: CurrentPrincipal) -> Ok[DashboardPublic]:
    """Credits, totals and the last 7 days' reports."""
    return Ok(data=dashboard(principal.tenant_id))


app = create_app("dashboard", [router])
handler = http_handler(app)
