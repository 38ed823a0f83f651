"""Helpers of the assignment tests (issue 11 "Routing and agent capacity"): a team with
agents, groups made through the service, sessions opened the way the product opens them, and
the consumer's reaction to a change run the way the bus runs it (`settle`)."""

from __future__ import annotations

import datetime as dt
import itertools

from engage.auth import store as auth_store
from engage.conversations import inbox, service
from engage.conversations.schemas import ConversationCreate, ConversationUpdate, MessageCreate
from engage.core import clock, ids
from engage.routing import assignment, consumer, groups, load_store
from engage.routing.facts import ActionKind, RuleAction
from engage.routing.group_schemas import GroupCreate, GroupMemberIn, GroupUpdate, Presence

_users = itertools.count(1)


class FakeClock:
    """The one clock, moved by hand."""

    def __init__(self) -> None:
        # starts at the OS's time: PyJWT checks token expiry against it
        self.now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def __call__(self) -> dt.datetime:
        return self.now

    def tick(self, seconds: float = 1.0) -> None:
        self.now += dt.timedelta(seconds=seconds)


def tenant_of(h, headers) -> tuple[str, str]:
    me = h.client.get("/auth/me", headers=headers).json()["data"]
    return me["tenant"]["id"], me["user"]["id"]


def member(tenant_id: str, role: str = "agent") -> str:
    """A member of the tenant with `role` (not signed in); returns their id."""
    user_id = ids.new_id()
    email = f"{role}-{next(_users)}-{ids.token(4).lower()}@shop.test"
    assert auth_store.claim_email(email, tenant_id, user_id)
    auth_store.put_user(tenant_id, user_id, email, "x", role, clock.now_iso())
    return user_id


def group(tenant_id: str, name: str, caps: dict[str, int]) -> str:
    body = GroupCreate(
        name=name, members=[GroupMemberIn(user_id=u, capacity=c) for u, c in caps.items()]
    )
    return groups.create_group(tenant_id, body).id


def set_caps(tenant_id: str, group_id: str, caps: dict[str, int]) -> None:
    members = [GroupMemberIn(user_id=u, capacity=c) for u, c in caps.items()]
    groups.update_group(tenant_id, group_id, GroupUpdate(members=members))


def online(tenant_id: str, *user_ids: str) -> None:
    for user_id in user_ids:
        groups.set_presence(tenant_id, user_id, Presence.ONLINE)


def session(tenant_id: str, user: str | None = None, priority: str | None = None) -> str:
    """A new chat session (its end user `user`), at `priority` (set before routing)."""
    body = ConversationCreate(message=MessageCreate(content="Hello"))
    cid = service.start_conversation(tenant_id, user or f"u-{ids.token(6)}", body).id
    if priority:
        inbox.update(tenant_id, cid, ConversationUpdate(priority=priority))
    return cid


def route(tenant_id: str, cid: str, group_id: str) -> None:
    """What the consumer does for a session the rules send to `group_id`."""
    action = RuleAction(ActionKind.ASSIGN_TO_AGENT_GROUP, group_id)
    consumer.apply_action(tenant_id, cid, action, ref=ids.token(8))


def change(tenant_id: str, cid: str, **fields) -> None:
    """A change through the console, then the consumer's reaction to its event."""
    inbox.update(tenant_id, cid, ConversationUpdate(**fields))
    assignment.settle(tenant_id, cid)


def resolve(tenant_id: str, cid: str) -> None:
    change(tenant_id, cid, status="resolved")


def assignee(tenant_id: str, cid: str) -> str | None:
    return inbox.get(tenant_id, cid).assignee_id


def open_count(tenant_id: str, user_id: str) -> int:
    load = load_store.get(tenant_id, user_id)
    return int(load.open or 0) if load else 0
