"""Segments (seed 004 "Lists Page", "System Segments"; seed 000 sections 3 and 8)."""

from __future__ import annotations

import datetime as dt

from engage.core import clock


def _born(years_ago: int, today: dt.date, days: int = 0) -> str:
    return (today.replace(year=today.year - years_ago) + dt.timedelta(days=days)).isoformat()


def test_system_segments_are_created_once_with_the_seed_keys(h):
    headers = h.register()
    first = h.client.get("/audiences/segments", headers=headers).json()["data"]
    second = h.client.get("/audiences/segments", headers=headers).json()["data"]
    keys = [s["key"] for s in first["segments"]]
    assert keys == [
        "gender_male",
        "gender_female",
        "gender_unknown",
        "age_18_24",
        "age_25_34",
        "age_35_44",
        "age_45_54",
        "age_55_plus",
    ]
    assert first["total"] == second["total"] == 8
    assert all(s["type"] == "system" and s["isActive"] for s in first["segments"])
    age = next(s for s in first["segments"] if s["key"] == "age_18_24")
    assert age["criteria"] == {"age": {"gte": 18, "lte": 24}}


def test_ages_use_the_tenants_time_zone_and_null_birthdays_are_in_no_age_segment(h):
    headers = h.register()
    h.client.put("/settings", headers=headers, json={"timezone": "Pacific/Auckland"})
    # 2026-11-21 20:00 UTC is already 2026-11-22 in Auckland.
    clock.set_clock(lambda: dt.datetime(2026, 11, 21, 20, 0, tzinfo=dt.UTC))
    h.contact(headers, "+12015550101", birthDate="2002-11-22", gender="male")  # 24 today there
    h.contact(headers, "+12015550102", birthDate="2001-11-22", gender="female")  # 25 today there
    h.contact(headers, "+12015550103", gender="other")  # no birthday, gender other
    h.contact(headers, "+12015550104")  # nothing known
    counts = {
        s["key"]: s["estimatedCount"]
        for s in h.client.get("/audiences/segments", headers=headers).json()["data"]["segments"]
    }
    assert counts == {
        "gender_male": 1,
        "gender_female": 1,
        "gender_unknown": 1,
        "age_18_24": 1,
        "age_25_34": 1,
        "age_35_44": 0,
        "age_45_54": 0,
        "age_55_plus": 0,
    }


def test_preview_counts_reachable_and_total_members(h):
    headers = h.register()
    h.contact(headers, "+12015550101", gender="female")
    h.contact(headers, "+12015550102", gender="female", smsConsent="opted_out")
    h.contact(headers, "+12015550103", gender="male")
    data = h.client.get("/audiences/segments/sys_gender_female/preview", headers=headers).json()
    assert data["data"] == {"segmentId": "sys_gender_female", "estimatedCount": 1, "totalCount": 2}


def test_custom_segments_combine_criteria_and_static_members(h):
    headers = h.register()
    vip = h.contact(headers, "+12015550101", tags=["VIP"])
    h.contact(headers, "+12015550102", tags=["wholesale"])
    pick = h.contact(headers, "+12015550103")
    resp = h.client.post(
        "/audiences/segments",
        headers=headers,
        json={
            "name": "VIPs and friends",
            "criteria": {"tags": ["vip"]},
            "contactIds": [pick["id"]],
        },
    )
    assert resp.status_code == 201
    seg = resp.json()["data"]
    assert seg["type"] == "custom"
    preview = h.client.get(f"/audiences/segments/{seg['id']}/preview", headers=headers).json()
    assert preview["data"]["estimatedCount"] == 2
    c = h.campaign(headers, audience={"type": "segment", "segmentId": seg["id"]})
    sent = h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers).json()["data"]
    assert sent["queuedRecipients"] == 2
    h.send_all()
    from engage.channels.sandbox import OUTBOX

    assert sorted(m["to"] for m in OUTBOX.list()) == sorted([vip["phoneE164"], pick["phoneE164"]])


def test_bad_segments_and_other_tenants_segments_are_refused(h):
    headers = h.register()
    other = h.register("o@shop.test", "O")
    theirs = h.contact(other, "+12015550101")
    bad = [
        {"name": "x"},
        {"name": "x", "criteria": {"age": {"gte": 40, "lte": 30}}},
        {"name": "x", "criteria": {"shoeSize": 42}},
        {"name": "x", "contactIds": [theirs["id"]]},
    ]
    for body in bad:
        assert h.client.post("/audiences/segments", headers=headers, json=body).status_code == 400
    seg = h.client.post(
        "/audiences/segments",
        headers=other,
        json={"name": "t", "criteria": {"consent": "opted_in"}},
    ).json()["data"]
    assert (
        h.client.get(f"/audiences/segments/{seg['id']}/preview", headers=headers).status_code == 404
    )
    assert h.client.delete(f"/audiences/segments/{seg['id']}", headers=headers).status_code == 404
    assert (
        h.client.delete("/audiences/segments/sys_gender_male", headers=headers).status_code == 409
    )
