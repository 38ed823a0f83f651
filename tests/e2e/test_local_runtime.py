"""End to end over HTTP against the local runtime: the main job as a new user walks it."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

import httpx
import pytest

from local.samples import shopify_export

pytestmark = pytest.mark.e2e


class User:
    """A registered tenant talking to the runtime."""

    def __init__(self, base_url: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=60)
        resp = self.http.post(
            "/auth/register",
            json={
                "email": f"{uuid.uuid4().hex[:10]}@shop.test",
                "password": "correct horse battery",
                "tenantName": "E2E Shop",
            },
        )
        assert resp.status_code == 201, resp.text
        self.http.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"
        self.tenant_id = self.get("/auth/me")["tenant"]["id"]

    def get(self, path: str) -> Any:
        resp = self.http.get(path)
        assert resp.status_code == 200, resp.text
        return resp.json()["data"] if "data" in resp.json() else resp.json()

    def outbox(self, **filters: str) -> list[dict[str, Any]]:
        """This tenant's sandbox messages (the outbox filtered by tenant, and `filters`)."""
        params = {"tenant": self.tenant_id, "limit": "100000", **filters}
        return list(self.http.get("/_local/outbox.json", params=params).json()["messages"])

    def wait_for(self, path: str, done: Any, timeout: float = 120) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            data = self.get(path)
            if done(data):
                return data
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting on {path}: {data}")
            time.sleep(0.5)


def test_import_send_deliver_and_report(base_url):
    user = User(base_url)
    sample = shopify_export(300, seed=21)
    imported = user.http.post(
        "/contacts/import", files={"file": ("customers_export.csv", sample.content, "text/csv")}
    ).json()["data"]
    assert (imported["imported"], imported["skipped"], imported["invalid"]) == (
        sample.imported,
        sample.skipped,
        sample.invalid,
    )
    campaign = user.http.post(
        "/campaigns",
        json={
            "name": "Spring",
            "message": "Hi {{firstName|there}}, new arrivals: https://shop.test/new",
            "audience": {"type": "all"},
        },
    ).json()["data"]
    headers = {"Idempotency-Key": f"send-{campaign['id']}"}
    first = user.http.post(f"/campaigns/{campaign['id']}/enqueue", headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["data"]["queuedRecipients"] == sample.opted_in
    done = user.wait_for(
        f"/campaigns/{campaign['id']}",
        lambda c: c["status"] == "sent" and c["deliveredCount"] == sample.opted_in,
    )
    outbox = user.outbox()
    assert sorted(m["to"] for m in outbox) == sorted(sample.opted_in_phones)  # once each
    assert all(m["status"] == "delivered" for m in outbox)
    replay = user.http.post(f"/campaigns/{campaign['id']}/enqueue", headers=headers)
    assert replay.json() == first.json()
    time.sleep(2)
    assert len(user.outbox()) == len(outbox)
    listed = user.http.get("/campaigns").json()["data"][0]
    dashboard = user.get("/dashboard")
    assert listed["sentCount"] == done["sentCount"] == len(outbox)
    assert dashboard["totalMessagesSent"] == len(outbox)
    assert dashboard["reports"]["last7Days"]["delivered"] == len(outbox)
    assert dashboard["credits"] == 5000 - first.json()["data"]["creditsDebited"]
    link = next(w for w in outbox[0]["body"].split() if "/r/" in w)
    click = httpx.get(link, follow_redirects=False)
    assert (click.status_code, click.headers["location"]) == (302, "https://shop.test/new")


def test_a_stop_reply_stops_the_next_campaign(base_url):
    user = User(base_url)
    for phone in ("+12125550101", "+12125550102"):
        user.http.post("/contacts", json={"phone": phone, "smsConsent": "opted_in"})
    reply = user.http.post("/_local/sms/reply", json={"from": "+12125550101", "body": "STOP"})
    assert reply.json()["action"] == "stop"
    campaign = user.http.post(
        "/campaigns", json={"name": "After stop", "message": "News!", "audience": "all"}
    ).json()["data"]
    user.http.post(f"/campaigns/{campaign['id']}/enqueue")
    user.wait_for(f"/campaigns/{campaign['id']}", lambda c: c["status"] == "sent")
    assert [m["to"] for m in user.outbox()] == ["+12125550102"]


def test_the_outbox_filters_by_campaign_and_says_how_many_it_shows(base_url):
    # Given a tenant that sent two campaigns, and another tenant's messages in the outbox
    user, other = User(base_url), User(base_url)
    for phone in ("+13055550101", "+13055550102", "+13055550103"):
        user.http.post("/contacts", json={"phone": phone, "smsConsent": "opted_in"})
    other.http.post("/contacts", json={"phone": "+13055550109", "smsConsent": "opted_in"})
    sent = []
    for who, name in ((user, "First"), (user, "Second"), (other, "Theirs")):
        c = who.http.post(
            "/campaigns", json={"name": name, "message": name, "audience": "all"}
        ).json()["data"]
        who.http.post(f"/campaigns/{c['id']}/enqueue")
        who.wait_for(f"/campaigns/{c['id']}", lambda d: d["status"] == "sent")
        sent.append(c["id"])
    # When the outbox is asked for one campaign, two rows at a time
    params = {"tenant": user.tenant_id, "campaign": sent[1], "limit": "2"}
    got = httpx.get(f"{base_url}/_local/outbox.json", params=params).json()
    # Then it lists that campaign's messages only and says it shows 2 of 3
    assert {m["body"] for m in got["messages"]} == {"Second"}
    assert {m["campaignId"] for m in got["messages"]} == {sent[1]}
    assert (got["counts"]["messages"]["shown"], got["counts"]["messages"]["matching"]) == (2, 3)
    assert sorted(m["to"] for m in user.outbox(campaign=sent[0])) == [
        "+13055550101",
        "+13055550102",
        "+13055550103",
    ]
    assert [m["body"] for m in other.outbox()] == ["Theirs"]
    page = httpx.get(f"{base_url}/_local/outbox", params=params).text
    assert "Showing 2 of 3 messages" in page and f'value="{sent[1]}"' in page


def test_a_scheduled_campaign_fires_on_time(base_url):
    user = User(base_url)
    user.http.post("/contacts", json={"phone": "+13125550101", "smsConsent": "opted_in"})
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)).isoformat()
    campaign = user.http.post(
        "/campaigns",
        json={
            "name": "Later",
            "message": "Scheduled hello",
            "audience": "all",
            "scheduleType": "scheduled",
            "scheduleAt": at,
        },
    ).json()["data"]
    assert campaign["status"] == "scheduled"
    user.wait_for(f"/campaigns/{campaign['id']}", lambda c: c["status"] == "sent", timeout=60)
    assert [m["body"] for m in user.outbox()] == ["Scheduled hello"]


def test_a_large_import_runs_as_a_job(base_url):
    user = User(base_url)
    sample = shopify_export(700, seed=5)
    resp = user.http.post("/contacts/import", files={"file": ("big.csv", sample.content)})
    assert resp.status_code == 202
    job = resp.json()["data"]
    done = user.wait_for(f"/contacts/import/{job['jobId']}", lambda j: j["status"] == "completed")
    assert (done["imported"], done["skipped"], done["invalid"]) == (
        sample.imported,
        sample.skipped,
        sample.invalid,
    )


def test_tenants_cannot_see_each_other_and_errors_keep_the_envelope(base_url):
    a, b = User(base_url), User(base_url)
    contact = a.http.post("/contacts", json={"phone": "+14155550101"}).json()["data"]
    assert b.http.get(f"/contacts/{contact['id']}").status_code == 404
    assert httpx.get(f"{base_url}/contacts").status_code == 401
    bad = b.http.post(
        "/campaigns", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400 and bad.json()["error"] == "validation_error"
    assert httpx.get(f"{base_url}/openapi.json").json()["paths"]["/campaigns/{campaign_id}/enqueue"]
    assert "Local outbox" in httpx.get(f"{base_url}/_local/outbox").text


def test_voice_campaigns_as_a_new_user_would_run_them(base_url):
    """Seed 002 through the runtime: upload (the seed's body, then 500 rows with repeats and bad
    numbers), start, watch the concurrency settings, pause / resume / cancel, statistics."""
    user = User(base_url)
    today = time.strftime("%Y-%m-%d", time.gmtime())
    window = {"first_call_time": "00:00", "last_call_time": "23:59", "start_date": today}
    seed = {
        "campaign_name": "Q4 Sales Campaign",
        "description": "Optional description",
        "agent_id": "uuid",
        "next_action": "Qualify lead for demo",
        **window,
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
    resp = user.http.post("/api/campaigns/upload-csv", json=seed)
    assert resp.status_code == 201, resp.text
    assert resp.json()["stats"]["contacts_created"] == 1
    small = resp.json()["campaign"]["id"]
    assert user.http.post(f"/api/campaigns/{small}/start").status_code == 200
    done = user.wait_for(
        f"/api/campaigns/{small}/statistics",
        lambda d: d["statistics"]["status"] == "completed",
    )
    assert done["statistics"]["answered"] == 1  # ends in 0: the sandbox answers
    calls = user.http.get("/_local/outbox.json", params={"campaign": small}).json()["calls"]
    assert [(c["to"], c["tenantId"]) for c in calls] == [("+919876543210", user.tenant_id)]

    rows = [{"name": f"Lead {i}", "phone_number": f"+1617555{i:04d}"} for i in range(450)]
    rows += [{"name": "Again", "phone_number": f"+1617555{i:04d}"} for i in range(30)]
    rows += [{"name": "Bad", "phone_number": "555"} for _ in range(20)]
    resp = user.http.post(
        "/api/campaigns/upload-csv", json={"campaign_name": "Big", **window, "csv_data": rows}
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["stats"] == {
        "total_rows": 500,
        "valid_contacts": 480,
        "contacts_created": 450,
        "contacts_skipped": 30,
        "errors": 20,
        "calls_queued": 450,
    }
    big = resp.json()["campaign"]["id"]
    assert (
        user.http.put("/api/settings/concurrency", json={"concurrent_calls_limit": 3}).status_code
        == 200
    )
    assert user.http.post(f"/api/campaigns/{big}/start").status_code == 200
    seen = []
    for _ in range(12):
        settings = user.get("/api/settings/concurrency")["settings"]
        seen.append(settings["user_active_calls"])
        assert settings["user_active_calls"] <= 3
        assert settings["system_active_calls"] <= settings["system_concurrent_calls_limit"]
        time.sleep(0.5)
    assert max(seen) >= 1
    assert user.http.post(f"/api/campaigns/{big}/pause").status_code == 200
    paused = user.wait_for(
        f"/api/campaigns/{big}", lambda d: d["campaign"]["queue_counts"]["in_progress"] == 0
    )
    placed = user.get(f"/api/campaigns/{big}/statistics")["statistics"]["calls_placed"]
    time.sleep(2)
    assert user.get(f"/api/campaigns/{big}/statistics")["statistics"]["calls_placed"] == placed
    assert paused["campaign"]["status"] == "paused"
    assert user.http.post(f"/api/campaigns/{big}/resume").status_code == 200
    user.wait_for(
        f"/api/campaigns/{big}/statistics",
        lambda d: d["statistics"]["calls_placed"] > placed,
    )
    cancel = user.http.post(f"/api/campaigns/{big}/cancel")
    assert cancel.status_code == 200
    # what the request did not cancel within its time budget, the tick sweeps
    assert cancel.json()["cancelled_items"] + cancel.json()["pending_cancellation"] > 0
    final = user.wait_for(
        f"/api/campaigns/{big}/statistics",
        lambda d: (
            d["statistics"]["queue"]["in_progress"] == d["statistics"]["queue"]["queued"] == 0
        ),
    )["statistics"]
    assert final["status"] == "cancelled" and final["queue"]["queued"] == 0
    assert sum(final["queue"].values()) == final["total_items"] == 450
    queue_stats = user.get("/api/queue/statistics")["statistics"]
    assert queue_stats["total"] == 451 and queue_stats["user_active_calls"] == 0


def test_no_generated_request_gets_a_server_error(base_url):
    """Schemathesis fuzzes every operation of the merged OpenAPI document as a signed-in user."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    user = User(base_url)
    user.http.post("/contacts", json={"phone": "+16175550101", "smsConsent": "opted_in"})
    cli = shutil.which("schemathesis") or str(Path(sys.executable).parent / "schemathesis")
    out = subprocess.run(
        [
            cli,
            "run",
            f"{base_url}/openapi.json",
            "-H",
            f"Authorization: {user.http.headers['Authorization']}",
            "--checks",
            "not_a_server_error",
            "--max-examples",
            "15",
            "--exclude-path-regex",
            "/_local/.*",
            "--seed",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert out.returncode == 0, out.stdout[-4000:]
