"""voice group: seed 002's 20 routes under /api (campaigns, queue, concurrency settings).

snake_case fields and `{"success": true, ...}` bodies as the seed shows; errors use the one
envelope of DESIGN.md section 3. POSTs that create campaigns or start calls accept an
`Idempotency-Key`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Header, Query

from engage.core.auth import CurrentPrincipal
from engage.core.errors import ValidationFailed
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.idempotency import run_once
from engage.voice import service
from engage.voice.schemas import CampaignCreate, CampaignUpdate, CampaignUpload

router = APIRouter(prefix="/api", tags=["voice"])
CampaignStatus = Literal["draft", "active", "paused", "completed", "cancelled"]
QueueStatus = Literal["queued", "in_progress", "completed", "failed", "cancelled"]
Page = Annotated[int, Query(ge=1, le=100_000)]
Limit = Annotated[int, Query(ge=1, le=100)]
Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def _done(**body: Any) -> dict[str, Any]:
    return {"success": True, **body}


# -- campaigns ---------------------------------------------------------------------------------
@router.post("/campaigns", status_code=201)
def create_campaign(
    body: CampaignCreate, principal: CurrentPrincipal, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Create a draft voice campaign over existing contacts (`contact_ids`)."""
    tenant_id = principal.tenant_id
    campaign = run_once(
        idempotency_key,
        f"{tenant_id}:voice.create",
        body.model_dump(),
        lambda: service.create_campaign(tenant_id, body),
    )
    return _done(campaign=campaign)


@router.post("/campaigns/upload-csv", status_code=201)
def upload_csv(
    body: CampaignUpload, principal: CurrentPrincipal, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """Create a draft campaign from CSV rows (seed 002 "CSV Upload Endpoint Details")."""
    tenant_id = principal.tenant_id
    result = run_once(
        idempotency_key,
        f"{tenant_id}:voice.upload",
        body.model_dump(),
        lambda: service.upload_csv(tenant_id, body),
    )
    return _done(**result)


@router.get("/campaigns")
def list_campaigns(
    principal: CurrentPrincipal,
    page: Page = 1,
    limit: Limit = 20,
    status: CampaignStatus | None = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
    date_from: Day = None,
    date_to: Day = None,
) -> dict[str, Any]:
    """Campaigns, newest first; filters: status, search, creation date range."""
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed("date_from must not be after date_to", {"date_from": date_from})
    result = service.list_campaigns(
        principal.tenant_id, page, limit, status, search, date_from, date_to
    )
    return _done(**result)


@router.get("/campaigns/summary")
def campaign_summary(principal: CurrentPrincipal) -> dict[str, Any]:
    """How many campaigns are in each status."""
    return _done(summary=service.summary(principal.tenant_id))


@router.get("/campaigns/{campaign_id}")
def get_campaign(campaign_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """One campaign with its queue counters."""
    item = service.get_campaign_item(principal.tenant_id, campaign_id)
    return _done(campaign=service.campaign_public(item))


@router.put("/campaigns/{campaign_id}")
def update_campaign(
    campaign_id: str, body: CampaignUpdate, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Edit a campaign that has not finished."""
    campaign = service.update_campaign(principal.tenant_id, campaign_id, body)
    return _done(message="Campaign updated successfully", campaign=campaign)


@router.delete("/campaigns/{campaign_id}")
def delete_campaign(campaign_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """Delete a campaign that is not running, with its queue."""
    service.delete_campaign(principal.tenant_id, campaign_id)
    return _done(message="Campaign deleted successfully")


@router.post("/campaigns/{campaign_id}/start")
def start_campaign(
    campaign_id: str, principal: CurrentPrincipal, idempotency_key: IdempotencyKey = None
) -> dict[str, Any]:
    """draft -> active: calls begin within the call window."""
    tenant_id = principal.tenant_id
    campaign = run_once(
        idempotency_key,
        f"{tenant_id}:voice.start",
        {"campaign_id": campaign_id},
        lambda: service.start(tenant_id, campaign_id),
    )
    return _done(message="Campaign started", campaign=campaign)


@router.post("/campaigns/{campaign_id}/pause")
def pause_campaign(campaign_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """active -> paused: no new calls; calls in progress finish."""
    campaign = service.pause(principal.tenant_id, campaign_id)
    return _done(message="Campaign paused", campaign=campaign)


@router.post("/campaigns/{campaign_id}/resume")
def resume_campaign(campaign_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """paused -> active."""
    campaign = service.resume(principal.tenant_id, campaign_id)
    return _done(message="Campaign resumed", campaign=campaign)


@router.post("/campaigns/{campaign_id}/cancel")
def cancel_campaign(campaign_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """Cancel the campaign and every queued call."""
    result = service.cancel(principal.tenant_id, campaign_id)
    return _done(message="Campaign cancelled", **result)


@router.get("/campaigns/{campaign_id}/statistics")
def campaign_statistics(campaign_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """Queue counts, call outcomes, answer rate and talk time."""
    return _done(statistics=service.statistics(principal.tenant_id, campaign_id))


@router.get("/campaigns/{campaign_id}/analytics")
def campaign_analytics(campaign_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """Call tallies per day and hour of day, and attempts per contact."""
    return _done(analytics=service.analytics(principal.tenant_id, campaign_id))


# -- queue -------------------------------------------------------------------------------------
@router.get("/queue")
def account_queue(
    principal: CurrentPrincipal,
    page: Page = 1,
    limit: Limit = 20,
    status: QueueStatus | None = None,
    campaign_id: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """The account's queue items across campaigns."""
    return _done(**service.account_queue(principal.tenant_id, page, limit, status, campaign_id))


@router.get("/queue/statistics")
def queue_statistics(principal: CurrentPrincipal) -> dict[str, Any]:
    """Queued / in progress / completed / failed / cancelled, and active calls vs limits."""
    return _done(statistics=service.queue_statistics(principal.tenant_id))


@router.get("/queue/campaign/{campaign_id}")
def campaign_queue(
    campaign_id: str,
    principal: CurrentPrincipal,
    page: Page = 1,
    limit: Limit = 50,
    status: QueueStatus | None = None,
) -> dict[str, Any]:
    """One campaign's queue in upload order."""
    return _done(**service.campaign_queue(principal.tenant_id, campaign_id, page, limit, status))


@router.get("/queue/{item_id}")
def get_queue_item(item_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """One queue item with its call log."""
    item = service.get_queue_item(principal.tenant_id, item_id)
    return _done(queue_item=service.queue_public(item))


@router.delete("/queue/{item_id}")
def cancel_queue_item(item_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """Cancel one queued call."""
    item = service.cancel_queue_item(principal.tenant_id, item_id)
    return _done(message="Queue item cancelled", queue_item=item)


# -- settings ----------------------------------------------------------------------------------
@router.get("/settings/concurrency")
def get_concurrency(principal: CurrentPrincipal) -> dict[str, Any]:
    """The account's and the system's limits, active calls and free slots."""
    return _done(settings=service.concurrency(principal.tenant_id))


@router.put("/settings/concurrency")
def put_concurrency(
    principal: CurrentPrincipal,
    body: Annotated[Any, Body(examples=[{"concurrent_calls_limit": 3}])] = None,
) -> dict[str, Any]:
    """Set the account's concurrent-calls limit (a whole number from 1 to 10)."""
    limit = service.set_concurrency(principal.tenant_id, body)
    return _done(message="Concurrency limit updated successfully", concurrent_calls_limit=limit)


app = create_app("voice", [router])
handler = http_handler(app)
