"""analytics group (DESIGN.md section 4; issue 11 "Analytics"; seed 003 section 3, bare JSON):
the dashboard, a channel's performance and customer satisfaction, from the counters the
analytics consumer keeps (engage/analytics/). Every route needs a viewer; each reads one range
of counter buckets (one Query) whatever the size of the tenant. `range` is `1h`, `24h`, `7d`
or `30d` (another value is a 400). Routes that call boto3 are plain `def`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from engage.analytics import service
from engage.analytics.schemas import (
    AnalyticsDashboardPublic,
    ChannelPerformancePublic,
    CustomerSatisfactionPublic,
    TimeRange,
)
from engage.core.auth import ViewerPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.integrations.schemas import ChannelType

router = APIRouter(tags=["analytics"])

RangeQuery = Annotated[TimeRange, Query(alias="range", description="1h, 24h, 7d or 30d (UTC)")]


@router.get("/analytics/dashboard")
def dashboard(
    principal: ViewerPrincipal, time_range: RangeQuery = TimeRange.DAY
) -> AnalyticsDashboardPublic:
    """Sessions, active channels, response time, satisfaction, each channel's figures and
    the trend (one point per hour for 1h/24h, per day for 7d/30d) over the range (default
    24h). Null: a figure with no sample (`quality_score` always: no provider reports it)."""
    return service.dashboard(principal.tenant_id, time_range)


@router.get("/analytics/channel-performance")
def channel_performance(
    principal: ViewerPrincipal,
    channel: Annotated[
        ChannelType | None, Query(description="the channel; absent: every channel together")
    ] = None,
    time_range: RangeQuery = TimeRange.DAY,
) -> ChannelPerformancePublic:
    """A channel's sessions, response time, resolution rate and satisfaction over the range
    (default 24h), with one point per hour (1h/24h) or day (7d/30d) in `hourlyData`. Without
    `channel`, every channel together (`channel: "all"`)."""
    return service.channel_performance(principal.tenant_id, channel, time_range)


@router.get("/analytics/customer-satisfaction")
def customer_satisfaction(
    principal: ViewerPrincipal, time_range: RangeQuery = TimeRange.MONTH
) -> CustomerSatisfactionPublic:
    """The customers' 1-5 ratings over the range (default 30d): their mean, number, mean per
    channel and per hour (1h/24h) or day (7d/30d)."""
    return service.customer_satisfaction(principal.tenant_id, time_range)


app = create_app("analytics", [router])
handler = http_handler(app)
