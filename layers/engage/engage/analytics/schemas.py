"""Analytics wire schemas (seed 003 section 3): camelCase where the seed writes camelCase,
snake_case inside `channelMetrics` and `hourlyData` as the seed writes them. A figure with no
sample is null; a count is 0. Times are UTC; response times are in seconds."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from engage.core.schemas import PublicModel
from engage.integrations.schemas import ChannelType


class TimeRange(StrEnum):
    """The `range` of an analytics route: the current UTC hour (`1h`), it and the 23 before
    (`24h`), today and the 6 days before (`7d`), today and the 29 before (`30d`)."""

    HOUR = "1h"
    DAY = "24h"
    WEEK = "7d"
    MONTH = "30d"


ALL_CHANNELS: Literal["all"] = "all"
"""`channel` of a channel-performance answer asked for no channel: every channel together."""


class _Camel(PublicModel):
    model_config = ConfigDict(alias_generator=to_camel)


class MessagingFiguresPublic(PublicModel):
    """A conversation channel over the range: `sessions` started on it, `messages` written on
    it (notes and system records excluded), `avg_response_time` the mean seconds from a
    customer message to the next agent reply (null without a reply)."""

    sessions: int
    messages: int
    avg_response_time: float | None


class VideoFiguresPublic(MessagingFiguresPublic):
    """The video channel: its conversations' figures and the `minutes` of video sessions that
    ended in the range (each rounded up to whole minutes, as engage/video counts them)."""

    minutes: float


class VoiceFiguresPublic(PublicModel):
    """Voice over the range: `calls` ended (any outcome), `minutes` of talk time (one
    decimal), `quality_score` null: no provider Engage uses reports call quality."""

    calls: int
    minutes: float
    quality_score: float | None = None


class ChannelMetricsPublic(PublicModel):
    """Every channel's figures over the range (zeros for a channel with no activity)."""

    whatsapp: MessagingFiguresPublic
    sms: MessagingFiguresPublic
    chat: MessagingFiguresPublic
    email: MessagingFiguresPublic
    video: VideoFiguresPublic
    voice: VoiceFiguresPublic


class DashboardTrendPublic(PublicModel):
    """One bucket (an hour for 1h/24h, a day for 7d/30d) of the dashboard's trend."""

    timestamp: str = Field(description="the bucket's start, ISO 8601 UTC")
    sessions: int
    messages: int


class AnalyticsDashboardPublic(_Camel):
    """`GET /analytics/dashboard` (seed 003 section 3). `total_sessions`: sessions started on
    every channel; `active_channels`: channels configured and not failing their provider check
    (chat always); `response_time`: mean seconds from a customer message to the next agent
    reply (null without a reply); `satisfaction_score`: mean rating 1-5, one decimal (null
    without a rating); `trends`: one point per bucket, zero-filled, oldest first."""

    total_sessions: int
    active_channels: int
    response_time: float | None
    satisfaction_score: float | None
    channel_metrics: ChannelMetricsPublic
    trends: list[DashboardTrendPublic]


class ChannelPerformanceMetricsPublic(_Camel):
    """A channel's figures over the range: `total_sessions` started; `avg_response_time` mean
    seconds to an agent reply (null without one); `resolution_rate` the percentage (one
    decimal) of those sessions resolved since (null without sessions); `customer_satisfaction`
    mean rating (null without one)."""

    total_sessions: int
    avg_response_time: float | None
    resolution_rate: float | None
    customer_satisfaction: float | None


class ChannelBucketPublic(PublicModel):
    """One bucket of a channel (an hour for 1h/24h, a day for 7d/30d): sessions started,
    messages, `resolved` (of the sessions started in it, those resolved since) and the mean
    response time in seconds (null without a reply)."""

    timestamp: str = Field(description="the bucket's start, ISO 8601 UTC")
    sessions: int
    messages: int
    resolved: int
    avg_response_time: float | None


class ChannelPerformancePublic(_Camel):
    """`GET /analytics/channel-performance` (seed 003 section 3); `channel` is `all` when the
    request names none (every channel together)."""

    channel: ChannelType | Literal["all"]
    time_range: TimeRange
    metrics: ChannelPerformanceMetricsPublic
    hourly_data: list[ChannelBucketPublic]


class SatisfactionByChannelPublic(PublicModel):
    """Each channel's mean rating over the range (one decimal; null without a rating)."""

    whatsapp: float | None
    sms: float | None
    chat: float | None
    email: float | None
    video: float | None
    voice: float | None


class SatisfactionTrendPublic(PublicModel):
    """One bucket of ratings: their mean (null without one) and their number."""

    timestamp: str = Field(description="the bucket's start, ISO 8601 UTC")
    score: float | None
    responses: int


class CustomerSatisfactionPublic(_Camel):
    """`GET /analytics/customer-satisfaction` (seed 003 section 3): the customers' 1-5
    ratings recorded in the range (`rating.recorded`): their mean (one decimal; null without
    one), their number, per channel, and per bucket, zero-filled, oldest first."""

    overall_score: float | None
    total_responses: int
    by_channel: SatisfactionByChannelPublic
    trends: list[SatisfactionTrendPublic]
