"""EventBridge Scheduler target: `{"tenantId", "campaignId"}` (parsed with Powertools' parser
into `ScheduleFired`) -> the same enqueue as the API."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse

from engage.campaigns.enqueue import enqueue
from engage.campaigns.events import ScheduleFired
from engage.campaigns.service import fail_scheduled
from engage.core.errors import Conflict, InsufficientCredits, NotFound, ValidationFailed
from engage.core.handlers import worker_handler
from engage.core.observability import logger


def _fire(event: dict[str, Any], context: Any) -> dict[str, Any]:
    fired = parse(event=event, model=ScheduleFired)
    try:
        return enqueue(fired.tenantId, fired.campaignId, source="schedule")
    except (NotFound, Conflict) as exc:
        # Deleted, cancelled or already sending (Scheduler delivers at least once).
        logger.info("scheduled dispatch skipped", extra={"reason": exc.message})
        return {"status": "skipped", "reason": exc.message}
    except (InsufficientCredits, ValidationFailed) as exc:
        fail_scheduled(fired.tenantId, fired.campaignId, exc.message)
        logger.warning("scheduled dispatch failed", extra={"reason": exc.message})
        return {"status": "failed", "reason": exc.message}


handler = worker_handler(_fire)
