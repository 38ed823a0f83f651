"""`make demo`: walks the main job against a running `make dev`.

Registers a tenant, imports a customer export it generates in Shopify's layout, creates a
campaign with a link, enqueues it (with an Idempotency-Key), waits until every recipient is
delivered, and prints the dashboard. Only HTTP, exactly as a frontend would call it.
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
    print(f"Outbox: {args.base_url}/_local/outbox   API docs: {args.base_url}/docs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
