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


def test_a_contact_read_with_get_can_be_put_back_unchanged(h):
    # Given a contact as GET returns it
    headers = h.register()
    made = h.contact(headers, "+15125550100", firstName="Ann", tags=["vip"], birthDate="1990-05-01")
    got = h.client.get(f"/contacts/{made['id']}", headers=headers).json()["data"]
    # When the frontend sends it back as is
    resp = h.client.put(f"/contacts/{made['id']}", headers=headers, json=got)
    # Then it is accepted and the resource is unchanged (nothing written: same updatedAt)
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"] == got
    assert h.client.get(f"/contacts/{made['id']}", headers=headers).json()["data"] == got


def test_putting_back_a_changed_phone_e164_moves_the_number(h):
    headers = h.register()
    made = h.contact(headers, "+15125550100")
    got = h.client.get(f"/contacts/{made['id']}", headers=headers).json()["data"]
    resp = h.client.put(
        f"/contacts/{made['id']}",
        headers=headers,
        json={**got, "phoneE164": "+15125550109", "firstName": "Bea"},
    )
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert (data["phoneE164"], data["firstName"]) == ("+15125550109", "Bea")
    assert data["updatedAt"] >= got["updatedAt"]
    assert h.client.get(f"/contacts/{made['id']}", headers=headers).json()["data"] == data
    h.contact(headers, "+15125550100")  # the old number is free again


def test_post_accepts_phone_e164_and_ignores_read_only_fields(h):
    headers = h.register()
    resp = h.client.post(
        "/contacts",
        headers=headers,
        json={
            "phoneE164": "+15125550100",
            "id": "01ZZZZZZZZZZZZZZZZZZZZZZZZ",
            "createdAt": "2001-01-01T00:00:00Z",
            "updatedAt": "2001-01-01T00:00:00Z",
            "firstName": "Cy",
        },
    )
    assert resp.status_code == 201, resp.text
    data = resp.json()["data"]
    assert data["phoneE164"] == "+15125550100"
    assert data["id"] != "01ZZZZZZZZZZZZZZZZZZZZZZZZ"
    assert not data["createdAt"].startswith("2001")


def test_a_put_body_naming_another_contact_or_two_numbers_is_refused(h):
    headers = h.register()
    a = h.contact(headers, "+15125550100")
    b = h.contact(headers, "+15125550101")
    other = h.client.put(f"/contacts/{a['id']}", headers=headers, json={**b, "firstName": "X"})
    assert other.status_code == 400
    assert set(other.json()["details"]) == {"id"}
    two = h.client.put(
        f"/contacts/{a['id']}",
        headers=headers,
        json={"phone": "+15125550102", "phoneE164": "+15125550103"},
    )
    assert two.status_code == 400
    same = h.client.put(
        f"/contacts/{a['id']}",
        headers=headers,
        json={"phone": "(512) 555-0104", "phoneE164": "+15125550104"},
    )
    assert same.status_code == 200 and same.json()["data"]["phoneE164"] == "+15125550104"
    unknown = h.client.put(f"/contacts/{a['id']}", headers=headers, json={"shoeSize": 42})
    assert unknown.status_code == 400 and set(unknown.json()["details"]) == {"shoeSize"}
    nothing = h.client.post("/contacts", headers=headers, json={"firstName": "No phone"})
    assert nothing.status_code == 400
    assert h.client.get(f"/contacts/{a['id']}", headers=headers).json()["data"]["phoneE164"] == (
        "+15125550104"
    )
