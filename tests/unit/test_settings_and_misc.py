"""Settings, automations, templates, system routes and the template's route table."""

from __future__ import annotations

import re

from engage.core.render import parse_template, render
from engage.core.sms import segment_count
from local.cfn import load_template


def test_settings_defaults_updates_and_per_field_errors(h):
    headers = h.register(tenant="Acme")
    got = h.client.get("/settings", headers=headers).json()["data"]
    assert got == {
        "companyName": "Acme",
        "senderId": "",
        "timezone": "UTC",
        "defaultCountry": "US",
        "quietHours": {"enabled": False, "start": "21:00", "end": "08:00"},
        "allowedOrigins": [],
    }
    bad = h.client.put(
        "/settings",
        headers=headers,
        json={
            "timezone": "Mars/Olympus",
            "defaultCountry": "XX",
            "quietHours": {"enabled": True, "start": "25:00", "end": "08:00"},
            "allowedOrigins": ["javascript:alert(1)"],
        },
    )
    assert bad.status_code == 400
    assert set(bad.json()["details"]) == {
        "timezone",
        "defaultCountry",
        "quietHours.start",
        "allowedOrigins",
    }
    ok = h.client.put(
        "/settings",
        headers=headers,
        json={"timezone": "Europe/Athens", "defaultCountry": "gr", "senderId": "ACME"},
    ).json()["data"]
    assert (ok["timezone"], ok["defaultCountry"], ok["companyName"]) == (
        "Europe/Athens",
        "GR",
        "Acme",
    )
    assert h.client.post("/contacts", headers=headers, json={"phone": "6912345678"}).json()["data"][
        "phoneE164"
    ] == ("+306912345678")


def test_automations_toggle_through_both_routes(h):
    headers = h.register()
    created = h.client.post(
        "/automations",
        headers=headers,
        json={"name": "Welcome", "triggerType": "welcome", "message": "Hi {{firstName}}"},
    )
    assert created.status_code == 201
    auto = created.json()["data"]
    assert auto["active"] is False
    on = h.client.put(f"/automations/{auto['id']}/status", headers=headers, json={"active": True})
    assert on.json()["data"]["active"] is True
    edit = h.client.put(
        f"/automations/{auto['id']}", headers=headers, json={"message": "Welcome!", "active": False}
    )
    assert edit.json()["data"] == {
        **on.json()["data"],
        "message": "Welcome!",
        "active": False,
        "updatedAt": edit.json()["data"]["updatedAt"],
    }
    listed = h.client.get("/automations", headers=headers).json()["data"]["automations"]
    assert [a["id"] for a in listed] == [auto["id"]]
    h.client.put(f"/automations/{auto['id']}/status", headers=headers, json={"active": True})
    assert h.client.get("/dashboard", headers=headers).json()["data"]["activeAutomations"] == 1
    other = h.register("o@shop.test", "O")
    assert (
        h.client.put(
            f"/automations/{auto['id']}/status", headers=other, json={"active": False}
        ).status_code
        == 404
    )
    assert (
        h.client.post(
            "/automations",
            headers=headers,
            json={"name": "x", "triggerType": "welcome", "message": "{{bogus}}"},
        ).status_code
        == 400
    )


def test_templates_are_a_read_only_library_that_campaigns_accept(h):
    headers = h.register()
    templates = h.client.get("/templates", headers=headers).json()["data"]["templates"]
    assert len(templates) >= 12
    assert len({t["category"] for t in templates}) >= 10
    for t in templates:
        assert t["message"] == t["content"]
        parse_template(t["message"], discount="SAVE20")
        assert segment_count(render(t["message"], {"discount": "SAVE20"})) <= 2
    assert h.client.post("/templates", headers=headers, json={}).status_code == 404


def test_health_checks_the_services_and_capabilities_are_public(h):
    health = h.client.get("/health")
    assert health.status_code == 200
    body = health.json()
    assert body["status"] == "healthy"  # seed 003 section 7's words
    assert body["services"] == {"database": "up", "queue": "up", "webhooks": "up", "events": "up"}
    assert isinstance(body["uptime"], float)
    assert "campaigns" in h.client.get("/capabilities").json()["features"]


def test_health_is_degraded_with_503_when_a_service_is_down(h, monkeypatch):
    # Given the event bus is gone (a real DescribeEventBus fails)
    from engage.core.settings import get_settings

    monkeypatch.setenv("EVENT_BUS_NAME", "no-such-bus")
    get_settings.cache_clear()
    try:
        health = h.client.get("/health")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

    # Then /health says so, and which one
    assert health.status_code == 503
    body = health.json()
    assert body["status"] == "degraded"
    assert body["services"] == {"database": "up", "queue": "up", "webhooks": "up", "events": "down"}


def test_unknown_routes_and_crashes_use_the_error_envelope(h, monkeypatch):
    missing = h.client.get("/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    assert missing.headers["X-Request-Id"]
    import engage.templates.library as library

    monkeypatch.setattr(library, "_TEMPLATES", None)
    headers = h.register()
    crash = h.client.get("/templates", headers=headers)
    assert crash.status_code == 500
    body = crash.json()
    assert body["error"] == "internal_error"
    assert body["details"]["requestId"] == crash.headers["X-Request-Id"]
    assert "Traceback" not in crash.text


def test_every_route_is_declared_in_the_template_and_vice_versa(h):
    # Provider webhooks are served on the webhooks function's own URL (FunctionUrlConfig), so
    # every route of that function is reachable; every other route needs its Api event.
    template = load_template()
    declared = set()
    for res in template["Resources"].values():
        for event in (res.get("Properties", {}).get("Events") or {}).values():
            if event["Type"] == "Api":
                path = re.sub(r"\{[^}]+\}", "{}", event["Properties"]["Path"])
                declared.add((event["Properties"]["Method"].upper(), path))
    webhooks = template["Resources"]["WebhooksFunction"]["Properties"]
    assert webhooks["FunctionUrlConfig"]["AuthType"] == "NONE"
    served = set()
    for path, ops in h.client.get("/openapi.json").json()["paths"].items():
        served |= {(m.upper(), re.sub(r"\{[^}]+\}", "{}", path)) for m in ops}
    # (SES's SNS subscription posts to the e-mail group's Api route, under /webhooks/ too)
    on_url = {(m, p) for m, p in served if p.startswith("/webhooks/") and (m, p) not in declared}
    assert on_url == {
        ("POST", "/webhooks/sms/{}/status"),
        ("POST", "/webhooks/sms/{}/inbound"),
        ("POST", "/webhooks/voice/{}/status"),
        ("POST", "/webhooks/{}/whatsapp"),
        ("POST", "/webhooks/{}/whatsapp/status"),
        ("POST", "/webhooks/shopify/orders"),
    }
    assert served - on_url == declared


def test_every_route_of_the_sms_app_groups_documents_its_success_body(h):
    doc = h.client.get("/openapi.json").json()
    groups = ("/auth", "/contacts", "/audiences", "/automations", "/templates", "/settings")
    checked = 0
    for path, ops in doc["paths"].items():
        if not path.startswith((*groups, "/dashboard")):
            continue
        for method, op in ops.items():
            ok = {code: r for code, r in op["responses"].items() if code.startswith("2")}
            assert ok, (method, path)
            for response in ok.values():
                schema = response["content"]["application/json"]["schema"]
                assert schema.get("$ref"), (method, path, schema)
            checked += 1
    assert checked == 27  # 26 routes of the SMS app, and /auth/invitations/{token}/accept
    upload = doc["paths"]["/contacts/import"]["post"]
    form = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["required"] == ["file"]
    assert form["properties"]["file"] == {**form["properties"]["file"], "format": "binary"}
    assert set(upload["responses"]) >= {"200", "202"}
    contact = doc["components"]["schemas"]["ContactPublic"]
    assert {"phoneE164", "smsConsent", "createdAt"} <= set(contact["properties"])
