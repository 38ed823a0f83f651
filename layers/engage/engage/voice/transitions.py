"""Queue item and campaign transitions (DESIGN.md section 5): every move of a queue item
between statuses goes through here, so the campaign's per-status counters move with it (atomic
ADD) and the campaign completes when nothing is left queued or in progress.

    queued --claim--> in_progress --finish--> completed | failed | cancelled
       ^                  |   \\--finish(queued)--> queued (a retry, due later)
       \\----unclaim-------/   (a call never placed goes back, its attempt not counted)
"""

from __future__ import annotations

from typing import Any

from engage.core import ids, keys
from engage.core.observability import logger
from engage.voice import store
from engage.voice.models import CallQueueItem, VoiceCampaignItem, VoiceCampaignStatus

RUNNABLE = (VoiceCampaignStatus.ACTIVE.value,)
queue_id = keys.voice_queue_item_id
parse_queue_id = keys.parse_voice_queue_item_id


def execution_name(campaign_id: str, seq: int, attempt: int) -> str:
    """A fresh name for the Step Functions execution of one claim of a call attempt; it is
    also the semaphore holder id. Unique per claim (a claim given back and taken again gets a
    new execution); that an attempt is made once is the claim's job, not the name's."""
    return keys.voice_execution_name(campaign_id, seq, attempt, ids.token(6))


def bump(tenant_id: str, campaign_id: str, **deltas: int) -> VoiceCampaignItem | None:
    """Add to the campaign's per-status counters atomically; returns the campaign after the
    update (None when the campaign was deleted meanwhile). Completes it when nothing is left."""
    item = store.add_counts(tenant_id, campaign_id, deltas)
    if item is not None:
        maybe_complete(tenant_id, item)
    return item


def maybe_complete(tenant_id: str, item: VoiceCampaignItem) -> bool:
    """Move an active or paused campaign with nothing queued or in progress to `completed`."""
    if item.status not in ("active", "paused") or int(item.queued) or int(item.in_progress):
        return False
    if not store.complete_if_idle(item):
        return False
    store.set_running(tenant_id, item.sk, False)
    logger.info("voice campaign completed", extra={"tenant": tenant_id, "campaign": item.sk})
    return True


def claim(tenant_id: str, campaign_id: str, seq: int, seen_sk: str, attempt: int) -> bool:
    """`queued` -> `in_progress` (see `store.claim`); the counters move with it."""
    if not store.claim(tenant_id, campaign_id, seq, seen_sk, attempt):
        return False
    bump(tenant_id, campaign_id, queued=-1, in_progress=1)
    return True


def unclaim(tenant_id: str, campaign_id: str, seq: int, attempt: int) -> bool:
    """Undo a claim whose call was never placed (no slot, campaign paused, start failed):
    back to `queued`, due now, with the attempt not counted; cancelled instead when the
    campaign was cancelled meanwhile (its queue was swept already)."""
    item = store.get_item(tenant_id, campaign_id, seq)
    if item is None or item.status != "in_progress" or int(item.attempts) != attempt:
        return False
    campaign = store.get_campaign(tenant_id, campaign_id)
    if campaign is None or campaign.status == VoiceCampaignStatus.CANCELLED:
        return finish(tenant_id, item, attempt, "cancelled", reason="campaign_cancelled")
    if not store.unclaim(tenant_id, item, attempt):
        return False
    bump(tenant_id, campaign_id, in_progress=-1, queued=1)
    return True


def finish(
    tenant_id: str,
    item: CallQueueItem,
    attempt: int,
    status: str,
    *,
    outcome: str | None = None,
    reason: str | None = None,
    call: dict[str, Any] | None = None,
    retry_at: str | None = None,
) -> bool:
    """Record an in-progress attempt's end: `status` is `completed`, `failed`, `cancelled` or
    `queued` (a retry due at `retry_at`); `call` is appended to the item's call log."""
    done = store.finish(
        tenant_id,
        item,
        attempt,
        status,
        outcome=outcome,
        reason=reason,
        call=call,
        retry_at=retry_at,
    )
    if done:
        bump(tenant_id, item.campaign_id, in_progress=-1, **{status: 1})
    return done
