"""Voice items as seed 002's frontend reads them (snake_case): the dicts the routes return,
each shaped as its schema in `engage.voice.public` (`VoiceCampaignPublic`,
`VoiceQueueItemPublic`, `VoicePagination`)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from engage.core import keys
from engage.voice.models import QUEUE_STATUSES, CallQueueItem, VoiceCampaignItem
from engage.voice.windows import call_timing


def campaign_public(
    item: VoiceCampaignItem, tz: str, now: datetime | None = None
) -> dict[str, Any]:
    """A voice campaign (`VoiceCampaignPublic`); `tz` is the account's time zone, which
    decides `outside_call_window` and `next_call_at` at `now` (default: the clock's)."""
    outside, next_call_at = call_timing(item, tz, now)
    return {
        "id": item.sk,
        "name": item.name,
        "campaign_name": item.name,
        "description": item.description,
        "agent_id": item.agent_id,
        "next_action": item.next_action,
        "first_call_time": item.first_call_time,
        "last_call_time": item.last_call_time,
        "start_date": item.start_date,
        "end_date": item.end_date,
        "status": item.status,
        "source": item.source,
        "max_attempts": int(item.max_attempts),
        "retry_delay_minutes": int(item.retry_delay_minutes),
        "total_contacts": int(item.total_contacts),
        "queue_counts": {s: int(getattr(item, s)) for s in QUEUE_STATUSES},
        "outside_call_window": outside,
        "next_call_at": next_call_at,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "started_at": item.started_at,
        "paused_at": item.paused_at,
        "completed_at": item.completed_at,
        "cancelled_at": item.cancelled_at,
    }


def queue_public(item: CallQueueItem) -> dict[str, Any]:
    """A call-queue item with its call log (`VoiceQueueItemPublic`)."""
    return {
        "id": keys.voice_queue_item_id(item.campaign_id, int(item.sk)),
        "campaign_id": item.campaign_id,
        "contact_id": item.contact_id,
        "name": item.name,
        "phone_number": item.phone_e164,
        "email": item.email,
        "company": item.company,
        "notes": item.notes,
        "status": item.status,
        "attempts": int(item.attempts),
        "next_attempt_at": item.next_attempt_at,
        "last_outcome": item.last_outcome,
        "reason": item.reason,
        "call_sid": item.call_sid,
        "call_status": item.call_status,
        "talk_seconds": int(item.talk_seconds or 0),
        "calls": [dict(c) for c in (item.calls or [])],
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "started_at": item.started_at,
        "ended_at": item.ended_at,
    }


def page_block(page: int, limit: int, total: int) -> dict[str, int]:
    """Pagination of the voice lists (`VoicePagination`): page, limit, total, total_pages."""
    return {
        "page": page,
        "limit": limit,
        "total": total,
        "total_pages": math.ceil(total / limit) if limit else 0,
    }
