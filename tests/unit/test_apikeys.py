"""API keys (issue 9 "Keys"; seed 001 mismatch 2): shown once and never again, stored only as
hashes, revoked keys refused at once, rotation with a grace period, another tenant's key ids are
404, and `last_used_at` written at most once a minute."""

from __future__ import annotations

import datetime as dt
import hashlib

import boto3
import pytest

from engage.core import clock
from engage.core.errors import Unauthorized
from engage.endusers.auth import authenticate


def tenant_of(h, headers: dict) -> str:
    return h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]


def create(h, headers: dict, kind: str = "publishable", name: str = "iOS app") -> dict:
    resp = h.client.post("/admin/api-keys", headers=headers, json={"name": name, "kind": kind})
    assert resp.status_code == 201, resp.text
    return resp.json()


def all_items() -> list[dict]:
    """Every item of the table (a test may scan; the product never does on a request path)."""
    table = boto3.resource("dynamodb").Table("engage-test")
    return table.scan()["Items"]


class FakeClock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        clock.set_clock(lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


def works(key: str, user_id: str = "user-1") -> bool:
    try:
        authenticate(key, user_id, None)
    except Unauthorized:
        return False
    return True


# -- shown once ----------------------------------------------------------------------------------
def test_a_new_key_is_in_the_create_answer_with_its_prefix(h):
    owner = h.register()
    created = create(h, owner)
    assert created["key"].startswith("pk_test_") and len(created["key"]) == 48
    assert created["prefix"] == created["key"][:12]
    assert created["kind"] == "publishable" and created["name"] == "iOS app"
    assert created["status"] == "active" and created["last_used_at"] is None


def test_the_key_is_never_listed_again(h):
    owner = h.register()
    created = create(h, owner)
    listed = h.client.get("/admin/api-keys", headers=owner)
    assert listed.status_code == 200
    body = listed.json()
    assert [k["id"] for k in body["data"]] == [created["id"]] and body["next_cursor"] is None
    assert "key" not in body["data"][0]
    assert created["key"] not in listed.text


def test_the_store_holds_only_the_hash_of_the_key(h):
    owner = h.register()
    created = create(h, owner, kind="secret")
    items = all_items()
    assert not [i for i in items if any(created["key"] in str(v) for v in i.values())]
    digest = hashlib.sha256(created["key"].encode()).hexdigest()
    assert [i for i in items if i.get("keyHash") == digest]


def test_the_create_answer_is_not_cached(h):
    owner = h.register()
    resp = h.client.post("/admin/api-keys", headers=owner, json={"name": "web", "kind": "secret"})
    assert resp.headers["Cache-Control"] == "no-store"


def test_keys_list_newest_first_in_cursor_pages(h):
    owner = h.register()
    made = [create(h, owner, name=f"key {n}")["id"] for n in range(3)]
    first = h.client.get("/admin/api-keys?limit=2", headers=owner).json()
    assert [k["id"] for k in first["data"]] == made[::-1][:2] and first["next_cursor"]
    cursor = first["next_cursor"]
    rest = h.client.get(f"/admin/api-keys?limit=2&cursor={cursor}", headers=owner).json()
    assert [k["id"] for k in rest["data"]] == made[:1] and rest["next_cursor"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "kind": "master"},
        {"name": "", "kind": "secret"},
        {"kind": "secret"},
        {"name": "x", "kind": "secret", "key": "pk_test_mine"},
    ],
)
def test_a_bad_create_body_is_a_400(h, body):
    owner = h.register()
    resp = h.client.post("/admin/api-keys", headers=owner, json=body)
    assert resp.status_code == 400 and resp.json()["error"] == "validation_error"


def test_a_bad_cursor_is_a_400(h):
    owner = h.register()
    resp = h.client.get("/admin/api-keys?cursor=nope", headers=owner)
    assert resp.status_code == 400


# -- use and revocation -------------------------------------------------------------------------
def test_a_key_authenticates_end_users_of_its_own_tenant(h):
    owner = h.register()
    created = create(h, owner)
    user = authenticate(created["key"], "user-1", None)
    assert (user.tenant_id, user.user_id, user.key_id) == (
        tenant_of(h, owner),
        "user-1",
        created["id"],
    )
    assert user.trusted is False


def test_a_revoked_key_is_refused_at_once(h):
    owner = h.register()
    created = create(h, owner)
    assert works(created["key"])
    resp = h.client.delete(f"/admin/api-keys/{created['id']}", headers=owner)
    assert resp.status_code == 200 and resp.json()["status"] == "revoked"
    assert not works(created["key"])
    listed = h.client.get("/admin/api-keys", headers=owner).json()["data"]
    assert listed[0]["status"] == "revoked" and listed[0]["revoked_at"]


def test_revoking_twice_answers_the_same_revocation(h):
    owner = h.register()
    created = create(h, owner)
    first = h.client.delete(f"/admin/api-keys/{created['id']}", headers=owner).json()
    again = h.client.delete(f"/admin/api-keys/{created['id']}", headers=owner)
    assert again.status_code == 200 and again.json()["revoked_at"] == first["revoked_at"]


def test_a_revoked_key_cannot_be_rotated(h):
    owner = h.register()
    created = create(h, owner)
    h.client.delete(f"/admin/api-keys/{created['id']}", headers=owner)
    resp = h.client.post(f"/admin/api-keys/{created['id']}/rotate", headers=owner)
    assert resp.status_code == 409


def test_revoking_a_rotated_key_refuses_its_old_value_too(h):
    owner = h.register()
    created = create(h, owner)
    rotated = h.client.post(f"/admin/api-keys/{created['id']}/rotate", headers=owner).json()
    h.client.delete(f"/admin/api-keys/{created['id']}", headers=owner)
    assert not works(created["key"]) and not works(rotated["key"])


# -- rotation -----------------------------------------------------------------------------------
def test_rotation_answers_a_new_key_and_when_the_old_one_stops(h):
    owner = h.register()
    fake = FakeClock()
    created = create(h, owner)
    resp = h.client.post(f"/admin/api-keys/{created['id']}/rotate", headers=owner)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-store"
    rotated = resp.json()
    assert rotated["id"] == created["id"] and rotated["key"] != created["key"]
    assert rotated["prefix"] == rotated["key"][:12] and rotated["grace_period_seconds"] == 86400
    expected = clock.iso(fake.now + dt.timedelta(hours=24))
    assert rotated["previous_key_expires_at"] == expected
    assert rotated["key"] not in h.client.get("/admin/api-keys", headers=owner).text


def test_the_old_key_works_during_the_grace_period_and_not_after(h):
    owner = h.register()
    fake = FakeClock()
    created = create(h, owner)
    rotated = h.client.post(f"/admin/api-keys/{created['id']}/rotate", headers=owner).json()
    fake.advance(hours=23, minutes=59)
    assert works(created["key"]) and works(rotated["key"])
    fake.advance(minutes=1)
    assert not works(created["key"]) and works(rotated["key"])


def test_rotating_again_ends_the_older_values_grace_at_once(h):
    owner = h.register()
    created = create(h, owner)
    url = f"/admin/api-keys/{created['id']}/rotate"
    second = h.client.post(url, headers=owner).json()
    third = h.client.post(url, headers=owner).json()
    assert not works(created["key"])
    assert works(second["key"]) and works(third["key"])


# -- isolation ----------------------------------------------------------------------------------
def test_another_tenants_key_id_is_a_404_and_changes_nothing(h):
    owner = h.register()
    created = create(h, owner)
    other = h.register(email="other@else.test", tenant="Else")
    assert h.client.delete(f"/admin/api-keys/{created['id']}", headers=other).status_code == 404
    rotate = h.client.post(f"/admin/api-keys/{created['id']}/rotate", headers=other)
    assert rotate.status_code == 404
    assert h.client.get("/admin/api-keys", headers=other).json()["data"] == []
    assert works(created["key"])


def test_an_unknown_key_id_is_a_404(h):
    owner = h.register()
    for url in ("/admin/api-keys/01ARZ3NDEKTSV4RRFFQ69G5FAV", "/admin/api-keys/x%23y"):
        assert h.client.delete(url, headers=owner).status_code == 404


# -- last use -----------------------------------------------------------------------------------
def test_last_used_at_is_written_at_most_once_a_minute(h):
    owner = h.register()
    fake = FakeClock()
    created = create(h, owner)
    first_use = clock.now_iso()

    def last_used() -> str | None:
        keys = h.client.get("/admin/api-keys", headers=owner).json()["data"]
        return keys[0]["last_used_at"]

    assert works(created["key"])
    assert last_used() == first_use
    fake.advance(seconds=59)
    assert works(created["key"])
    assert last_used() == first_use
    fake.advance(seconds=2)
    assert works(created["key"])
    assert last_used() == clock.now_iso()
