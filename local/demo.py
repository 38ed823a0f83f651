"""`make demo`: walks the main job against a running `make dev`.

Registers a tenant, imports a customer export it generates in Shopify's layout, creates a
campaign with a link, enqueues it (with an Idempotency-Key), waits until every recipient is
delivered, and prints the dashboard. Then a voice campaign (seed 002): uploads 12 leads as
CSV rows, sets the concurrent-calls limit to 3, starts it, shows the calls in flight never
passing the limit, and prints the statistics. Only HTTP, exactly as a frontend would call it.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from local.samples import shopify_export


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Engage demo against the local runtime")
    parser.add_argument("--base-url", default="http://127.0.0.1:3000")
    parser.add_argument("--rows", type=int, default=400)
    args = parser.parse_args(argv)
    http = httpx.Client(base_url=args.base_url, timeout=60)
    try:
        http.get("/health").raise_for_status()
    except httpx.HTTPError:
        print(f"No Engage runtime at {args.base_url}: start it with `make dev` first.")
        return 1

    email = f"demo-{uuid.uuid4().hex[:8]}@shop.test"
    tokens = http.post(
        "/auth/register",
        json={"email": email, "password": "demo-password-123", "tenantName": "Demo Shop"},
    ).json()
    http.headers["Authorization"] = f"Bearer {tokens['access_token']}"
    me = http.get("/auth/me").json()
    tenant_id = me.get("data", me)["tenant"]["id"]
    print(f"1. Registered {email} (tenant 'Demo Shop', 1,000 starting credits)")

    sample = shopify_export(args.rows, seed=int(time.time()) % 1000)
    path = Path(tempfile.gettempdir()) / "engage_demo_customers_export.csv"
    path.write_bytes(sample.content)
    with path.open("rb") as fh:
        result = http.post("/contacts/import", files={"file": (path.name, fh, "text/csv")})
    data = result.json()["data"]
    print(
        f"2. Imported {path} (Shopify layout, {args.rows} rows): imported={data['imported']} "
        f"skipped={data['skipped']} invalid={data['invalid']}"
    )

    campaign = http.post(
        "/campaigns",
        json={
            "name": "Spring sale",
            "message": "Hi {{firstName|there}}! Spring sale starts now: "
            "https://shop.example.com/spring Reply STOP to opt out",
            "audience": "all",
        },
    ).json()["data"]
    print(f"3. Created campaign {campaign['id']} (links become per-recipient short links)")

    key = {"Idempotency-Key": f"demo-{campaign['id']}"}
    queued = http.post(f"/campaigns/{campaign['id']}/enqueue", headers=key)
    if queued.status_code != 200:
        print(f"   enqueue failed: {queued.text}")
        return 1
    q = queued.json()["data"]
    print(
        f"4. Enqueued: {q['queuedRecipients']} opted-in recipients, "
        f"{q['creditsDebited']} credits debited"
    )

    deadline = time.monotonic() + 300
    while True:
        c = http.get(f"/campaigns/{campaign['id']}").json()["data"]
        print(
            f"   status={c['status']} sent={c['sentCount']} delivered={c['deliveredCount']} "
            f"failed={c['failedCount']}",
            end="\r",
            flush=True,
        )
        if c["status"] == "sent" and c["deliveredCount"] + c["failedCount"] >= c["sentCount"]:
            break
        if time.monotonic() > deadline:
            print("\n   timed out waiting for delivery")
            return 1
        time.sleep(0.5)
    print(
        f"\n5. Every recipient handled: {c['deliveredCount']} delivered, {c['failedCount']} failed"
    )
    replay = http.post(f"/campaigns/{campaign['id']}/enqueue", headers=key).json()["data"]
    print(f"   Re-sent enqueue with the same Idempotency-Key: {replay} (no second dispatch)")

    print("6. Dashboard:")
    print(json.dumps(http.get("/dashboard").json()["data"], indent=2))
    if voice(http) != 0:
        return 1
    print(
        f"Outbox: {args.base_url}/_local/outbox?tenant={tenant_id}   API docs: {args.base_url}/docs"
    )
    return 0


def voice(http: httpx.Client) -> int:
    """The voice walk: upload-csv, limit 3, start, watch the gating, statistics."""
    rows = [{"name": f"Lead {i}", "phone_number": f"+1 415 555 {1200 + i:04d}"} for i in range(12)]
    rows.append({"name": "Lead 0 again", "phone_number": "+14155551200"})
    rows.append({"name": "No number", "phone_number": ""})
    upload = http.post(
        "/api/campaigns/upload-csv",
        json={
            "campaign_name": "Demo calls",
            "agent_id": "demo-agent",
            "first_call_time": "00:00",
            "last_call_time": "23:59",
            "max_attempts": 1,
            "csv_data": rows,
        },
    )
    if upload.status_code != 201:
        print(f"   upload failed: {upload.text}")
        return 1
    body = upload.json()
    campaign_id = body["campaign"]["id"]
    print(f"7. Voice campaign from CSV rows: stats={body['stats']}")
    http.put("/api/settings/concurrency", json={"concurrent_calls_limit": 3})
    http.post(f"/api/campaigns/{campaign_id}/start")
    print("8. Started with a limit of 3 concurrent calls (sandbox calls take a few seconds)")
    deadline, peak = time.monotonic() + 300, 0
    while True:
        active = http.get("/api/settings/concurrency").json()["settings"]["user_active_calls"]
        peak = max(peak, active)
        counts = http.get(f"/api/campaigns/{campaign_id}").json()["campaign"]["queue_counts"]
        print(f"   calls in flight={active} (most so far {peak}) queue={counts}", end="\r")
        if counts["queued"] == counts["in_progress"] == 0:
            break
        if time.monotonic() > deadline:
            print("\n   timed out waiting for the calls")
            return 1
        time.sleep(0.5)
    stats = http.get(f"/api/campaigns/{campaign_id}/statistics").json()["statistics"]
    print(f"\n9. Voice statistics: {json.dumps(stats)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
