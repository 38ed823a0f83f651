"""Roles (issue 9 "Roles"; README.md "Roles"): every protected route x every role matches the
published matrix, and a member's role and standing are read at each request."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from fastapi.routing import APIRoute

from engage.core import clock, ids
from engage.core.auth import get_principal
from tests.conftest import FUNCTIONS

PASSWORD = "correct horse battery"
ROLES = ("viewer", "agent", "admin", "owner")
_HASH = PasswordHasher().hash(PASSWORD)


def _protected_routes() -> list[tuple[str, str]]:
    """(method, path) of every route of every group that needs a signed-in member."""

    def uses_principal(dependant) -> bool:
        return any(d.call is get_principal or uses_principal(d) for d in dependant.dependencies)

    out = []
    for fn in FUNCTIONS.values():
        if not fn.is_http:
            continue
        for route in fn.load().router.routes:
            if isinstance(route, APIRoute) and uses_principal(route.dependant):
                out.extend((m, route.path) for m in sorted(route.methods))
    return sorted(set(out))


# Routes whose role is not the default one (README.md "Roles"), by (method, path).
REQUIRED: dict[tuple[str, str], str] = {
    # console: keys and the identity secret are admin business, reads included; the account,
    # its usage, the onboarding checklist and the quickstart are read by every member
    ("GET", "/admin/api-keys"): "admin",
    ("POST", "/admin/api-keys"): "admin",
    ("DELETE", "/admin/api-keys/{key_id}"): "admin",
    ("POST", "/admin/api-keys/{key_id}/rotate"): "admin",
    ("POST", "/admin/account/identity-secret"): "admin",
    ("GET", "/admin/account"): "viewer",
    ("PUT", "/admin/account"): "admin",
    ("GET", "/admin/account/usage"): "viewer",
    ("GET", "/admin/onboarding"): "viewer",
    ("GET", "/admin/docs/quickstart"): "viewer",
    # team (issue 9): every member lists the team (agents assign conversations to teammates);
    # inviting, changing and removing need an admin (an owner for owners: tests/unit/test_team.py)
    ("GET", "/admin/team/users"): "viewer",
    ("GET", "/admin/team/invitations"): "viewer",
    ("POST", "/admin/team/invitations"): "admin",
    ("PUT", "/admin/team/users/{id}"): "admin",
    ("DELETE", "/admin/team/users/{id}"): "admin",
    ("DELETE", "/admin/team/invitations/{id}"): "admin",
    # inbox: working a conversation (update, reply or note, receipts) needs an agent
    ("PUT", "/admin/api/conversations/{conversation_id}"): "agent",
    ("POST", "/admin/api/conversations/{conversation_id}/messages"): "agent",
    ("POST", "/admin/api/conversations/{conversation_id}/delivered"): "agent",
    ("POST", "/admin/api/conversations/{conversation_id}/read"): "agent",
    # video sessions (issue 10): agents start and end the sessions they hold with customers
    ("POST", "/video/sessions"): "agent",
    ("POST", "/video/sessions/{session_id}/end"): "agent",
    # agent groups (issue 11): a member sets their own presence
    ("PUT", "/agents/me/presence"): "agent",
    # the hub's sessions (issue 11): agents work sessions and their messages
    ("POST", "/sessions/create"): "agent",
    ("PUT", "/sessions/{sessionId}"): "agent",
    ("POST", "/sessions/{sessionId}/transfer"): "agent",
    ("POST", "/messages/send"): "agent",
    # notifications (issue 11): every member reads and marks its own
    ("PUT", "/notifications/{notificationId}/read"): "viewer",
    # customers (issue 11, seed 003 section 4): agents keep the profile of the customer they
    # serve up to date (consent is not settable there)
    ("PUT", "/customers/{customerId}/profile"): "agent",
    # ratings (issue 11): an agent records a customer's rating given on a call
    ("POST", "/sessions/{sessionId}/rating"): "agent",
}


def required_role(method: str, path: str) -> str:
    """The published matrix (README.md "Roles"): reads need a viewer, writes an admin, except
    the routes of `REQUIRED`."""
    return REQUIRED.get((method, path), "viewer" if method == "GET" else "admin")


def _member(h, owner_headers: dict, role: str) -> dict:
    """A member of the owner's tenant with `role`, signed in."""
    from engage.auth import store

    tenant_id = h.client.get("/auth/me", headers=owner_headers).json()["data"]["tenant"]["id"]
    email = f"{role}-{ids.token(6).lower()}@shop.test"
    user_id = ids.new_id()
    assert store.claim_email(email, tenant_id, user_id)
    store.put_user(tenant_id, user_id, email, _HASH, role, clock.now_iso())
    resp = h.client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['access_token']}", "x-user-id": user_id}


def test_the_matrix_covers_every_group():
    paths = {p for _, p in _protected_routes()}
    for prefix in (
        "/contacts",
        "/campaigns",
        "/audiences",
        "/automations",
        "/settings",
        "/admin/team",
        "/channels",  # omnichannel (issue 10)
        "/integrations",
        "/routing/groups",  # agent groups (issue 11)
        "/sessions",  # the hub's sessions (issue 11)
        "/messages",
        "/notifications",  # issue 11
        "/customers",  # issue 11
        "/routing",  # routing rules (issue 11)
    ):
        assert any(p.startswith(prefix) for p in paths), prefix
    assert any(p.startswith("/api/") for p in paths)  # voice


def test_every_protected_route_answers_each_role_as_the_matrix_says(h):
    # Given a tenant with one member of each role
    owner = h.register()
    members = {role: _member(h, owner, role) for role in ROLES if role != "owner"}
    members["owner"] = owner
    wrong = []
    # When each member calls every protected route (ids that do not exist, empty bodies)
    for method, path in _protected_routes():
        url = re.sub(r"\{[^}]+\}", "nope", path)
        needed = required_role(method, path)
        for role, headers in members.items():
            auth = {"Authorization": headers["Authorization"]}
            resp = h.client.request(method, url, headers=auth, json={})
            allowed = ROLES.index(role) >= ROLES.index(needed)
            # Then a role below the route's is refused with 403, and any other is let through
            if allowed and resp.status_code in (401, 403):
                wrong.append(f"{role} {method} {path}: {resp.status_code}")
            if not allowed and (resp.status_code != 403 or resp.json()["error"] != "forbidden"):
                wrong.append(f"{role} {method} {path}: {resp.status_code}, expected 403")
    assert not wrong, "\n".join(wrong)


def test_a_deactivated_member_is_refused_at_once_everywhere(h):
    from engage.auth import store

    owner = h.register()
    admin = _member(h, owner, "admin")
    tenant_id = h.client.get("/auth/me", headers=owner).json()["data"]["tenant"]["id"]
    me = h.client.get("/auth/me", headers=admin).json()["data"]
    assert me["role"] == "admin"
    # When the member is deactivated, their unexpired access token stops working at once
    assert store.update_member(tenant_id, admin["x-user-id"], active=False)
    auth = {"Authorization": admin["Authorization"]}
    assert h.client.get("/auth/me", headers=auth).status_code == 401
    assert h.client.get("/contacts", headers=auth).status_code == 401
    # And they cannot sign in again
    resp = h.client.post("/auth/login", json={"email": me["user"]["email"], "password": PASSWORD})
    assert resp.status_code == 401 and "deactivated" in resp.json()["message"]


def test_a_demotion_applies_to_the_next_request(h):
    from engage.auth import store

    owner = h.register()
    admin = _member(h, owner, "admin")
    tenant_id = h.client.get("/auth/me", headers=owner).json()["data"]["tenant"]["id"]
    auth = {"Authorization": admin["Authorization"]}
    body = {"phone": "+12015550100"}
    assert h.client.post("/contacts", headers=auth, json=body).status_code == 201
    store.update_member(tenant_id, admin["x-user-id"], role="viewer")
    body = {"phone": "+12015550101"}
    assert h.client.post("/contacts", headers=auth, json=body).status_code == 403
    assert h.client.get("/contacts", headers=auth).status_code == 200


def test_a_removed_member_is_refused_at_once(h):
    from engage.auth import store

    owner = h.register()
    agent = _member(h, owner, "agent")
    tenant_id = h.client.get("/auth/me", headers=owner).json()["data"]["tenant"]["id"]
    store.delete_user(tenant_id, agent["x-user-id"])
    resp = h.client.get("/auth/me", headers={"Authorization": agent["Authorization"]})
    assert resp.status_code == 401


@pytest.mark.parametrize("role", ["viewer", "agent"])
def test_a_console_socket_of_any_member_opens_but_a_deactivated_one_does_not(h, role):
    from engage.auth import store

    owner = h.register()
    member = _member(h, owner, role)
    tenant_id = h.client.get("/auth/me", headers=owner).json()["data"]["tenant"]["id"]
    token = member["Authorization"].split()[1]

    def connect(cid: str) -> int:
        event = {
            "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": cid},
            "queryStringParameters": {"access_token": token},
        }
        return FUNCTIONS["RealtimeFunction"].invoke(event)["statusCode"]

    assert connect("c1") == 200
    store.update_member(tenant_id, member["x-user-id"], active=False)
    assert connect("c2") == 401
