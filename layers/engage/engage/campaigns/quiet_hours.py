"""Quiet hours: no campaign messages between `start` and `end` in the tenant's time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from engage.tenants.schemas import SettingsPublic


def quiet_until(settings: SettingsPublic, at: dt.datetime) -> dt.datetime | None:
    """When quiet hours are on and `at` falls inside them, the UTC time they end; else None.
    A window whose start is after its end wraps midnight (21:00-08:00)."""
    qh = settings.quietHours
    if not qh.enabled or qh.start == qh.end:
        return None
    tz = ZoneInfo(settings.timezone)
    local = at.astimezone(tz)
    start = dt.time.fromisoformat(qh.start)
    end = dt.time.fromisoformat(qh.end)
    now_t = local.time()
    inside = (start <= now_t < end) if start < end else (now_t >= start or now_t < end)
    if not inside:
        return None
    end_day = local.date() if now_t < end else local.date() + dt.timedelta(days=1)
    resume = dt.datetime.combine(end_day, end, tzinfo=tz)
    return resume.astimezone(dt.UTC)
