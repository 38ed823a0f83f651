"""Usage of a period (issue 9 `GET /admin/account/usage`): the counters of the usage consumer
(consumer.py), the tenant's credit balance and contact total, and the SMS per-day statistics
(engage/campaigns/stats.py). No figure is invented: each comes from stored data.
"""

from __future__ import annotations

import datetime as dt

from engage.campaigns import stats
from engage.core import clock
from engage.core.errors import NotFound, ValidationFailed
from engage.tenants import store as tenants_store
from engage.usage import store
from engage.usage.consumer import ALL_TIME
from engage.usage.models import UsageItem
from engage.usage.schemas import (
    UsageContacts,
    UsageCredits,
    UsageMessages,
    UsageMessagesBySender,
    UsagePublic,
    UsageSms,
)


def period_bounds(period: str | None) -> tuple[str, dt.datetime, dt.datetime]:
    """`(YYYY-MM, start, end)` of a calendar month in UTC (end exclusive); the current month
    when `period` is None. Raises ValidationFailed for a period that is not `YYYY-MM` of a
    year 2000-9998."""
    if period is None:
        start = (
            clock.now().astimezone(dt.UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
        )
    else:
        try:
            start = dt.datetime.strptime(period, "%Y-%m").replace(tzinfo=dt.UTC)
        except ValueError as exc:
            raise ValidationFailed("Invalid period", {"period": "must be YYYY-MM"}) from exc
        if not 2000 <= start.year <= 9998:
            raise ValidationFailed("Invalid period", {"period": "the year must be 2000 to 9998"})
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start.strftime("%Y-%m"), start, end


def _n(item: UsageItem | None, name: str) -> int:
    return int(getattr(item, name) or 0) if item is not None else 0


def usage(tenant_id: str, period: str | None) -> UsagePublic:
    """The tenant's usage in `period` (YYYY-MM, default this month, UTC). Raises NotFound,
    ValidationFailed."""
    name, start, end = period_bounds(period)
    tenant = tenants_store.get(tenant_id)
    if tenant is None:
        raise NotFound("Tenant not found")
    month = store.get(tenant_id, name)
    ever = store.get(tenant_id, ALL_TIME)
    last_day = (end - dt.timedelta(days=1)).date().isoformat()
    days = stats.daily(tenant_id, start.date().isoformat(), last_day)
    return UsagePublic(
        period=name,
        period_start=clock.iso(start),
        period_end=clock.iso(end),
        counted_since=ever.first_counted_at if ever is not None else None,
        conversations=_n(month, "conversations"),
        messages=UsageMessages(
            total=_n(month, "messages"),
            by_sender=UsageMessagesBySender(
                user=_n(month, "messages_user"),
                agent=_n(month, "messages_agent"),
                bot=_n(month, "messages_bot"),
                system=_n(month, "messages_system"),
            ),
            private_notes=_n(month, "private_notes"),
            agent_replies=_n(month, "agent_replies"),
        ),
        contacts=UsageContacts(created=_n(month, "contacts"), total=int(tenant.contact_count or 0)),
        sms=UsageSms(sent=sum(day["sent"] for day in days.values())),
        credits=UsageCredits(
            balance=int(tenant.credits or 0),
            used=sum(day["credits_debited"] for day in days.values()),
        ),
    )


def lifetime(tenant_id: str) -> UsageItem | None:
    """The tenant's all-time counters (onboarding), or None when nothing was counted."""
    return store.get(tenant_id, ALL_TIME)
