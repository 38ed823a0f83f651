"""Concurrency settings (seed 002 "Settings Endpoints"): the account's and the system's
concurrent-call limits, active calls and free slots; setting the account's limit."""

from __future__ import annotations

from engage.tenants import service as tenants
from engage.voice import accounts
from engage.voice import semaphore_store as semaphore
from engage.voice.pump import pump


def concurrency(tenant_id: str) -> dict[str, int]:
    """Seed 002 "GET /api/settings/concurrency" fields, exactly (`VoiceConcurrencySettings`)."""
    usage = semaphore.usage()
    limit, system = accounts.account_limit(tenant_id), accounts.system_limit()
    mine = usage.of(tenant_id)
    return {
        "user_concurrent_calls_limit": limit,
        "user_active_calls": mine,
        "user_available_slots": max(0, limit - mine),
        "system_concurrent_calls_limit": system,
        "system_active_calls": usage.active,
        "system_available_slots": max(0, system - usage.active),
    }


def set_concurrency(tenant_id: str, limit: int) -> int:
    """Set the account's limit (1-10, checked by `VoiceConcurrencyUpdate`). Takes effect at
    once: lowering it stops new calls until in-flight calls fall under it; raising it starts
    queued calls. Returns the limit."""
    tenants.set_concurrent_calls_limit(tenant_id, limit)  # what the account reads back
    semaphore.set_limit(tenant_id, limit)  # what every acquire compares against
    pump()
    return limit
