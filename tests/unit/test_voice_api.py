"""Voice routes and webhooks (issue 3; seed 002): the Twilio adapter and call-status callbacks
(signatures, SequenceNumber order, repeats), tenant isolation and bad input on every route,
listing, filters, editing and deleting."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from twilio.http.http_client import TwilioHttpClient as HttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator

from engage.voice import tokens
from engage.voice.maintenance import tick
from local.cfn import ROOT
from tests.unit.test_voice_flow import ALWAYS_OPEN, start, stats, upload, us

pytestmark = pytest.mark.voice_calls  # moto runs statemachines/voice_call.asl.json

TOKEN = "0123456789abcdef0123456789abcdef"
BASE = "https://api.example.test"
STATUS_PATH = "/webhooks/voice/twilio/status"
FETCHED: dict[str, dict[str, str | None]] = {}  # what the stubbed `calls(sid).fetch()` answers


@pytest.fixture
def twilio_voice(monkeypatch):
    """VOICE_PROVIDER=twilio with Twilio's HTTP replaced below the SDK; yields the requests."""
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC00000000000000000000000000000000")
    monkeypatch.setenv("TWILIO_VOICE_FROM_NUMBER", "+15017122661")
    monkeypatch.setenv("TWILIO_VOICE_AGENT_URL", "https://agents.example.test/twiml/{agent_id}")
    monkeypatch.setenv("VOICE_PROVIDER", "twilio")
    from tests.conftest import reset_caches

    reset_caches()
    placed: list[dict[str, str]] = []
    FETCHED.clear()

    class Stub(HttpClient):
        def request(self, method, url, params=None, data=None, headers=None, **kwargs):
            if method == "GET":  # calls(sid).fetch(): what the test put in FETCHED
                sid = url.rsplit("/", 1)[1].removesuffix(".json")
                if sid not in FETCHED:
                    return Response(404, '{"code": 20404, "message": "Not found", "status": 404}')
                return Response(200, json.dumps({"sid": sid, **FETCHED[sid]}))
            if data["To"] == "+15005550001":
                return Response(400, '{"code": 21217, "message": "Invalid To", "status": 400}')
            placed.append(data)
            sid = f"CA{len(placed):032d}"
            return Response(201, f'{{"sid": "{sid}", "status": "queued"}}')

    from engage.channels import twilio_voice
    from engage.core.settings import get_settings

    monkeypatch.setattr(
        "engage.channels.voice_registry.voice_adapter",
        lambda: twilio_voice.TwilioVoice(get_settings(), Stub()),
    )
    return placed


def _post(h, params, signature=None):
    sig = signature or RequestValidator(TOKEN).compute_signature(BASE + STATUS_PATH, params)
    return h.client.post(
        STATUS_PATH,
        content=urlencode(params),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": sig},
    )


def _callback(sid: str, status: str, seq: int, **extra: str) -> dict[str, str]:
    """A Twilio call-progress callback as Twilio posts it (empty values included)."""
    return {
        "CallSid": sid,
        "CallStatus": status,
        "SequenceNumber": str(seq),
        "AccountSid": "AC00000000000000000000000000000000",
        "Direction": "outbound-api",
        "CallbackSource": "call-progress-events",
        "ToZip": "",
        "ApiVersion": "2010-04-01",
        **extra,
    }


def test_twilio_calls_are_placed_with_a_status_callback_and_completed_by_it(h, twilio_voice):
    headers = h.register()
    out = upload(h, headers, ["+12015550123", "+15005550001"], max_attempts=1)
    campaign_id = out["campaign"]["id"]
    start(h, headers, campaign_id)
    h.run_calls(callbacks=False)
    assert len(twilio_voice) == 1
    request = twilio_voice[0]
    assert request["To"] == "+12015550123" and request["From"] == "+15017122661"
    assert request["Url"] == "https://agents.example.test/twiml/agent-1"
    assert request["StatusCallback"].startswith(f"{BASE}/webhooks/voice/twilio/status?ref=")
    assert request["MachineDetection"] == "Enable"
    sid = f"CA{1:032d}"
    final = _callback(sid, "completed", 3, CallDuration="94", AnsweredBy="human")
    assert _post(h, final).json()["data"]["applied"] is True
    # repeats and a late earlier event change nothing
    assert _post(h, final).json()["data"] == {
        "applied": False,
        "status": "completed",
        "reason": "duplicate or out of order",
    }
    assert _post(h, _callback(sid, "ringing", 1)).json()["data"]["applied"] is False
    h.run_calls(callbacks=False)
    s = stats(h, headers, campaign_id)
    assert s["status"] == "completed"
    assert (s["answered"], s["calls_placed"], s["total_talk_seconds"]) == (1, 1, 94)
    assert s["queue"]["failed"] == 1  # refused by the provider: no call was placed
    queue = h.client.get(f"/api/queue/campaign/{campaign_id}", headers=headers).json()["queue"]
    refused = next(i for i in queue if i["phone_number"] == "+15005550001")
    assert refused["status"] == "failed" and refused["reason"].startswith("21217")


def test_progress_callbacks_in_order_update_the_item_and_send_heartbeats(h, twilio_voice):
    headers = h.register()
    out = upload(h, headers, ["+12015550124"], max_attempts=1)
    start(h, headers, out["campaign"]["id"])
    h.run_calls(callbacks=False)
    sid = f"CA{1:032d}"
    beats = []
    original = tokens.heartbeat
    tokens.heartbeat = lambda token: beats.append(token) or True  # type: ignore[assignment]
    try:
        assert _post(h, _callback(sid, "ringing", 1)).json()["data"]["applied"] is True
        assert _post(h, _callback(sid, "initiated", 0)).json()["data"]["applied"] is False
        assert _post(h, _callback(sid, "in-progress", 2)).json()["data"]["applied"] is True
    finally:
        tokens.heartbeat = original  # type: ignore[assignment]
    assert len(beats) == 2
    item = h.client.get(f"/api/queue/campaign/{out['campaign']['id']}", headers=headers).json()
    assert item["queue"][0]["call_status"] == "in-progress"
    assert item["queue"][0]["status"] == "in_progress"
    no_answer = _callback(sid, "no-answer", 3, CallDuration="0")
    assert _post(h, no_answer).status_code == 200
    h.run_calls(callbacks=False)
    assert stats(h, headers, out["campaign"]["id"])["no_answer"] == 1


def test_a_lost_twilio_callback_is_recovered_by_asking_twilio(h, twilio_voice):
    headers = h.register()
    out = upload(h, headers, ["+12015550123", "+12015550124"], max_attempts=1)
    start(h, headers, out["campaign"]["id"])
    h.run_calls(callbacks=False)
    first, second = f"CA{1:032d}", f"CA{2:032d}"
    assert _post(h, _callback(first, "in-progress", 2)).json()["data"]["applied"] is True
    later = datetime.now(UTC) + timedelta(seconds=61)
    FETCHED[first] = {"status": "completed", "duration": "42", "answered_by": "human"}
    FETCHED[second] = {"status": "in-progress", "duration": None}
    assert tick(later)["recovered"] == 1  # the second one is still talking
    # the real callback arriving late changes nothing
    late = _callback(first, "completed", 3, CallDuration="42", AnsweredBy="human")
    assert _post(h, late).json()["data"]["applied"] is False
    FETCHED[second] = {"status": "busy", "duration": "0"}
    assert tick(later)["recovered"] == 1
    h.run_calls(callbacks=False)
    s = stats(h, headers, out["campaign"]["id"])
    assert s["status"] == "completed"
    assert (s["answered"], s["busy"], s["total_talk_seconds"]) == (1, 1, 42)


def test_a_callback_with_a_bad_signature_is_403_and_changes_nothing(h, twilio_voice):
    headers = h.register()
    out = upload(h, headers, ["+12015550123"])
    start(h, headers, out["campaign"]["id"])
    h.run_calls(callbacks=False)
    forged = _callback(f"CA{1:032d}", "completed", 3, CallDuration="10")
    resp = _post(h, forged, signature="bm90IGEgc2lnbmF0dXJl")
    assert resp.status_code == 403 and resp.json()["error"] == "forbidden"
    h.run_calls(callbacks=False)
    assert stats(h, headers, out["campaign"]["id"])["queue"]["in_progress"] == 1


def test_callbacks_for_unknown_calls_are_acknowledged_and_ignored(h, twilio_voice):
    resp = _post(h, _callback("CA" + "f" * 32, "completed", 3))
    assert resp.status_code == 200 and resp.json()["data"]["reason"] == "unknown call"
    resp = _post(h, {"CallSid": "CA1", "CallStatus": "exploded"})
    assert resp.status_code == 400


# -- isolation and bad input -------------------------------------------------------------------
def test_another_accounts_ids_are_404_on_every_route(h):
    owner = h.register("owner@a.test", "A")
    other = h.register("other@b.test", "B")
    out = upload(h, owner, us(2))
    cid = out["campaign"]["id"]
    item_id = h.client.get(f"/api/queue/campaign/{cid}", headers=owner).json()["queue"][0]["id"]
    routes = [
        ("get", f"/api/campaigns/{cid}", None),
        ("put", f"/api/campaigns/{cid}", {"description": "x"}),
        ("delete", f"/api/campaigns/{cid}", None),
        ("post", f"/api/campaigns/{cid}/start", None),
        ("post", f"/api/campaigns/{cid}/pause", None),
        ("post", f"/api/campaigns/{cid}/resume", None),
        ("post", f"/api/campaigns/{cid}/cancel", None),
        ("get", f"/api/campaigns/{cid}/statistics", None),
        ("get", f"/api/campaigns/{cid}/analytics", None),
        ("get", f"/api/queue/{item_id}", None),
        ("delete", f"/api/queue/{item_id}", None),
        ("get", f"/api/queue/campaign/{cid}", None),
    ]
    for method, path, body in routes:
        kwargs = {"json": body} if body is not None else {}
        resp = h.client.request(method, path, headers=other, **kwargs)
        assert resp.status_code == 404, (method, path, resp.text)
        assert resp.json()["error"] == "not_found"
    assert h.client.get("/api/campaigns", headers=other).json()["campaigns"] == []
    assert h.client.get("/api/queue", headers=other).json()["queue"] == []
    assert h.client.get("/api/queue/statistics", headers=other).json()["statistics"]["total"] == 0
    assert h.client.get(f"/api/campaigns/{cid}", headers=owner).status_code == 200
    assert h.client.get("/api/campaigns", headers={}).status_code == 401


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/campaigns", {"description": "no name"}),
        ("post", "/api/campaigns", {"name": "x", "status": "active"}),
        ("post", "/api/campaigns", {"name": "x", "contact_ids": ["nope"]}),
        ("post", "/api/campaigns", {"name": "x", "first_call_time": "25:00"}),
        (
            "post",
            "/api/campaigns",
            {"name": "x", "first_call_time": "18:00", "last_call_time": "09:00"},
        ),
        ("post", "/api/campaigns", {"name": "x", "start_date": "2025-13-01"}),
        ("post", "/api/campaigns", {"name": "x", "max_attempts": 0}),
        ("post", "/api/campaigns/upload-csv", {"campaign_name": "x", "csv_data": []}),
        (
            "post",
            "/api/campaigns/upload-csv",
            {"csv_data": [{"name": "a", "phone_number": "+12015550123"}]},
        ),
        ("post", "/api/campaigns/upload-csv", {"campaign_name": "x", "csv_data": "a,b"}),
        ("get", "/api/campaigns?status=running", None),
        ("get", "/api/campaigns?date_from=yesterday", None),
        ("get", "/api/campaigns?limit=500", None),
        ("get", "/api/queue?status=done", None),
        ("put", "/api/settings/concurrency", {"concurrent_calls_limit": 3, "tenant": "x"}),
    ],
)
def test_bad_input_is_a_400_in_the_error_envelope(h, method, path, body):
    headers = h.register()
    kwargs = {"json": body} if body is not None else {}
    resp = h.client.request(method, path, headers=headers, **kwargs)
    assert resp.status_code == 400, resp.text
    assert resp.json()["success"] is False and resp.json()["error"] == "validation_error"


def test_malformed_ids_are_404(h):
    headers = h.register()
    for path in ("/api/queue/not-an-id", "/api/queue/x-12", "/api/campaigns/none/statistics"):
        assert h.client.get(path, headers=headers).status_code == 404


# -- campaigns API -----------------------------------------------------------------------------
def test_create_over_existing_contacts_list_filter_summary_and_paginate(h):
    headers = h.register()
    a = h.contact(headers, "+12015550123", firstName="Ann", lastName="Lee")
    b = h.contact(headers, "+12015550124")
    resp = h.client.post(
        "/api/campaigns",
        headers=headers,
        json={
            "name": "Renewals",
            "agent_id": "agent-9",
            "contact_ids": [a["id"], b["id"], a["id"]],
        },
    )
    assert resp.status_code == 201, resp.text
    renewals = resp.json()["campaign"]
    assert renewals["total_contacts"] == 2 and renewals["source"] == "api"
    queue = h.client.get(f"/api/queue/campaign/{renewals['id']}", headers=headers).json()["queue"]
    assert queue[0]["name"] == "Ann Lee"
    for i in range(3):
        upload(h, headers, us(1, start=i), campaign_name=f"Batch {i}")
    listing = h.client.get("/api/campaigns?limit=2&page=2", headers=headers).json()
    assert listing["pagination"] == {"page": 2, "limit": 2, "total": 4, "total_pages": 2}
    assert [c["name"] for c in listing["campaigns"]] == ["Batch 0", "Renewals"]
    found = h.client.get("/api/campaigns?search=renew", headers=headers).json()["campaigns"]
    assert [c["id"] for c in found] == [renewals["id"]]
    start(h, headers, renewals["id"])
    active = h.client.get("/api/campaigns?status=active", headers=headers).json()["campaigns"]
    assert [c["id"] for c in active] == [renewals["id"]]
    assert (
        h.client.get("/api/campaigns?date_to=2000-01-01", headers=headers).json()["campaigns"] == []
    )
    summary = h.client.get("/api/campaigns/summary", headers=headers).json()["summary"]
    assert summary == {
        "draft": 3,
        "active": 1,
        "paused": 0,
        "completed": 0,
        "cancelled": 0,
        "total": 4,
    }
    queue = h.client.get("/api/queue?status=in_progress", headers=headers).json()
    assert queue["pagination"]["total"] == 2 and len(queue["queue"]) == 2
    assert h.client.get("/api/queue?limit=3", headers=headers).json()["pagination"]["total"] == 5
    qstats = h.client.get("/api/queue/statistics", headers=headers).json()["statistics"]
    assert (qstats["queued"], qstats["in_progress"], qstats["total"]) == (3, 2, 5)
    assert qstats["user_active_calls"] == 2 and qstats["system_concurrent_calls_limit"] == 10


def test_edit_then_delete_a_campaign(h):
    headers = h.register()
    out = upload(h, headers, us(3))
    cid = out["campaign"]["id"]
    resp = h.client.put(
        f"/api/campaigns/{cid}",
        headers=headers,
        json={"campaign_name": "Renamed", "first_call_time": "08:30", "max_attempts": 5},
    )
    assert resp.status_code == 200, resp.text
    campaign = resp.json()["campaign"]
    assert (campaign["name"], campaign["first_call_time"], campaign["max_attempts"]) == (
        "Renamed",
        "08:30",
        5,
    )
    clash = h.client.put(
        f"/api/campaigns/{cid}", headers=headers, json={"first_call_time": "23:59"}
    )
    assert clash.status_code == 400  # later than the stored last_call_time
    start(h, headers, cid)
    assert h.client.delete(f"/api/campaigns/{cid}", headers=headers).status_code == 409
    h.client.post(f"/api/campaigns/{cid}/cancel", headers=headers)
    h.run_calls()
    assert (
        h.client.put(f"/api/campaigns/{cid}", headers=headers, json={"name": "x"}).status_code
        == 409
    )
    assert h.client.delete(f"/api/campaigns/{cid}", headers=headers).status_code == 200
    assert h.client.get(f"/api/campaigns/{cid}", headers=headers).status_code == 404
    assert h.client.get("/api/queue", headers=headers).json()["queue"] == []


def test_start_needs_contacts_and_happens_once(h):
    headers = h.register()
    empty = h.client.post("/api/campaigns", headers=headers, json={"name": "Empty", **ALWAYS_OPEN})
    cid = empty.json()["campaign"]["id"]
    resp = h.client.post(f"/api/campaigns/{cid}/start", headers=headers)
    assert resp.status_code == 409 and resp.json()["error"] == "conflict"
    out = upload(h, headers, us(1))
    key = {"Idempotency-Key": "start-1"}
    first = h.client.post(
        f"/api/campaigns/{out['campaign']['id']}/start", headers={**headers, **key}
    )
    again = h.client.post(
        f"/api/campaigns/{out['campaign']['id']}/start", headers={**headers, **key}
    )
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    plain = h.client.post(f"/api/campaigns/{out['campaign']['id']}/start", headers=headers)
    assert plain.status_code == 409


# -- text that is not valid Unicode, and the OpenAPI document ------------------------------------
def _raw(h, method, path, headers, text):
    """Send `text` as the JSON body as is (a lone surrogate escaped as JSON allows)."""
    return h.client.request(
        method, path, headers={**headers, "Content-Type": "application/json"}, content=text
    )


def test_a_lone_surrogate_anywhere_in_the_upload_is_a_400_naming_the_cell_and_writes_nothing(h):
    # Given a CSV upload whose second row's name is a lone surrogate (not Unicode text)
    headers = h.register()
    row_ok = '{"name": "Ann", "phone_number": "+12015550123"}'
    row_bad = '{"name": "\\ud800", "phone_number": "+12015550124"}'
    body = '{"campaign_name": "Calls", "csv_data": [' + row_ok + ", " + row_bad + "]}"

    # When it is uploaded
    resp = _raw(h, "POST", "/api/campaigns/upload-csv", headers, body)

    # Then it is a 400 in the envelope naming the cell, and no campaign was written
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"] == "validation_error"
    assert "csv_data.1.name" in resp.json()["details"]
    assert h.client.get("/api/campaigns", headers=headers).json()["campaigns"] == []
    for bad in (
        '{"campaign_name": "Calls", "csv_data": [{"name": "A", "phone_number": "\\udfff"}]}',
        '{"campaign_name": "\\ud800", "csv_data": [' + row_ok + "]}",
    ):
        resp = _raw(h, "POST", "/api/campaigns/upload-csv", headers, bad)
        assert resp.status_code == 400 and resp.json()["error"] == "validation_error"


def test_a_lone_surrogate_as_the_concurrency_limit_is_a_400_naming_the_field(h):
    headers = h.register()
    resp = _raw(
        h, "PUT", "/api/settings/concurrency", headers, '{"concurrent_calls_limit": "\\ud800"}'
    )
    assert resp.status_code == 400
    assert resp.json()["error"] == "validation_error"
    assert "concurrent_calls_limit" in resp.json()["details"]
    assert h.client.get("/api/settings/concurrency", headers=headers).status_code == 200


def test_csv_cells_may_be_numbers_and_extra_columns_are_ignored(h):
    headers = h.register()
    body = {
        "campaign_name": "Sheet",
        "csv_data": [{"name": "Ann", "phone_number": 12015550123, "city": "Austin"}],
    }
    resp = h.client.post("/api/campaigns/upload-csv", headers=headers, json=body)
    assert resp.status_code == 201, resp.text
    queue = h.client.get(
        f"/api/queue/campaign/{resp.json()['campaign']['id']}", headers=headers
    ).json()["queue"]
    assert queue[0]["phone_number"] == "+12015550123"


def test_every_voice_route_documents_its_success_body_with_voice_schemas(h):
    doc = h.client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert {"VoiceCampaignCreate", "VoiceCampaignPublic", "VoiceUploadStats"} <= set(schemas)
    assert schemas["VoiceCampaignPublic"]["properties"]["status"]["$ref"].endswith(
        "/VoiceCampaignStatus"
    )
    assert set(schemas["VoiceUploadStats"]["properties"]) == {
        "total_rows",
        "valid_contacts",
        "contacts_created",
        "contacts_skipped",
        "errors",
        "calls_queued",
    }
    for path, item in doc["paths"].items():
        if not path.startswith(("/api/", "/webhooks/voice/")):
            continue
        for method, operation in item.items():
            ok = operation["responses"].get("201") or operation["responses"]["200"]
            ref = ok["content"]["application/json"]["schema"]["$ref"]
            assert ref.rsplit("/", 1)[1].startswith("Voice"), (method, path, ref)


def test_sandbox_callback_records_are_parsed_and_a_malformed_one_fails_alone(h):
    from tests.conftest import FUNCTIONS

    event = json.loads((ROOT / "events/sqs_voice_sandbox_callback.json").read_text())
    good = event["Records"][0]
    bad = {**good, "messageId": "not-json", "body": "{not json"}
    result = FUNCTIONS["VoiceSandboxFunction"].invoke({"Records": [good, bad]})
    # the good record names no call we know: acknowledged; the malformed one is retried alone
    assert result == {"batchItemFailures": [{"itemIdentifier": "not-json"}]}
