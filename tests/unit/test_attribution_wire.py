"""Attribution on the campaign and dashboard wires (issue 10: "The campaign's stats and the
dashboard show both"): a campaign's `responses`, `conversions` and `revenue` appear on
`GET /campaigns/{id}`, the campaign list, `GET /campaigns/{id}/stats` and the dashboard's
top campaigns, and the tenant's totals on `GET /dashboard`; seed 004's fields are unchanged.

The campaign, the reply and the order go through the real pipeline (the helpers of
tests/unit/test_attribution.py).
"""

from __future__ import annotations

from typing import Any

from tests.unit.test_attribution import (  # noqa: F401  (fixtures)
    at,
    click,
    order,
    post_order,
    replies,
    sent_campaign,
    shops,
    tenant_of,
)

ATTRIBUTED = {"responses": 1, "conversions": 1, "revenue": {"EUR": "49.50"}}


def attributed(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in ("responses", "conversions", "revenue")}


def test_a_campaign_shows_its_responses_conversions_and_revenue_everywhere(
    h: Any,
    replies: Any,  # noqa: F811
    shops: Any,  # noqa: F811
) -> None:
    # Given a campaign sent to two contacts: one writes back, the other clicks and orders
    headers = h.register()
    tenant_id = tenant_of(h, headers)
    shops(headers)
    c = sent_campaign(h, headers, 2, "Sale: https://shop.test/sale")
    quiet = h.campaign(headers, name="Never sent")
    at(hours=1)
    replies(tenant_id, c["contacts"][0]["id"])
    click(h, c["contacts"][1]["phoneE164"])
    at(hours=2)
    assert post_order(h, order(7, "p1@buyers.test", "49.50")).json()["data"]["conversions"] == 1
    # When the owner reads the campaign, the list, the stats and the dashboard
    one = h.client.get(f"/campaigns/{c['id']}", headers=headers).json()["data"]
    listed = h.client.get("/campaigns", headers=headers).json()["data"]
    stats = h.client.get(f"/campaigns/{c['id']}/stats", headers=headers).json()["data"]
    board = h.client.get("/dashboard", headers=headers).json()["data"]
    # Then each shows the campaign's attribution beside seed 004's fields
    assert attributed(one) == ATTRIBUTED and one["sentCount"] == 2
    by_id = {row["id"]: row for row in listed}
    assert attributed(by_id[c["id"]]) == ATTRIBUTED
    assert attributed(by_id[quiet["id"]]) == {"responses": 0, "conversions": 0, "revenue": {}}
    assert attributed(stats) == ATTRIBUTED and stats["sentCount"] == 2
    top = board["reports"]["topCampaigns"]
    assert [row["id"] for row in top] == [c["id"]]
    assert attributed(top[0]) == ATTRIBUTED and top[0]["sent"] == 2
    totals = {k: board[k] for k in ("totalResponses", "totalConversions", "totalRevenue")}
    assert totals == {"totalResponses": 1, "totalConversions": 1, "totalRevenue": {"EUR": "49.50"}}
    assert board["totalMessagesSent"] == 2


def test_a_new_tenants_dashboard_and_campaign_show_zero_attribution(h):
    # Given a new tenant with one draft campaign
    headers = h.register()
    draft = h.campaign(headers)
    # When it reads the dashboard and the campaign
    board = h.client.get("/dashboard", headers=headers).json()["data"]
    one = h.client.get(f"/campaigns/{draft['id']}", headers=headers).json()["data"]
    # Then the attribution is zero and no revenue is listed
    assert (board["totalResponses"], board["totalConversions"], board["totalRevenue"]) == (0, 0, {})
    assert attributed(one) == {"responses": 0, "conversions": 0, "revenue": {}}
    assert attributed(draft) == {"responses": 0, "conversions": 0, "revenue": {}}
