"""An account's voice settings as the call machinery reads them: its concurrent-calls limit
and time zone (seed 002 "Settings Endpoints"; the tenant item holds both), and the system
limit (SYSTEM_CONCURRENT_CALLS_LIMIT)."""

from __future__ import annotations

import time

from engage.core.settings import get_settings
from engage.tenants import service as tenants

TIMEZONE_TTL_SECONDS = 60.0
_TIMEZONES: dict[str, tuple[float, str]] = {}


def account_of(tenant_id: str) -> tuple[int, str]:
    """The account's concurrent-calls limit (DEFAULT_USER_CONCURRENT_CALLS_LIMIT if unset) and
    IANA time zone (`UTC` if unset), from one read of the tenant item; NotFound if deleted."""
    tenant = tenants.get_tenant(tenant_id)
    value = tenant.concurrent_calls_limit
    limit = int(value) if value is not None else get_settings().default_user_concurrent_calls_limit
    timezone = str((tenant.settings or {}).get("timezone") or "UTC")
    return limit, timezone


def account_limit(tenant_id: str) -> int:
    """The account's concurrent-calls limit."""
    return account_of(tenant_id)[0]


def cached_timezone(tenant_id: str) -> str:
    """The account's time zone, re-read at most once a minute per process. The pump uses it
    to skip campaigns outside their call window; PlaceCall re-checks with a fresh read, so a
    stale value can only delay or requeue a call, never place one outside its window."""
    now = time.monotonic()
    hit = _TIMEZONES.get(tenant_id)
    if hit is None or now - hit[0] > TIMEZONE_TTL_SECONDS:
        hit = (now, account_of(tenant_id)[1])
        _TIMEZONES[tenant_id] = hit
    return hit[1]


def system_limit() -> int:
    """SYSTEM_CONCURRENT_CALLS_LIMIT."""
    return get_settings().system_concurrent_calls_limit


def default_limit() -> int:
    """DEFAULT_USER_CONCURRENT_CALLS_LIMIT: the limit of an account that never set one."""
    return get_settings().default_user_concurrent_calls_limit


def placement_timeout_seconds() -> int:
    """PlaceCall's wait for the final callback: the provider's own call limit
    (CALL_MAX_SECONDS) plus 15 minutes."""
    return get_settings().call_max_seconds + 900
