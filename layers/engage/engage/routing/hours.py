"""Business hours for routing rules' `business_hours=true|false` (issue 11 "Routing and agent
capacity"; README "Routing rules"): a weekly schedule in an IANA time zone, stored on the
tenant's rule set item (rules_store.py). Never set: Mon-Fri 09:00-17:00 in the time zone of the
tenant's settings (`PUT /settings timezone`, UTC by default)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engage.core import clock
from engage.routing import rules_store
from engage.routing.rules_schemas import (
    BusinessHoursPublic,
    BusinessHoursUpdate,
    OpeningIntervalPublic,
    Weekday,
)

Days = dict[str, list[tuple[str, str]]]
"""Weekday value -> opening intervals `(start, end)`, HH:MM (end may be 24:00)."""

DEFAULT_DAYS: Days = {
    day.value: [("09:00", "17:00")]
    for day in (Weekday.MON, Weekday.TUE, Weekday.WED, Weekday.THU, Weekday.FRI)
}
_WEEK = tuple(Weekday)


def is_open(days: Days, timezone: str, at: dt.datetime) -> bool:
    """Whether `at` (aware; naive is read as UTC) falls in an opening interval of its
    weekday in `timezone` (an unknown zone is read as UTC). Pure."""
    try:
        zone: dt.tzinfo = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    local = at.astimezone(zone)
    now = local.strftime("%H:%M")
    day = _WEEK[local.weekday()].value
    return any(start <= now < end for start, end in days.get(day, []))


def _tenant_timezone(tenant_id: str) -> str:
    from engage.tenants.service import get_settings_of

    return get_settings_of(tenant_id).timezone


def hours_of(tenant_id: str, stored: dict[str, Any] | None) -> tuple[str, Days, bool]:
    """`(timezone, days, is_default)` of the hours stored on a rule set (None: the default,
    which reads the tenant's settings for the time zone)."""
    if stored is None:
        return _tenant_timezone(tenant_id), DEFAULT_DAYS, True
    days = {
        str(day): [(str(i[0]), str(i[1])) for i in intervals]
        for day, intervals in (stored.get("days") or {}).items()
    }
    return str(stored.get("timezone") or "UTC"), days, False


def open_at(tenant_id: str, stored: dict[str, Any] | None, at: dt.datetime) -> bool:
    """Whether the hours stored on a rule set (None: the default) are open at `at`."""
    timezone, days, _ = hours_of(tenant_id, stored)
    return is_open(days, timezone, at)


def in_business_hours(tenant_id: str, at: dt.datetime) -> bool:
    """Whether it is the tenant's business hours at `at` (aware UTC; naive is read as UTC):
    one GetItem of the rule set, plus the tenant's settings when the hours were never set."""
    return open_at(tenant_id, rules_store.load(tenant_id).hours, at)


def _public(tenant_id: str, stored: dict[str, Any] | None) -> BusinessHoursPublic:
    timezone, days, default = hours_of(tenant_id, stored)
    return BusinessHoursPublic(
        timezone=timezone,
        days={
            day: [OpeningIntervalPublic(start=s, end=e) for s, e in days.get(day.value, [])]
            for day in _WEEK
        },
        is_default=default,
        open_now=is_open(days, timezone, clock.now()),
    )


def get_business_hours(tenant_id: str) -> BusinessHoursPublic:
    """`GET /routing/business-hours`: every day (closed ones `[]`), the time zone, whether
    they are the default, and whether they are open now."""
    return _public(tenant_id, rules_store.load(tenant_id).hours)


def put_business_hours(tenant_id: str, body: BusinessHoursUpdate) -> BusinessHoursPublic:
    """`PUT /routing/business-hours`: replace the hours (days left out are closed; each
    day's intervals sorted). Conditional on the rule set's version, retried (409 when it
    keeps changing)."""
    stored: dict[str, Any] = {
        "timezone": body.timezone,
        "days": {
            day.value: sorted([i.start, i.end] for i in body.days.get(day, []))
            for day in _WEEK
            if body.days.get(day)
        },
    }

    def change(rule_set: rules_store.RuleSet) -> None:
        rule_set.hours = stored

    rules_store.modify(tenant_id, change)
    return _public(tenant_id, stored)
