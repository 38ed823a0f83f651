"""Time buckets of the analytics counters: UTC hours (ranges 1h and 24h) and UTC days (7d and
30d). A range is the bucket holding now and the ones before it: `1h` the current hour, `24h`
it and the 23 before, `7d` today and the 6 days before, `30d` today and the 29 before (the
current bucket is partial)."""

from __future__ import annotations

import datetime as dt

from engage.analytics.schemas import TimeRange
from engage.core import clock
from engage.core.keys import Granularity

SPANS: dict[TimeRange, tuple[Granularity, int]] = {
    TimeRange.HOUR: (Granularity.HOUR, 1),
    TimeRange.DAY: (Granularity.HOUR, 24),
    TimeRange.WEEK: (Granularity.DAY, 7),
    TimeRange.MONTH: (Granularity.DAY, 30),
}
"""Each range's bucket width and number of buckets."""
RETENTION = {Granularity.HOUR: dt.timedelta(days=8), Granularity.DAY: dt.timedelta(days=400)}
"""How long a bucket is kept after it ends (DynamoDB TTL), beyond the longest range."""
_WIDTH = {Granularity.HOUR: dt.timedelta(hours=1), Granularity.DAY: dt.timedelta(days=1)}
_FORMAT = {Granularity.HOUR: "%Y-%m-%dT%H", Granularity.DAY: "%Y-%m-%d"}


parse_time = clock.parse
"""An ISO 8601 time as aware UTC, or None (engage/core/clock.py `parse`)."""


def start_of(at: dt.datetime, granularity: Granularity) -> dt.datetime:
    """The start (UTC) of the bucket holding `at`."""
    at = at.astimezone(dt.UTC)
    if granularity is Granularity.HOUR:
        return at.replace(minute=0, second=0, microsecond=0)
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def bucket_of(at: dt.datetime, granularity: Granularity) -> str:
    """The bucket label of `at`: `YYYY-MM-DDTHH` (hour) or `YYYY-MM-DD` (day), UTC."""
    return start_of(at, granularity).strftime(_FORMAT[granularity])


def expiry_of(at: dt.datetime, granularity: Granularity) -> int:
    """Epoch seconds after which the bucket holding `at` may be dropped (RETENTION)."""
    end = start_of(at, granularity) + _WIDTH[granularity]
    return int((end + RETENTION[granularity]).timestamp())


def range_starts(time_range: TimeRange, now: dt.datetime) -> tuple[Granularity, list[dt.datetime]]:
    """The bucket width of `time_range` and the starts of its buckets, oldest first."""
    granularity, count = SPANS[time_range]
    last = start_of(now, granularity)
    width = _WIDTH[granularity]
    return granularity, [last - width * i for i in range(count - 1, -1, -1)]


def timestamp(start: dt.datetime) -> str:
    """A bucket's start as seed 003 writes trend times: `2024-01-20T09:00:00Z`."""
    return start.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
