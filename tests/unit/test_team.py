"""Team management and invitations (issue 9 "Roles" and "Admin console API"; README "Team and
invitations"): invite -> e-mail -> accept -> signed in with the invited role; who may change
whom; the last owner stays, also under concurrent changes; deactivated and removed members are
refused at once."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest

from engage.channels.email_sandbox import EMAIL_OUTBOX
from engage.core import clock
from engage.core.errors import Conflict
from engage.core.tokens import Principal

PASSWORD = "correct horse battery"


def _json(headers: dict) -> dict:
    """`headers` for a raw JSON body (json.dumps escapes lone surrogates, as a client may)."""
    return {**headers, "content-type": "application/json"}


def _me(h, headers: dict) -> dict:
    resp = h.client.get("/auth/me", headers=headers)
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]


def _invite(h, headers: dict, email: str, role: str):
    return h.client.post(
        "/admin/team/invitations", headers=headers, json={"email": email, "role": role}
    )


def _token(invite_url: str) -> str:
    return parse_qs(urlparse(invite_url).query)["token"][0]


def _accept(h, token: str, name: str = "Ann Agent", password: str = PASSWORD):
    return h.client.post(
        f"/auth/invitations/{token}/accept", json={"password": password, "name": name}
    )


def _join(h, headers: dict, role: str, email: str | None = None) -> dict:
    """Invite and accept: the new member's headers, refresh token, id and e-mail."""
    email = email or f"{role}@team.test"
    invited = _invite(h, headers, email, role)
    assert invited.status_code == 201, invited.text
    accepted = _accept(h, _token(invited.json()["invite_url"]))
    assert accepted.status_code == 200, accepted.text
    tokens = accepted.json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    return {
        "headers": auth,
        "refresh_token": tokens["refresh_token"],
        "id": _me(h, auth)["user"]["id"],
        "email": email,
    }


def _principal(h, member: dict) -> Principal:
    me = _me(h, member["headers"])
    return Principal(me["user"]["id"], me["tenant"]["id"], me["role"], me["user"]["email"])


def _owner(h, email: str = "owner@shop.test", tenant: str = "Shop") -> dict:
    headers = h.register(email=email, tenant=tenant)
    return {"headers": headers, "id": _me(h, headers)["user"]["id"], "email": email}


def _roles(h, headers: dict) -> dict[str, tuple[str, bool]]:
    resp = h.client.get("/admin/team/users", headers=headers)
    assert resp.status_code == 200, resp.text
    return {m["email"]: (m["role"], m["active"]) for m in resp.json()["data"]}


def _active_owners(tenant_id: str) -> int:
    from engage.auth import store

    return store.active_owner_count(tenant_id)


# -- invite -> e-mail -> accept ---------------------------------------------------------------
def test_an_invitation_is_emailed_with_its_link_tenant_and_inviter(h):
    owner = _owner(h, tenant="Blue Shop")
    # When the owner invites an agent
    resp = _invite(h, owner["headers"], "Ann@Team.test", "agent")
    # Then the answer carries the link, and the sandbox outbox holds the e-mail with it
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["email"] == "ann@team.test" and body["role"] == "agent"
    assert body["status"] == "pending" and body["email_status"] == "sent"
    assert body["invite_url"].startswith("http://127.0.0.1:3000/accept-invite?token=")
    (mail,) = EMAIL_OUTBOX.list()
    assert mail["to"] == "ann@team.test"
    assert body["invite_url"] in mail["text"] and "Blue Shop" in mail["text"]
    assert "owner@shop.test" in mail["subject"] and "Blue Shop" in mail["html"]


def test_an_invited_agent_accepts_and_is_signed_in_as_agent(h):
    owner = _owner(h)
    invited = _invite(h, owner["headers"], "ann@team.test", "agent").json()
    # When the invitee accepts with a password and a name
    resp = _accept(h, _token(invited["invite_url"]), name="Ann")
    # Then they get the token response of /auth/login and are an agent of the owner's tenant
    assert resp.status_code == 200, resp.text
    tokens = resp.json()
    assert set(tokens) == {"access_token", "refresh_token", "token_type", "expires_in"}
    agent = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = _me(h, agent)
    assert me["role"] == "agent" and me["tenant"]["id"] == _me(h, owner["headers"])["tenant"]["id"]
    # And an admin-only route refuses them while reads work
    assert _invite(h, agent, "bob@team.test", "viewer").status_code == 403
    assert h.client.get("/admin/team/users", headers=agent).status_code == 200


def test_the_new_member_signs_in_with_the_chosen_password(h):
    owner = _owner(h)
    _join(h, owner["headers"], "viewer", "vic@team.test")
    resp = h.client.post("/auth/login", json={"email": "vic@team.test", "password": PASSWORD})
    assert resp.status_code == 200
    assert _me(h, {"Authorization": f"Bearer {resp.json()['access_token']}"})["role"] == "viewer"


def test_the_member_list_shows_name_role_standing_and_last_sign_in(h):
    owner = _owner(h)
    _join(h, owner["headers"], "agent", "ann@team.test")
    members = h.client.get("/admin/team/users", headers=owner["headers"]).json()
    by_email = {m["email"]: m for m in members["data"]}
    assert members["next_cursor"] is None
    ann = by_email["ann@team.test"]
    assert ann["name"] == "Ann Agent" and ann["role"] == "agent" and ann["active"] is True
    assert ann["created_at"] and ann["last_login_at"]
    assert by_email["owner@shop.test"]["role"] == "owner"


def test_the_member_list_pages_with_a_cursor(h):
    owner = _owner(h)
    for role in ("agent", "viewer"):
        _join(h, owner["headers"], role)
    seen, cursor = [], None
    for _ in range(5):
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = h.client.get("/admin/team/users", headers=owner["headers"], params=params).json()
        seen += [m["email"] for m in page["data"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == ["agent@team.test", "owner@shop.test", "viewer@team.test"]


def test_no_invitation_token_is_stored_in_clear(h):
    import boto3

    owner = _owner(h)
    url = _invite(h, owner["headers"], "ann@team.test", "agent").json()["invite_url"]
    secret = _token(url).rsplit(".", 1)[1]
    items = boto3.client("dynamodb").scan(TableName="engage-test")["Items"]
    assert items and not any(secret in str(item) for item in items)


# -- single use, expiry, revocation -------------------------------------------------------------
def test_an_invitation_works_once(h):
    owner = _owner(h)
    token = _token(_invite(h, owner["headers"], "ann@team.test", "agent").json()["invite_url"])
    assert _accept(h, token).status_code == 200
    again = _accept(h, token, password="another long password")
    assert again.status_code == 401 and "already accepted" in again.json()["message"]


def test_two_accepts_of_one_invitation_at_once_make_one_member(h):
    from engage.auth import invitations
    from engage.auth.schemas import AuthInvitationAccept

    owner = _owner(h)
    token = _token(_invite(h, owner["headers"], "ann@team.test", "agent").json()["invite_url"])
    body = AuthInvitationAccept(password=PASSWORD, name="Ann")
    results: list[str] = []
    barrier = threading.Barrier(4)

    def accept() -> None:
        barrier.wait()
        try:
            invitations.accept(token, body)
            results.append("ok")
        except Exception as exc:  # the losers' errors are what is checked
            results.append(type(exc).__name__)

    threads = [threading.Thread(target=accept) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1, results
    assert sum(1 for email in _roles(h, owner["headers"]) if email == "ann@team.test") == 1


def test_an_invitation_expires_after_seven_days(h):
    owner = _owner(h)
    token = _token(_invite(h, owner["headers"], "ann@team.test", "agent").json()["invite_url"])
    later = clock.now() + timedelta(days=7, seconds=1)
    clock.set_clock(lambda: later)
    resp = _accept(h, token)
    assert resp.status_code == 401 and "expired" in resp.json()["message"]
    listed = h.client.get("/admin/team/invitations", headers=owner["headers"]).json()["data"]
    assert [i["status"] for i in listed] == ["expired"]


def test_an_invitation_still_works_just_before_it_expires(h):
    owner = _owner(h)
    token = _token(_invite(h, owner["headers"], "ann@team.test", "agent").json()["invite_url"])
    later = clock.now() + timedelta(days=7, seconds=-5)
    clock.set_clock(lambda: later)
    assert _accept(h, token).status_code == 200


def test_a_revoked_invitation_stops_working_at_once(h):
    owner = _owner(h)
    invited = _invite(h, owner["headers"], "ann@team.test", "agent").json()
    resp = h.client.delete(f"/admin/team/invitations/{invited['id']}", headers=owner["headers"])
    assert resp.status_code == 200 and resp.json()["status"] == "revoked"
    assert _accept(h, _token(invited["invite_url"])).status_code == 401


def test_a_forged_or_unknown_token_is_refused(h):
    owner = _owner(h)
    token = _token(_invite(h, owner["headers"], "ann@team.test", "agent").json()["invite_url"])
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    for bad in (forged, "nope", "a.b.c", "x" * 200):
        resp = _accept(h, bad)
        assert resp.status_code == 401, (bad, resp.text)


# -- who may invite whom; e-mails already taken ------------------------------------------------
def test_an_admin_cannot_invite_an_owner_but_an_owner_can(h):
    owner = _owner(h)
    admin = _join(h, owner["headers"], "admin")
    resp = _invite(h, admin["headers"], "boss@team.test", "owner")
    assert resp.status_code == 403 and resp.json()["error"] == "forbidden"
    assert _invite(h, admin["headers"], "adam@team.test", "admin").status_code == 201
    assert _invite(h, owner["headers"], "boss@team.test", "owner").status_code == 201


def test_an_accepted_owner_invitation_makes_a_second_owner(h):
    owner = _owner(h)
    boss = _join(h, owner["headers"], "owner", "boss@team.test")
    assert _me(h, boss["headers"])["role"] == "owner"
    # the new owner counts: the first owner can now be demoted by them
    resp = h.client.put(
        f"/admin/team/users/{owner['id']}", headers=boss["headers"], json={"role": "admin"}
    )
    assert resp.status_code == 200, resp.text


def test_inviting_a_member_of_the_team_is_a_conflict(h):
    owner = _owner(h)
    _join(h, owner["headers"], "agent", "ann@team.test")
    resp = _invite(h, owner["headers"], "ann@team.test", "admin")
    assert resp.status_code == 409 and resp.json()["error"] == "conflict"


def test_an_email_with_an_account_in_another_tenant_cannot_accept(h):
    owner = _owner(h)
    _owner(h, email="ann@team.test", tenant="Elsewhere")
    invited = _invite(h, owner["headers"], "ann@team.test", "agent")
    assert invited.status_code == 201  # inviting does not reveal other tenants' accounts
    resp = _accept(h, _token(invited.json()["invite_url"]))
    assert resp.status_code == 409
    assert "one e-mail belongs to one account" in resp.json()["message"]


# -- changing and removing members --------------------------------------------------------------
def test_an_admin_changes_an_agents_role(h):
    owner = _owner(h)
    admin = _join(h, owner["headers"], "admin")
    agent = _join(h, owner["headers"], "agent")
    resp = h.client.put(
        f"/admin/team/users/{agent['id']}", headers=admin["headers"], json={"role": "viewer"}
    )
    assert resp.status_code == 200 and resp.json()["role"] == "viewer"
    assert _me(h, agent["headers"])["role"] == "viewer"


def test_an_admin_cannot_change_remove_or_make_an_owner(h):
    owner = _owner(h)
    admin = _join(h, owner["headers"], "admin")
    agent = _join(h, owner["headers"], "agent")
    url = f"/admin/team/users/{owner['id']}"
    for resp in (
        h.client.put(url, headers=admin["headers"], json={"role": "agent"}),
        h.client.put(url, headers=admin["headers"], json={"active": False}),
        h.client.delete(url, headers=admin["headers"]),
        h.client.put(
            f"/admin/team/users/{agent['id']}", headers=admin["headers"], json={"role": "owner"}
        ),
    ):
        assert resp.status_code == 403, resp.text
    assert _roles(h, owner["headers"])["owner@shop.test"] == ("owner", True)


def test_only_an_owner_makes_an_owner(h):
    owner = _owner(h)
    admin = _join(h, owner["headers"], "admin")
    resp = h.client.put(
        f"/admin/team/users/{admin['id']}", headers=owner["headers"], json={"role": "owner"}
    )
    assert resp.status_code == 200 and resp.json()["role"] == "owner"
    assert _me(h, admin["headers"])["role"] == "owner"


def test_nobody_changes_their_own_role_or_removes_themselves(h):
    owner = _owner(h)
    admin = _join(h, owner["headers"], "admin")
    for who in (owner, admin):
        url = f"/admin/team/users/{who['id']}"
        assert h.client.put(url, headers=who["headers"], json={"role": "viewer"}).status_code == 403
        assert h.client.put(url, headers=who["headers"], json={"active": False}).status_code == 403
        assert h.client.delete(url, headers=who["headers"]).status_code == 403


def test_a_deactivated_members_access_and_refresh_tokens_are_refused_at_once(h):
    owner = _owner(h)
    agent = _join(h, owner["headers"], "agent")
    resp = h.client.put(
        f"/admin/team/users/{agent['id']}", headers=owner["headers"], json={"active": False}
    )
    assert resp.status_code == 200 and resp.json()["active"] is False
    assert h.client.get("/auth/me", headers=agent["headers"]).status_code == 401
    refreshed = h.client.post("/auth/refresh", json={"refresh_token": agent["refresh_token"]})
    assert refreshed.status_code == 401
    login = h.client.post("/auth/login", json={"email": agent["email"], "password": PASSWORD})
    assert login.status_code == 401


def test_a_reactivated_member_signs_in_again(h):
    owner = _owner(h)
    agent = _join(h, owner["headers"], "agent")
    url = f"/admin/team/users/{agent['id']}"
    h.client.put(url, headers=owner["headers"], json={"active": False})
    assert h.client.put(url, headers=owner["headers"], json={"active": True}).status_code == 200
    login = h.client.post("/auth/login", json={"email": agent["email"], "password": PASSWORD})
    assert login.status_code == 200


def test_a_removed_members_tokens_are_refused_and_their_email_can_be_invited_again(h):
    owner = _owner(h)
    agent = _join(h, owner["headers"], "agent")
    resp = h.client.delete(f"/admin/team/users/{agent['id']}", headers=owner["headers"])
    assert resp.status_code == 200 and resp.json() == {"id": agent["id"], "deleted": True}
    assert h.client.get("/auth/me", headers=agent["headers"]).status_code == 401
    refreshed = h.client.post("/auth/refresh", json={"refresh_token": agent["refresh_token"]})
    assert refreshed.status_code == 401
    assert "agent@team.test" not in _roles(h, owner["headers"])
    again = _join(h, owner["headers"], "viewer", "agent@team.test")
    assert _me(h, again["headers"])["role"] == "viewer"


def test_another_tenants_member_ids_are_not_found(h):
    owner = _owner(h)
    other = _owner(h, email="other@else.test", tenant="Else")
    agent = _join(h, other["headers"], "agent")
    for resp in (
        h.client.put(
            f"/admin/team/users/{agent['id']}", headers=owner["headers"], json={"role": "viewer"}
        ),
        h.client.delete(f"/admin/team/users/{agent['id']}", headers=owner["headers"]),
        h.client.delete(f"/admin/team/invitations/{agent['id']}", headers=owner["headers"]),
    ):
        assert resp.status_code == 404, resp.text
    assert _me(h, agent["headers"])["role"] == "agent"


def test_another_tenants_invitation_cannot_be_revoked(h):
    owner = _owner(h)
    other = _owner(h, email="other@else.test", tenant="Else")
    invited = _invite(h, other["headers"], "ann@team.test", "agent").json()
    resp = h.client.delete(f"/admin/team/invitations/{invited['id']}", headers=owner["headers"])
    assert resp.status_code == 404
    assert _accept(h, _token(invited["invite_url"])).status_code == 200


# -- the last owner stays ------------------------------------------------------------------------
def test_two_owners_demoting_each_other_at_once_leave_one(h, monkeypatch):
    from engage.auth import store
    from engage.team import service
    from engage.team.schemas import TeamMemberUpdate

    owner = _owner(h)
    boss = _join(h, owner["headers"], "owner", "boss@team.test")
    tenant_id = _me(h, owner["headers"])["tenant"]["id"]
    boss_principal = _principal(h, boss)
    inner: list[Exception] = []
    real = store.set_member_if

    def interleaved(*args, **kwargs):
        # Given owner's demotion of boss has reserved its change, boss demotes owner meanwhile
        if not inner:
            try:
                service.update_member(boss_principal, owner["id"], TeamMemberUpdate(role="admin"))
            except Conflict as exc:
                inner.append(exc)
            else:
                inner.append(AssertionError("the second demotion went through"))
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "set_member_if", interleaved)
    resp = h.client.put(
        f"/admin/team/users/{boss['id']}", headers=owner["headers"], json={"role": "admin"}
    )
    # Then one demotion wins, the other is the last-owner 409, and one owner is left
    assert resp.status_code == 200, resp.text
    assert isinstance(inner[0], Conflict) and "at least one active owner" in inner[0].message
    assert _active_owners(tenant_id) == 1


def test_many_owners_removing_each_other_concurrently_always_leave_one(h):
    from engage.auth import owner_store
    from engage.auth.models import OwnerCountItem
    from engage.core import keys
    from engage.team import service
    from engage.team.schemas import TeamMemberUpdate

    first = _owner(h)
    others = [_join(h, first["headers"], "owner", f"o{i}@team.test") for i in range(3)]
    everyone = [first, *others]
    principals = {m["id"]: _principal(h, m) for m in everyone}
    tenant_id = principals[first["id"]].tenant_id
    barrier = threading.Barrier(len(everyone) * (len(everyone) - 1))
    outcomes: list[str] = []

    def change(actor: dict, target: dict, n: int) -> None:
        barrier.wait()
        try:
            if n % 3 == 0:
                service.remove_member(principals[actor["id"]], target["id"])
            elif n % 3 == 1:
                body = TeamMemberUpdate(active=False)
                service.update_member(principals[actor["id"]], target["id"], body)
            else:
                body = TeamMemberUpdate(role="viewer")
                service.update_member(principals[actor["id"]], target["id"], body)
            outcomes.append("ok")
        except Exception as exc:  # 409s (and 404s for removed targets) are expected
            outcomes.append(type(exc).__name__)

    # When every owner takes every other owner away at the same moment
    threads = [
        threading.Thread(target=change, args=(a, t, n))
        for n, (a, t) in enumerate((a, t) for a in everyone for t in everyone if a is not t)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Then at least one active owner is left and the count agrees with the members
    assert _active_owners(tenant_id) >= 1, outcomes
    assert owner_store.exists(tenant_id)
    count = OwnerCountItem.get(*keys.owner_count_key(tenant_id), consistent_read=True).owners
    assert count == _active_owners(tenant_id)


def test_a_tenant_without_an_owner_count_still_keeps_its_last_owner(h):
    from engage.auth.models import OwnerCountItem
    from engage.core import keys

    owner = _owner(h)
    boss = _join(h, owner["headers"], "owner", "boss@team.test")
    tenant_id = _me(h, owner["headers"])["tenant"]["id"]
    OwnerCountItem(*keys.owner_count_key(tenant_id)).delete()  # as registered before the count
    resp = h.client.put(
        f"/admin/team/users/{boss['id']}", headers=owner["headers"], json={"active": False}
    )
    assert resp.status_code == 200
    count = OwnerCountItem.get(*keys.owner_count_key(tenant_id), consistent_read=True).owners
    assert count == 1 == _active_owners(tenant_id)


# -- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "role": "agent"},
        {"email": "ann@team.test", "role": "superuser"},
        {"email": "ann@team.test"},
        {"email": "ann@team.test", "role": "agent", "extra": 1},
        {"email": "\ud800@team.test", "role": "agent"},
        {"email": "a" * 300 + "@team.test", "role": "agent"},
        [],
    ],
)
def test_a_bad_invitation_is_a_400(h, body):
    owner = _owner(h)
    resp = h.client.post(
        "/admin/team/invitations", headers=_json(owner["headers"]), content=json.dumps(body)
    )
    assert resp.status_code == 400 and resp.json()["error"] == "validation_error", resp.text


@pytest.mark.parametrize(
    "body",
    [{}, {"role": "boss"}, {"active": "yes"}, {"active": 1}, {"role": "agent", "x": 1}, None],
)
def test_a_bad_member_change_is_a_400(h, body):
    owner = _owner(h)
    agent = _join(h, owner["headers"], "agent")
    url = f"/admin/team/users/{agent['id']}"
    resp = h.client.put(url, headers=_json(owner["headers"]), content=json.dumps(body))
    assert resp.status_code == 400 and resp.json()["error"] == "validation_error", resp.text


@pytest.mark.parametrize("path", ["/admin/team/users/bad%20id", "/admin/team/users/" + "A" * 65])
def test_a_bad_member_id_is_a_400(h, path):
    owner = _owner(h)
    resp = h.client.delete(path, headers=owner["headers"])
    assert resp.status_code == 400, resp.text


@pytest.mark.parametrize(
    "body",
    [
        {"password": "short", "name": "Ann"},
        {"password": PASSWORD},
        {"password": PASSWORD, "name": "   "},
        {"password": PASSWORD, "name": "Ann", "role": "owner"},
        {"password": "\ud800" * 10, "name": "Ann"},
    ],
)
def test_a_bad_accept_body_is_a_400_and_leaves_the_invitation_usable(h, body):
    owner = _owner(h)
    token = _token(_invite(h, owner["headers"], "ann@team.test", "agent").json()["invite_url"])
    url = f"/auth/invitations/{token}/accept"
    resp = h.client.post(url, headers=_json({}), content=json.dumps(body))
    assert resp.status_code == 400 and resp.json()["error"] == "validation_error", resp.text
    assert _accept(h, token).status_code == 200


def test_accepting_is_rate_limited_like_login(h, monkeypatch):
    from engage.core.settings import get_settings

    monkeypatch.setenv("LOGIN_RATE_LIMIT_PER_MINUTE", "3")
    get_settings.cache_clear()
    statuses = [_accept(h, "a.b.c").status_code for _ in range(5)]
    assert statuses[:3] == [401, 401, 401] and statuses[3:] == [429, 429]


# -- for the onboarding checklist ------------------------------------------------------------------
def test_counts_give_members_and_pending_invitations(h):
    from engage.team import service

    owner = _owner(h)
    _join(h, owner["headers"], "agent")
    _invite(h, owner["headers"], "later@team.test", "viewer")
    tenant_id = _me(h, owner["headers"])["tenant"]["id"]
    assert service.counts(tenant_id) == {"members": 2, "pending_invitations": 1}
