"""Hostile input to the SMS-app groups, auth and settings (issue 8 section 4): lone
surrogates, huge values, wrong types and malformed ids are a 4xx in the error envelope,
never a 500, and nothing is written."""

from __future__ import annotations

import json

import pytest

BAD = "\ud800"  # a lone UTF-16 surrogate: valid JSON, not encodable as UTF-8
HUGE = "A" * 5000


def _assert_refused(resp, *statuses: int) -> None:
    assert resp.status_code in (statuses or (400,)), (resp.status_code, resp.text[:300])
    body = resp.json()
    assert body["success"] is False and body["error"] and body["message"]


def _send(h, method: str, url: str, headers: dict, body) -> object:
    return h.client.request(
        method,
        url,
        headers={**headers, "Content-Type": "application/json"},
        content=json.dumps(body).encode(),
    )


def test_lone_surrogates_in_any_body_field_are_a_400_naming_the_field(h):
    headers = h.register()
    contact = h.contact(headers, "+15125550100")
    auto = h.client.post(
        "/automations",
        headers=headers,
        json={"name": "W", "triggerType": "welcome", "message": "Hi"},
    ).json()["data"]
    cases = [
        ("POST", "/contacts", {"phone": "+15125550101", "firstName": BAD}, "firstName"),
        ("POST", "/contacts", {"phone": BAD}, "phone"),
        ("POST", "/contacts", {"phone": "+15125550101", "tags": ["ok", BAD]}, "tags"),
        ("PUT", f"/contacts/{contact['id']}", {"lastName": BAD}, "lastName"),
        ("PUT", f"/contacts/{contact['id']}", {"phoneE164": BAD}, "phoneE164"),
        ("POST", "/audiences/segments", {"name": BAD, "criteria": {"tags": ["x"]}}, "name"),
        ("POST", "/audiences/segments", {"name": "S", "criteria": {"tags": [BAD]}}, "criteria"),
        ("POST", "/audiences/segments", {"name": "S", "contactIds": [BAD]}, "contactIds"),
        ("POST", "/automations", {"name": "W", "triggerType": "welcome", "message": BAD}, None),
        ("PUT", f"/automations/{auto['id']}", {"name": BAD}, "name"),
        ("PUT", "/settings", {"companyName": BAD}, "companyName"),
        ("PUT", "/settings", {"timezone": BAD}, "timezone"),
        ("PUT", "/settings", {"allowedOrigins": [BAD]}, "allowedOrigins"),
    ]
    for method, url, body, field in cases:
        resp = _send(h, method, url, headers, body)
        _assert_refused(resp)
        if field:
            named = [k for k in resp.json()["details"] if k == field or k.startswith(field + ".")]
            assert named, (url, body, resp.text)
    got = h.client.get(f"/contacts/{contact['id']}", headers=headers).json()["data"]
    assert got == contact
    assert h.client.get("/contacts", headers=headers).json()["data"]["total"] == 1


def test_lone_surrogates_in_auth_bodies_are_refused(h):
    for url, body in (
        (
            "/auth/register",
            {"email": f"a{BAD}@x.test", "password": "long enough", "tenantName": "T"},
        ),
        (
            "/auth/register",
            {"email": "a@x.test", "password": f"long{BAD}enough", "tenantName": "T"},
        ),
        ("/auth/login", {"email": "a@x.test", "password": BAD}),
        ("/auth/refresh", {"refresh_token": f"abc.def.{BAD}ghijkl"}),
        ("/auth/logout", {"refresh_token": f"abc.def.{BAD}ghijkl"}),
    ):
        _assert_refused(_send(h, "POST", url, {}, body))


@pytest.mark.parametrize(
    "token",
    [
        "x" * 512,
        f"{'T' * 200}.{'I' * 200}.secret",
        "tenant.token.secret.extra",
        "é" * 20 + ".a.b",
        "..........",
    ],
)
def test_malformed_refresh_tokens_are_401(h, token):
    resp = h.client.post("/auth/refresh", json={"refresh_token": token})
    _assert_refused(resp, 401)


def test_malformed_and_huge_ids_are_404_without_a_query(h):
    headers = h.register()
    for url in (
        f"/contacts/{HUGE}",
        "/contacts/..%2F..",
        f"/contacts/import/{HUGE}",
        f"/audiences/segments/{HUGE}",
        f"/audiences/segments/{HUGE}/preview",
        "/audiences/segments/sys_nope/preview",
        f"/r/{HUGE}",
        "/r/%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9%C3%A9",
    ):
        _assert_refused(h.client.get(url, headers=headers, follow_redirects=False), 404)
    _assert_refused(h.client.put(f"/contacts/{HUGE}", headers=headers, json={}), 404)
    _assert_refused(h.client.delete(f"/contacts/{HUGE}", headers=headers), 404)
    _assert_refused(
        h.client.put(f"/automations/{HUGE}/status", headers=headers, json={"active": True}), 404
    )
    _assert_refused(h.client.delete(f"/automations/{HUGE}", headers=headers), 404)
    _assert_refused(h.client.delete(f"/audiences/segments/{HUGE}", headers=headers), 404)


def test_wrong_types_and_huge_values_are_a_400(h):
    headers = h.register()
    cases = [
        ("POST", "/contacts", {"phone": 15125550100}),
        ("POST", "/contacts", {"phone": "+15125550100", "tags": "vip"}),
        ("POST", "/contacts", {"phone": "+15125550100", "firstName": HUGE}),
        ("POST", "/contacts", {"phone": "+15125550100", "tags": ["t"] * 51}),
        ("POST", "/contacts", {"phone": "+15125550100", "birthDate": "9999-99-99"}),
        ("POST", "/contacts", {"phone": HUGE}),
        ("POST", "/contacts", [1, 2, 3]),
        ("POST", "/contacts", None),
        ("POST", "/audiences/segments", {"name": "S", "criteria": []}),
        ("POST", "/audiences/segments", {"name": "S", "contactIds": "x"}),
        ("POST", "/audiences/segments", {"name": "S", "criteria": {"age": {"gte": 10**30}}}),
        ("POST", "/automations", {"name": "W", "triggerType": "welcome", "message": HUGE}),
        ("POST", "/automations", {"name": "W", "triggerType": ["welcome"], "message": "Hi"}),
        ("PUT", "/settings", {"quietHours": "always"}),
        ("PUT", "/settings", {"allowedOrigins": ["https://a.test"] * 21}),
    ]
    for method, url, body in cases:
        _assert_refused(_send(h, method, url, headers, body))
    for query in ("page=0", "page=99999999999999999999", "limit=0", "limit=x", f"search={HUGE}"):
        _assert_refused(h.client.get(f"/contacts?{query}", headers=headers))
    assert h.client.get("/contacts", headers=headers).json()["data"]["total"] == 0


def test_a_search_with_any_characters_is_answered(h):
    headers = h.register()
    h.contact(headers, "+15125550100", firstName="Zoë")
    for needle in ("%ED%A0%80", "%00", "%25", "zo%C3%AB", "%F0%9F%98%80", "%22%27%5C"):
        resp = h.client.get(f"/contacts?search={needle}", headers=headers)
        assert resp.status_code == 200, (needle, resp.text)
    found = h.client.get("/contacts?search=zo%C3%AB", headers=headers).json()["data"]
    assert found["total"] == 1


def test_a_campaign_audience_naming_a_malformed_segment_is_a_400(h):
    headers = h.register()
    for audience in (
        {"type": "segment", "segmentId": BAD},
        {"type": "segment", "segmentId": HUGE},
        f"segment:{BAD}",
        f"segment:{HUGE}",
    ):
        body = {"name": "C", "message": "Hi", "audience": audience}
        resp = _send(h, "POST", "/campaigns", headers, body)
        _assert_refused(resp)


def test_values_that_would_overflow_an_item_are_refused_or_cut(h):
    headers = h.register()
    big = "x" * 10_000
    _assert_refused(
        _send(h, "PUT", "/settings", headers, {"allowedOrigins": [f"https://{big}.test"]})
    )
    _assert_refused(
        _send(h, "POST", "/audiences/segments", headers, {"name": "S", "criteria": {"tags": [big]}})
    )
    cell = "y" * 100_000
    content = (
        f'phone,email,gender,tags\n+12015550123,{cell}@x.test,{cell},"ok,{cell}"\n{cell},,,\n'
    ).encode()
    resp = h.import_csv(headers, content)
    assert resp.status_code == 200, resp.text[:300]
    data = resp.json()["data"]
    assert (data["imported"], data["invalid"]) == (1, 1)
    assert all(len(e["reason"]) < 200 for e in data["errors"])
    contact = h.client.get("/contacts", headers=headers).json()["data"]["contacts"][0]
    assert (contact["email"], contact["gender"], contact["tags"]) == (None, None, ["ok"])
