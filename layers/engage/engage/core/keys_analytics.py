"""Key builders and parsers of the analytics counters (issue 11 "Analytics"; seed 003 section
3), re-exported by `engage.core.keys` (use them as `keys.<name>`; DESIGN.md section 2, STYLE.md
rule 5).

Tenant items (engage/analytics/models.py):
- `T#<t>#ANH` / `<YYYY-MM-DDTHH>#<channel>`: one channel's counters of one UTC hour;
- `T#<t>#AND` / `<YYYY-MM-DD>#<channel>`: one channel's counters of one UTC day;
- `T#<t>#ANC#<conversationId>` / `CONV`: one conversation as the counters follow it (since when
  its customer awaits an agent reply, its first resolution).

A bucket's sort key starts with the bucket, so the buckets of a range, every channel, are one
Query between `analytics_bucket_bounds(first, last)`.
"""

from __future__ import annotations

import re
from enum import StrEnum

ANALYTICS_CONVERSATION_SK = "CONV"
_AFTER_CHANNELS = "~"  # sorts after every channel name (lower-case letters)


class Granularity(StrEnum):
    """The width of a counter bucket: one UTC hour or one UTC day."""

    HOUR = "hour"
    DAY = "day"


_PARTITIONS = {Granularity.HOUR: "ANH", Granularity.DAY: "AND"}


def analytics_bucket_partition(tenant_id: str, granularity: Granularity) -> str:
    """The partition of the tenant's hourly or daily counter buckets."""
    return f"T#{tenant_id}#{_PARTITIONS[granularity]}"


def analytics_bucket_key(
    tenant_id: str, granularity: Granularity, bucket: str, channel: str
) -> tuple[str, str]:
    """One channel's counters of one bucket (`bucket`: `YYYY-MM-DDTHH` or `YYYY-MM-DD`)."""
    return analytics_bucket_partition(tenant_id, granularity), f"{bucket}#{channel}"


def analytics_bucket_bounds(first: str, last: str) -> tuple[str, str]:
    """Sort-key bounds (inclusive) of every channel's buckets from `first` to `last`."""
    return f"{first}#", f"{last}#{_AFTER_CHANNELS}"


_BUCKET_SK = re.compile(r"^(\d{4}-\d{2}-\d{2}(?:T\d{2})?)#([a-z]+)$")


def parse_analytics_bucket_sk(sk: str) -> tuple[str, str]:
    """`(bucket, channel)` of an `analytics_bucket_key` sort key; ValueError otherwise."""
    found = _BUCKET_SK.match(sk)
    if found is None:
        raise ValueError(f"not an analytics bucket key: {sk[:40]!r}")
    return found.group(1), found.group(2)


def analytics_conversation_key(tenant_id: str, conversation_id: str) -> tuple[str, str]:
    """A conversation as the analytics counters follow it."""
    return f"T#{tenant_id}#ANC#{conversation_id}", ANALYTICS_CONVERSATION_SK
