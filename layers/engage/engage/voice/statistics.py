"""Campaign statistics and analytics (seed 002 "GET /api/campaigns/:id/statistics" and
"/analytics"), the campaign summary and the account's queue statistics. Tallies are recounted
from the queue items' call logs; queue counts of the account come from the campaigns'
counters."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from engage.core import keys
from engage.tenants import service as tenants
from engage.voice import store
from engage.voice.concurrency import concurrency
from engage.voice.models import CAMPAIGN_STATUSES, OUTCOMES, QUEUE_STATUSES, CallQueueItem
from engage.voice.service import get_campaign_item
from engage.voice.windows import local_now


def summary(tenant_id: str) -> dict[str, int]:
    """How many campaigns are in each status, plus `total` (`VoiceCampaignSummary`)."""
    counts = Counter(
        item.status
        for item in store.iter_campaigns(tenant_id, attributes=["SK", "status"])
        if not keys.is_session_calls_campaign(item.sk)  # the hub's session calls
    )
    out = {s: counts.get(s, 0) for s in CAMPAIGN_STATUSES}
    out["total"] = sum(counts.values())
    return out


def _tally(calls_made: list[dict[str, Any]]) -> dict[str, Any]:
    outcomes = Counter(str(c.get("outcome")) for c in calls_made)
    talk = sum(int(c.get("talk_seconds") or 0) for c in calls_made)
    connected = outcomes["answered"] + outcomes["voicemail"]
    placed = len(calls_made)
    return {
        "calls_placed": placed,
        **{o: outcomes.get(o, 0) for o in OUTCOMES},
        "answer_rate": round(outcomes["answered"] / placed, 4) if placed else 0.0,
        "total_talk_seconds": talk,
        "average_talk_seconds": round(talk / connected, 1) if connected else 0.0,
    }


def _calls_of(items: list[CallQueueItem]) -> list[dict[str, Any]]:
    return [dict(c) for item in items for c in (item.calls or [])]


def statistics(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """Counts by queue status (they add up to `total_items`), call outcomes over every call
    placed (answered, voicemail, no_answer, busy, failed), answer rate (answered / placed),
    total talk time and average talk time per connected call (answered or voicemail), seconds
    (`VoiceCampaignStatistics`). NotFound for another tenant's campaign."""
    campaign = get_campaign_item(tenant_id, campaign_id)
    items = list(store.iter_queue(tenant_id, campaign_id))
    by_status = Counter(i.status for i in items)
    return {
        "campaign_id": campaign_id,
        "status": campaign.status,
        "total_items": len(items),
        "queue": {s: by_status.get(s, 0) for s in QUEUE_STATUSES},
        **_tally(_calls_of(items)),
    }


def analytics(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """The statistics' call tallies per day and per hour of day (the account's time zone, by
    call start), and how many attempts each contact took (`{"0": n, "1": m, ...}`)
    (`VoiceCampaignAnalytics`)."""
    get_campaign_item(tenant_id, campaign_id)
    tz = tenants.get_settings_of(tenant_id).timezone
    items = list(store.iter_queue(tenant_id, campaign_id))
    made = _calls_of(items)
    by_day: dict[str, list[dict[str, Any]]] = {}
    by_hour: dict[int, list[dict[str, Any]]] = {}
    for call in made:
        when = str(call.get("started_at") or call.get("ended_at") or "")
        if not when:
            continue
        local = local_now(tz, datetime.fromisoformat(when.replace("Z", "+00:00")))
        by_day.setdefault(local.date().isoformat(), []).append(call)
        by_hour.setdefault(local.hour, []).append(call)
    attempts = Counter(int(i.attempts) for i in items)
    return {
        "campaign_id": campaign_id,
        "timezone": tz,
        "totals": _tally(made),
        "by_day": [{"date": d, **_tally(by_day[d])} for d in sorted(by_day)],
        "by_hour": [{"hour": h, **_tally(by_hour[h])} for h in sorted(by_hour)],
        "attempts_per_contact": {str(k): attempts[k] for k in sorted(attempts)},
    }


def queue_statistics(tenant_id: str) -> dict[str, Any]:
    """The account's queue by status (from the campaigns' counters) and its active calls
    against both limits (`VoiceQueueStatistics`)."""
    counts = dict.fromkeys(QUEUE_STATUSES, 0)
    for campaign in store.iter_campaigns(tenant_id):
        for status in QUEUE_STATUSES:
            counts[status] += int(getattr(campaign, status))
    return {**counts, "total": sum(counts.values()), **concurrency(tenant_id)}
