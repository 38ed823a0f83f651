"""campaigns group (seed 004 "Campaigns Page"; seed 000 sections 4 and 7)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request

from engage.campaigns import service
from engage.campaigns.schemas import CampaignCreate, CampaignUpdate, Status
from engage.core.auth import CurrentPrincipal
from engage.core.envelope import ok, paged
from engage.core.errors import ValidationFailed
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.idempotency import run_once

router = APIRouter(prefix="/campaigns", tags=["campaigns"])


@router.get("")
def list_campaigns(
    principal: CurrentPrincipal,
    page: Annotated[int, Query(ge=1)] = 1,
    pageSize: Annotated[int, Query(ge=1, le=100)] = 20,
    status: Status | None = None,
    sortBy: Literal["createdAt", "updatedAt", "name", "scheduleAt"] = "createdAt",
    sortOrder: Literal["asc", "desc"] = "desc",
) -> dict[str, Any]:
    """A page of campaigns with their counters."""
    items, total = service.list_campaigns(
        principal.tenant_id, page, pageSize, status, sortBy, sortOrder
    )
    return paged(items, page, pageSize, total)


@router.post("", status_code=201)
def create_campaign(body: CampaignCreate, principal: CurrentPrincipal) -> dict[str, Any]:
    """Create a draft (immediate) or scheduled / recurring campaign."""
    return ok(service.create_campaign(principal.tenant_id, body))


@router.get("/{campaign_id}")
def get_campaign(campaign_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """One campaign."""
    return ok(service.get_campaign(principal.tenant_id, campaign_id))


@router.put("/{campaign_id}")
def update_campaign(
    campaign_id: str, body: CampaignUpdate, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Edit a draft or scheduled campaign."""
    return ok(service.update_campaign(principal.tenant_id, campaign_id, body))


@router.delete("/{campaign_id}")
def delete_campaign(campaign_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """Delete (409 while sending)."""
    service.delete_campaign(principal.tenant_id, campaign_id)
    return ok({"id": campaign_id, "deleted": True})


@router.post("/{campaign_id}/cancel")
def cancel_campaign(campaign_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """Cancel a draft, scheduled or sending campaign."""
    return ok(service.cancel_campaign(principal.tenant_id, campaign_id))


@router.get("/{campaign_id}/stats")
def campaign_stats(campaign_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """Counts by status, clicks and credits."""
    return ok(service.campaign_stats(principal.tenant_id, campaign_id))


@router.post("/{campaign_id}/enqueue")
async def enqueue(
    campaign_id: str,
    request: Request,
    principal: CurrentPrincipal,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> dict[str, Any]:
    """Debit credits and start sending; honours `Idempotency-Key`."""
    raw = await request.body()
    try:
        body = json.loads(raw) if raw.strip() else {}
    except ValueError:
        raise ValidationFailed("Body is not JSON", {"body": "expected JSON or empty"}) from None
    tenant_id = principal.tenant_id
    data = run_once(
        idempotency_key,
        f"{tenant_id}:campaigns.enqueue",
        {"campaignId": campaign_id, "body": body},
        lambda: service.enqueue(tenant_id, campaign_id),
    )
    return ok(data)


app = create_app("campaigns", [router])
handler = http_handler(app)
