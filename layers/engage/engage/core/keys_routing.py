"""Key builders and parsers of agent groups, agent load, group queues and session routing
(issue 11 "Routing and agent capacity"), re-exported by `engage.core.keys` (use them as
`keys.<name>`; DESIGN.md section 2, STYLE.md rule 5).

- `T#<t>#RGRP` / `<groupId>`: the tenant's groups (one Query lists them);
- `T#<t>#RGRPN#<name, lower-cased>` / `NAME`: a group name's claim (names are unique);
- `T#<t>#AGLOAD#<userId>` / `LOAD`: one agent's load (open sessions, capacities, presence);
- `T#<t>#RQ#<queueId>` / `Q#<rank>#<enqueuedAt>#<conversationId>`: a queue's waiting
  sessions, highest priority (rank 0 = urgent) then oldest first; `LEASE` in the same
  partition is the queue's drain lease. A queue id is a group id or `@<userId>` (sessions
  waiting for one agent);
- `T#<t>#CV#<conversationId>` / `ROUTE`: a session's routing state, beside its conversation;
- `RTENANTS` / `<tenantId>`: the tenants that have groups (a global look-up that exists to
  find tenants: the one-minute sweep).
"""

from __future__ import annotations

import re

from engage.core.keys_chat import conversation_partition

ROUTE_SK = "ROUTE"
LOAD_SK = "LOAD"
LEASE_SK = "LEASE"
QUEUE_SK_PREFIX = "Q#"
ROUTING_TENANTS_PK = "RTENANTS"
PRIORITY_RANKS = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
"""Queue order: a lower rank is served first."""


def agent_group_partition(tenant_id: str) -> str:
    """The partition of the tenant's agent groups (sort key: the group id)."""
    return f"T#{tenant_id}#RGRP"


def agent_group_key(tenant_id: str, group_id: str) -> tuple[str, str]:
    """One agent group."""
    return agent_group_partition(tenant_id), group_id


def agent_group_name_key(tenant_id: str, name: str) -> tuple[str, str]:
    """The claim of a group name (case-insensitive) -> the group id."""
    return f"T#{tenant_id}#RGRPN#{name.strip().lower()}", "NAME"


def agent_load_key(tenant_id: str, user_id: str) -> tuple[str, str]:
    """One agent's load item."""
    return f"T#{tenant_id}#AGLOAD#{user_id}", LOAD_SK


def agent_queue_id(user_id: str) -> str:
    """The queue id of sessions waiting for one agent (`assign_to_agent:<id>`)."""
    return f"@{user_id}"


def queue_agent(queue_id: str) -> str | None:
    """The agent of an `agent_queue_id`, None for a group's queue."""
    return queue_id[1:] if queue_id.startswith("@") else None


def routing_queue_partition(tenant_id: str, queue_id: str) -> str:
    """The partition of one queue (a group's or an agent's) and its drain lease."""
    return f"T#{tenant_id}#RQ#{queue_id}"


def routing_queue_sk(priority: str, enqueued_at: str, conversation_id: str) -> str:
    """A waiting session's sort key: priority rank, then enqueue time (ISO, sortable)."""
    rank = PRIORITY_RANKS.get(priority, PRIORITY_RANKS["normal"])
    return f"{QUEUE_SK_PREFIX}{rank}#{enqueued_at}#{conversation_id}"


_QUEUE_SK = re.compile(r"^Q#(\d)#([^#]+)#([^#]+)$")


def parse_routing_queue_sk(sk: str) -> tuple[int, str, str]:
    """`(rank, enqueued_at, conversation_id)` of a `routing_queue_sk`; ValueError otherwise."""
    found = _QUEUE_SK.match(sk)
    if found is None:
        raise ValueError("not a routing queue key")
    return int(found.group(1)), found.group(2), found.group(3)


def routing_lease_key(tenant_id: str, queue_id: str) -> tuple[str, str]:
    """A queue's drain lease (one drainer at a time per queue)."""
    return routing_queue_partition(tenant_id, queue_id), LEASE_SK


def session_route_key(tenant_id: str, conversation_id: str) -> tuple[str, str]:
    """A session's routing state, in its conversation's partition."""
    return conversation_partition(tenant_id, conversation_id), ROUTE_SK


def routing_tenant_key(tenant_id: str) -> tuple[str, str]:
    """The global entry saying a tenant has agent groups (the sweep's list)."""
    return ROUTING_TENANTS_PK, tenant_id
