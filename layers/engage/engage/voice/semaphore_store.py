"""The call-concurrency semaphore and its storage (issue 3 "Concurrency gating"; DESIGN.md
section 5): the semaphore is one DynamoDB item, so this module is that item's store.

It follows the AWS Step Functions semaphore pattern (aws-samples/aws-stepfunctions-examples,
`sam/app-control-concurrency-with-dynamodb`): a slot is taken by a conditional write that
raises a counter and records the holder, and given back by a conditional write that requires
the holder, so a release happens at most once however often it is retried.

One item, `SYS#CALLSEM`, holds the system-wide count (`active`), every account's count
(`accounts.<tenantId>`) and every holder (`holders.<executionName>` -> account, campaign, queue
item, attempt, time taken). Acquiring is ONE conditional UpdateItem that raises both counts and
records the holder only while `active < system limit` AND `accounts.<id> < account limit` AND
the holder is absent: both limits are checked and both counters change atomically. The
comparison is `<` (not `<>`), so a limit lowered at run time stops new calls until the count
has fallen under it.

Why one item rather than the two-item TransactWriteItems the issue describes: a single-item
conditional update is just as atomic (DynamoDB applies each item write in isolation) and
behaves correctly on moto, whose `transact_write_items` copies the whole table per call and
fails under concurrent writers. Cost: a write is billed by the item's size, one write unit per
KB, and each holder adds about 150 bytes, so at the default system limit of 10 an acquire or a
release costs 2-3 units, against 4 for a transaction over two 1 KB items (transactions bill
twice). The item stays small because holders are bounded by the system limit (1,000 calls in
flight would make it about 150 KB of the 400 KB an item may hold, at about 150 units a write:
past a few hundred calls in flight, shard the holders per account). One partition accepts
1,000 write units a second, far above the call rate any system limit implies when calls last
minutes (Amazon DynamoDB Developer Guide, "Read/write capacity mode" and "Service quotas").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pynamodb.attributes import MapAttribute, NumberAttribute
from pynamodb.exceptions import PutError, UpdateError

from engage.core import clock, keys
from engage.core.db import BaseItem


class CallSemaphoreItem(BaseItem):
    """The semaphore item (see the module docstring)."""

    active = NumberAttribute(default=0)
    accounts = MapAttribute[str, Any](default=dict)
    limits = MapAttribute[str, Any](default=dict)
    holders = MapAttribute[str, Any](default=dict)


@dataclass(frozen=True)
class Usage:
    """In-flight calls: system-wide (`active`), per account, and who holds each slot
    (`holders[name] = {"account", "campaign", "queue_id", "attempt", "since"}`)."""

    active: int
    accounts: dict[str, int]
    holders: dict[str, dict[str, Any]]
    limits: dict[str, int] = field(default_factory=dict)

    def of(self, account_id: str) -> int:
        """In-flight calls of one account."""
        return self.accounts.get(account_id, 0)

    def limit_of(self, account_id: str, default: int) -> int:
        """The account's limit as the semaphore enforces it (`default` when none is set)."""
        return self.limits.get(account_id, default)


def _plain(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    return dict(value.as_dict()) if hasattr(value, "as_dict") else dict(value)


def _ensure() -> bool:
    """Create the semaphore item if it is missing; True if this call created it."""
    try:
        CallSemaphoreItem(
            *keys.call_semaphore_key(), active=0, accounts={}, limits={}, holders={}
        ).save(condition=CallSemaphoreItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def _load() -> CallSemaphoreItem | None:
    try:
        return CallSemaphoreItem.get(*keys.call_semaphore_key(), consistent_read=True)
    except CallSemaphoreItem.DoesNotExist:
        return None


def _room(account_id: str, default_limit: int, *, own_slot: bool) -> Any:
    """The condition that the account may start one more call: its count is below its stored
    limit (`default_limit` when it has none). With `own_slot` the count still includes a slot
    of the account's that is being handed over, so the test is `count - 1 < limit`."""
    count = CallSemaphoreItem.accounts[account_id]  # type: ignore[index]
    limit = CallSemaphoreItem.limits[account_id]  # type: ignore[index]
    if own_slot:
        return (limit.does_not_exist() & (count <= default_limit)) | (count <= limit)
    return count.does_not_exist() | (
        (limit.does_not_exist() & (count < default_limit)) | (count < limit)
    )


def acquire(
    account_id: str,
    holder_id: str,
    default_limit: int,
    system_limit: int,
    info: dict[str, Any] | None = None,
) -> bool:
    """Take a slot for `holder_id` (a Step Functions execution name) of `account_id`.

    The account's limit is the one stored on the item by `set_limit` (compared inside the
    same conditional write, so a limit lowered a moment ago already binds), or `default_limit`
    for an account that never set one. Returns True when the slot is held afterwards (also when
    this holder already held it, so a retried acquire is safe) and False, changing nothing,
    when either limit is reached. `info` is stored with the holder (the reaper uses it to
    repair the call's queue item).
    """
    item = CallSemaphoreItem(*keys.call_semaphore_key())
    account_count = CallSemaphoreItem.accounts[account_id]  # type: ignore[index]
    holder = CallSemaphoreItem.holders[holder_id]  # type: ignore[index]
    condition = (
        (CallSemaphoreItem.active < system_limit)
        & _room(account_id, default_limit, own_slot=False)
        & holder.does_not_exist()
    )
    record = {**(info or {}), "account": account_id, "since": clock.now_iso()}
    actions = [
        CallSemaphoreItem.active.add(1),
        account_count.set((account_count | 0) + 1),  # ADD works on top-level attributes only
        holder.set(record),
    ]
    for _ in range(2):
        try:
            item.update(actions=actions, condition=condition)
            return True
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
        current = _load()  # why not: a limit, this very holder, or no item yet
        if current is not None:
            return holder_id in _plain(current.holders)
        _ensure()  # the first acquire ever: create the item, then try once more
    return False


def transfer(
    from_holder: str,
    from_account: str,
    account_id: str,
    holder_id: str,
    default_limit: int,
    system_limit: int,
    info: dict[str, Any] | None = None,
) -> bool:
    """Hand `from_holder`'s slot (of `from_account`) straight to `holder_id` of `account_id`:
    the release of one call and the acquire of the next in ONE conditional write, so a freed
    slot is never idle while the next call is chosen. The limits are those `release` then
    `acquire` would meet: the new account's count after the release must be below its limit
    (the same account: `count - 1 < limit`), and the system's too (`active - 1 < system
    limit`), so a lowered limit binds here exactly as in `acquire`. Returns False, changing
    nothing, when `from_holder` holds no slot of `from_account`, `holder_id` already holds
    one, or a limit says no; the caller still holds its slot then and releases it itself."""
    old = CallSemaphoreItem.holders[from_holder]  # type: ignore[index]
    new = CallSemaphoreItem.holders[holder_id]  # type: ignore[index]
    record = {**(info or {}), "account": account_id, "since": clock.now_iso()}
    actions = [old.remove(), new.set(record)]
    same = from_account == account_id  # then the count would drop by one and rise again
    if not same:
        count = CallSemaphoreItem.accounts[account_id]  # type: ignore[index]
        from_count = CallSemaphoreItem.accounts[from_account]  # type: ignore[index]
        actions += [from_count.set(from_count - 1), count.set((count | 0) + 1)]
    condition = (
        old.exists()
        & (old["account"] == from_account)  # type: ignore[index]
        & new.does_not_exist()
        & (CallSemaphoreItem.active <= system_limit)
        & _room(account_id, default_limit, own_slot=same)
    )
    try:
        CallSemaphoreItem(*keys.call_semaphore_key()).update(actions=actions, condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        return False
    return True


def set_limit(account_id: str, limit: int) -> None:
    """Store the account's concurrent-calls limit where `acquire` compares against it."""
    _ensure()
    CallSemaphoreItem(*keys.call_semaphore_key()).update(
        actions=[CallSemaphoreItem.limits[account_id].set(limit)]  # type: ignore[index]
    )


def holds(holder_id: str) -> bool:
    """Whether `holder_id` holds a slot (one strongly consistent read)."""
    return holder_id in usage().holders


def release(holder_id: str, account_id: str | None = None) -> bool:
    """Give back `holder_id`'s slot; True if it held one (a second release is a no-op). With
    the holder's `account_id` this is one conditional write; without, a read first finds it."""
    if account_id is None:
        current = _load()
        info = _plain(current.holders if current else None).get(holder_id)
        if info is None:
            return False
        account_id = str(info["account"])
    holder = CallSemaphoreItem.holders[holder_id]  # type: ignore[index]
    account_count = CallSemaphoreItem.accounts[account_id]  # type: ignore[index]
    try:
        CallSemaphoreItem(*keys.call_semaphore_key()).update(
            actions=[
                CallSemaphoreItem.active.add(-1),
                account_count.set(account_count - 1),
                holder.remove(),
            ],
            condition=holder.exists() & (holder["account"] == account_id),  # type: ignore[index]
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def usage() -> Usage:
    """The current counts (strongly consistent read; zero when nothing was ever acquired)."""
    item = _load()
    if item is None:
        return Usage(0, {}, {})
    accounts = {k: int(v) for k, v in _plain(item.accounts).items() if int(v)}
    holders = {k: _plain(v) for k, v in _plain(item.holders).items()}
    limits = {k: int(v) for k, v in _plain(item.limits).items()}
    return Usage(int(item.active), accounts, holders, limits)


def reap(is_stale: Callable[[str, dict[str, Any]], bool]) -> list[tuple[str, dict[str, Any]]]:
    """Release every slot for which `is_stale(holder_id, info)` is true (e.g. its execution is
    no longer RUNNING); returns `(holder_id, info)` of the slots freed."""
    freed = []
    for holder_id, info in usage().holders.items():
        if is_stale(holder_id, info) and release(holder_id):
            freed.append((holder_id, info))
    return freed
