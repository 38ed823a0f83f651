"""Items of agent groups, agent load, queues and session routing (issue 11 "Routing and agent
capacity"; keys in `core/keys_routing.py`).

The agent's load item is the semaphore of the voice design (engage/voice/semaphore_store.py):
`open` counts the sessions it holds, `holders` records each one (conversation id -> the queue
it came from and when), so taking a slot is one conditional write (`open < capacity` and the
holder absent) and releasing is one conditional write that requires the holder: at most once
however often it is retried.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)

from engage.core.db import BaseItem


class GroupMember(MapAttribute[str, Any]):
    """One member of a group and the capacity (maximum open sessions) they take it at."""

    user_id = UnicodeAttribute(attr_name="userId")
    capacity = NumberAttribute()


class AgentGroupItem(BaseItem):
    """`PK=T#<t>#RGRP`, `SK=<groupId>`: a group's name and members."""

    name = UnicodeAttribute()
    members = ListAttribute(of=GroupMember, default=list)
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    version = NumberAttribute(default=0)


class GroupNameItem(BaseItem):
    """`PK=T#<t>#RGRPN#<name>`, `SK=NAME`: the group that holds a name."""

    group_id = UnicodeAttribute(attr_name="groupId")


class AgentLoadItem(BaseItem):
    """`PK=T#<t>#AGLOAD#<userId>`, `SK=LOAD`. `open`: sessions held (= len(holders));
    `holders`: conversation id -> `{"queue", "since"}`; `caps`: group id -> the member's
    capacity in that group (a group assigns only while `open < caps[group]`); `capacity`: the
    largest of `caps` (manual and per-agent assignment; absent: no limit, the member is in no
    group); `presence` online | away | offline and `chosen`, what the member last chose through
    the API (a chosen `away` survives socket changes); `sockets`: open realtime connection ids;
    `last_assigned_at`: ties between equally loaded agents go to the longest idle."""

    user_id = UnicodeAttribute(attr_name="userId")
    open = NumberAttribute(default=0)
    holders = MapAttribute[str, Any](default=dict)
    caps = MapAttribute[str, Any](default=dict)
    capacity = NumberAttribute(null=True)
    presence = UnicodeAttribute(default="offline")
    chosen = UnicodeAttribute(null=True)
    presence_at = UnicodeAttribute(null=True, attr_name="presenceAt")
    sockets = MapAttribute[str, Any](default=dict)
    last_assigned_at = UnicodeAttribute(null=True, attr_name="lastAssignedAt")
    version = NumberAttribute(default=0)


class QueueEntryItem(BaseItem):
    """`PK=T#<t>#RQ#<queueId>`, `SK=Q#<rank>#<enqueuedAt>#<conversationId>`: one waiting
    session."""

    conversation_id = UnicodeAttribute(attr_name="conversationId")
    priority = UnicodeAttribute()
    enqueued_at = UnicodeAttribute(attr_name="enqueuedAt")


class DrainLeaseItem(BaseItem):
    """`PK=T#<t>#RQ#<queueId>`, `SK=LEASE`: who drains the queue now (`holder`, until
    `until`), whether work arrived meanwhile (`dirty`: the holder drains again) and the entry
    the holder took out last (`claimed`, its sort key: the next holder puts it back if the
    drainer died with it)."""

    holder = UnicodeAttribute(null=True)
    claimed = UnicodeAttribute(null=True)
    until = UnicodeAttribute(null=True)
    dirty = BooleanAttribute(default=False)


class SessionRouteItem(BaseItem):
    """`PK=T#<t>#CV#<conversationId>`, `SK=ROUTE`: where the engine has a session: `slots`
    (agent id -> since: the load items holding it) and, while it waits, `queue` and `qsk`
    (its queue entry)."""

    slots = MapAttribute[str, Any](default=dict)
    queue = UnicodeAttribute(null=True)
    qsk = UnicodeAttribute(null=True)


class RoutingTenantItem(BaseItem):
    """`PK=RTENANTS`, `SK=<tenantId>`: the tenant has (or had) agent groups."""

    since = UnicodeAttribute()
