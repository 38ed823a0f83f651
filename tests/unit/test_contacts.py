"""Contacts (seed 004 "Contacts Page"): CRUD, search, pagination, tenant isolation."""

from __future__ import annotations


def test_create_normalises_the_phone_with_the_tenants_default_country(h):
    headers = h.register()
    resp = h.client.post(
        "/contacts",
        headers=headers,
        json={
            "phone": "(512) 555-0115",
            "firstName": "Wen",
            "gender": "female",
            "birthDate": "1990-05-01",
            "tags": ["vip", "vip", " "],
        },
    )
    assert resp.status_code == 201
    data = resp.json()["data"]
    assert data["phoneE164"] == "+15125550115"
    assert data["smsConsent"] == "unknown"
    assert data["tags"] == ["vip"]
    assert set(data) >= {
        "id",
        "phoneE164",
        "firstName",
        "lastName",
        "email",
        "gender",
        "birthDate",
        "smsConsent",
        "tags",
        "createdAt",
        "updatedAt",
    }


def test_the_same_number_in_another_format_is_a_conflict(h):
    headers = h.register()
    h.contact(headers, "+15125550115")
    resp = h.client.post("/contacts", headers=headers, json={"phone": "512-555-0115"})
    assert resp.status_code == 409
    assert resp.json()["details"] == {"phone": "+15125550115"}


def test_bad_input_is_a_400_in_the_envelope_naming_the_field(h):
    headers = h.register()
    cases = [
        {"phone": "12345"},
        {"phone": "+15125550115", "gender": "robot"},
        {"phone": "+15125550115", "email": "not-an-email"},
        {"phone": "+15125550115", "birthDate": "31/12/1990"},
        {"phone": "+15125550115", "tenantId": "someone-else"},
    ]
    for body in cases:
        resp = h.client.post("/contacts", headers=headers, json=body)
        assert resp.status_code == 400, body
        err = resp.json()
        assert err["success"] is False and err["error"] == "validation_error"
        assert err["details"], body
    assert h.client.get("/contacts", headers=headers).json()["data"]["total"] == 0


def test_list_is_newest_first_paginated_and_searchable(h):
    headers = h.register()
    for i in range(5):
        h.contact(headers, f"+1512555010{i}", firstName=f"Name{i}", email=f"p{i}@x.test")
    page1 = h.client.get("/contacts?page=1&limit=2", headers=headers).json()["data"]
    page3 = h.client.get("/contacts?page=3&limit=2", headers=headers).json()["data"]
    assert page1["total"] == 5 and page1["pageSize"] == 2 and page1["page"] == 1
    assert [c["firstName"] for c in page1["contacts"]] == ["Name4", "Name3"]
    assert [c["firstName"] for c in page3["contacts"]] == ["Name0"]
    found = h.client.get("/contacts?search=name2", headers=headers).json()["data"]
    assert [c["firstName"] for c in found["contacts"]] == ["Name2"]
    by_phone = h.client.get("/contacts?search=5550103", headers=headers).json()["data"]
    assert by_phone["total"] == 1
    assert h.client.get("/contacts?limit=101", headers=headers).status_code == 400


def test_update_moves_the_phone_and_refuses_a_number_already_taken(h):
    headers = h.register()
    a = h.contact(headers, "+15125550100")
    h.contact(headers, "+15125550101")
    taken = h.client.put(f"/contacts/{a['id']}", headers=headers, json={"phone": "+15125550101"})
    assert taken.status_code == 409
    moved = h.client.put(
        f"/contacts/{a['id']}",
        headers=headers,
        json={"phone": "+15125550102", "smsConsent": "opted_out"},
    )
    assert moved.status_code == 200
    assert moved.json()["data"]["phoneE164"] == "+15125550102"
    # the old number is free again
    h.contact(headers, "+15125550100")


def test_delete_frees_the_number_and_lowers_the_total(h):
    headers = h.register()
    a = h.contact(headers, "+15125550100")
    assert h.client.delete(f"/contacts/{a['id']}", headers=headers).status_code == 200
    assert h.client.get(f"/contacts/{a['id']}", headers=headers).status_code == 404
    assert h.client.get("/contacts", headers=headers).json()["data"]["total"] == 0
    h.contact(headers, "+15125550100")


def test_another_tenants_contact_is_404_for_every_route(h):
    mine = h.register("me@shop.test")
    theirs = h.register("them@shop.test", "Them")
    other = h.contact(theirs, "+15125550100")
    url = f"/contacts/{other['id']}"
    assert h.client.get(url, headers=mine).status_code == 404
    assert h.client.put(url, headers=mine, json={"firstName": "X"}).status_code == 404
    assert h.client.delete(url, headers=mine).status_code == 404
    assert h.client.get(url, headers=theirs).json()["data"]["firstName"] is None
    assert h.client.get("/contacts", headers=mine).json()["data"]["total"] == 0
