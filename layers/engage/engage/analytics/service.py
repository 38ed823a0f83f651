"""The analytics routes' figures (seed 003 section 3), from the counters consumer.py keeps:
one Query over the buckets of the range (`store.buckets`: at most buckets x six channels
items), whatever the size of the tenant. Means are sums over counts, rounded to one decimal,
and null when the count is 0; counts are 0 when nothing happened. `activeChannels` comes from
the channel configurations (engage/integrations)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from engage.analytics import store
from engage.analytics.buckets import bucket_of, range_starts, timestamp
from engage.analytics.models import COUNTERS
from engage.analytics.schemas import (
    ALL_CHANNELS,
    AnalyticsDashboardPublic,
    ChannelBucketPublic,
    ChannelMetricsPublic,
    ChannelPerformanceMetricsPublic,
    ChannelPerformancePublic,
    CustomerSatisfactionPublic,
    DashboardTrendPublic,
    MessagingFiguresPublic,
    SatisfactionByChannelPublic,
    SatisfactionTrendPublic,
    TimeRange,
    VideoFiguresPublic,
    VoiceFiguresPublic,
)
from engage.core import clock, keys
from engage.integrations.schemas import ChannelStatus, ChannelType

Row = dict[str, float]
"""Counter name (models.COUNTERS) -> its sum."""
ACTIVE_STATUSES = (ChannelStatus.CONNECTED, ChannelStatus.CONFIGURED)


@dataclass(frozen=True)
class Figures:
    """The counters of a range: bucket starts (oldest first) and labels, and the sums of
    each (bucket label, channel) that has any."""

    starts: list[dt.datetime]
    labels: list[str]
    cells: dict[tuple[str, str], Row]

    def total(self, channels: Iterable[str] | None = None, label: str | None = None) -> Row:
        """Sums over the range (or one bucket) and the given channels (default all)."""
        wanted = None if channels is None else set(channels)
        out = dict.fromkeys(COUNTERS, 0.0)
        for (bucket, channel), row in self.cells.items():
            if (wanted is None or channel in wanted) and (label is None or bucket == label):
                for name, value in row.items():
                    out[name] += value
        return out


def figures(tenant_id: str, time_range: TimeRange) -> Figures:
    """The tenant's counters over `time_range` (engage/analytics/buckets.py), one Query."""
    granularity, starts = range_starts(time_range, clock.now())
    labels = [bucket_of(start, granularity) for start in starts]
    cells: dict[tuple[str, str], Row] = {}
    for item in store.buckets(tenant_id, granularity, labels[0], labels[-1]):
        bucket, channel = keys.parse_analytics_bucket_sk(item.sk)
        cells[(bucket, channel)] = {name: float(getattr(item, name) or 0) for name in COUNTERS}
    return Figures(starts, labels, cells)


def mean(total: float, count: float) -> float | None:
    """`total / count` to one decimal; None when `count` is 0 (no sample)."""
    return round(total / count, 1) if count else None


def _response_time(row: Row) -> float | None:
    return mean(row["response_seconds"], row["response_samples"])


def _score(row: Row) -> float | None:
    return mean(row["rating_sum"], row["rating_count"])


def _messaging(row: Row) -> MessagingFiguresPublic:
    return MessagingFiguresPublic(
        sessions=int(row["sessions"]),
        messages=int(row["messages"]),
        avg_response_time=_response_time(row),
    )


def active_channels(tenant_id: str) -> int:
    """Channels configured for the tenant whose last provider check did not fail, chat always
    (engage/integrations `channel_statuses`: one Query of the tenant's configurations)."""
    from engage.integrations.service import channel_statuses

    return sum(1 for s in channel_statuses(tenant_id).values() if s in ACTIVE_STATUSES)


def dashboard(tenant_id: str, time_range: TimeRange) -> AnalyticsDashboardPublic:
    """`GET /analytics/dashboard` over `time_range` (schemas.AnalyticsDashboardPublic)."""
    found = figures(tenant_id, time_range)
    total = found.total()
    video = found.total([ChannelType.VIDEO.value])
    voice = found.total([ChannelType.VOICE.value])
    metrics = ChannelMetricsPublic(
        whatsapp=_messaging(found.total([ChannelType.WHATSAPP.value])),
        sms=_messaging(found.total([ChannelType.SMS.value])),
        chat=_messaging(found.total([ChannelType.CHAT.value])),
        email=_messaging(found.total([ChannelType.EMAIL.value])),
        video=VideoFiguresPublic(
            **_messaging(video).model_dump(), minutes=round(video["video_minutes"], 1)
        ),
        voice=VoiceFiguresPublic(
            calls=int(voice["calls"]), minutes=round(voice["talk_seconds"] / 60, 1)
        ),
    )
    trends = []
    for start, label in zip(found.starts, found.labels, strict=True):
        row = found.total(label=label)
        trends.append(
            DashboardTrendPublic(
                timestamp=timestamp(start),
                sessions=int(row["sessions"]),
                messages=int(row["messages"]),
            )
        )
    return AnalyticsDashboardPublic(
        total_sessions=int(total["sessions"]),
        active_channels=active_channels(tenant_id),
        response_time=_response_time(total),
        satisfaction_score=_score(total),
        channel_metrics=metrics,
        trends=trends,
    )


def resolution_rate(resolved: float, sessions: float) -> float | None:
    """The percentage (one decimal) of `sessions` that were `resolved`; None without
    sessions. At most 100: a session started before counting began may resolve in a range
    it was not counted in."""
    return round(min(100.0, 100.0 * resolved / sessions), 1) if sessions else None


def channel_performance(
    tenant_id: str, channel: ChannelType | None, time_range: TimeRange
) -> ChannelPerformancePublic:
    """`GET /analytics/channel-performance` of `channel` (None: every channel together)."""
    found = figures(tenant_id, time_range)
    channels = None if channel is None else [channel.value]
    total = found.total(channels)
    points = []
    for start, label in zip(found.starts, found.labels, strict=True):
        row = found.total(channels, label)
        points.append(
            ChannelBucketPublic(
                timestamp=timestamp(start),
                sessions=int(row["sessions"]),
                messages=int(row["messages"]),
                resolved=int(row["resolved"]),
                avg_response_time=_response_time(row),
            )
        )
    return ChannelPerformancePublic(
        channel=channel or ALL_CHANNELS,
        time_range=time_range,
        metrics=ChannelPerformanceMetricsPublic(
            total_sessions=int(total["sessions"]),
            avg_response_time=_response_time(total),
            resolution_rate=resolution_rate(total["resolved"], total["sessions"]),
            customer_satisfaction=_score(total),
        ),
        hourly_data=points,
    )


def customer_satisfaction(tenant_id: str, time_range: TimeRange) -> CustomerSatisfactionPublic:
    """`GET /analytics/customer-satisfaction` over `time_range`: the ratings recorded in it."""
    found = figures(tenant_id, time_range)
    total = found.total()
    by_channel = SatisfactionByChannelPublic.model_validate(
        {c.value: _score(found.total([c.value])) for c in ChannelType}
    )
    trends = []
    for start, label in zip(found.starts, found.labels, strict=True):
        row = found.total(label=label)
        trends.append(
            SatisfactionTrendPublic(
                timestamp=timestamp(start), score=_score(row), responses=int(row["rating_count"])
            )
        )
    return CustomerSatisfactionPublic(
        overall_score=_score(total),
        total_responses=int(total["rating_count"]),
        by_channel=by_channel,
        trends=trends,
    )
