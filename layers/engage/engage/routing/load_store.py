"""The agents' load items (models.py `AgentLoadItem`): the capacity semaphore, presence and
sockets. The only DynamoDB caller for them.

Taking a slot is ONE conditional UpdateItem that raises `open` and records the holder only
while the holder is absent and the agent has room (the voice semaphore's design,
engage/voice/semaphore_store.py): `open < caps[group]` and `presence = online` for a group's
assignment, `open < capacity` (or no capacity: the member is in no group) for a manual or
per-agent one, nothing for `force`. Releasing is one conditional UpdateItem that requires the
holder, so a slot is released at most once. `caps`/`capacity` change under optimistic
concurrency on `version`.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.condition import Condition, size
from pynamodb.expressions.update import Action

from engage.core import clock, keys
from engage.routing.models import AgentLoadItem

_FAILED = "ConditionalCheckFailedException"
CAPS_ATTEMPTS = 8


class Mode(StrEnum):
    """How a slot is taken: by a group's queue, for one agent (manual, `assign_to_agent`), or
    counted whatever the load (a session assigned by code that predates the engine)."""

    GROUP = "group"
    AGENT = "agent"
    FORCE = "force"


class Taken(StrEnum):
    """The outcome of `take`: a new slot, one the session already held, or no room."""

    TAKEN = "taken"
    HELD = "held"
    FULL = "full"


def _plain(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    return dict(value.as_dict()) if hasattr(value, "as_dict") else dict(value)


def _item(tenant_id: str, user_id: str) -> AgentLoadItem:
    return AgentLoadItem(*keys.agent_load_key(tenant_id, user_id))


def ensure(tenant_id: str, user_id: str) -> None:
    """Create the agent's load item if it is missing (offline, no slots, no groups)."""
    try:
        AgentLoadItem(
            *keys.agent_load_key(tenant_id, user_id),
            user_id=user_id,
            open=0,
            holders={},
            caps={},
            sockets={},
            presence="offline",
        ).save(condition=AgentLoadItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code != _FAILED:
            raise


def get(tenant_id: str, user_id: str) -> AgentLoadItem | None:
    """One agent's load item (strongly consistent), or None."""
    try:
        return AgentLoadItem.get(*keys.agent_load_key(tenant_id, user_id), consistent_read=True)
    except AgentLoadItem.DoesNotExist:
        return None


def many(tenant_id: str, user_ids: Iterable[str]) -> dict[str, AgentLoadItem]:
    """Load items by agent id (BatchGetItem); agents without one are absent."""
    wanted = list(dict.fromkeys(user_ids))
    if not wanted:
        return {}
    found = AgentLoadItem.batch_get([keys.agent_load_key(tenant_id, u) for u in wanted])
    return {str(i.user_id): i for i in found}


def holders(item: AgentLoadItem | None) -> dict[str, dict[str, Any]]:
    """`conversation id -> {"queue", "since"}` of an agent's held sessions."""
    return {k: _plain(v) for k, v in _plain(item.holders if item else None).items()}


def caps(item: AgentLoadItem | None) -> dict[str, int]:
    """`group id -> capacity` of an agent's memberships."""
    return {k: int(v) for k, v in _plain(item.caps if item else None).items()}


def _room(mode: Mode, queue_id: str) -> Condition | None:
    open_ = AgentLoadItem.open
    if mode == Mode.GROUP:
        cap = AgentLoadItem.caps[queue_id]  # type: ignore[index]
        return (
            cap.exists()
            & (AgentLoadItem.presence == "online")
            & (open_.does_not_exist() | (open_ < cap))
        )
    if mode == Mode.AGENT:
        cap_ = AgentLoadItem.capacity
        return cap_.does_not_exist() | open_.does_not_exist() | (open_ < cap_)
    return None


def take(tenant_id: str, user_id: str, conversation_id: str, queue_id: str, mode: Mode) -> Taken:
    """Take a slot of `user_id` for `conversation_id` (see the module docstring); `queue_id`
    is the queue it came from (a group id, `@<user>` or `manual`). HELD when the session
    already holds a slot of this agent (a retry is safe), FULL (nothing changed) when there
    is no room."""
    holder = AgentLoadItem.holders[conversation_id]  # type: ignore[index]
    now = clock.now_iso()
    condition = holder.does_not_exist()
    room = _room(mode, queue_id)
    if room is not None:
        condition = condition & room
    actions = [
        AgentLoadItem.open.set((AgentLoadItem.open | 0) + 1),
        holder.set({"queue": queue_id, "since": now}),
        AgentLoadItem.user_id.set(user_id),
        AgentLoadItem.last_assigned_at.set(now),
    ]
    for _ in range(2):
        try:
            _item(tenant_id, user_id).update(actions=actions, condition=condition & _exists())
            return Taken.TAKEN
        except UpdateError as exc:
            if exc.cause_response_code != _FAILED:
                raise
        current = get(tenant_id, user_id)
        if current is not None:
            return Taken.HELD if conversation_id in holders(current) else Taken.FULL
        ensure(tenant_id, user_id)  # the agent's first slot: create the item, try again
    return Taken.FULL


def _exists() -> Condition:
    return AgentLoadItem.pk.exists()


def release(tenant_id: str, user_id: str, conversation_id: str) -> bool:
    """Give back the slot `conversation_id` holds of `user_id`; True if it held one (a second
    release is a no-op)."""
    holder = AgentLoadItem.holders[conversation_id]  # type: ignore[index]
    try:
        _item(tenant_id, user_id).update(
            actions=[AgentLoadItem.open.add(-1), holder.remove()],
            condition=_exists() & holder.exists(),
        )
    except UpdateError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def set_cap(tenant_id: str, user_id: str, group_id: str, capacity: int | None) -> bool:
    """Set (None: remove) the member's capacity in one group and recompute `capacity` (the
    largest); True when a capacity rose or a membership was added (room may have appeared)."""
    ensure(tenant_id, user_id)
    for _ in range(CAPS_ATTEMPTS):
        item = get(tenant_id, user_id)
        current = caps(item)
        before = current.get(group_id)
        if before == capacity:
            return False
        if capacity is None:
            current.pop(group_id, None)
        else:
            current[group_id] = capacity
        version = int(item.version or 0) if item else 0
        condition = (AgentLoadItem.version == version) if version else _exists()
        if not version:
            condition = condition & (
                AgentLoadItem.version.does_not_exist() | (AgentLoadItem.version == 0)
            )
        actions: list[Action] = [
            AgentLoadItem.caps.set(current),
            AgentLoadItem.user_id.set(user_id),
            AgentLoadItem.version.set(version + 1),
        ]
        if current:
            actions.append(AgentLoadItem.capacity.set(max(current.values())))
        else:
            actions.append(AgentLoadItem.capacity.remove())
        try:
            _item(tenant_id, user_id).update(actions=actions, condition=condition)
        except UpdateError as exc:
            if exc.cause_response_code != _FAILED:
                raise
            continue
        return capacity is not None and (before is None or capacity > before)
    raise RuntimeError("the agent's capacities kept changing; retry")


def _not_online() -> Condition:
    return AgentLoadItem.presence.does_not_exist() | (AgentLoadItem.presence != "online")


def set_presence(tenant_id: str, user_id: str, status: str, *, chosen: bool) -> tuple[bool, str]:
    """Set the agent's presence (`chosen`: the member chose it through the API, remembered
    so a chosen `away` survives sockets). Returns `(became_online, updated_at)`."""
    now = clock.now_iso()
    actions: list[Action] = [
        AgentLoadItem.presence.set(status),
        AgentLoadItem.presence_at.set(now),
        AgentLoadItem.user_id.set(user_id),
    ]
    actions.append(AgentLoadItem.chosen.set(status) if chosen else AgentLoadItem.chosen.remove())
    ensure(tenant_id, user_id)
    item = _item(tenant_id, user_id)
    became = status == "online" and _was_not_online(item, actions)
    if not became:
        item.update(actions=actions)
    return became, now


def _was_not_online(item: AgentLoadItem, actions: list[Any]) -> bool:
    """Apply `actions` only if the agent was not online; True if they were applied."""
    try:
        item.update(
            actions=actions,
            condition=_not_online(),
        )
    except UpdateError as exc:
        if exc.cause_response_code != _FAILED:
            raise
        return False
    return True


def socket_opened(tenant_id: str, user_id: str, connection_id: str) -> bool:
    """Record an agent's socket and make them online unless they chose `away`; True when
    they became online."""
    socket = AgentLoadItem.sockets[connection_id]  # type: ignore[index]
    ensure(tenant_id, user_id)
    item = _item(tenant_id, user_id)
    item.update(actions=[socket.set(clock.now_iso())])
    try:
        item.update(
            actions=[
                AgentLoadItem.presence.set("online"),
                AgentLoadItem.presence_at.set(clock.now_iso()),
                AgentLoadItem.chosen.remove(),
            ],
            condition=_not_online()
            & (AgentLoadItem.chosen.does_not_exist() | (AgentLoadItem.chosen != "away")),
        )
    except UpdateError as exc:
        if exc.cause_response_code != _FAILED:
            raise
        return False
    return True


def socket_closed(tenant_id: str, user_id: str, connection_id: str) -> bool:
    """Forget an agent's socket; when it was the last one, they go offline unless they chose
    `away`. True when they went offline."""
    socket = AgentLoadItem.sockets[connection_id]  # type: ignore[index]
    item = _item(tenant_id, user_id)
    try:
        item.update(actions=[socket.remove()], condition=socket.exists())
    except UpdateError as exc:
        if exc.cause_response_code != _FAILED:
            raise
        return False
    if _plain(item.sockets) or item.chosen == "away":
        return False
    try:
        item.update(
            actions=[
                AgentLoadItem.presence.set("offline"),
                AgentLoadItem.presence_at.set(clock.now_iso()),
            ],
            condition=AgentLoadItem.sockets.does_not_exist() | (size(AgentLoadItem.sockets) == 0),
        )
    except UpdateError as exc:
        if exc.cause_response_code != _FAILED:
            raise
        return False
    return True
