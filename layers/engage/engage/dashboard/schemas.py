"""Dashboard wire schemas (seed 004 "GET /dashboard" with seed 000 section 5's `reports`)."""

from __future__ import annotations

from pydantic import ConfigDict, Field
from pydantic.alias_generators import to_camel

from engage.core.schemas import PublicModel


class _Camel(PublicModel):
    model_config = ConfigDict(alias_generator=to_camel)


class DashboardLast7Days(_Camel):
    """Message totals of the last 7 days (tenant time zone), today included."""

    sent: int
    delivered: int
    failed: int
    unsubscribes: int


class DashboardTopCampaign(_Camel):
    """One of the five campaigns that sent the most."""

    id: str
    name: str
    sent: int
    delivered: int
    failed: int
    created_at: str


class DashboardDeliveryRate(_Camel):
    """Delivered / sent of one day, in percent (0.0 when nothing was sent)."""

    date: str = Field(description="YYYY-MM-DD")
    delivered_rate: float


class DashboardCreditsUsage(_Camel):
    """Credits debited on one day."""

    date: str = Field(description="YYYY-MM-DD")
    credits_debited: int


class DashboardReports(_Camel):
    """The reports embedded in the dashboard (no separate `/reports` route)."""

    last7_days: DashboardLast7Days = Field(alias="last7Days")
    top_campaigns: list[DashboardTopCampaign]
    delivery_rate_trend: list[DashboardDeliveryRate]
    credits_usage: list[DashboardCreditsUsage]


class DashboardPublic(_Camel):
    """GET /dashboard."""

    credits: int
    total_campaigns: int
    total_contacts: int
    total_messages_sent: int
    active_automations: int
    reports: DashboardReports
