"""voice group: seed 002's 20 routes under /api (campaigns, queue, concurrency settings).

snake_case fields and `{"success": true, ...}` bodies as the seed shows, each declared as its
response model (`engage.voice.public`); errors use the one envelope of DESIGN.md section 3.
POSTs that create campaigns or start calls accept an `Idempotency-Key`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query

from engage.core.auth import AdminPrincipal, CurrentPrincipal
from engage.core.errors import ValidationFailed
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.idempotency import run_once
from engage.voice import concurrency, queue, service, statistics
from engage.voice.models import VoiceCampaignStatus, VoiceQueueStatus
from engage.voice.public import (
    VoiceAnalyticsResponse,
    VoiceCampaignListResponse,
    VoiceCampaignMessageResponse,
    VoiceCampaignQueueResponse,
    VoiceCampaignResponse,
    VoiceCancelResponse,
    VoiceConcurrencyResponse,
    VoiceConcurrencyUpdated,
    VoiceMessageResponse,
    VoiceQueueItemMessageResponse,
    VoiceQueueItemResponse,
    VoiceQueueListResponse,
    VoiceQueueStatisticsResponse,
    VoiceStatisticsResponse,
    VoiceSummaryResponse,
    VoiceUploadResponse,
)
from engage.voice.schemas import (
    VoiceCampaignCreate,
    VoiceCampaignUpdate,
    VoiceCampaignUpload,
    VoiceConcurrencyUpdate,
)

router = APIRouter(prefix="/api", tags=["voice"])
Page = Annotated[int, Query(ge=1, le=100_000)]
Limit = Annotated[int, Query(ge=1, le=100)]
Day = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
Body = dict[str, Any]


def _done(**body: Any) -> Body:
    return {"success": True, **body}


# -- campaigns ---------------------------------------------------------------------------------
@router.post("/campaigns", status_code=201, response_model=VoiceCampaignResponse)
def create_campaign(
    body: VoiceCampaignCreate, principal: AdminPrincipal, idempotency_key: IdempotencyKey = None
) -> Body:
    """Create a draft voice campaign over existing contacts (`contact_ids`)."""
    tenant_id = principal.tenant_id
    campaign = run_once(
        idempotency_key,
        f"{tenant_id}:voice.create",
        body.model_dump(),
        lambda: service.create_campaign(tenant_id, body),
    )
    return _done(campaign=campaign)


@router.post("/campaigns/upload-csv", status_code=201, response_model=VoiceUploadResponse)
def upload_csv(
    body: VoiceCampaignUpload, principal: AdminPrincipal, idempotency_key: IdempotencyKey = None
) -> Body:
    """Create a draft campaign from CSV rows (seed 002 "CSV Upload Endpoint Details")."""
    tenant_id = principal.tenant_id
    result = run_once(
        idempotency_key,
        f"{tenant_id}:voice.upload",
        body.model_dump(),
        lambda: service.upload_csv(tenant_id, body),
    )
    return _done(**result)


@router.get("/campaigns", response_model=VoiceCampaignListResponse)
def list_campaigns(
    principal: CurrentPrincipal,
    page: Page = 1,
    limit: Limit = 20,
    status: VoiceCampaignStatus | None = None,
    search: Annotated[str | None, Query(max_length=200)] = None,
    date_from: Day = None,
    date_to: Day = None,
) -> Body:
    """Campaigns, newest first; filters: status, search, creation date range."""
    if date_from and date_to and date_from > date_to:
        raise ValidationFailed("date_from must not be after date_to", {"date_from": date_from})
    result = service.list_campaigns(
        principal.tenant_id, page, limit, status, search, date_from, date_to
    )
    return _done(**result)


@router.get("/campaigns/summary", response_model=VoiceSummaryResponse)
def campaign_summary(principal: CurrentPrincipal) -> Body:
    """How many campaigns are in each status."""
    return _done(summary=statistics.summary(principal.tenant_id))


@router.get("/campaigns/{campaign_id}", response_model=VoiceCampaignResponse)
def get_campaign(campaign_id: str, principal: CurrentPrincipal) -> Body:
    """One campaign with its queue counters and call timing (`next_call_at`)."""
    return _done(campaign=service.get_campaign(principal.tenant_id, campaign_id))


@router.put("/campaigns/{campaign_id}", response_model=VoiceCampaignMessageResponse)
def update_campaign(campaign_id: str, body: VoiceCampaignUpdate, principal: AdminPrincipal) -> Body:
    """Edit a campaign that has not finished."""
    campaign = service.update_campaign(principal.tenant_id, campaign_id, body)
    return _done(message="Campaign updated successfully", campaign=campaign)


@router.delete("/campaigns/{campaign_id}", response_model=VoiceMessageResponse)
def delete_campaign(campaign_id: str, principal: AdminPrincipal) -> Body:
    """Delete a campaign that is not running, with its queue."""
    service.delete_campaign(principal.tenant_id, campaign_id)
    return _done(message="Campaign deleted successfully")


@router.post("/campaigns/{campaign_id}/start", response_model=VoiceCampaignMessageResponse)
def start_campaign(
    campaign_id: str, principal: AdminPrincipal, idempotency_key: IdempotencyKey = None
) -> Body:
    """draft -> active: calls begin within the call window."""
    tenant_id = principal.tenant_id
    campaign = run_once(
        idempotency_key,
        f"{tenant_id}:voice.start",
        {"campaign_id": campaign_id},
        lambda: service.start(tenant_id, campaign_id),
    )
    return _done(message="Campaign started", campaign=campaign)


@router.post("/campaigns/{campaign_id}/pause", response_model=VoiceCampaignMessageResponse)
def pause_campaign(campaign_id: str, principal: AdminPrincipal) -> Body:
    """active -> paused: no new calls; calls in progress finish."""
    campaign = service.pause(principal.tenant_id, campaign_id)
    return _done(message="Campaign paused", campaign=campaign)


@router.post("/campaigns/{campaign_id}/resume", response_model=VoiceCampaignMessageResponse)
def resume_campaign(campaign_id: str, principal: AdminPrincipal) -> Body:
    """paused -> active."""
    campaign = service.resume(principal.tenant_id, campaign_id)
    return _done(message="Campaign resumed", campaign=campaign)


@router.post("/campaigns/{campaign_id}/cancel", response_model=VoiceCancelResponse)
def cancel_campaign(campaign_id: str, principal: AdminPrincipal) -> Body:
    """Cancel the campaign and every queued call."""
    result = service.cancel(principal.tenant_id, campaign_id)
    return _done(message="Campaign cancelled", **result)


@router.get("/campaigns/{campaign_id}/statistics", response_model=VoiceStatisticsResponse)
def campaign_statistics(campaign_id: str, principal: CurrentPrincipal) -> Body:
    """Queue counts, call outcomes, answer rate and talk time."""
    return _done(statistics=statistics.statistics(principal.tenant_id, campaign_id))


@router.get("/campaigns/{campaign_id}/analytics", response_model=VoiceAnalyticsResponse)
def campaign_analytics(campaign_id: str, principal: CurrentPrincipal) -> Body:
    """Call tallies per day and hour of day, and attempts per contact."""
    return _done(analytics=statistics.analytics(principal.tenant_id, campaign_id))


# -- queue -------------------------------------------------------------------------------------
@router.get("/queue", response_model=VoiceQueueListResponse)
def account_queue(
    principal: CurrentPrincipal,
    page: Page = 1,
    limit: Limit = 20,
    status: VoiceQueueStatus | None = None,
    campaign_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Body:
    """The account's queue items across campaigns."""
    return _done(**queue.account_queue(principal.tenant_id, page, limit, status, campaign_id))


@router.get("/queue/statistics", response_model=VoiceQueueStatisticsResponse)
def queue_statistics(principal: CurrentPrincipal) -> Body:
    """Queued / in progress / completed / failed / cancelled, and active calls vs limits."""
    return _done(statistics=statistics.queue_statistics(principal.tenant_id))


@router.get("/queue/campaign/{campaign_id}", response_model=VoiceCampaignQueueResponse)
def campaign_queue(
    campaign_id: str,
    principal: CurrentPrincipal,
    page: Page = 1,
    limit: Limit = 50,
    status: VoiceQueueStatus | None = None,
) -> Body:
    """One campaign's queue in upload order."""
    return _done(**queue.campaign_queue(principal.tenant_id, campaign_id, page, limit, status))


@router.get("/queue/{item_id}", response_model=VoiceQueueItemResponse)
def get_queue_item(item_id: str, principal: CurrentPrincipal) -> Body:
    """One queue item with its call log."""
    return _done(queue_item=queue.queue_item(principal.tenant_id, item_id))


@router.delete("/queue/{item_id}", response_model=VoiceQueueItemMessageResponse)
def cancel_queue_item(item_id: str, principal: AdminPrincipal) -> Body:
    """Cancel one queued call."""
    item = queue.cancel_queue_item(principal.tenant_id, item_id)
    return _done(message="Queue item cancelled", queue_item=item)


# -- settings ----------------------------------------------------------------------------------
@router.get("/settings/concurrency", response_model=VoiceConcurrencyResponse)
def get_concurrency(principal: CurrentPrincipal) -> Body:
    """The account's and the system's limits, active calls and free slots."""
    return _done(settings=concurrency.concurrency(principal.tenant_id))


@router.put("/settings/concurrency", response_model=VoiceConcurrencyUpdated)
def put_concurrency(body: VoiceConcurrencyUpdate, principal: AdminPrincipal) -> Body:
    """Set the account's concurrent-calls limit (a whole number from 1 to 10)."""
    limit = concurrency.set_concurrency(principal.tenant_id, body.concurrent_calls_limit)
    return _done(message="Concurrency limit updated successfully", concurrent_calls_limit=limit)


app = create_app("voice", [router])
handler = http_handler(app)
