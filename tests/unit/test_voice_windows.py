"""A voice campaign that is active but outside its call window says so, with the next time it
may call (issue 8 section 7): `outside_call_window` and `next_call_at` (ISO 8601 UTC), from its
window, its dates and the account's time zone, by the one clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engage.core import clock
from tests.unit.test_voice_flow import at, start, upload, us

pytestmark = pytest.mark.voice_calls

WINDOW = {
    "first_call_time": "09:00",
    "last_call_time": "17:00",
    "start_date": "2025-10-20",
    "end_date": "2025-10-21",
}


def _timing(h, headers, campaign_id: str) -> tuple[bool, str | None]:
    campaign = h.client.get(f"/api/campaigns/{campaign_id}", headers=headers).json()["campaign"]
    return campaign["outside_call_window"], campaign["next_call_at"]


def test_an_active_campaign_outside_its_window_says_when_it_next_may_call(h):
    headers = h.register()
    h.client.put("/settings", headers=headers, json={"timezone": "America/New_York"})
    clock.set_clock(lambda: at(12, day=18))  # 08:00 in New York, two days before start_date
    out = upload(h, headers, us(1), **WINDOW)
    campaign_id = out["campaign"]["id"]
    assert (out["campaign"]["outside_call_window"], out["campaign"]["next_call_at"]) == (
        False,
        None,  # a draft does not call
    )
    assert start(h, headers, campaign_id)["next_call_at"] == "2025-10-20T13:00:00.000Z"
    clock.set_clock(lambda: at(12, day=20))  # 08:00 on the start date
    assert _timing(h, headers, campaign_id) == (True, "2025-10-20T13:00:00.000Z")
    clock.set_clock(lambda: at(13, 30, day=20))  # 09:30: it may call now
    assert _timing(h, headers, campaign_id) == (False, None)
    clock.set_clock(lambda: datetime(2025, 10, 20, 21, 1, tzinfo=UTC))  # 17:01
    assert _timing(h, headers, campaign_id) == (True, "2025-10-21T13:00:00.000Z")
    clock.set_clock(lambda: datetime(2025, 10, 21, 21, 1, tzinfo=UTC))  # 17:01 on the end date
    assert _timing(h, headers, campaign_id) == (True, None)  # it will not call again
    listed = h.client.get("/api/campaigns", headers=headers).json()["campaigns"][0]
    assert (listed["outside_call_window"], listed["next_call_at"]) == (True, None)


def test_a_paused_campaign_reports_no_call_time(h):
    headers = h.register()
    clock.set_clock(lambda: at(6, day=20))  # 06:00 UTC (the account's default zone)
    out = upload(h, headers, us(1), **WINDOW)
    start(h, headers, out["campaign"]["id"])
    resp = h.client.post(f"/api/campaigns/{out['campaign']['id']}/pause", headers=headers)
    campaign = resp.json()["campaign"]
    assert (campaign["outside_call_window"], campaign["next_call_at"]) == (False, None)
