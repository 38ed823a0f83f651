"""Sharded counters: campaign receipt/click counters and per-day tenant statistics.

Writes pick a random shard (an atomic ADD); reads sum every shard. This keeps one busy campaign
under DynamoDB's 1,000 writes/s per partition (DESIGN.md section 2). Storage is `store`'s.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from engage.campaigns import store
from engage.core import clock
from engage.core.settings import get_settings

DAILY_FIELDS = ("sent", "delivered", "failed", "unsubscribes", "credits_debited")


def day_in(tz_name: str, at: dt.datetime | None = None) -> str:
    """The ISO date of `at` (default now) in time zone `tz_name`."""
    return (at or clock.now()).astimezone(ZoneInfo(tz_name)).date().isoformat()


def random_shard() -> int:
    """A counter shard in [0, COUNTER_SHARDS)."""
    return secrets.randbelow(get_settings().counter_shards)


def add_campaign_counts(tenant_id: str, campaign_id: str, **deltas: int) -> None:
    """ADD to one random shard of the campaign's counters (fields of COUNTER_FIELDS)."""
    store.add_counters(tenant_id, campaign_id, random_shard(), deltas)


COUNTER_FIELDS = (
    "delivered",
    "undelivered",
    "clicks",
    "whatsapp_delivered",
    "whatsapp_undelivered",
    "email_delivered",
    "email_undelivered",
)
"""Receipt and click counters (`CounterItem`): `delivered` / `undelivered` / `clicks` of
every channel, and the WhatsApp and e-mail shares of the first two."""


def campaign_counts(tenant_id: str, campaign_ids: Iterable[str]) -> dict[str, dict[str, int]]:
    """Summed counters per campaign id: `{id: {field: n}}` for COUNTER_FIELDS."""
    wanted = list(dict.fromkeys(campaign_ids))
    out = {cid: dict.fromkeys(COUNTER_FIELDS, 0) for cid in wanted}
    for cid, item in store.counters(tenant_id, wanted, get_settings().counter_shards):
        for name in COUNTER_FIELDS:
            out[cid][name] += int(getattr(item, name) or 0)
    return out


def add_daily(tenant_id: str, day: str, **deltas: int) -> None:
    """ADD to the tenant's statistics of `day` (fields of DAILY_FIELDS)."""
    store.add_daily(tenant_id, random_shard(), day, deltas)


def daily(tenant_id: str, first_day: str, last_day: str) -> dict[str, dict[str, int]]:
    """Per-day sums between two ISO dates inclusive: `{day: {field: value}}`."""
    out: dict[str, dict[str, int]] = {}
    for shard in range(get_settings().counter_shards):
        for item in store.daily(tenant_id, shard, first_day, last_day):
            row = out.setdefault(item.sk, dict.fromkeys(DAILY_FIELDS, 0))
            for name in DAILY_FIELDS:
                row[name] += int(getattr(item, name) or 0)
    return out


def empty_day() -> dict[str, Any]:
    """A day with nothing recorded."""
    return dict.fromkeys(DAILY_FIELDS, 0)
