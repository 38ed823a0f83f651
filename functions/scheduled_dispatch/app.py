"""EventBridge Scheduler target: `{"tenantId", "campaignId"}` -> the same enqueue as the API."""

from __future__ import annotations

from typing import Any

from engage.campaigns.models import CampaignItem
from engage.campaigns.service import enqueue, get_item
from engage.core import clock
from engage.core.errors import Conflict, InsufficientCredits, NotFound, ValidationFailed
from engage.core.handlers import worker_handler
from engage.core.observability import logger


def _fire(event: dict[str, Any], context: Any) -> dict[str, Any]:
    tenant_id, campaign_id = event["tenantId"], event["campaignId"]
    try:
        return enqueue(tenant_id, campaign_id, source="schedule")
    except (NotFound, Conflict) as exc:
        # Deleted, cancelled or already sending (Scheduler delivers at least once).
        logger.info("scheduled dispatch skipped", extra={"reason": exc.message})
        return {"status": "skipped", "reason": exc.message}
    except (InsufficientCredits, ValidationFailed) as exc:
        item = get_item(tenant_id, campaign_id)
        if item.schedule_type != "recurring":
            item.update(
                actions=[
                    CampaignItem.status.set("failed"),
                    CampaignItem.failure_reason.set(exc.message),
                    CampaignItem.updated_at.set(clock.now_iso()),
                ],
                condition=CampaignItem.status == "scheduled",
            )
        logger.warning("scheduled dispatch failed", extra={"reason": exc.message})
        return {"status": "failed", "reason": exc.message}


handler = worker_handler(_fire)
