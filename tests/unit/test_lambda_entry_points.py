"""The Lambda entry points themselves (Mangum + Powertools decorators), fed the sample events
in events/ the way API Gateway, Step Functions and EventBridge Scheduler call them."""

from __future__ import annotations

import json

from local.cfn import ROOT
from tests.conftest import FUNCTIONS

EVENTS = ROOT / "events"


def _event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def test_api_gateway_proxy_events_reach_the_fastapi_routes(h):
    health = FUNCTIONS["SystemFunction"].invoke(_event("apigw_get_health.json"))
    assert health["statusCode"] == 200
    assert json.loads(health["body"])["services"] == {
        "database": "up",
        "queue": "up",
        "webhooks": "up",
        "events": "up",
    }
    headers = {
        k.lower(): v
        for k, v in {**health.get("headers", {}), **health.get("multiValueHeaders", {})}.items()
    }
    assert headers["x-request-id"]
    created = FUNCTIONS["AuthFunction"].invoke(_event("apigw_post_auth_register.json"))
    assert created["statusCode"] == 201
    assert json.loads(created["body"])["token_type"] == "bearer"
    again = FUNCTIONS["AuthFunction"].invoke(_event("apigw_post_auth_register.json"))
    assert again["statusCode"] == 409
    assert json.loads(again["body"])["error"] == "conflict"


def test_step_functions_and_scheduler_events_reach_the_workers(h):
    headers = h.register()
    h.contact(headers, "+12015550123")
    c = h.campaign(headers)
    tenant_id = h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]

    def fill(name: str) -> dict:
        text = (EVENTS / name).read_text()
        return json.loads(
            text.replace("REPLACE_TENANT", tenant_id).replace("REPLACE_CAMPAIGN", c["id"])
        )

    fired = FUNCTIONS["ScheduledDispatchFunction"].invoke(fill("scheduler_fire_campaign.json"))
    assert fired["queuedRecipients"] == 1
    state = FUNCTIONS["DispatchFunction"].invoke(fill("sfn_dispatch_prepare.json"))
    assert state["done"] is False and state["cursor"] is None


def test_the_voice_tick_and_call_tasks_take_their_aws_events(h):
    headers = h.register()
    body = {
        "campaign_name": "Calls",
        "csv_data": [{"name": "Ann", "phone_number": "+12015550123"}],
    }
    c = h.client.post("/api/campaigns/upload-csv", headers=headers, json=body).json()["campaign"]
    tenant_id = h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]
    tick = FUNCTIONS["VoiceTickFunction"].invoke(_event("eventbridge_voice_tick.json"))
    assert tick == {
        "reaped": 0,
        "recovered": 0,
        "swept": 0,
        "expired": 0,
        "corrected": 0,
        "started": 0,
    }
    text = (EVENTS / "sfn_voice_call_acquire.json").read_text()
    event = json.loads(
        text.replace("REPLACE_TENANT", tenant_id).replace("REPLACE_CAMPAIGN", c["id"])
    )
    assert FUNCTIONS["VoiceCallFunction"].invoke(event) == {"acquired": True}
    release = {**event, "action": "release"}
    assert FUNCTIONS["VoiceCallFunction"].invoke(release)["released"] is True
