"""Dashboard wire schemas (seed 004 "GET /dashboard" with seed 000 section 5's `reports`).

Additive to seed 004 (issue 10 "Attribution"): `totalResponses`, `totalConversions` and
`totalRevenue` (all time, like `totalMessagesSent`), and `responses`, `conversions`, `revenue`
on each of `reports.topCampaigns`."""

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
    responses: int = Field(
        default=0, description="recipients who wrote back within the attribution window"
    )
    conversions: int = Field(default=0, description="Shopify orders attributed to a click")
    revenue: dict[str, str] = Field(
        default_factory=dict, description="currency (ISO 4217) -> decimal string"
    )


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
    total_responses: int = Field(
        default=0,
        description="responses to the tenant's campaigns, all time (the sum of the campaigns')",
    )
    total_conversions: int = Field(
        default=0, description="attributed Shopify orders, all time, each order once"
    )
    total_revenue: dict[str, str] = Field(
        default_factory=dict,
        description="revenue of those orders, all time: currency (ISO 4217) -> decimal string",
    )
    reports: DashboardReports
