"""Campaigns (seed 004, seed 000 sections 4 and 7) and the dispatch pipeline end to end."""

from __future__ import annotations

import datetime as dt
import json

import boto3
import pytest

from engage.channels.sandbox import OUTBOX
from engage.core import clock


def _me(h, headers):
    return h.client.get("/auth/me", headers=headers).json()["data"]


def _people(h, headers, n, start=0, consent="opted_in"):
    return [
        h.contact(
            headers, f"+1201555{100 + start + i:04d}", firstName=f"P{start + i}", smsConsent=consent
        )
        for i in range(n)
    ]


def test_create_validates_variables_audience_discount_and_schedule(h):
    headers = h.register()
    bad = [
        ({"message": "Hi {{nickname}}"}, "message"),
        ({"message": "Use {{discount}}"}, "discountValue"),
        ({"audience": "robots"}, "audience"),
        ({"audience": {"type": "segment"}}, "audience"),
        ({"audience": {"type": "segment", "segmentId": "nope"}}, "audience"),
        ({"scheduleType": "scheduled"}, "scheduleAt"),
        ({"scheduleType": "scheduled", "scheduleAt": "2001-01-01T00:00:00Z"}, "scheduleAt"),
        ({"scheduleType": "recurring"}, "recurringDays"),
        ({"priority": "asap"}, "priority"),
        ({"status": "sent"}, "status"),
    ]
    for patch, field in bad:
        body = {"name": "X", "message": "Hi", "audience": "all", **patch}
        resp = h.client.post("/campaigns", headers=headers, json=body)
        assert resp.status_code == 400, (patch, resp.text)
        assert field in str(resp.json()["details"]), (patch, resp.json())
    ok = h.campaign(
        headers,
        message="Hi {{firstName}}, use {{discount}}",
        includeDiscount=True,
        discountValue="SAVE20",
        audience="women",
        priority="high",
    )
    assert ok["status"] == "draft"
    assert ok["audience"] == {"type": "segment", "segmentId": "sys_gender_female"}
    assert ok["meta"] == {"includeDiscount": True, "discountValue": "SAVE20"}


def test_scheduled_and_recurring_campaigns_get_an_eventbridge_schedule(h):
    headers = h.register()
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(microsecond=0)
    c = h.campaign(headers, scheduleType="scheduled", scheduleAt=at.isoformat())
    r = h.campaign(headers, name="Weekly", scheduleType="recurring", recurringDays=7)
    assert c["status"] == r["status"] == "scheduled"
    sched = boto3.client("scheduler")
    names = {
        s["Name"]: s for s in sched.list_schedules(GroupName="engage-test-campaigns")["Schedules"]
    }
    assert len(names) == 2
    one = sched.get_schedule(
        Name=next(n for n in names if c["id"] in n), GroupName="engage-test-campaigns"
    )
    assert one["ScheduleExpression"] == f"at({at:%Y-%m-%dT%H:%M:%S})"
    assert h.client.delete(f"/campaigns/{c['id']}", headers=headers).status_code == 200
    assert len(sched.list_schedules(GroupName="engage-test-campaigns")["Schedules"]) == 1


def test_enqueue_debits_segments_and_sends_once_to_every_opted_in_contact(h):
    headers = h.register()
    _people(h, headers, 6)
    _people(h, headers, 2, start=50, consent="unknown")
    _people(h, headers, 1, start=60, consent="opted_out")
    c = h.campaign(headers, message="Hi {{firstName}}! Sale: https://shop.test/sale")
    resp = h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    assert resp.status_code == 200
    assert resp.json()["data"] == {"status": "queued", "queuedRecipients": 6, "creditsDebited": 6}
    assert _me(h, headers)["tenant"]["credits"] == 994
    h.send_all()
    sent = OUTBOX.list()
    assert sorted(m["to"] for m in sent) == [f"+1201555{100 + i:04d}" for i in range(6)]
    assert all("https://sho.rt/r/" in m["body"] and "shop.test" not in m["body"] for m in sent)
    assert all(m["status"] == "delivered" for m in sent)
    got = h.client.get(f"/campaigns/{c['id']}", headers=headers).json()["data"]
    assert got["status"] == "sent"
    assert (got["sentCount"], got["deliveredCount"], got["failedCount"], got["recipientCount"]) == (
        6,
        6,
        0,
        6,
    )
    stats = h.client.get(f"/campaigns/{c['id']}/stats", headers=headers).json()["data"]
    assert stats["byStatus"]["delivered"] == 6 and stats["credits"]["used"] == 6


def test_a_short_link_redirects_to_the_stored_destination_and_counts_the_click(h):
    headers = h.register()
    _people(h, headers, 1)
    c = h.campaign(headers, message="A https://shop.test/a and B https://shop.test/b.")
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    h.send_all()
    body = OUTBOX.list()[0]["body"]
    links = [w.rstrip(".") for w in body.split() if w.startswith("https://sho.rt/r/")]
    assert len(links) == 2
    first = h.client.get(links[0].replace("https://sho.rt", ""), follow_redirects=False)
    second = h.client.get(links[1].replace("https://sho.rt", ""), follow_redirects=False)
    assert (first.status_code, first.headers["location"]) == (302, "https://shop.test/a")
    assert second.headers["location"] == "https://shop.test/b"
    stats = h.client.get(f"/campaigns/{c['id']}/stats", headers=headers).json()["data"]
    assert stats["clicks"] == 2
    token = links[0].rsplit("/", 1)[1]
    assert h.client.get(f"/r/{token[:-1]}Z", follow_redirects=False).status_code == 404
    assert h.client.get("/r/nope", follow_redirects=False).status_code == 404


def test_insufficient_credits_is_402_and_nothing_is_queued(h, monkeypatch):
    monkeypatch.setenv("INITIAL_CREDITS", "3")
    from tests.conftest import reset_caches

    reset_caches()
    headers = h.register()
    _people(h, headers, 4)
    c = h.campaign(headers)
    resp = h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    assert resp.status_code == 402
    assert resp.json()["error"] == "insufficient_credits"
    assert resp.json()["details"] == {"required": 4, "available": 3}
    assert _me(h, headers)["tenant"]["credits"] == 3
    assert (
        h.client.get(f"/campaigns/{c['id']}", headers=headers).json()["data"]["status"] == "draft"
    )
    h.send_all()
    assert OUTBOX.count() == 0


def test_idempotency_key_replays_the_first_response_and_refuses_another_body(h):
    headers = h.register()
    _people(h, headers, 3)
    c = h.campaign(headers)
    url = f"/campaigns/{c['id']}/enqueue"
    key = {**headers, "Idempotency-Key": "create-and-send-1"}
    first = h.client.post(url, headers=key)
    replay = h.client.post(url, headers=key)
    other = h.client.post(url, headers=key, json={"note": "different"})
    assert first.status_code == replay.status_code == 200
    assert replay.json()["data"] == first.json()["data"]
    assert other.status_code == 409
    no_key = h.client.post(url, headers=headers)
    assert no_key.status_code == 409  # already sending: a second dispatch is refused
    h.send_all()
    assert OUTBOX.count() == 3
    assert _me(h, headers)["tenant"]["credits"] == 997
    sfn = boto3.client("stepfunctions")
    import os

    executions = sfn.list_executions(stateMachineArn=os.environ["DISPATCH_STATE_MACHINE_ARN"])
    assert len(executions["executions"]) == 1


def test_a_redelivered_sqs_message_sends_nothing_twice(h):
    headers = h.register()
    _people(h, headers, 4)
    c = h.campaign(headers)
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    h.run_dispatch()
    bodies = [r["body"] for event in h.sqs_event("SEND_QUEUE_URL") for r in event["Records"]]
    from engage.campaigns.sender import process_record_body

    first = [process_record_body(b) for b in bodies]
    again = [process_record_body(b) for b in bodies]
    assert sum(r["sent"] for r in first) == 4
    assert sum(r["sent"] for r in again) == 0
    assert OUTBOX.count() == 4


def test_consent_is_checked_again_at_send_time_and_unsent_credits_come_back(h):
    headers = h.register()
    people = _people(h, headers, 3)
    c = h.campaign(headers)
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    h.run_dispatch()
    h.client.put(f"/contacts/{people[0]['id']}", headers=headers, json={"smsConsent": "opted_out"})
    h.drain()
    assert sorted(m["to"] for m in OUTBOX.list()) == [p["phoneE164"] for p in people[1:]]
    got = h.client.get(f"/campaigns/{c['id']}/stats", headers=headers).json()["data"]
    assert got["byStatus"]["skipped"] == 1 and got["status"] == "sent"
    assert got["credits"] == {"debited": 3, "refunded": 1, "used": 2}
    assert _me(h, headers)["tenant"]["credits"] == 998


def test_cancel_while_sending_skips_the_rest_and_refunds_it(h):
    headers = h.register()
    _people(h, headers, 5)
    c = h.campaign(headers)
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    h.run_dispatch()
    assert h.client.delete(f"/campaigns/{c['id']}", headers=headers).status_code == 409
    assert h.client.post(f"/campaigns/{c['id']}/cancel", headers=headers).status_code == 200
    h.drain()
    assert OUTBOX.count() == 0
    got = h.client.get(f"/campaigns/{c['id']}", headers=headers).json()["data"]
    assert got["status"] == "cancelled"
    assert _me(h, headers)["tenant"]["credits"] == 1000
    assert (
        h.client.put(f"/campaigns/{c['id']}", headers=headers, json={"name": "x"}).status_code
        == 409
    )


def test_quiet_hours_hold_dispatch_until_they_end(h):
    headers = h.register()  # on the real clock: PyJWT checks token expiry against it
    # The contacts are made on the fixed clock too: the audience is frozen at enqueue to ids
    # made before that moment, so contacts made later on the real clock would not count.
    clock.set_clock(lambda: dt.datetime(2026, 11, 21, 22, 30, tzinfo=dt.UTC))  # 00:30 Athens
    _people(h, headers, 2)
    h.client.put(
        "/settings",
        headers=headers,
        json={
            "timezone": "Europe/Athens",
            "quietHours": {"enabled": True, "start": "21:00", "end": "08:00"},
        },
    )
    c = h.campaign(headers)
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    [state] = h.run_dispatch()
    assert state["waitUntil"] == "2026-11-22T06:00:00.000Z"  # 08:00 Athens
    assert OUTBOX.count() == 0


def test_list_filters_sorts_and_paginates_with_counters(h):
    headers = h.register()
    for name in ("b", "a", "c"):
        h.campaign(headers, name=name)
    resp = h.client.get("/campaigns?sortBy=name&sortOrder=asc&pageSize=2", headers=headers)
    body = resp.json()
    assert [c["name"] for c in body["data"]] == ["a", "b"]
    assert body["pagination"] == {
        "page": 1,
        "pageSize": 2,
        "total": 3,
        "totalPages": 2,
        "hasNextPage": True,
        "hasPrevPage": False,
    }
    assert all(
        {"sentCount", "deliveredCount", "failedCount", "recipientCount"} <= set(c)
        for c in body["data"]
    )
    assert (
        h.client.get("/campaigns?status=sent", headers=headers).json()["pagination"]["total"] == 0
    )
    assert h.client.get("/campaigns?sortBy=secret", headers=headers).status_code == 400


def test_another_tenants_campaign_is_404_on_every_route(h):
    mine = h.register("me@shop.test")
    theirs = h.register("them@shop.test", "Them")
    c = h.campaign(theirs)
    base = f"/campaigns/{c['id']}"
    calls = [
        ("get", base),
        ("put", base),
        ("delete", base),
        ("post", f"{base}/cancel"),
        ("get", f"{base}/stats"),
        ("post", f"{base}/enqueue"),
    ]
    for method, url in calls:
        kwargs = {"json": {"name": "x"}} if method == "put" else {}
        assert getattr(h.client, method)(url, headers=mine, **kwargs).status_code == 404, url
    assert h.client.get(base, headers=theirs).status_code == 200


def test_dashboard_agrees_with_the_campaign_and_the_outbox(h):
    headers = h.register()
    _people(h, headers, 4)
    c = h.campaign(headers)
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    h.send_all()
    data = h.client.get("/dashboard", headers=headers).json()["data"]
    assert data["credits"] == 996
    assert (data["totalCampaigns"], data["totalContacts"], data["totalMessagesSent"]) == (1, 4, 4)
    assert data["reports"]["last7Days"] == {
        "sent": 4,
        "delivered": 4,
        "failed": 0,
        "unsubscribes": 0,
    }
    assert data["reports"]["topCampaigns"][0]["sent"] == OUTBOX.count() == 4
    assert len(data["reports"]["deliveryRateTrend"]) == 7
    assert data["reports"]["deliveryRateTrend"][-1]["deliveredRate"] == 100.0
    assert data["reports"]["creditsUsage"][-1]["creditsDebited"] == 4


def test_a_schedule_firing_runs_the_same_enqueue_once(h):
    from tests.conftest import FUNCTIONS

    headers = h.register()
    _people(h, headers, 2)
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    c = h.campaign(headers, scheduleType="scheduled", scheduleAt=at)
    tenant_id = _me(h, headers)["tenant"]["id"]
    fire = FUNCTIONS["ScheduledDispatchFunction"]
    first = fire.invoke({"tenantId": tenant_id, "campaignId": c["id"]})
    again = fire.invoke({"tenantId": tenant_id, "campaignId": c["id"]})
    assert first == {"status": "queued", "queuedRecipients": 2, "creditsDebited": 2}
    assert again["status"] == "skipped"
    h.send_all()
    assert OUTBOX.count() == 2


def test_a_scheduled_campaign_without_credits_fails_with_a_reason(h, monkeypatch):
    monkeypatch.setenv("INITIAL_CREDITS", "1")
    from tests.conftest import FUNCTIONS, reset_caches

    reset_caches()
    headers = h.register()
    _people(h, headers, 2)
    at = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    c = h.campaign(headers, scheduleType="scheduled", scheduleAt=at)
    out = FUNCTIONS["ScheduledDispatchFunction"].invoke(
        {"tenantId": _me(h, headers)["tenant"]["id"], "campaignId": c["id"]}
    )
    assert out["status"] == "failed"
    got = h.client.get(f"/campaigns/{c['id']}", headers=headers).json()["data"]
    assert got["status"] == "failed" and "credits" in got["failureReason"].lower()


def test_a_sender_that_dies_mid_batch_is_taken_over_without_sending_anyone_twice(h, monkeypatch):
    from engage.campaigns import sender
    from engage.channels.sandbox import SandboxSms
    from tests.conftest import reset_caches

    monkeypatch.setenv("CONTACT_SHARDS", "1")  # one page, one SQS message of 60 recipients
    reset_caches()
    headers = h.register()
    _people(h, headers, 60)
    c = h.campaign(headers)
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    h.run_dispatch()
    [body] = [r["body"] for e in h.sqs_event("SEND_QUEUE_URL") for r in e["Records"]]
    real_send = SandboxSms.send
    calls = {"n": 0}

    def dying_send(self, message):
        calls["n"] += 1
        if calls["n"] == 30:  # the 5th recipient of the second chunk of 25
            raise TimeoutError("Lambda timed out")
        return real_send(self, message)

    monkeypatch.setattr(SandboxSms, "send", dying_send)
    with pytest.raises(TimeoutError):
        sender.process_record_body(body)
    assert OUTBOX.count() == 29
    assert sender.process_record_body(body) == {"sent": 0, "failed": 0, "skipped": 0}  # held
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=3)
    clock.set_clock(lambda: later)
    result = sender.process_record_body(body)
    # chunk 1 was recorded as sent; chunk 2 (in flight when it died) is failed as unknown;
    # chunk 3 is sent now.
    assert result == {"sent": 35, "failed": 25, "skipped": 0}
    assert OUTBOX.count() == 29 + 10  # the third chunk's 10; nobody twice
    assert len({m["to"] for m in OUTBOX.list()}) == OUTBOX.count()
    h.drain()
    got = h.client.get(f"/campaigns/{c['id']}", headers=headers).json()["data"]
    assert got["status"] == "sent"
    assert (got["sentCount"], got["failedCount"]) == (35, 25)
    assert _me(h, headers)["tenant"]["credits"] == 1000 - 35


def test_send_batches_of_long_texts_are_cut_to_what_sqs_takes():
    # Given 150 recipients of a 1,600-character Japanese text (4,800 bytes each in UTF-8)
    from engage.campaigns.enqueue import BATCH_OVERHEAD_BYTES, SQS_BODY_BYTES, chunk
    from engage.campaigns.ports import BATCH_BYTES, requests_of

    rows = [[f"c{i:03d}", "+12015550100", "A", "B", 24] for i in range(150)]
    sizes = [len(json.dumps("日" * 1600, ensure_ascii=False).encode()) + 160] * 150
    # When they are cut into send batches of at most 100 recipients
    chunks = chunk(rows, sizes, 100)
    # Then no batch outweighs one SQS message, and every recipient is in one, in order
    assert [len(c) for c in chunks] == [52, 52, 46]
    assert [r for c in chunks for r in c] == rows
    weights = [BATCH_OVERHEAD_BYTES + sum(sizes[: len(c)]) for c in chunks]
    assert max(weights) <= SQS_BODY_BYTES
    # Short texts still go 100 to a batch
    assert [len(c) for c in chunk(rows, [200] * 150, 100)] == [100, 50]
    # And SendMessageBatch requests hold at most 10 bodies and 1 MiB between them
    bodies = ["x" * 300_000, "y" * 300_000, "z" * 300_000, "w" * 300_000] + ["s"] * 12
    groups = requests_of(bodies)
    assert [len(g) for g in groups] == [3, 10, 3]
    assert [b for g in groups for b in g] == bodies
    assert all(sum(len(b.encode()) for b in g) <= BATCH_BYTES for g in groups)


def test_a_campaign_of_long_texts_reaches_everyone_once_in_batches_sqs_takes(h, monkeypatch):
    # Given send batches limited to 6 KiB (as 256 KiB is to a 100-recipient batch of long
    # texts) and SendMessageBatch requests to 8 KiB
    from engage.campaigns import enqueue, ports

    monkeypatch.setattr(enqueue, "SQS_BODY_BYTES", 6 * 1024)
    monkeypatch.setattr(ports, "BATCH_BYTES", 8 * 1024)
    headers = h.register()
    people = _people(h, headers, 5)
    text = "{{firstName}}さん、" + "セール開催中です。" * 66
    c = h.campaign(headers, message=text)
    # When the campaign is enqueued and dispatched
    resp = h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    assert resp.status_code == 200, resp.text
    h.run_dispatch()
    bodies = [r["body"] for event in h.sqs_event("SEND_QUEUE_URL") for r in event["Records"]]
    # Then each send batch stays under the limit, and everyone is in exactly one of them
    assert len(bodies) == 3 and all(len(b.encode()) <= 6 * 1024 for b in bodies)
    from engage.campaigns.sender import process_record_body

    assert sum(process_record_body(b)["sent"] for b in bodies) == 5
    h.drain()
    sent = OUTBOX.list()
    assert sorted(m["to"] for m in sent) == sorted(p["phoneE164"] for p in people)
    assert all(m["body"].endswith("セール開催中です。") for m in sent)
