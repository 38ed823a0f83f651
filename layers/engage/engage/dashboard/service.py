"""`GET /dashboard` exactly as seed 004 (with seed 000 section 5's embedded `reports`),
computed from the real counters: tenant counters, per-day statistics and campaign counters."""

from __future__ import annotations

import datetime as dt

from engage.attribution import service as attribution
from engage.automations.service import count_active
from engage.campaigns import stats
from engage.dashboard import store
from engage.dashboard.schemas import DashboardPublic
from engage.tenants import service as tenants

TOP_CAMPAIGNS = 5


def dashboard(tenant_id: str) -> DashboardPublic:
    """Seed 004 dashboard: credits, totals and `reports` over the last 7 days (tenant tz),
    with the attribution totals (all time: attribution is not counted per day) and each top
    campaign's attribution (engage.attribution.service)."""
    tenant = tenants.get_tenant(tenant_id)
    tz = tenants.get_settings_of(tenant_id).timezone
    today = dt.date.fromisoformat(stats.day_in(tz))
    days = [(today - dt.timedelta(days=i)).isoformat() for i in range(6, -1, -1)]
    per_day = stats.daily(tenant_id, days[0], days[-1])
    rows = [per_day.get(d, stats.empty_day()) for d in days]
    campaigns = store.campaigns_of(tenant_id)
    top = sorted(campaigns, key=lambda c: (int(c.sent_count), c.created_at), reverse=True)
    top = [c for c in top if int(c.sent_count) > 0][:TOP_CAMPAIGNS]
    counts = stats.campaign_counts(tenant_id, [c.sk for c in top])
    counted = attribution.campaigns_attribution(tenant_id, [c.sk for c in top])  # 1 BatchGet
    totals = attribution.tenant_attribution(tenant_id)  # one GetItem-sized BatchGet
    return DashboardPublic.model_validate(
        {
            "credits": int(tenant.credits),
            "totalCampaigns": int(tenant.campaign_count),
            "totalContacts": int(tenant.contact_count),
            "totalMessagesSent": int(tenant.messages_sent),
            "activeAutomations": count_active(tenant_id),
            "totalResponses": totals.responses,
            "totalConversions": totals.conversions,
            "totalRevenue": totals.revenue,
            "reports": {
                "last7Days": {
                    "sent": sum(r["sent"] for r in rows),
                    "delivered": sum(r["delivered"] for r in rows),
                    "failed": sum(r["failed"] for r in rows),
                    "unsubscribes": sum(r["unsubscribes"] for r in rows),
                },
                "topCampaigns": [
                    {
                        "id": c.sk,
                        "name": c.name,
                        "sent": int(c.sent_count),
                        "delivered": counts[c.sk]["delivered"],
                        "failed": int(c.failed_count) + counts[c.sk]["undelivered"],
                        "createdAt": c.created_at,
                        "responses": counted[c.sk].responses,
                        "conversions": counted[c.sk].conversions,
                        "revenue": counted[c.sk].revenue,
                    }
                    for c in top
                ],
                "deliveryRateTrend": [
                    {
                        "date": d,
                        "deliveredRate": round(100.0 * r["delivered"] / r["sent"], 1)
                        if r["sent"]
                        else 0.0,
                    }
                    for d, r in zip(days, rows, strict=True)
                ],
                "creditsUsage": [
                    {"date": d, "creditsDebited": r["credits_debited"]}
                    for d, r in zip(days, rows, strict=True)
                ],
            },
        }
    )
