"""Voice campaigns, the call queue, statistics and concurrency settings (seed 002; issue 3).

Everything is scoped by the tenant the auth dependency resolved; another tenant's ids are 404.
Running the calls (pump, state machine tasks, callbacks, reaper) is `engage.voice.calls`.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime
from typing import Any

from engage.contacts import service as contacts
from engage.contacts import store as contact_store
from engage.core import clock, ids, keys
from engage.core.errors import Conflict, NotFound, ValidationFailed
from engage.core.phones import normalise_phone
from engage.tenants import service as tenants
from engage.voice import calls, semaphore, store
from engage.voice.models import (
    CAMPAIGN_STATUSES,
    OUTCOMES,
    QUEUE_STATUSES,
    CallQueueItem,
    VoiceCampaignItem,
)
from engage.voice.schemas import (
    CallWindow,
    CampaignCreate,
    CampaignFields,
    CampaignUpdate,
    CampaignUpload,
)

LIMIT_MIN, LIMIT_MAX = 1, 10


# -- wire shapes -------------------------------------------------------------------------------
def campaign_public(item: VoiceCampaignItem) -> dict[str, Any]:
    """A voice campaign as seed 002's frontend reads it (snake_case)."""
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
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "started_at": item.started_at,
        "paused_at": item.paused_at,
        "completed_at": item.completed_at,
        "cancelled_at": item.cancelled_at,
    }


def queue_public(item: CallQueueItem) -> dict[str, Any]:
    """A call-queue item (one contact of a campaign) with its call log."""
    return {
        "id": calls.queue_id(item.campaign_id, int(item.sk)),
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


def page_block(page: int, limit: int, total: int) -> dict[str, Any]:
    """Pagination of the voice lists: page, limit, total, total_pages."""
    return {
        "page": page,
        "limit": limit,
        "total": total,
        "total_pages": math.ceil(total / limit) if limit else 0,
    }


# -- campaigns ---------------------------------------------------------------------------------
def get_campaign_item(tenant_id: str, campaign_id: str) -> VoiceCampaignItem:
    """The campaign; NotFound for unknown ids and other tenants' ids."""
    item = store.get_campaign(tenant_id, campaign_id)
    if item is None:
        raise NotFound("Campaign not found")
    return item


def _new_campaign(tenant_id: str, fields: CampaignFields, source: str) -> VoiceCampaignItem:
    now = clock.now_iso()
    return VoiceCampaignItem(
        *store.campaign_key(tenant_id, ids.new_id()),
        name=fields.title or "",
        description=fields.description,
        agent_id=fields.agent_id,
        next_action=fields.next_action,
        first_call_time=fields.first_call_time,
        last_call_time=fields.last_call_time,
        start_date=fields.start_date,
        end_date=fields.end_date,
        status="draft",
        source=source,
        max_attempts=fields.max_attempts or 3,
        retry_delay_minutes=(
            fields.retry_delay_minutes if fields.retry_delay_minutes is not None else 60
        ),
        created_at=now,
        updated_at=now,
    )


def _write_campaign(
    tenant_id: str, campaign: VoiceCampaignItem, members: list[dict[str, Any]]
) -> VoiceCampaignItem:
    """Write the queue items (one per member, BatchWriteItem), then the campaign: the campaign
    item is written last, so a failure part-way leaves no campaign pointing at a partial queue."""
    now = campaign.created_at
    store.write_queue(
        CallQueueItem(
            *store.item_key(tenant_id, campaign.sk, seq),
            campaign_id=campaign.sk,
            status="queued",
            attempts=0,
            created_at=now,
            updated_at=now,
            gsi2pk=keys.call_ready_pk(tenant_id, campaign.sk),
            gsi2sk=calls.ready_sk(now, seq, 0),
            **member,
        )
        for seq, member in enumerate(members, start=1)
    )
    campaign.total_contacts = len(members)
    campaign.queued = len(members)
    store.save(campaign)
    return campaign


def create_campaign(tenant_id: str, body: CampaignCreate) -> dict[str, Any]:
    """A draft campaign over existing contacts (`contact_ids`, duplicates ignored); 400 names
    the ids that are not this tenant's contacts."""
    wanted = list(dict.fromkeys(body.contact_ids))
    found = contact_store.batch_get(tenant_id, wanted) if wanted else {}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise ValidationFailed(
            f"{len(missing)} contact id(s) do not exist",
            {"contact_ids": missing[:50]},
        )
    members = []
    for contact_id in wanted:
        contact = found[contact_id]
        name = " ".join(p for p in (contact.first_name, contact.last_name) if p) or None
        members.append(
            {
                "contact_id": contact_id,
                "name": name,
                "phone_e164": contact.phone_e164,
                "email": contact.email,
            }
        )
    campaign = _write_campaign(tenant_id, _new_campaign(tenant_id, body, "api"), members)
    return campaign_public(campaign)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def upload_csv(tenant_id: str, body: CampaignUpload) -> dict[str, Any]:
    """Seed 002 "CSV Upload Endpoint Details": validate each row (`name`, `phone_number`),
    normalise phones to E.164 (national numbers in the account's default country), skip
    duplicates within the upload, reuse existing contacts, create the others, and create a draft
    campaign with one queue item per distinct contact.

    Returns `{"campaign", "stats": {total_rows, valid_contacts, contacts_created,
    contacts_skipped, errors}, "skipped_phones", "invalid_rows"}`: `contacts_skipped` counts
    rows that created no contact although valid (an existing contact reused, or a repeat of an
    earlier row) and `skipped_phones` lists their numbers as written; `invalid_rows` says which
    rows were rejected and why. So `total_rows = errors + contacts_created + contacts_skipped`
    and `valid_contacts` is the number of queue items. Nothing is written when no row is valid.
    """
    country = tenants.get_settings_of(tenant_id).defaultCountry
    invalid: list[dict[str, Any]] = []
    rows: dict[str, dict[str, Any]] = {}
    repeats: list[str] = []
    for number, row in enumerate(body.csv_data, start=1):
        name, raw_phone = _text(row.name), _text(row.phone_number)
        problems = {}
        if not name:
            problems["name"] = "required"
        if not raw_phone:
            problems["phone_number"] = "required"
        phone = normalise_phone(raw_phone, country) if raw_phone else None
        if raw_phone and phone is None:
            problems["phone_number"] = f"not a valid phone number (default country {country})"
        if problems:
            invalid.append({"row": number, "phone_number": raw_phone or None, "errors": problems})
            continue
        assert phone is not None
        if phone in rows:
            repeats.append(raw_phone)
            continue
        rows[phone] = {
            "raw": raw_phone,
            "name": name[:200],
            "email": _text(row.email)[:320] or None,
            "company": _text(row.company)[:200] or None,
            "notes": _text(row.notes)[:2000] or None,
        }
    if not rows:
        raise ValidationFailed(
            "No valid rows: every row needs a name and a valid phone_number",
            {"errors": len(invalid), "invalid_rows": invalid[:100]},
        )
    existing = contact_store.contacts_by_phone(tenant_id, rows)
    created = 0
    for phone, info in rows.items():
        if phone in existing:
            continue
        first, _, last = info["name"].partition(" ")
        fields = {"firstName": first, "lastName": last.strip() or None, "email": info["email"]}
        existing[phone], info["created"] = contacts.ensure_contact(tenant_id, phone, fields)
        created += info["created"]
    if created:
        tenants.add_counters(tenant_id, contact_count=created)
    members = [
        {
            "contact_id": existing[phone],
            "name": info["name"],
            "phone_e164": phone,
            "email": info["email"],
            "company": info["company"],
            "notes": info["notes"],
        }
        for phone, info in rows.items()
    ]
    campaign = _write_campaign(tenant_id, _new_campaign(tenant_id, body, "csv"), members)
    skipped = [info["raw"] for info in rows.values() if not info.get("created")] + repeats
    return {
        "campaign": campaign_public(campaign),
        "stats": {
            "total_rows": len(body.csv_data),
            "valid_contacts": len(rows),
            "contacts_created": created,
            "contacts_skipped": len(skipped),
            "errors": len(invalid),
        },
        "skipped_phones": skipped,
        "invalid_rows": invalid,
    }


def _in_range(created_at: str, date_from: str | None, date_to: str | None) -> bool:
    day = created_at[:10]
    return (not date_from or day >= date_from) and (not date_to or day <= date_to)


def list_campaigns(
    tenant_id: str,
    page: int,
    limit: int,
    status: str | None,
    search: str | None,
    date_from: str | None,
    date_to: str | None,
) -> dict[str, Any]:
    """Newest first, filtered by status, a case-insensitive search over name, description and
    agent id, and a creation date range (`date_from` / `date_to`, YYYY-MM-DD, inclusive)."""
    needle = (search or "").strip().lower()
    matches = []
    for item in store.iter_campaigns(tenant_id):
        if status and item.status != status:
            continue
        if not _in_range(item.created_at, date_from, date_to):
            continue
        haystack = " ".join(p for p in (item.name, item.description, item.agent_id) if p)
        if needle and needle not in haystack.lower():
            continue
        matches.append(item)
    window = matches[(page - 1) * limit : page * limit]
    return {
        "campaigns": [campaign_public(c) for c in window],
        "pagination": page_block(page, limit, len(matches)),
    }


def summary(tenant_id: str) -> dict[str, int]:
    """How many campaigns are in each status, plus `total`."""
    counts = Counter(item.status for item in store.iter_campaigns(tenant_id, attributes=["status"]))
    out = {s: counts.get(s, 0) for s in CAMPAIGN_STATUSES}
    out["total"] = sum(counts.values())
    return out


def update_campaign(tenant_id: str, campaign_id: str, body: CampaignUpdate) -> dict[str, Any]:
    """Edit names, agent, call window and retry policy; 409 once completed or cancelled. The
    merged call window is validated as a whole (e.g. a new first_call_time against the stored
    last_call_time)."""
    item = get_campaign_item(tenant_id, campaign_id)
    if item.status in ("completed", "cancelled"):
        raise Conflict(f"A {item.status} campaign cannot be edited", {"status": item.status})
    changes = body.model_dump(exclude_unset=True)
    if "campaign_name" in changes or "name" in changes:
        title = body.title
        if not title:
            raise ValidationFailed("name must not be empty", {"name": "required"})
        changes["name"] = title
    changes.pop("campaign_name", None)
    window_fields = set(CallWindow.model_fields)
    merged = {f: getattr(item, f) for f in window_fields}
    merged.update({k: v for k, v in changes.items() if k in window_fields})
    merged = {k: (int(v) if isinstance(v, float) else v) for k, v in merged.items()}
    try:
        CallWindow.model_validate(merged)
    except ValueError as exc:
        raise ValidationFailed("Invalid call window", {"window": str(exc)}) from exc
    for field in ("max_attempts", "retry_delay_minutes"):
        if field in changes and changes[field] is None:
            changes.pop(field)
    actions = [getattr(VoiceCampaignItem, k).set(v) for k, v in changes.items()]
    actions.append(VoiceCampaignItem.updated_at.set(clock.now_iso()))
    if not store.update_if(
        item, actions, VoiceCampaignItem.status.is_in("draft", "active", "paused")
    ):
        raise Conflict("The campaign finished meanwhile")
    if item.status == "active":
        calls.pump()
    return campaign_public(item)


def delete_campaign(tenant_id: str, campaign_id: str) -> None:
    """Delete a campaign and its queue; 409 while active or while calls are in progress."""
    item = get_campaign_item(tenant_id, campaign_id)
    if item.status == "active":
        raise Conflict("Pause or cancel the campaign before deleting it", {"status": "active"})
    if int(item.in_progress):
        raise Conflict(
            "Calls are in progress; delete the campaign when they have ended",
            {"in_progress": int(item.in_progress)},
        )
    store.delete_campaign(tenant_id, campaign_id)


def _transition(
    tenant_id: str,
    campaign_id: str,
    allowed: tuple[str, ...],
    to: str,
    stamp: str | None,
    verb: str,
) -> VoiceCampaignItem:
    item = get_campaign_item(tenant_id, campaign_id)
    if item.status not in allowed:
        raise Conflict(
            f"Cannot {verb} a campaign that is {item.status}",
            {"status": item.status, "allowed_from": list(allowed)},
        )
    now = clock.now_iso()
    actions: list[Any] = [VoiceCampaignItem.status.set(to), VoiceCampaignItem.updated_at.set(now)]
    if stamp:
        actions.append(getattr(VoiceCampaignItem, stamp).set(now))
    if not store.update_if(item, actions, VoiceCampaignItem.status.is_in(*allowed)):
        raise Conflict(f"The campaign changed meanwhile; cannot {verb} it")
    return item


def _not_over(tenant_id: str, item: VoiceCampaignItem) -> None:
    """409 when the campaign's end date has passed: starting it could place no call."""
    _, tz = calls.account_of(tenant_id)
    if item.status in ("draft", "paused") and calls.window_state(item, tz) == "over":
        raise Conflict(
            f"The campaign's end_date ({item.end_date}) has passed in the account's time zone "
            f"({tz}); set a later end_date to run it",
            {"end_date": item.end_date, "timezone": tz},
        )


def start(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """draft -> active; calls start at once within the call window (409 with no contacts, or
    when the end date has passed)."""
    item = get_campaign_item(tenant_id, campaign_id)
    if item.status == "draft" and not int(item.total_contacts):
        raise Conflict("The campaign has no contacts to call", {"total_contacts": 0})
    _not_over(tenant_id, item)
    item = _transition(tenant_id, campaign_id, ("draft",), "active", "started_at", "start")
    store.set_running(tenant_id, campaign_id, True)
    if not calls.maybe_complete(tenant_id, item):
        calls.pump()
    return campaign_public(get_campaign_item(tenant_id, campaign_id))


def pause(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """active -> paused: no new calls; calls in progress finish."""
    _transition(tenant_id, campaign_id, ("active",), "paused", "paused_at", "pause")
    store.set_running(tenant_id, campaign_id, False)
    return campaign_public(get_campaign_item(tenant_id, campaign_id))


def resume(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """paused -> active; calls continue at once (409 when the end date has passed)."""
    _not_over(tenant_id, get_campaign_item(tenant_id, campaign_id))
    item = _transition(tenant_id, campaign_id, ("paused",), "active", None, "resume")
    store.set_running(tenant_id, campaign_id, True)
    if not calls.maybe_complete(tenant_id, item):
        calls.pump()
    return campaign_public(get_campaign_item(tenant_id, campaign_id))


def cancel(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """draft / active / paused -> cancelled: every queued item is cancelled; calls in progress
    finish and are recorded, without retries. A long queue is cancelled partly in the request
    and the rest by the next ticks (no queued item of a cancelled campaign is ever called).
    Returns the campaign, `cancelled_items` (cancelled by this request) and
    `pending_cancellation` (queued items left for the background sweep, usually 0)."""
    _transition(
        tenant_id, campaign_id, ("draft", "active", "paused"), "cancelled", "cancelled_at", "cancel"
    )
    store.set_running(tenant_id, campaign_id, False)
    moved, left = calls.cancel_campaign_queue(tenant_id, campaign_id)
    return {
        "campaign": campaign_public(get_campaign_item(tenant_id, campaign_id)),
        "cancelled_items": moved,
        "pending_cancellation": left,
    }


# -- queue -------------------------------------------------------------------------------------
def get_queue_item(tenant_id: str, item_id: str) -> CallQueueItem:
    """A queue item by its public id; NotFound otherwise."""
    parsed = calls.parse_queue_id(item_id)
    item = store.get_item(tenant_id, *parsed) if parsed else None
    if item is None:
        raise NotFound("Queue item not found")
    return item


def cancel_queue_item(tenant_id: str, item_id: str) -> dict[str, Any]:
    """Cancel one queued call (409 when it is not queued: in progress or finished)."""
    item = get_queue_item(tenant_id, item_id)
    now = clock.now_iso()
    cancelled = store.update_if(
        item,
        [
            CallQueueItem.status.set("cancelled"),
            CallQueueItem.reason.set("cancelled_by_user"),
            CallQueueItem.gsi2pk.remove(),
            CallQueueItem.gsi2sk.remove(),
            CallQueueItem.ended_at.set(now),
            CallQueueItem.updated_at.set(now),
        ],
        CallQueueItem.status == "queued",
    )
    if not cancelled:
        current = get_queue_item(tenant_id, item_id)
        raise Conflict(
            f"Only a queued call can be cancelled; this one is {current.status}",
            {"status": current.status},
        )
    calls.bump(tenant_id, item.campaign_id, queued=-1, cancelled=1)
    return queue_public(item)


def campaign_queue(
    tenant_id: str, campaign_id: str, page: int, limit: int, status: str | None
) -> dict[str, Any]:
    """A page of a campaign's queue in upload order (optionally one status)."""
    campaign = get_campaign_item(tenant_id, campaign_id)
    if status:
        items = [i for i in store.iter_queue(tenant_id, campaign_id) if i.status == status]
        total = len(items)
        window = items[(page - 1) * limit : page * limit]
    else:
        total = int(campaign.total_contacts)
        start = f"{(page - 1) * limit + 1:06d}"
        window = list(
            store.iter_queue(
                tenant_id, campaign_id, range_key_condition=CallQueueItem.sk >= start, limit=limit
            )
        )[:limit]
    return {
        "campaign_id": campaign_id,
        "queue": [queue_public(i) for i in window],
        "pagination": page_block(page, limit, total),
    }


def account_queue(
    tenant_id: str, page: int, limit: int, status: str | None, campaign_id: str | None
) -> dict[str, Any]:
    """The account's queue items across campaigns, newest campaign first, then upload order.
    Reads campaigns until the page is filled; `total` comes from the campaigns' counters."""
    campaigns = [
        c for c in store.iter_campaigns(tenant_id) if not campaign_id or c.sk == campaign_id
    ]
    if status:
        total = sum(int(getattr(c, status)) for c in campaigns)
    else:
        total = sum(int(c.total_contacts) for c in campaigns)
    skip, window = (page - 1) * limit, list[CallQueueItem]()
    for campaign in campaigns:
        if len(window) >= limit:
            break
        size = int(getattr(campaign, status)) if status else int(campaign.total_contacts)
        if skip >= size:
            skip -= size
            continue
        for item in store.iter_queue(tenant_id, campaign.sk):
            if status and item.status != status:
                continue
            if skip:
                skip -= 1
                continue
            window.append(item)
            if len(window) >= limit:
                break
    return {
        "queue": [queue_public(i) for i in window],
        "pagination": page_block(page, limit, total),
    }


def queue_statistics(tenant_id: str) -> dict[str, Any]:
    """The account's queue by status (from the campaigns' counters) and its active calls
    against both limits."""
    counts = dict.fromkeys(QUEUE_STATUSES, 0)
    for campaign in store.iter_campaigns(tenant_id):
        for status in QUEUE_STATUSES:
            counts[status] += int(getattr(campaign, status))
    return {**counts, "total": sum(counts.values()), **concurrency(tenant_id)}


# -- statistics --------------------------------------------------------------------------------
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
    total talk time and average talk time per connected call (answered or voicemail), seconds."""
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
    call start), and how many attempts each contact took (`{"0": n, "1": m, ...}`)."""
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
        local = calls.local_now(tz, datetime.fromisoformat(when.replace("Z", "+00:00")))
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


# -- concurrency settings ----------------------------------------------------------------------
def concurrency(tenant_id: str) -> dict[str, int]:
    """Seed 002 "GET /api/settings/concurrency" fields, exactly."""
    usage = semaphore.usage()
    limit, system = calls.account_limit(tenant_id), calls.system_limit()
    mine = usage.of(tenant_id)
    return {
        "user_concurrent_calls_limit": limit,
        "user_active_calls": mine,
        "user_available_slots": max(0, limit - mine),
        "system_concurrent_calls_limit": system,
        "system_active_calls": usage.active,
        "system_available_slots": max(0, system - usage.active),
    }


def set_concurrency(tenant_id: str, body: Any) -> int:
    """Set the account's limit: a whole number from 1 to 10 (anything else is a 400). Takes
    effect at once: lowering it stops new calls until in-flight calls fall under it; raising it
    starts queued calls."""
    value = body.get("concurrent_calls_limit") if isinstance(body, dict) else None
    extra = sorted(set(body) - {"concurrent_calls_limit"}) if isinstance(body, dict) else []
    if extra:
        raise ValidationFailed(
            "Unknown field(s): " + ", ".join(extra), {f: "not allowed" for f in extra}
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not LIMIT_MIN <= value <= LIMIT_MAX:
        raise ValidationFailed(
            f"concurrent_calls_limit must be a whole number from {LIMIT_MIN} to {LIMIT_MAX}",
            {"concurrent_calls_limit": f"integer {LIMIT_MIN}-{LIMIT_MAX}", "received": value},
        )
    tenants.set_concurrent_calls_limit(tenant_id, value)  # what the account reads back
    semaphore.set_limit(tenant_id, value)  # what every acquire compares against
    calls.pump()
    return value
