"""campaigns group (seed 004 "Campaigns Page"; seed 000 sections 4 and 7; seed 003 section 5:
the channels and omnichannel routes, bare snake_case JSON)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Header, Query

from engage.campaigns import channels, service
from engage.campaigns.channel_schemas import (
    CampaignChannelsPublic,
    CampaignChannelsUpdate,
    CampaignOmnichannelPublic,
)
from engage.campaigns.enqueue import enqueue as enqueue_campaign
from engage.campaigns.schemas import (
    SmsCampaignCreate,
    SmsCampaignDeleted,
    SmsCampaignPublic,
    SmsCampaignStats,
    SmsCampaignStatus,
    SmsCampaignUpdate,
    SmsEnqueueRequest,
    SmsEnqueueResult,
)
from engage.core.auth import AdminPrincipal, CurrentPrincipal
from engage.core.envelope import ok, paged
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.idempotency import run_once
from engage.core.schemas import Ok, Paged

router = APIRouter(prefix="/campaigns", tags=["campaigns"])


@router.get("", response_model=Paged[SmsCampaignPublic])
def list_campaigns(
    principal: CurrentPrincipal,
    page: Annotated[int, Query(ge=1)] = 1,
    pageSize: Annotated[int, Query(ge=1, le=100)] = 20,
    status: SmsCampaignStatus | None = None,
    sortBy: Literal["createdAt", "updatedAt", "name", "scheduleAt"] = "createdAt",
    sortOrder: Literal["asc", "desc"] = "desc",
) -> object:
    """A page of campaigns with their counters."""
    items, total = service.list_campaigns(
        principal.tenant_id, page, pageSize, status, sortBy, sortOrder
    )
    return paged(items, page, pageSize, total)


@router.post("", status_code=201, response_model=Ok[SmsCampaignPublic])
def create_campaign(body: SmsCampaignCreate, principal: AdminPrincipal) -> object:
    """Create a draft (immediate) or scheduled / recurring campaign."""
    return ok(service.create_campaign(principal.tenant_id, body))


@router.get("/{campaign_id}", response_model=Ok[SmsCampaignPublic])
def get_campaign(campaign_id: str, principal: CurrentPrincipal) -> object:
    """One campaign."""
    return ok(service.get_campaign(principal.tenant_id, campaign_id))


@router.put("/{campaign_id}", response_model=Ok[SmsCampaignPublic])
def update_campaign(campaign_id: str, body: SmsCampaignUpdate, principal: AdminPrincipal) -> object:
    """Edit a draft or scheduled campaign."""
    return ok(service.update_campaign(principal.tenant_id, campaign_id, body))


@router.delete("/{campaign_id}", response_model=Ok[SmsCampaignDeleted])
def delete_campaign(campaign_id: str, principal: AdminPrincipal) -> object:
    """Delete (409 while sending)."""
    service.delete_campaign(principal.tenant_id, campaign_id)
    return ok({"id": campaign_id, "deleted": True})


@router.post("/{campaign_id}/cancel", response_model=Ok[SmsCampaignPublic])
def cancel_campaign(campaign_id: str, principal: AdminPrincipal) -> object:
    """Cancel a draft, scheduled or sending campaign."""
    return ok(service.cancel_campaign(principal.tenant_id, campaign_id))


@router.get("/{campaign_id}/stats", response_model=Ok[SmsCampaignStats])
def campaign_stats(campaign_id: str, principal: CurrentPrincipal) -> object:
    """Counts by status, clicks and credits."""
    return ok(service.campaign_stats(principal.tenant_id, campaign_id))


@router.put("/{campaign_id}/channels", response_model=CampaignChannelsPublic)
def set_channels(
    campaign_id: str, body: CampaignChannelsUpdate, principal: AdminPrincipal
) -> CampaignChannelsPublic:
    """Choose the channels (`sms`, `whatsapp`, `email`) a draft or scheduled campaign sends on,
    each channel's settings and the delivery mode (seed 003 section 5)."""
    return channels.set_channels(principal.tenant_id, campaign_id, body)


@router.get("/{campaign_id}/omnichannel", response_model=CampaignOmnichannelPublic)
def omnichannel(campaign_id: str, principal: CurrentPrincipal) -> CampaignOmnichannelPublic:
    """The campaign's channels and metrics (seed 003 section 5)."""
    return channels.omnichannel(principal.tenant_id, campaign_id)


@router.post("/{campaign_id}/enqueue", response_model=Ok[SmsEnqueueResult])
def enqueue(
    campaign_id: str,
    principal: AdminPrincipal,
    body: Annotated[SmsEnqueueRequest | None, Body()] = None,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> object:
    """Debit credits and start sending; honours `Idempotency-Key` (the same key with another
    body is a 409). The body is optional."""
    tenant_id = principal.tenant_id
    payload = body.model_dump(exclude_unset=True) if body else {}
    data = run_once(
        idempotency_key,
        f"{tenant_id}:campaigns.enqueue",
        {"campaignId": campaign_id, "body": payload},
        lambda: enqueue_campaign(tenant_id, campaign_id),
    )
    return ok(data)


app = create_app("campaigns", [router])
handler = http_handler(app)
