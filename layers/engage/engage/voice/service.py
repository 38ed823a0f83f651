"""Voice campaigns (seed 002 "Campaign API Endpoints"): create (over contacts or from CSV
rows), list, read, edit, delete, start / pause / resume / cancel.

Everything is scoped by the tenant the auth dependency resolved; another tenant's ids are 404.
Queue views are `engage.voice.queue`, statistics `engage.voice.statistics`, concurrency
settings `engage.voice.concurrency`; running the calls is `engage.voice.pump` and the modules
it names.
"""

from __future__ import annotations

from typing import Any

from engage.contacts import service as contacts
from engage.contacts import store as contact_store
from engage.core import clock, ids, keys
from engage.core.errors import Conflict, NotFound, ValidationFailed
from engage.core.phones import normalise_phone
from engage.tenants import service as tenants
from engage.voice import accounts, concurrency, store, transitions
from engage.voice.maintenance import cancel_campaign_queue
from engage.voice.models import VoiceCampaignItem, VoiceCampaignSource, VoiceCampaignStatus
from engage.voice.pump import pump
from engage.voice.schemas import (
    VoiceCallWindow,
    VoiceCampaignCreate,
    VoiceCampaignFields,
    VoiceCampaignUpdate,
    VoiceCampaignUpload,
    VoiceConcurrencyUpdate,
    VoiceCsvRow,
    is_text,
)
from engage.voice.windows import WindowState, window_state
from engage.voice.wire import campaign_public, page_block

EDITABLE = ("draft", "active", "paused")


def get_campaign_item(tenant_id: str, campaign_id: str) -> VoiceCampaignItem:
    """The campaign; NotFound for unknown ids, other tenants' ids and the hub's session-call
    campaign (engage/voice/session_calls.py), which is not a seed 002 campaign."""
    item = store.get_campaign(tenant_id, campaign_id)
    if item is None or keys.is_session_calls_campaign(campaign_id):
        raise NotFound("Campaign not found")
    return item


def public(tenant_id: str, item: VoiceCampaignItem) -> dict[str, Any]:
    """The campaign as the API returns it (`VoiceCampaignPublic`), in the account's time zone."""
    return campaign_public(item, accounts.account_of(tenant_id)[1])


def get_campaign(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """One campaign with its queue counters and call timing."""
    return public(tenant_id, get_campaign_item(tenant_id, campaign_id))


def _new_campaign(tenant_id: str, fields: VoiceCampaignFields, source: str) -> VoiceCampaignItem:
    now = clock.now_iso()
    return store.new_campaign(
        tenant_id,
        ids.new_id(),
        name=fields.title or "",
        description=fields.description,
        agent_id=fields.agent_id,
        next_action=fields.next_action,
        first_call_time=fields.first_call_time,
        last_call_time=fields.last_call_time,
        start_date=fields.start_date,
        end_date=fields.end_date,
        status=VoiceCampaignStatus.DRAFT.value,
        source=source,
        max_attempts=fields.max_attempts or 3,
        retry_delay_minutes=(
            fields.retry_delay_minutes if fields.retry_delay_minutes is not None else 60
        ),
        created_at=now,
        updated_at=now,
    )


def create_campaign(tenant_id: str, body: VoiceCampaignCreate) -> dict[str, Any]:
    """A draft campaign over existing contacts (`contact_ids`, duplicates ignored); 400 names
    the ids that are not this tenant's contacts."""
    wanted = list(dict.fromkeys(body.contact_ids))
    found = contact_store.batch_get(tenant_id, wanted) if wanted else {}
    missing = [c for c in wanted if c not in found]
    if missing:
        raise ValidationFailed(
            f"{len(missing)} contact id(s) do not exist", {"contact_ids": missing[:50]}
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
    campaign = _new_campaign(tenant_id, body, VoiceCampaignSource.API.value)
    return public(tenant_id, store.write_campaign(tenant_id, campaign, members))


def _cell(value: str | None) -> str:
    return (value or "").strip()


def _check_row(
    number: int, row: VoiceCsvRow, country: str | None
) -> tuple[str | None, dict[str, Any]]:
    """`(E.164 phone, problems)` of one CSV row; problems is empty for a valid row."""
    problems: dict[str, str] = {}
    for field in ("name", "phone_number", "email", "company", "notes"):
        if not is_text(_cell(getattr(row, field))):
            problems[field] = "must be valid Unicode text"
    name, raw_phone = _cell(row.name), _cell(row.phone_number)
    if not name:
        problems["name"] = "required"
    if not raw_phone:
        problems["phone_number"] = "required"
    phone = None
    if "phone_number" not in problems:
        phone = normalise_phone(raw_phone, country)
        if phone is None:
            problems["phone_number"] = f"not a valid phone number (default country {country})"
    return phone, problems


def upload_csv(tenant_id: str, body: VoiceCampaignUpload) -> dict[str, Any]:
    """Seed 002 "CSV Upload Endpoint Details": validate each row (`name`, `phone_number`),
    normalise phones to E.164 (national numbers in the account's default country), skip
    duplicates within the upload, reuse existing contacts, create the others, and create a draft
    campaign with one queue item per distinct contact.

    Returns `VoiceUploadResponse`'s fields: `stats` = `{total_rows, valid_contacts (rows that
    passed validation), contacts_created, contacts_skipped (valid rows that created no contact:
    an existing contact reused, or a repeat of an earlier row), errors (rows rejected),
    calls_queued (distinct contacts queued)}`, so `valid_contacts = contacts_created +
    contacts_skipped` and `total_rows = valid_contacts + errors`; `skipped_phones` lists the
    skipped rows' numbers as written; `invalid_rows` says which rows were rejected and why.
    Nothing is written when no row is valid (ValidationFailed)."""
    country = tenants.get_settings_of(tenant_id).defaultCountry
    invalid: list[dict[str, Any]] = []
    rows: dict[str, dict[str, Any]] = {}
    repeats: list[str] = []
    for number, row in enumerate(body.csv_data, start=1):
        phone, problems = _check_row(number, row, country)
        raw_phone = _cell(row.phone_number)
        if problems or phone is None:
            shown = raw_phone if raw_phone and is_text(raw_phone) else None
            invalid.append({"row": number, "phone_number": shown, "errors": problems})
            continue
        if phone in rows:
            repeats.append(raw_phone)
            continue
        rows[phone] = {
            "raw": raw_phone,
            "name": _cell(row.name)[:200],
            "email": _cell(row.email)[:320] or None,
            "company": _cell(row.company)[:200] or None,
            "notes": _cell(row.notes)[:2000] or None,
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
    campaign = _new_campaign(tenant_id, body, VoiceCampaignSource.CSV.value)
    store.write_campaign(tenant_id, campaign, members)
    skipped = [info["raw"] for info in rows.values() if not info.get("created")] + repeats
    return {
        "campaign": public(tenant_id, campaign),
        "stats": {
            "total_rows": len(body.csv_data),
            "valid_contacts": created + len(skipped),
            "contacts_created": created,
            "contacts_skipped": len(skipped),
            "errors": len(invalid),
            "calls_queued": len(rows),
        },
        "skipped_phones": skipped,
        "invalid_rows": invalid,
    }


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
        if keys.is_session_calls_campaign(item.sk):
            continue  # the hub's session calls (engage/voice/session_calls.py)
        day = item.created_at[:10]
        if (status and item.status != status) or (date_from and day < date_from):
            continue
        if date_to and day > date_to:
            continue
        haystack = " ".join(p for p in (item.name, item.description, item.agent_id) if p)
        if needle and needle not in haystack.lower():
            continue
        matches.append(item)
    tz = accounts.account_of(tenant_id)[1]
    window = matches[(page - 1) * limit : page * limit]
    return {
        "campaigns": [campaign_public(c, tz) for c in window],
        "pagination": page_block(page, limit, len(matches)),
    }


def update_campaign(tenant_id: str, campaign_id: str, body: VoiceCampaignUpdate) -> dict[str, Any]:
    """Edit names, agent, call window and retry policy; 409 once completed or cancelled. The
    merged call window is validated as a whole (e.g. a new first_call_time against the stored
    last_call_time)."""
    item = get_campaign_item(tenant_id, campaign_id)
    if item.status not in EDITABLE:
        raise Conflict(f"A {item.status} campaign cannot be edited", {"status": item.status})
    changes = body.model_dump(exclude_unset=True)
    if "campaign_name" in changes or "name" in changes:
        if not body.title:
            raise ValidationFailed("name must not be empty", {"name": "required"})
        changes["name"] = body.title
    changes.pop("campaign_name", None)
    window_fields = set(VoiceCallWindow.model_fields)
    merged = {f: getattr(item, f) for f in window_fields}
    merged.update({k: v for k, v in changes.items() if k in window_fields})
    merged = {k: (int(v) if isinstance(v, float) else v) for k, v in merged.items()}
    try:
        VoiceCallWindow.model_validate(merged)
    except ValueError as exc:
        raise ValidationFailed("Invalid call window", {"window": str(exc)}) from exc
    for field in ("max_attempts", "retry_delay_minutes"):
        if field in changes and changes[field] is None:
            changes.pop(field)
    if not store.update_fields(item, changes, EDITABLE):
        raise Conflict("The campaign finished meanwhile")
    if item.status == VoiceCampaignStatus.ACTIVE:
        pump()
    return public(tenant_id, item)


def delete_campaign(tenant_id: str, campaign_id: str) -> None:
    """Delete a campaign and its queue; 409 while active or while calls are in progress."""
    item = get_campaign_item(tenant_id, campaign_id)
    if item.status == VoiceCampaignStatus.ACTIVE:
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
    if not store.transition(item, allowed, to, stamp):
        raise Conflict(f"The campaign changed meanwhile; cannot {verb} it")
    return item


def _not_over(tenant_id: str, item: VoiceCampaignItem) -> None:
    """409 when the campaign's end date has passed: starting it could place no call."""
    _, tz = accounts.account_of(tenant_id)
    if item.status in ("draft", "paused") and window_state(item, tz) == WindowState.OVER:
        raise Conflict(
            f"The campaign's end_date ({item.end_date}) has passed in the account's time zone "
            f"({tz}); set a later end_date to run it",
            {"end_date": item.end_date, "timezone": tz},
        )


def _run(tenant_id: str, campaign_id: str, item: VoiceCampaignItem) -> dict[str, Any]:
    store.set_running(tenant_id, campaign_id, True)
    if not transitions.maybe_complete(tenant_id, item):
        pump()
    return get_campaign(tenant_id, campaign_id)


def start(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """draft -> active; calls start at once within the call window (409 with no contacts, or
    when the end date has passed)."""
    item = get_campaign_item(tenant_id, campaign_id)
    if item.status == VoiceCampaignStatus.DRAFT and not int(item.total_contacts):
        raise Conflict("The campaign has no contacts to call", {"total_contacts": 0})
    _not_over(tenant_id, item)
    item = _transition(tenant_id, campaign_id, ("draft",), "active", "started_at", "start")
    return _run(tenant_id, campaign_id, item)


def pause(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """active -> paused: no new calls; calls in progress finish."""
    _transition(tenant_id, campaign_id, ("active",), "paused", "paused_at", "pause")
    store.set_running(tenant_id, campaign_id, False)
    return get_campaign(tenant_id, campaign_id)


def resume(tenant_id: str, campaign_id: str) -> dict[str, Any]:
    """paused -> active; calls continue at once (409 when the end date has passed)."""
    _not_over(tenant_id, get_campaign_item(tenant_id, campaign_id))
    item = _transition(tenant_id, campaign_id, ("paused",), "active", None, "resume")
    return _run(tenant_id, campaign_id, item)


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
    moved, left = cancel_campaign_queue(tenant_id, campaign_id)
    return {
        "campaign": get_campaign(tenant_id, campaign_id),
        "cancelled_items": moved,
        "pending_cancellation": left,
    }


def set_concurrency(tenant_id: str, body: int | dict[str, object]) -> int:
    """The account's concurrent-calls limit, set (`engage.voice.concurrency.set_concurrency`);
    kept here for callers from before issue 8, which pass the request body as a dict."""
    if isinstance(body, int):
        body = {"concurrent_calls_limit": body}
    limit = VoiceConcurrencyUpdate.model_validate(body).concurrent_calls_limit
    return concurrency.set_concurrency(tenant_id, limit)
