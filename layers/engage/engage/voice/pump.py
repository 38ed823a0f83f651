"""The call pump (issue 3 "Concurrency gating"; DESIGN.md section 5).

It finds due calls through the sparse ready index (GSI2, only `queued` items carry it), takes
a semaphore slot for the call's execution (`semaphore.acquire`), claims the queue item
(`queued` -> `in_progress`, one conditional update) and starts one Step Functions execution
named after the call attempt. It runs when a campaign starts or resumes, when a limit is
raised, after every slot release and on the one-minute tick, so a freed slot is refilled at
once. Its cost is proportional to the slots it can fill, never to the length of the queue.

Fairness: slots are shared round-robin between accounts, fewest calls in flight (relative to
the account's limit) first; ties are broken at random, and an account's open campaigns are
served in a random rotation. The randomness comes from the `rng` a pass is given (default: the
module's `SYSTEM_RNG`), so tests can be exact about the order accounts take turns.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any, Literal

from engage.core import clock, keys
from engage.core.errors import NotFound
from engage.core.observability import logger
from engage.voice import accounts, executions, store, transitions
from engage.voice import semaphore_store as semaphore
from engage.voice.task_models import CallRef
from engage.voice.windows import WindowState, window_state

SYSTEM_RNG: random.Random = random.SystemRandom()
Outcome = Literal["started", "full", "empty"]


class Pump:
    """One pass of the pump. With `handoff` (`(holder, account)` of a call that just ended and
    still holds its slot), the first call started takes that slot over in one write
    (`semaphore.transfer`) instead of a release and a new acquire; the pass treats the slot as
    free, and the caller releases it if no call took it (`handoff_used`). `started_by` lists
    the account of each call started, in order."""

    def __init__(
        self,
        now: datetime,
        handoff: tuple[str, str] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.now = now
        self.now_iso = clock.iso(now)
        self.rng = rng or SYSTEM_RNG
        self.system_limit = accounts.system_limit()
        self.default_limit = accounts.default_limit()
        self.started_by: list[str] = []
        self.handoff = handoff
        self.handoff_used = False

    @property
    def started(self) -> int:
        """Calls started by this pass."""
        return len(self.started_by)

    def _take(self, tenant_id: str, name: str, info: dict[str, Any]) -> bool:
        """A slot for `name`: the handed-off one while it is unused, else a new acquire."""
        if self.handoff and not self.handoff_used:
            holder, account = self.handoff
            if semaphore.transfer(
                holder, account, tenant_id, name, self.default_limit, self.system_limit, info
            ):
                self.handoff_used = True
                return True
            if tenant_id == account:  # the account is at its limit even after the release
                return False
            # another account at its limit: try a fresh slot (the handed-off one stays held)
        return semaphore.acquire(tenant_id, name, self.default_limit, self.system_limit, info)

    def _start_one(self, tenant_id: str, campaign_id: str) -> Outcome:
        """Start the campaign's next due call: `started`, `full` (a limit said no) or `empty`."""
        for hit in store.ready_items(tenant_id, campaign_id, self.now_iso, limit=5):
            seen = str(hit.gsi2sk)
            _, seq, attempts = keys.parse_call_ready_sk(seen)
            attempt = attempts + 1
            name = transitions.execution_name(campaign_id, seq, attempt)
            info = {"tenant": tenant_id, "campaign": campaign_id, "seq": seq, "attempt": attempt}
            if not self._take(tenant_id, name, info):
                return "full"
            if not transitions.claim(tenant_id, campaign_id, seq, seen, attempt):
                semaphore.release(name)  # someone else took it (or it was cancelled)
                continue
            call = CallRef(
                execution=name,
                tenant_id=tenant_id,
                campaign_id=campaign_id,
                seq=seq,
                attempt=attempt,
                timeout_seconds=accounts.placement_timeout_seconds(),
            )
            try:
                executions.start(call)
            except Exception:  # the claim and the slot must not leak; the error is re-raised
                transitions.unclaim(tenant_id, campaign_id, seq, attempt)
                semaphore.release(name)
                raise
            return "started"
        return "empty"

    def _accounts(self, usage: semaphore.Usage) -> dict[str, dict[str, Any]]:
        """Per account with a running campaign open now and room under its limit: its limit,
        calls in flight and open campaign ids (in a random rotation)."""
        by_tenant: dict[str, list[str]] = {}
        for entry in store.running_campaigns():
            by_tenant.setdefault(entry.tenant_id, []).append(entry.campaign_id)
        in_flight = dict(usage.accounts)
        if self.handoff:
            in_flight[self.handoff[1]] = in_flight.get(self.handoff[1], 0) - 1
        state: dict[str, dict[str, Any]] = {}
        for tenant_id, campaign_ids in by_tenant.items():
            try:
                tz = accounts.cached_timezone(tenant_id)
            except NotFound:  # a deleted tenant: nothing to call
                logger.warning("running campaign of a missing tenant", extra={"tenant": tenant_id})
                continue
            campaigns = [c for c in (store.get_campaign(tenant_id, i) for i in campaign_ids) if c]
            open_ids = [
                c.sk
                for c in campaigns
                if c.status in transitions.RUNNABLE
                and window_state(c, tz, self.now) == WindowState.OPEN
            ]
            self.rng.shuffle(open_ids)  # no campaign of an account is always served first
            limit = usage.limit_of(tenant_id, self.default_limit)
            if open_ids and in_flight.get(tenant_id, 0) < limit:
                state[tenant_id] = {
                    "limit": limit,
                    "in_flight": in_flight.get(tenant_id, 0),
                    "ids": open_ids,
                }
        return state

    def _next_of(self, account: dict[str, Any], tenant_id: str) -> Outcome:
        """Start the next call of one account, rotating between its campaigns."""
        outcome: Outcome = "empty"
        while account["ids"]:
            campaign_id = account["ids"][0]
            outcome = self._start_one(tenant_id, campaign_id)
            if outcome == "empty":
                account["ids"].pop(0)
                continue
            account["ids"].append(account["ids"].pop(0))
            break
        return outcome

    def run(self, max_starts: int | None = None) -> int:
        """Fill free slots round-robin across accounts; returns the calls started."""
        usage = semaphore.usage()
        if self.handoff and self.handoff[0] not in usage.holders:
            self.handoff = None  # not held after all (a repeated Release): nothing to hand off
        free = self.system_limit - usage.active + (1 if self.handoff else 0)
        state = self._accounts(usage) if free > 0 else {}

        def room() -> bool:
            return free > 0 and (max_starts is None or self.started < max_starts)

        while room() and state:
            # Fewest calls in flight (relative to the account's limit) goes first each round.
            ranked = {t: (a["in_flight"] / a["limit"], self.rng.random()) for t, a in state.items()}
            for tenant_id in sorted(state, key=ranked.__getitem__):
                if not room():
                    break
                account = state[tenant_id]
                outcome = self._next_of(account, tenant_id)
                if outcome == "started":
                    self.started_by.append(tenant_id)
                    free -= 1
                    account["in_flight"] += 1
                    if account["in_flight"] >= account["limit"]:
                        del state[tenant_id]
                    continue
                del state[tenant_id]  # full or nothing due
                pending = self.handoff is not None and not self.handoff_used
                if outcome == "full" and semaphore.usage().active - pending >= self.system_limit:
                    return self.started
        return self.started


def pump(
    now: datetime | None = None, max_starts: int | None = None, rng: random.Random | None = None
) -> int:
    """Start due calls while slots are free; returns how many were started."""
    return Pump(now or clock.now(), rng=rng).run(max_starts)


def release_and_pump(holder: str, account_id: str) -> tuple[bool, int]:
    """Give back a finished call's slot and refill free slots: the slot goes straight to the
    next call the pump chooses (fairness order unchanged) or, when none takes it, is released.
    Returns `(released, started)`; `released` is whether `holder` held a slot (a repeated
    Release finds none and hands off nothing)."""
    run = Pump(clock.now(), handoff=(holder, account_id))
    try:
        started = run.run()
    finally:
        # not taken over (or the pass failed): an ordinary, idempotent release
        released = run.handoff_used or semaphore.release(holder, account_id)
    return released, started
