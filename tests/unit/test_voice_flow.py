"""Voice campaigns end to end on moto (issue 3): upload, start, calls through the sandbox,
outcomes, retries, statistics."""

from __future__ import annotations

SEED_BODY = {
    "campaign_name": "Q4 Sales Campaign",
    "description": "Optional description",
    "agent_id": "agent-123",
    "next_action": "Qualify lead for demo",
    "first_call_time": "00:00",
    "last_call_time": "23:59",
    "csv_data": [
        {
            "name": "John Smith",
            "phone_number": "+91 9876543210",
            "email": "john@example.com",
            "company": "ABC Corp",
            "notes": "Interested in demo",
        }
    ],
}


def test_smoke(h):
    headers = h.register()
    resp = h.client.post("/api/campaigns/upload-csv", headers=headers, json=SEED_BODY)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    cid = body["campaign"]["id"]
    resp = h.client.post(f"/api/campaigns/{cid}/start", headers=headers)
    assert resp.status_code == 200, resp.text
    print(h.run_calls())
    stats = h.client.get(f"/api/campaigns/{cid}/statistics", headers=headers).json()
    print(stats)
    assert stats["statistics"]["queue"]["completed"] == 1
