"""Voice campaigns on moto (issue 3; seed 002): upload, start, calls through the sandbox
provider, outcomes and retries, pause / resume / cancel, gating through the pump, the reaper,
fairness, statistics."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from engage.channels.voice_sandbox import CALL_OUTBOX
from engage.core import clock
from engage.voice import maintenance, store
from engage.voice import semaphore_store as semaphore
from engage.voice.maintenance import tick
from engage.voice.windows import window_state
from local.functions import sqs_event
from tests.conftest import FUNCTIONS

pytestmark = pytest.mark.voice_calls  # moto runs statemachines/voice_call.asl.json

SEED_BODY: dict[str, Any] = {
    "campaign_name": "Q4 Sales Campaign",
    "description": "Optional description",
    "agent_id": "uuid",
    "next_action": "Qualify lead for demo",
    "first_call_time": "09:00",
    "last_call_time": "18:00",
    "start_date": "2025-10-15",
    "end_date": "2025-10-30",
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
ALWAYS_OPEN = {"first_call_time": "00:00", "last_call_time": "23:59"}


def at(hour: int, minute: int = 0, day: int = 20) -> datetime:
    return datetime(2025, 10, day, hour, minute, tzinfo=UTC)


def rows(phones: list[str]) -> list[dict[str, str]]:
    return [{"name": f"Person {i}", "phone_number": p} for i, p in enumerate(phones)]


def us(n: int, last_digit: int | None = None, start: int = 0) -> list[str]:
    """n valid US numbers; with `last_digit`, all ending in it (sandbox outcome)."""
    if last_digit is None:
        return [f"+1512555{start + i:04d}" for i in range(n)]
    return [f"+1512555{(start + i) * 10 + last_digit:04d}" for i in range(n)]


def upload(h, headers, phones, **fields) -> dict[str, Any]:
    body = {"campaign_name": "Calls", "agent_id": "agent-1", **ALWAYS_OPEN, **fields}
    body["csv_data"] = rows(phones)
    resp = h.client.post("/api/campaigns/upload-csv", headers=headers, json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def start(h, headers, campaign_id: str) -> dict[str, Any]:
    resp = h.client.post(f"/api/campaigns/{campaign_id}/start", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["campaign"]


def set_limit(h, headers, limit: int) -> None:
    resp = h.client.put(
        "/api/settings/concurrency", headers=headers, json={"concurrent_calls_limit": limit}
    )
    assert resp.status_code == 200, resp.text


def stats(h, headers, campaign_id: str) -> dict[str, Any]:
    resp = h.client.get(f"/api/campaigns/{campaign_id}/statistics", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["statistics"]


def concurrency(h, headers) -> dict[str, int]:
    return h.client.get("/api/settings/concurrency", headers=headers).json()["settings"]


# -- upload ------------------------------------------------------------------------------------
def test_the_seed_upload_body_creates_a_draft_campaign_with_the_seed_response_shape(h):
    headers = h.register()
    resp = h.client.post("/api/campaigns/upload-csv", headers=headers, json=SEED_BODY)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["success"] is True
    assert body["stats"] == {
        "total_rows": 1,
        "valid_contacts": 1,
        "contacts_created": 1,
        "contacts_skipped": 0,
        "errors": 0,
        "calls_queued": 1,
    }
    assert body["skipped_phones"] == []
    campaign = body["campaign"]
    assert campaign["status"] == "draft" and campaign["name"] == "Q4 Sales Campaign"
    assert (campaign["first_call_time"], campaign["end_date"]) == ("09:00", "2025-10-30")
    assert campaign["total_contacts"] == 1 and campaign["queue_counts"]["queued"] == 1
    queue = h.client.get(f"/api/queue/campaign/{campaign['id']}", headers=headers).json()
    item = queue["queue"][0]
    assert item["phone_number"] == "+919876543210" and item["company"] == "ABC Corp"
    # the same contacts the SMS groups see
    contacts = h.client.get("/contacts", headers=headers).json()["data"]
    assert [c["phoneE164"] for c in contacts["contacts"]] == ["+919876543210"]


def test_upload_counts_duplicates_existing_contacts_and_bad_rows(h):
    headers = h.register()
    existing = h.contact(headers, "+15125550003")
    phones = us(6)  # 0000..0005, one of which exists already
    data = [
        *rows(phones),
        {"name": "Again", "phone_number": "(512) 555-0001"},  # same number, national format
        {"name": "", "phone_number": "+15125550099"},
        {"name": "No phone"},
        {"name": "Bad", "phone_number": "12345"},
    ]
    body = {"campaign_name": "Mixed", **ALWAYS_OPEN, "csv_data": data}
    resp = h.client.post("/api/campaigns/upload-csv", headers=headers, json=body)
    assert resp.status_code == 201, resp.text
    out = resp.json()
    assert out["stats"] == {
        "total_rows": 10,
        "valid_contacts": 7,  # rows that passed validation: created + skipped
        "contacts_created": 5,
        "contacts_skipped": 2,
        "errors": 3,
        "calls_queued": 6,  # distinct contacts
    }
    assert sorted(out["skipped_phones"]) == ["(512) 555-0001", "+15125550003"]
    assert [r["row"] for r in out["invalid_rows"]] == [8, 9, 10]
    assert out["invalid_rows"][0]["errors"] == {"name": "required"}
    queue = h.client.get(f"/api/queue/campaign/{out['campaign']['id']}", headers=headers).json()
    by_phone = {i["phone_number"]: i for i in queue["queue"]}
    assert len(by_phone) == 6 and by_phone["+15125550003"]["contact_id"] == existing["id"]


def test_an_upload_with_no_valid_row_is_a_400_and_writes_nothing(h):
    headers = h.register()
    body = {"campaign_name": "Empty", "csv_data": [{"name": "", "phone_number": "x"}]}
    resp = h.client.post("/api/campaigns/upload-csv", headers=headers, json=body)
    assert resp.status_code == 400
    assert resp.json()["error"] == "validation_error"
    assert resp.json()["details"]["invalid_rows"][0]["row"] == 1
    assert h.client.get("/api/campaigns", headers=headers).json()["campaigns"] == []


def test_a_500_row_upload_with_duplicates_and_bad_phones_adds_up(h):
    headers = h.register()
    phones = us(450) + us(30) + ["+1512"] * 20  # 30 repeats, 20 bad numbers
    out = upload(h, headers, phones)
    s = out["stats"]
    assert s == {
        "total_rows": 500,
        "valid_contacts": 480,
        "contacts_created": 450,
        "contacts_skipped": 30,
        "errors": 20,
        "calls_queued": 450,
    }
    assert s["valid_contacts"] == s["contacts_created"] + s["contacts_skipped"]
    assert s["total_rows"] == s["errors"] + s["valid_contacts"]
    statistics = stats(h, headers, out["campaign"]["id"])
    assert statistics["total_items"] == 450 and statistics["queue"]["queued"] == 450


# -- calls -------------------------------------------------------------------------------------
def test_a_started_campaign_calls_everyone_within_the_limit_and_completes(h):
    headers = h.register()
    set_limit(h, headers, 3)
    out = upload(h, headers, us(12), max_attempts=1)
    campaign_id = out["campaign"]["id"]
    start(h, headers, campaign_id)
    assert concurrency(h, headers)["user_active_calls"] == 3  # the pump filled the slots
    h.run_calls()
    s = stats(h, headers, campaign_id)
    assert s["status"] == "completed"
    # sandbox outcomes by last digit: 0-5 answered, 6 voicemail, 7 no-answer, 8 busy, 9 failed
    assert s["queue"] == {
        "queued": 0,
        "in_progress": 0,
        "completed": 9,
        "failed": 3,
        "cancelled": 0,
    }
    assert (s["answered"], s["voicemail"], s["no_answer"], s["busy"], s["failed"]) == (
        8,
        1,
        1,
        1,
        1,
    )
    assert s["calls_placed"] == 12 and s["answer_rate"] == round(8 / 12, 4)
    assert s["total_talk_seconds"] > 0
    assert s["average_talk_seconds"] == round(s["total_talk_seconds"] / 9, 1)
    assert concurrency(h, headers)["user_active_calls"] == 0
    assert len(CALL_OUTBOX.list()) == 12


def test_no_answer_and_busy_are_retried_after_the_delay_up_to_max_attempts(h):
    headers = h.register()
    phones = us(1, last_digit=7) + us(1, last_digit=8, start=5)
    out = upload(h, headers, phones, max_attempts=2, retry_delay_minutes=30)
    campaign_id = out["campaign"]["id"]
    now = datetime.now(UTC)
    clock.set_clock(lambda: now)
    start(h, headers, campaign_id)
    h.run_calls()
    queue = h.client.get(f"/api/queue/campaign/{campaign_id}", headers=headers).json()["queue"]
    assert [i["status"] for i in queue] == ["queued", "queued"]
    assert {i["last_outcome"] for i in queue} == {"no_answer", "busy"}
    assert queue[0]["next_attempt_at"] == clock.iso(now + timedelta(minutes=30))
    tick(now + timedelta(minutes=10))  # not due yet
    assert concurrency(h, headers)["user_active_calls"] == 0
    clock.set_clock(lambda: now + timedelta(minutes=31))
    assert tick()["started"] == 2
    h.run_calls()
    s = stats(h, headers, campaign_id)
    assert s["status"] == "completed" and s["queue"]["failed"] == 2
    assert s["calls_placed"] == 4 and (s["no_answer"], s["busy"]) == (2, 2)
    analytics = h.client.get(f"/api/campaigns/{campaign_id}/analytics", headers=headers).json()
    assert analytics["analytics"]["attempts_per_contact"] == {"2": 2}
    assert sum(d["calls_placed"] for d in analytics["analytics"]["by_hour"]) == 4


def test_an_opted_out_contact_is_never_called(h):
    headers = h.register()
    contact = h.contact(headers, "+15125550001")
    out = upload(h, headers, ["+15125550001", "+15125550002"])
    h.client.put(f"/contacts/{contact['id']}", headers=headers, json={"smsConsent": "opted_out"})
    start(h, headers, out["campaign"]["id"])
    h.run_calls()
    queue = h.client.get(f"/api/queue/campaign/{out['campaign']['id']}", headers=headers).json()
    by_phone = {i["phone_number"]: i for i in queue["queue"]}
    assert by_phone["+15125550001"]["status"] == "cancelled"
    assert by_phone["+15125550001"]["reason"] == "opted_out"
    assert [c["to"] for c in CALL_OUTBOX.list()] == ["+15125550002"]


def test_calls_wait_for_the_call_window_in_the_account_time_zone(h):
    headers = h.register()
    h.client.put("/settings", headers=headers, json={"timezone": "America/New_York"})
    clock.set_clock(lambda: at(12))  # 08:00 in New York
    window = {"first_call_time": "09:00", "last_call_time": "17:00", "end_date": "2025-10-21"}
    out = upload(h, headers, us(2), **window)
    campaign_id = out["campaign"]["id"]
    start(h, headers, campaign_id)
    assert concurrency(h, headers)["user_active_calls"] == 0
    clock.set_clock(lambda: at(13, 30))  # 09:30 in New York
    assert tick()["started"] == 2
    h.run_calls()
    assert stats(h, headers, campaign_id)["status"] == "completed"


def test_the_call_window_includes_both_of_its_minutes():
    from engage.voice.models import VoiceCampaignItem

    campaign = VoiceCampaignItem(first_call_time="09:00", last_call_time="17:00")
    ny = "America/New_York"
    assert window_state(campaign, ny, at(12, 59)) == "later"  # 08:59 in New York
    assert window_state(campaign, ny, at(13, 0)) == "open"  # 09:00
    assert window_state(campaign, ny, datetime(2025, 10, 20, 21, 0, 59, tzinfo=UTC)) == (
        "open"  # 17:00:59
    )
    assert window_state(campaign, ny, at(21, 1)) == "later"  # 17:01
    all_day = VoiceCampaignItem(**ALWAYS_OPEN)
    assert window_state(all_day, "UTC", datetime(2025, 10, 20, 23, 59, 30, tzinfo=UTC)) == ("open")


def test_after_the_end_date_queued_calls_are_cancelled_and_the_campaign_completes(h):
    headers = h.register()
    clock.set_clock(lambda: at(12, day=20))
    out = upload(h, headers, us(3), end_date="2025-10-21", first_call_time="23:00")
    campaign_id = out["campaign"]["id"]
    start(h, headers, campaign_id)  # before today's first call time: nothing starts yet
    assert concurrency(h, headers)["user_active_calls"] == 0
    clock.set_clock(lambda: at(12, day=22))
    assert tick()["expired"] == 3
    s = stats(h, headers, campaign_id)
    assert s["status"] == "completed" and s["queue"]["cancelled"] == 3
    queue = h.client.get(f"/api/queue/campaign/{campaign_id}", headers=headers).json()["queue"]
    assert {i["reason"] for i in queue} == {"campaign_window_ended"}


def test_pause_stops_new_calls_resume_continues_cancel_cancels_the_queue(h):
    headers = h.register()
    set_limit(h, headers, 2)
    out = upload(h, headers, us(10), max_attempts=1)
    campaign_id = out["campaign"]["id"]
    start(h, headers, campaign_id)
    h.run_calls(callbacks=False)  # two calls placed, waiting for their callbacks
    resp = h.client.post(f"/api/campaigns/{campaign_id}/pause", headers=headers)
    assert resp.json()["campaign"]["status"] == "paused"
    h.run_calls()  # the two calls finish; no new call starts while paused
    s = stats(h, headers, campaign_id)
    assert s["calls_placed"] == 2 and s["queue"]["queued"] == 8
    assert h.client.post(f"/api/campaigns/{campaign_id}/pause", headers=headers).status_code == 409
    assert h.client.post(f"/api/campaigns/{campaign_id}/resume", headers=headers).status_code == 200
    h.run_calls(callbacks=False)
    assert stats(h, headers, campaign_id)["queue"]["in_progress"] == 2
    resp = h.client.post(f"/api/campaigns/{campaign_id}/cancel", headers=headers)
    assert resp.status_code == 200 and resp.json()["cancelled_items"] == 6
    assert resp.json()["pending_cancellation"] == 0
    h.run_calls()
    s = stats(h, headers, campaign_id)
    assert s["status"] == "cancelled"
    assert s["queue"] == {
        "queued": 0,
        "in_progress": 0,
        "completed": 4,
        "failed": 0,
        "cancelled": 6,
    }
    assert sum(s["queue"].values()) == s["total_items"] == 10
    assert h.client.post(f"/api/campaigns/{campaign_id}/resume", headers=headers).status_code == 409


def test_a_queue_too_long_to_cancel_in_the_request_is_finished_by_the_tick(h, monkeypatch):
    headers = h.register()
    set_limit(h, headers, 2)
    out = upload(h, headers, us(40), max_attempts=1)
    campaign_id = out["campaign"]["id"]
    start(h, headers, campaign_id)
    h.run_calls(callbacks=False)  # two calls in flight
    monkeypatch.setattr(maintenance, "CANCEL_INLINE_SECONDS", 0.0)  # as if the queue were huge
    resp = h.client.post(f"/api/campaigns/{campaign_id}/cancel", headers=headers).json()
    assert resp["campaign"]["status"] == "cancelled"
    assert (resp["cancelled_items"], resp["pending_cancellation"]) == (0, 38)
    h.run_calls()  # the calls in flight end; nothing still queued is called meanwhile
    s = stats(h, headers, campaign_id)
    assert (s["calls_placed"], s["queue"]["queued"]) == (2, 38)
    assert tick()["swept"] == 38
    s = stats(h, headers, campaign_id)
    assert s["queue"] == {
        "queued": 0,
        "in_progress": 0,
        "completed": 2,
        "failed": 0,
        "cancelled": 38,
    }
    campaign = h.client.get(f"/api/campaigns/{campaign_id}", headers=headers).json()["campaign"]
    assert campaign["queue_counts"] == s["queue"]  # the counters agree with the items
    assert tick()["swept"] == 0 and store.sweeping_campaigns() == []


def test_one_queued_call_can_be_cancelled_and_only_while_queued(h):
    headers = h.register()
    set_limit(h, headers, 1)
    out = upload(h, headers, us(3))
    campaign_id = out["campaign"]["id"]
    start(h, headers, campaign_id)
    queue = h.client.get(f"/api/queue/campaign/{campaign_id}", headers=headers).json()["queue"]
    first, last = queue[0]["id"], queue[-1]["id"]
    resp = h.client.delete(f"/api/queue/{last}", headers=headers)
    assert resp.status_code == 200 and resp.json()["queue_item"]["status"] == "cancelled"
    assert h.client.delete(f"/api/queue/{last}", headers=headers).status_code == 409
    assert h.client.delete(f"/api/queue/{first}", headers=headers).status_code == 409  # calling
    h.run_calls()
    s = stats(h, headers, campaign_id)
    assert s["status"] == "completed" and s["queue"]["cancelled"] == 1 and s["calls_placed"] == 2


# -- gating through the pump -------------------------------------------------------------------
def test_lowering_the_limit_stops_new_calls_until_in_flight_falls_under_it(h):
    headers = h.register()
    set_limit(h, headers, 4)
    out = upload(h, headers, us(12), max_attempts=1)
    campaign_id = out["campaign"]["id"]
    start(h, headers, campaign_id)
    h.run_calls(callbacks=False)
    assert concurrency(h, headers)["user_active_calls"] == 4
    set_limit(h, headers, 2)
    assert concurrency(h, headers)["user_available_slots"] == 0
    sqs = boto3.client("sqs")
    url = os.environ["VOICE_SANDBOX_QUEUE_URL"]
    finished = 0
    observed = []
    while stats(h, headers, campaign_id)["status"] != "completed":
        # deliver one call's callbacks at a time, then let the harness record and release
        got = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
        ).get("Messages", [])
        for m in got:
            FUNCTIONS["VoiceSandboxFunction"].invoke(sqs_event([m], "arn:aws:sqs:::q"))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        h.run_calls(callbacks=False)
        observed.append(concurrency(h, headers)["user_active_calls"])
        finished += 1
        assert finished < 100
    # 4 in flight when lowered: no new call until fewer than 2; never more than 2 after that
    drop = next(i for i, n in enumerate(observed) if n < 4)
    assert all(n <= 2 for n in observed[drop:])
    assert stats(h, headers, campaign_id)["calls_placed"] == 12


def test_the_reaper_frees_slots_of_executions_that_died_without_their_callback(h):
    headers = h.register()
    set_limit(h, headers, 3)
    out = upload(h, headers, us(6), max_attempts=1)
    campaign_id = out["campaign"]["id"]
    start(h, headers, campaign_id)
    h.run_calls(callbacks=False)  # three calls placed, waiting
    assert concurrency(h, headers)["user_active_calls"] == 3
    assert len(h.kill_calls()) == 3  # killed: no Release, no callback
    assert concurrency(h, headers)["user_active_calls"] == 3  # leaked until the reaper runs
    assert tick()["reaped"] == 0  # younger than the grace period
    result = tick(datetime.now(UTC) + timedelta(seconds=61))
    assert result["reaped"] == 3 and result["started"] == 3
    s = stats(h, headers, campaign_id)
    assert s["queue"]["failed"] == 3  # placed calls whose outcome is unknown: never redialled
    h.run_calls()
    s = stats(h, headers, campaign_id)
    assert s["status"] == "completed" and s["queue"]["completed"] + s["queue"]["failed"] == 6
    assert semaphore.usage().active == 0


def _lose_sandbox_callbacks() -> int:
    """Drop every sandbox callback still queued, as if the provider's requests were lost."""
    sqs = boto3.client("sqs")
    url = os.environ["VOICE_SANDBOX_QUEUE_URL"]
    lost = 0
    while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for m in got:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            lost += 1
    return lost


def test_a_lost_final_callback_holds_its_slot_no_longer_than_the_reapers_period(h, monkeypatch):
    headers = h.register()
    set_limit(h, headers, 3)
    # last digits 0, 7 and 8: answered, no answer, busy
    out = upload(h, headers, ["+15125550010", "+15125550017", "+15125550018"], max_attempts=1)
    campaign_id = out["campaign"]["id"]
    start(h, headers, campaign_id)
    h.run_calls(callbacks=False)  # three calls placed, waiting on their task tokens
    assert _lose_sandbox_callbacks() > 0
    assert tick()["recovered"] == 0  # not quiet for long enough yet
    later = datetime.now(UTC) + timedelta(seconds=61)
    monkeypatch.setenv("SANDBOX_CALL_SECONDS", "900")  # the provider says: still talking
    from tests.conftest import reset_caches

    reset_caches()
    clock.set_clock(lambda: later)
    assert tick(later)["recovered"] == 0
    assert concurrency(h, headers)["user_active_calls"] == 3
    monkeypatch.setenv("SANDBOX_CALL_SECONDS", "4")  # now the calls have ended
    reset_caches()
    assert tick(later)["recovered"] == 3
    h.run_calls(callbacks=False)  # the executions go on: Record, Release
    s = stats(h, headers, campaign_id)
    assert s["status"] == "completed" and concurrency(h, headers)["user_active_calls"] == 0
    assert (s["answered"], s["no_answer"], s["busy"], s["calls_placed"]) == (1, 1, 1, 3)
    assert tick(later)["recovered"] == 0  # nothing twice


def test_slots_are_shared_fairly_between_accounts(h, monkeypatch):
    monkeypatch.setenv("SYSTEM_CONCURRENT_CALLS_LIMIT", "4")
    from tests.conftest import reset_caches

    reset_caches()
    big = h.register("big@shop.test", "Big")
    small = h.register("small@shop.test", "Small")
    set_limit(h, big, 10)
    set_limit(h, small, 10)
    busy = upload(h, big, us(100), max_attempts=1)
    start(h, big, busy["campaign"]["id"])
    assert concurrency(h, big)["system_active_calls"] == 4
    few = upload(h, small, us(10, start=5000), max_attempts=1)
    start(h, small, few["campaign"]["id"])
    h.run_calls(callbacks=False)
    assert concurrency(h, small)["user_active_calls"] == 0  # the big account holds every slot
    h.run_calls(rounds=1)  # the big account's four calls end
    # the freed slots go to the account with fewer calls in flight (exact order: test_voice_pump)
    assert concurrency(h, small)["user_active_calls"] >= 2


@pytest.mark.parametrize("limit", [0, 11, 3.5, "3", True, None, -1])
def test_the_concurrency_limit_is_a_whole_number_from_1_to_10(h, limit):
    headers = h.register()
    resp = h.client.put(
        "/api/settings/concurrency", headers=headers, json={"concurrent_calls_limit": limit}
    )
    assert resp.status_code == 400
    assert resp.json()["error"] == "validation_error"
    assert "1 to 10" in resp.json()["message"]


def test_concurrency_settings_have_exactly_the_seed_fields(h):
    headers = h.register()
    body = h.client.get("/api/settings/concurrency", headers=headers).json()
    assert body == {
        "success": True,
        "settings": {
            "user_concurrent_calls_limit": 2,
            "user_active_calls": 0,
            "user_available_slots": 2,
            "system_concurrent_calls_limit": 10,
            "system_active_calls": 0,
            "system_available_slots": 10,
        },
    }
    resp = h.client.put(
        "/api/settings/concurrency", headers=headers, json={"concurrent_calls_limit": 3}
    )
    assert resp.json() == {
        "success": True,
        "message": "Concurrency limit updated successfully",
        "concurrent_calls_limit": 3,
    }


def test_the_tick_recounts_a_quiet_campaign_whose_counters_drifted_and_completes_it(h):
    from engage.voice.models import VoiceCampaignItem

    headers = h.register()
    out = upload(h, headers, us(3), max_attempts=1)
    campaign_id = out["campaign"]["id"]
    start(h, headers, campaign_id)
    tenant_id = h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]
    # as if a task died between an item's write and the counter's ADD
    VoiceCampaignItem(*store.campaign_key(tenant_id, campaign_id)).update(
        actions=[VoiceCampaignItem.in_progress.add(1)]
    )
    h.run_calls()
    campaign = h.client.get(f"/api/campaigns/{campaign_id}", headers=headers).json()["campaign"]
    assert campaign["status"] == "active" and campaign["queue_counts"]["in_progress"] == 1
    assert tick()["corrected"] == 1
    campaign = h.client.get(f"/api/campaigns/{campaign_id}", headers=headers).json()["campaign"]
    assert campaign["status"] == "completed"
    assert campaign["queue_counts"] == {
        "queued": 0,
        "in_progress": 0,
        "completed": 3,
        "failed": 0,
        "cancelled": 0,
    }


def test_a_campaign_past_its_end_date_cannot_start(h):
    headers = h.register()
    out = upload(h, headers, us(1), start_date="2025-10-15", end_date="2025-10-30")
    resp = h.client.post(f"/api/campaigns/{out['campaign']['id']}/start", headers=headers)
    assert resp.status_code == 409
    assert "end_date (2025-10-30) has passed" in resp.json()["message"]
    h.client.put(
        f"/api/campaigns/{out['campaign']['id']}", headers=headers, json={"end_date": None}
    )
    assert start(h, headers, out["campaign"]["id"])["status"] == "active"
