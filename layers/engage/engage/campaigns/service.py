"""Campaigns: create, list, read, update, delete, cancel, statistics and enqueue
(seed 004 "Campaigns Page"; seed 000 sections 4 and 7; issue 2 "campaigns").

Enqueue resolves the opted-in audience once to price it (SMS segments of each rendered
message, links counted at their short-link length), debits that many credits in one
conditional update (402 and nothing queued when the balance is short), moves the campaign to
`sending` and starts the dispatch state machine. Recipients are frozen to contacts that existed
at enqueue time; dispatch never spends more than was debited and refunds the rest.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pynamodb.exceptions import DeleteError, UpdateError

from engage.audiences.service import Audience, Resolver, get_segment, parse_audience
from engage.campaigns import schedules, stats
from engage.campaigns.compose import compose
from engage.campaigns.models import CampaignItem
from engage.campaigns.schemas import CampaignCreate, CampaignUpdate
from engage.core import clock, ids, keys
from engage.core.aws import client
from engage.core.errors import Conflict, NotFound, ValidationFailed
from engage.core.observability import logger
from engage.core.render import parse_template
from engage.core.settings import get_settings
from engage.core.sms import segment_count
from engage.tenants import service as tenants

SORT_KEYS = {
    "createdAt": "created_at",
    "updatedAt": "updated_at",
    "name": "name",
    "scheduleAt": "schedule_at",
}
EDITABLE = ("draft", "scheduled")


def _audience(tenant_id: str, raw: Any) -> Audience:
    audience = parse_audience(raw)
    if audience.type == "segment":
        try:
            get_segment(tenant_id, audience.segment_id or "")
        except NotFound:
            raise ValidationFailed(
                "Audience segment not found", {"audience": f"no segment {audience.segment_id}"}
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


def to_public(item: CampaignItem, counts: dict[str, int] | None = None) -> dict[str, Any]:
    """Wire shape (seed 004 list item plus the full campaign)."""
    counts = counts or {"delivered": 0, "undelivered": 0, "clicks": 0}
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
        "sentCount": int(item.sent_count),
        "deliveredCount": counts["delivered"],
        "failedCount": int(item.failed_count) + counts["undelivered"],
        "skippedCount": int(item.skipped_count),
        "clickCount": counts["clicks"],
        "creditsDebited": int(item.credits_debited) - int(item.credits_refunded),
        "failureReason": item.failure_reason,
        "createdAt": item.created_at,
        "updatedAt": item.updated_at,
        "enqueuedAt": item.enqueued_at,
        "completedAt": item.completed_at,
    }


def get_item(tenant_id: str, campaign_id: str, consistent: bool = True) -> CampaignItem:
    """The campaign; NotFound for unknown and other tenants' ids."""
    try:
        return CampaignItem.get(
            keys.campaign_partition(tenant_id), campaign_id, consistent_read=consistent
        )
    except CampaignItem.DoesNotExist:
        raise NotFound("Campaign not found") from None


def create_campaign(tenant_id: str, body: CampaignCreate) -> dict[str, Any]:
    """Validate (variables, audience, schedule) and store; scheduled kinds get a schedule."""
    meta = _meta(body.includeDiscount, body.discountValue)
    template = parse_template(body.message, meta["discountValue"])
    audience = _audience(tenant_id, body.audience)
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
    item.save()
    tenants.add_counters(tenant_id, campaign_count=1)
    return to_public(item)


def list_campaigns(
    tenant_id: str, page: int, page_size: int, status: str | None, sort_by: str, order: str
) -> tuple[list[dict[str, Any]], int]:
    """One page of the tenant's campaigns, filtered and sorted on documented keys only."""
    condition = CampaignItem.status == status if status else None
    items = list(CampaignItem.query(keys.campaign_partition(tenant_id), filter_condition=condition))
    attr = SORT_KEYS[sort_by]
    items.sort(key=lambda c: (getattr(c, attr) or "", c.sk), reverse=order == "desc")
    window = items[(page - 1) * page_size : page * page_size]
    counts = stats.campaign_counts(tenant_id, [c.sk for c in window])
    return [to_public(c, counts[c.sk]) for c in window], len(items)


def get_campaign(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """One campaign with its counters."""
    item = get_item(tenant_id, campaign_id)
    return to_public(item, stats.campaign_counts(tenant_id, [campaign_id])[campaign_id])


def update_campaign(tenant_id: str, campaign_id: str, body: CampaignUpdate) -> dict[str, Any]:
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
        item.audience = _audience(tenant_id, patch["audience"]).to_dict()
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
    item.save(condition=CampaignItem.status.is_in(*EDITABLE))
    return get_campaign(tenant_id, campaign_id)


def delete_campaign(tenant_id: str, campaign_id: str) -> None:
    """Delete; a sending campaign is a 409 (cancel it first)."""
    item = get_item(tenant_id, campaign_id)
    if item.status == "sending":
        raise Conflict("A sending campaign cannot be deleted; cancel it first")
    schedules.delete_schedule(item.schedule_name)
    try:
        item.delete(condition=CampaignItem.status != "sending")
    except DeleteError as exc:  # the condition failed: it started sending meanwhile
        raise Conflict("A sending campaign cannot be deleted; cancel it first") from exc
    tenants.add_counters(tenant_id, campaign_count=-1)


def cancel_campaign(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """Stop a draft, scheduled or sending campaign. Messages not yet sent are skipped and
    their credits refunded by the sender; credits not yet allocated by the dispatcher."""
    item = get_item(tenant_id, campaign_id)
    if item.status not in ("draft", "scheduled", "sending"):
        raise Conflict(f"A {item.status} campaign cannot be cancelled", {"status": item.status})
    schedules.delete_schedule(item.schedule_name)
    try:
        item.update(
            actions=[
                CampaignItem.status.set("cancelled"),
                CampaignItem.updated_at.set(clock.now_iso()),
            ],
            condition=CampaignItem.status.is_in("draft", "scheduled", "sending"),
        )
    except UpdateError as exc:
        raise Conflict("The campaign changed state; reload it") from exc
    return get_campaign(tenant_id, campaign_id)


def campaign_stats(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """Counts by message status, clicks and credits (issue 2 `GET /campaigns/{id}/stats`)."""
    item = get_item(tenant_id, campaign_id)
    counts = stats.campaign_counts(tenant_id, [campaign_id])[campaign_id]
    sent_total = int(item.sent_count)
    delivered, undelivered = counts["delivered"], counts["undelivered"]
    processed = sent_total + int(item.failed_count) + int(item.skipped_count)
    return {
        "campaignId": item.sk,
        "status": item.status,
        "recipientCount": int(item.recipient_count),
        "byStatus": {
            "queued": max(int(item.queued_count) - processed, 0),
            "sent": max(sent_total - delivered - undelivered, 0),
            "delivered": delivered,
            "undelivered": undelivered,
            "failed": int(item.failed_count),
            "skipped": int(item.skipped_count),
        },
        "sentCount": sent_total,
        "deliveredCount": delivered,
        "failedCount": int(item.failed_count) + undelivered,
        "deliveryRate": round(100.0 * delivered / sent_total, 1) if sent_total else 0.0,
        "clicks": counts["clicks"],
        "clickRate": round(100.0 * counts["clicks"] / delivered, 1) if delivered else 0.0,
        "credits": {
            "debited": int(item.credits_debited),
            "refunded": int(item.credits_refunded),
            "used": int(item.credits_debited) - int(item.credits_refunded),
        },
    }


# --- enqueue -------------------------------------------------------------------------------


def price(tenant_id: str, item: CampaignItem, cutoff: str) -> tuple[int, int]:
    """(recipients, credits) of sending `item` now to its opted-in audience."""
    audience = parse_audience(item.audience)
    recipients = credits = 0
    for contact in Resolver(tenant_id, audience, opted_in_only=True, before_id=cutoff):
        recipients += 1
        credits += segment_count(compose(item, contact, None))
    return recipients, credits


def enqueue(tenant_id: str, campaign_id: str, source: str = "api") -> dict[str, Any]:
    """Debit credits and start dispatch; returns `{status, queuedRecipients, creditsDebited}`.

    Raises NotFound, Conflict (not draft/scheduled, or enqueued concurrently),
    ValidationFailed (no opted-in recipient) and InsufficientCredits (402).
    """
    item = get_item(tenant_id, campaign_id)
    if item.status not in EDITABLE:
        raise Conflict(f"A {item.status} campaign cannot be enqueued", {"status": item.status})
    cutoff = ids.id_floor(clock.now_ms() + 1)
    recipients, credits = price(tenant_id, item, cutoff)
    if recipients == 0:
        raise ValidationFailed(
            "The audience has no opted-in contacts", {"audience": "0 opted-in recipients"}
        )
    tenants.debit_credits(tenant_id, credits)
    run = int(item.run) + 1
    now = clock.now_iso()
    try:
        item.update(
            actions=[
                CampaignItem.status.set("sending"),
                CampaignItem.run.set(run),
                CampaignItem.recipient_count.add(recipients),
                CampaignItem.credits_debited.add(credits),
                CampaignItem.run_reserved.set(credits),
                CampaignItem.run_allocated.set(0),
                CampaignItem.dispatch_complete.set(False),
                CampaignItem.enqueue_cutoff.set(cutoff),
                CampaignItem.enqueued_at.set(now),
                CampaignItem.updated_at.set(now),
            ],
            condition=CampaignItem.status.is_in(*EDITABLE) & (CampaignItem.run == run - 1),
        )
    except UpdateError as exc:
        tenants.refund_credits(tenant_id, credits)
        raise Conflict("The campaign was enqueued concurrently") from exc
    tz = tenants.get_settings_of(tenant_id).timezone
    stats.add_daily(tenant_id, stats.day_in(tz), credits_debited=credits)
    execution = client("stepfunctions").start_execution(
        stateMachineArn=get_settings().dispatch_state_machine_arn,
        name=f"{campaign_id}-r{run}",
        input=json.dumps({"tenantId": tenant_id, "campaignId": campaign_id, "run": run}),
    )
    item.update(actions=[CampaignItem.execution_arn.set(execution["executionArn"])])
    logger.info(
        "campaign enqueued",
        extra={
            "campaign_id": campaign_id,
            "run": run,
            "recipients": recipients,
            "credits": credits,
            "source": source,
        },
    )
    return {"status": "queued", "queuedRecipients": recipients, "creditsDebited": credits}
