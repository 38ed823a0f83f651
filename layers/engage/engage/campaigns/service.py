"""Campaigns: create, list, read, update, delete, cancel, statistics and enqueue
(seed 004 "Campaigns Page"; seed 000 sections 4 and 7; issue 2 "campaigns").

Enqueue (sending a campaign) is `engage.campaigns.enqueue`; storage is `store`'s.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from engage.attribution import service as attribution
from engage.attribution.schemas import CampaignAttribution
from engage.audiences.service import Audience, get_segment, parse_audience
from engage.campaigns import channel_stats as channels
from engage.campaigns import schedules, stats, store
from engage.campaigns.models import CampaignItem
from engage.campaigns.schemas import SmsCampaignCreate, SmsCampaignUpdate
from engage.core import clock, ids, keys
from engage.core.errors import Conflict, NotFound, ValidationFailed
from engage.core.render import parse_template
from engage.tenants import service as tenants

SORT_KEYS = {
    "createdAt": "created_at",
    "updatedAt": "updated_at",
    "name": "name",
    "scheduleAt": "schedule_at",
}
EDITABLE = ("draft", "scheduled")


def _audience(tenant_id: str, raw: str | dict[str, str | None] | None) -> Audience:
    audience = parse_audience(raw)
    if audience.type == "segment":
        try:
            get_segment(tenant_id, audience.segment_id or "")
        except NotFound:
            raise ValidationFailed(
                "Audience segment not found", {"audience": "no segment with this id"}
            ) from None
    return audience


def _schedule_fields(
    schedule_type: str, at: dt.datetime | None, every: int | None
) -> tuple[str | None, int | None]:
    if schedule_type == "scheduled":
        if at is None:
            raise ValidationFailed(
                "scheduleAt is required", {"scheduleAt": "required when scheduleType is scheduled"}
            )
        if at <= clock.now():
            raise ValidationFailed(
                "scheduleAt is in the past", {"scheduleAt": "must be in the future"}
            )
        return clock.iso(at), None
    if schedule_type == "recurring":
        if not every:
            raise ValidationFailed(
                "recurringDays is required",
                {"recurringDays": "required when scheduleType is recurring"},
            )
        return (clock.iso(at) if at else None), every
    return None, None


def _meta(include: bool | None, value: str | None) -> dict[str, Any]:
    if include and not value:
        raise ValidationFailed(
            "discountValue is required", {"discountValue": "required when includeDiscount is true"}
        )
    return {"includeDiscount": bool(include), "discountValue": value if include else None}


def _attributed(counted: CampaignAttribution | None) -> dict[str, Any]:
    """`responses`, `conversions` and `revenue` (issue 10 "Attribution"; zeros when None)."""
    counted = counted or CampaignAttribution(responses=0, conversions=0, revenue={})
    return {
        "responses": counted.responses,
        "conversions": counted.conversions,
        "revenue": dict(counted.revenue),
    }


def to_public(
    item: CampaignItem,
    counts: dict[str, int] | None = None,
    counted: CampaignAttribution | None = None,
) -> dict[str, Any]:
    """Wire shape (seed 004 list item plus the full campaign). The counts are SMS messages
    (seed 004's meaning); a campaign's other channels are in its stats' `channels`.
    `responses`, `conversions` and `revenue` (additive to seed 004) are the campaign's
    attribution over every channel (`counted`, engage.attribution; zeros when None)."""
    counts = counts or dict.fromkeys(stats.COUNTER_FIELDS, 0)
    sms = channels.sms_share(item, counts)
    return {
        "id": item.sk,
        "name": item.name,
        "message": item.message,
        "audience": item.audience,
        "meta": item.meta or {},
        "includeDiscount": bool((item.meta or {}).get("includeDiscount")),
        "discountValue": (item.meta or {}).get("discountValue"),
        "scheduleType": item.schedule_type,
        "scheduleAt": item.schedule_at,
        "scheduledAt": item.schedule_at,
        "recurringDays": int(item.recurring_days) if item.recurring_days else None,
        "priority": item.priority,
        "status": item.status,
        "links": item.links or [],
        "recipientCount": int(item.recipient_count),
        "sentCount": sms["sent"],
        "deliveredCount": sms["delivered"],
        "failedCount": sms["failed"] + sms["undelivered"],
        "skippedCount": sms["skipped"],
        "clickCount": counts["clicks"],
        "creditsDebited": int(item.credits_debited) - int(item.credits_refunded),
        **_attributed(counted),
        "failureReason": item.failure_reason,
        "createdAt": item.created_at,
        "updatedAt": item.updated_at,
        "enqueuedAt": item.enqueued_at,
        "completedAt": item.completed_at,
    }


def get_item(tenant_id: str, campaign_id: str, consistent: bool = True) -> CampaignItem:
    """The campaign; NotFound for unknown and other tenants' ids."""
    item = store.get_campaign(tenant_id, campaign_id, consistent)
    if item is None:
        raise NotFound("Campaign not found")
    return item


def create_campaign(tenant_id: str, body: SmsCampaignCreate) -> dict[str, Any]:
    """Validate (variables, audience, schedule) and store; scheduled kinds get a schedule."""
    meta = _meta(body.includeDiscount, body.discountValue)
    template = parse_template(body.message, meta["discountValue"])
    audience = _audience(tenant_id, body.audience_raw())
    at, every = _schedule_fields(body.scheduleType, body.scheduleAt, body.recurringDays)
    campaign_id = ids.new_id()
    now = clock.now_iso()
    item = CampaignItem(
        keys.campaign_partition(tenant_id),
        campaign_id,
        name=body.name,
        message=body.message,
        audience=audience.to_dict(),
        meta=meta,
        links=list(template.links),
        schedule_type=body.scheduleType,
        schedule_at=at,
        recurring_days=every,
        priority=body.priority,
        status="draft" if body.scheduleType == "immediate" else "scheduled",
        created_at=now,
        updated_at=now,
    )
    if body.scheduleType != "immediate":
        item.schedule_name = schedules.put_schedule(
            tenant_id, campaign_id, body.scheduleType, body.scheduleAt, every
        )
    store.put_campaign(item)
    tenants.add_counters(tenant_id, campaign_count=1)
    return to_public(item)


def list_campaigns(
    tenant_id: str, page: int, page_size: int, status: str | None, sort_by: str, order: str
) -> tuple[list[dict[str, Any]], int]:
    """One page of the tenant's campaigns, filtered and sorted on documented keys only."""
    items = store.list_campaigns(tenant_id, status)
    attr = SORT_KEYS[sort_by]
    items.sort(key=lambda c: (getattr(c, attr) or "", c.sk), reverse=order == "desc")
    window = items[(page - 1) * page_size : page * page_size]
    page_ids = [c.sk for c in window]
    counts = stats.campaign_counts(tenant_id, page_ids)
    counted = attribution.campaigns_attribution(tenant_id, page_ids)  # one BatchGetItem
    return [to_public(c, counts[c.sk], counted[c.sk]) for c in window], len(items)


def get_campaign(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """One campaign with its counters and attribution."""
    item = get_item(tenant_id, campaign_id)
    counts = stats.campaign_counts(tenant_id, [campaign_id])[campaign_id]
    return to_public(item, counts, attribution.campaign_attribution(tenant_id, campaign_id))


def update_campaign(tenant_id: str, campaign_id: str, body: SmsCampaignUpdate) -> dict[str, Any]:
    """Change a draft or scheduled campaign (409 otherwise); re-validates and reschedules."""
    item = get_item(tenant_id, campaign_id)
    if item.status not in EDITABLE:
        raise Conflict(f"A {item.status} campaign cannot be edited", {"status": item.status})
    patch = body.model_dump(exclude_unset=True)
    meta = dict(item.meta or {})
    if "includeDiscount" in patch or "discountValue" in patch:
        meta = _meta(
            patch.get("includeDiscount", meta.get("includeDiscount")),
            patch.get("discountValue", meta.get("discountValue")),
        )
    message = patch.get("message") or item.message
    template = parse_template(message, meta.get("discountValue"))
    if "audience" in patch:
        item.audience = _audience(tenant_id, body.audience_raw()).to_dict()
    schedule_type = patch.get("scheduleType") or item.schedule_type
    at_raw = (
        patch.get("scheduleAt")
        if "scheduleAt" in patch
        else (
            dt.datetime.fromisoformat(item.schedule_at.replace("Z", "+00:00"))
            if item.schedule_at
            else None
        )
    )
    every = patch.get("recurringDays", item.recurring_days)
    at, every = _schedule_fields(schedule_type, at_raw, int(every) if every else None)
    item.name = patch.get("name") or item.name
    item.message, item.meta, item.links = message, meta, list(template.links)
    item.priority = patch.get("priority") or item.priority
    item.schedule_type, item.schedule_at, item.recurring_days = schedule_type, at, every
    item.updated_at = clock.now_iso()
    if schedule_type == "immediate":
        schedules.delete_schedule(item.schedule_name)
        item.schedule_name, item.status = None, "draft"
    else:
        item.schedule_name = schedules.put_schedule(
            tenant_id, campaign_id, schedule_type, at_raw, every
        )
        item.status = "scheduled"
    if not store.save_if_status(item, EDITABLE):
        raise Conflict("The campaign changed state; reload it")
    return get_campaign(tenant_id, campaign_id)


def delete_campaign(tenant_id: str, campaign_id: str) -> None:
    """Delete; a sending campaign is a 409 (cancel it first)."""
    item = get_item(tenant_id, campaign_id)
    if item.status == "sending":
        raise Conflict("A sending campaign cannot be deleted; cancel it first")
    schedules.delete_schedule(item.schedule_name)
    if not store.delete_unless_sending(item):  # it started sending meanwhile
        raise Conflict("A sending campaign cannot be deleted; cancel it first")
    tenants.add_counters(tenant_id, campaign_count=-1)


def cancel_campaign(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """Stop a draft, scheduled or sending campaign. Messages not yet sent are skipped and
    their credits refunded by the sender; credits not yet allocated by the dispatcher."""
    item = get_item(tenant_id, campaign_id)
    if item.status not in ("draft", "scheduled", "sending"):
        raise Conflict(f"A {item.status} campaign cannot be cancelled", {"status": item.status})
    schedules.delete_schedule(item.schedule_name)
    changed = store.set_fields(
        item,
        {"status": "cancelled", "updated_at": clock.now_iso()},
        if_status=("draft", "scheduled", "sending"),
    )
    if not changed:
        raise Conflict("The campaign changed state; reload it")
    return get_campaign(tenant_id, campaign_id)


def campaign_stats(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """Counts by message status, clicks and credits (issue 2 `GET /campaigns/{id}/stats`).
    Seed 004's fields count SMS messages; `channels` has the counts of each of the campaign's
    channels (issue 10); clicks, credits and the attribution (`responses`, `conversions`,
    `revenue`) are the campaign's, every channel together."""
    item = get_item(tenant_id, campaign_id)
    counts = stats.campaign_counts(tenant_id, [campaign_id])[campaign_id]
    per_channel = channels.channel_counts(item, counts)
    sms = channels.sms_share(item, counts)
    sent_total = sms["sent"]
    delivered, undelivered = sms["delivered"], sms["undelivered"]
    processed = sent_total + sms["failed"] + sms["skipped"]
    return {
        "campaignId": item.sk,
        "status": item.status,
        "recipientCount": int(item.recipient_count),
        "byStatus": {
            "queued": max(sms["queued"] - processed, 0),
            "sent": max(sent_total - delivered - undelivered, 0),
            "delivered": delivered,
            "undelivered": undelivered,
            "failed": sms["failed"],
            "skipped": sms["skipped"],
        },
        "channels": per_channel,
        "sentCount": sent_total,
        "deliveredCount": delivered,
        "failedCount": sms["failed"] + undelivered,
        "deliveryRate": round(100.0 * delivered / sent_total, 1) if sent_total else 0.0,
        "clicks": counts["clicks"],
        "clickRate": round(100.0 * counts["clicks"] / delivered, 1) if delivered else 0.0,
        "credits": {
            "debited": int(item.credits_debited),
            "refunded": int(item.credits_refunded),
            "used": int(item.credits_debited) - int(item.credits_refunded),
        },
        **_attributed(attribution.campaign_attribution(tenant_id, campaign_id)),
    }


def fail_scheduled(tenant_id: str, campaign_id: str, reason: str) -> None:
    """A scheduled (one-off) campaign whose run could not start becomes `failed` with the
    reason; a recurring one stays scheduled for its next run."""
    item = get_item(tenant_id, campaign_id)
    if item.schedule_type != "recurring":
        store.set_fields(
            item,
            {"status": "failed", "failure_reason": reason, "updated_at": clock.now_iso()},
            if_status=("scheduled",),
        )
