"""The SMS campaigns contract: hostile bodies are 400s in the envelope, never 500s; the
OpenAPI document names every success body (issue 8, sections 2 and 4)."""

from __future__ import annotations

import pytest

JSON = {"Content-Type": "application/json"}


def _raw(h, url, headers, text, method="post"):
    return getattr(h.client, method)(url, headers={**headers, **JSON}, content=text.encode())


def test_a_body_nested_100000_deep_on_enqueue_is_a_400(h):
    headers = h.register()
    c = h.campaign(headers)
    deep = "[" * 100_000 + "]" * 100_000
    resp = _raw(h, f"/campaigns/{c['id']}/enqueue", headers, deep)
    assert resp.status_code == 400, resp.text
    assert resp.json()["success"] is False
    nested = '{"note":' * 100_000 + "1" + "}" * 100_000
    assert _raw(h, f"/campaigns/{c['id']}/enqueue", headers, nested).status_code == 400


@pytest.mark.parametrize(
    "audience",
    [
        '{"type": "segment", "segmentId": "\\ud800"}',
        '"segment:\\ud800"',
        '{"type": "segment", "segmentId": "a b"}',
        '"segment:../../x"',
    ],
)
def test_a_malformed_segment_id_is_a_400_on_create_and_update(h, audience):
    headers = h.register()
    body = '{"name": "X", "message": "Hi", "audience": ' + audience + "}"
    resp = _raw(h, "/campaigns", headers, body)
    assert resp.status_code == 400, resp.text
    assert "audience" in str(resp.json()["details"])
    c = h.campaign(headers)
    resp = _raw(h, f"/campaigns/{c['id']}", headers, '{"audience": ' + audience + "}", "put")
    assert resp.status_code == 400, resp.text


def test_an_unknown_segment_is_a_400_that_does_not_echo_the_id(h):
    headers = h.register()
    resp = h.client.post(
        "/campaigns",
        headers=headers,
        json={"name": "X", "message": "Hi", "audience": "segment:nope_123"},
    )
    assert resp.status_code == 400
    assert "nope_123" not in resp.text


def test_enqueue_takes_no_body_an_empty_object_or_a_note(h):
    headers = h.register()
    h.contact(headers, "+12015550100")
    c = h.campaign(headers)
    assert _raw(h, f"/campaigns/{c['id']}/enqueue", headers, "[1]").status_code == 400
    assert _raw(h, f"/campaigns/{c['id']}/enqueue", headers, "not json").status_code == 400
    resp = _raw(h, f"/campaigns/{c['id']}/enqueue", headers, "{}")
    assert resp.status_code == 200
    assert resp.json()["data"] == {"status": "queued", "queuedRecipients": 1, "creditsDebited": 1}


def test_the_openapi_document_names_every_campaign_success_body(h):
    doc = h.client.get("/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert {
        "SmsCampaignCreate",
        "SmsCampaignUpdate",
        "SmsCampaignPublic",
        "SmsEnqueueResult",
    } <= set(schemas)
    assert schemas["SmsCampaignStatus"]["enum"] == [
        "draft",
        "scheduled",
        "sending",
        "sent",
        "failed",
        "cancelled",
    ]
    for path, ops in doc["paths"].items():
        if not path.startswith("/campaigns"):
            continue
        for method, op in ops.items():
            ok = next(v for k, v in op["responses"].items() if k.startswith("2"))
            assert "$ref" in str(ok["content"]["application/json"]["schema"]), (method, path)
