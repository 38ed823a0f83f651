"""`make bench`: call gating (issue 3). 2,000 sandbox calls of a fixed simulated duration, three
accounts with concurrent-call limits 2, 5 and 10 under a system limit of 12 (so 12 slots are
allowed at any time: the accounts want 17).

What runs is the real code against moto's server: the upload that writes the queue items, the
pump (ready index, semaphore, claims), the semaphore, the state machine's task functions
(acquire, place, record, release + pump), the sandbox's status callbacks through
`calls.status_callback`. Two things are replaced, both outside the gating: Step Functions'
executor (each started execution runs its tasks in a thread of this process, as moto's own
executor would, minus its polling delays) and the sandbox's SQS-delayed callbacks (a timer
delivers the final callback after exactly CALL_SECONDS, since SQS delays are whole seconds).

Printed: slot utilisation = time-averaged slots held / slots allowed (12, or fewer near the end
when the accounts with calls left cannot fill 12 within their own limits), and the most calls
ever in flight per account and in total, counted independently of the semaphore (a call is in
flight from its placement to its final callback). Aim: utilisation >= 0.9 and no overshoot.
Also printed: calls on the line = time-averaged calls in flight / slots allowed, which leaves
out the time a slot is held around the call (placing it, recording it): on moto, with 1 s
calls, that bookkeeping is a large share; with real calls of minutes it is negligible.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from typing import Any

from bench.common import REQUESTS, count_requests, env_for_child, moto_server

CALLS = int(os.environ.get("BENCH_CALLS", "2000"))
CALL_SECONDS = float(os.environ.get("BENCH_CALL_SECONDS", "1.0"))
LIMITS = {"A": 2, "B": 5, "C": 10}
SYSTEM_LIMIT = 12


class Meter:
    """Slots held and calls in flight over time, per account and in total."""

    def __init__(self, remaining: dict[str, int] | None = None) -> None:
        self.lock = threading.Lock()
        self.start = time.perf_counter()
        self.held = 0
        self.area = 0.0
        self.call_area = 0.0
        self.allowed_area = 0.0
        self.last = self.start
        self.remaining = dict(remaining or {})
        self.calls: dict[str, int] = {"total": 0}
        self.peaks: dict[str, int] = {"total": 0, "held": 0}

    def allowed(self) -> int:
        """Slots that could be in use now: the system limit, or less when the accounts with
        calls left cannot fill it (an account uses at most its limit, and at most its calls)."""
        return min(SYSTEM_LIMIT, sum(min(LIMITS[a], left) for a, left in self.remaining.items()))

    def _advance(self) -> None:
        now = time.perf_counter()
        self.area += self.held * (now - self.last)
        self.call_area += self.calls.get("total", 0) * (now - self.last)
        self.allowed_area += self.allowed() * (now - self.last)
        self.last = now

    def slot(self, delta: int) -> None:
        with self.lock:
            self._advance()
            self.held += delta
            self.peaks["held"] = max(self.peaks["held"], self.held)

    def call(self, account: str, delta: int) -> None:
        with self.lock:
            self._advance()
            if delta < 0:  # a call ended: one call fewer left for the account
                self.remaining[account] -= 1
            for key in (account, "total"):
                self.calls[key] = self.calls.get(key, 0) + delta
                self.peaks[key] = max(self.peaks.get(key, 0), self.calls[key])

    def utilisation(self) -> float:
        """Time-averaged slots held / slots allowed, over the run."""
        with self.lock:
            self._advance()
            return self.area / self.allowed_area if self.allowed_area else 0.0

    def occupancy(self) -> float:
        """Time-averaged calls on the line (placement to final callback) / slots allowed: the
        part of the held time that is the provider's call, not our bookkeeping around it."""
        with self.lock:
            self._advance()
            return self.call_area / self.allowed_area if self.allowed_area else 0.0


def _child() -> dict[str, Any]:
    import boto3

    count_requests()
    from engage.channels import voice_registry
    from engage.channels.voice import CallPlacement, OutboundCall
    from engage.core import ids
    from engage.core.settings import get_settings
    from engage.tenants.service import new_tenant_item, tenant_id_of
    from engage.voice import calls, concurrency, executions, service, statistics, tokens
    from engage.voice import semaphore_store as semaphore
    from engage.voice.schemas import CampaignUpload
    from engage.voice.task_models import CallRef
    from local.cfn import create_core_resources

    create_core_resources(os.environ["TABLE_NAME"])
    meter = Meter()
    accounts: dict[str, str] = {}
    for name, limit in LIMITS.items():
        tenant = new_tenant_item(f"Bench {name}")
        tenant.save()
        accounts[tenant_id_of(tenant)] = name
        concurrency.set_concurrency(tenant_id_of(tenant), limit)
    boto3.client("stepfunctions")  # warm the client

    # -- what the semaphore says, measured on the caller's side ---------------------------------
    real_acquire, real_release = semaphore.acquire, semaphore.release

    def acquire(account: str, holder: str, *args: Any, **kwargs: Any) -> bool:
        held_before = holder in held
        ok = real_acquire(account, holder, *args, **kwargs)
        if ok and not held_before:
            held.add(holder)
            meter.slot(+1)
        return ok

    def release(holder: str, *args: Any) -> bool:
        # Counted as free just before the real release (and as held just after the real
        # acquire), so the measured count never exceeds the true one: utilisation is a floor.
        if holder in held:
            held.discard(holder)
            meter.slot(-1)
        return real_release(holder, *args)

    real_transfer = semaphore.transfer

    def transfer(from_holder: str, from_account: str, account: str, holder: str, *a: Any) -> bool:
        # A hand-off keeps the slot held throughout: it changes holders, not the count.
        ok = real_transfer(from_holder, from_account, account, holder, *a)
        if ok and from_holder in held:
            held.discard(from_holder)
            held.add(holder)
        return ok

    held: set[str] = set()
    semaphore.acquire, semaphore.release = acquire, release  # type: ignore[assignment]
    semaphore.transfer = transfer  # type: ignore[assignment]

    # -- the provider: a timer delivers the final callback after CALL_SECONDS --------------------
    class TimedSandbox:
        name = "sandbox"

        def place_call(self, call: OutboundCall) -> CallPlacement:
            sid = "CA" + ids.new_id().lower()
            account = accounts[call.ref.split(".")[0]]
            meter.call(account, +1)

            def finish() -> None:
                meter.call(account, -1)
                params = {
                    "CallSid": sid,
                    "CallStatus": "completed",
                    "SequenceNumber": "3",
                    "CallDuration": "60",
                    "AnsweredBy": "human",
                }
                calls.status_callback("sandbox", params, call.ref)

            threading.Timer(CALL_SECONDS, finish).start()
            return CallPlacement(True, call_sid=sid)

        def fetch_status(self, call_sid: str, to: str) -> dict[str, str] | None:
            return None  # the timer always delivers the final callback

    voice_registry.voice_adapter = lambda: TimedSandbox()  # type: ignore[assignment]

    # -- Step Functions: each execution's tasks run in a thread ----------------------------------
    waiting: dict[str, threading.Event] = {}
    results: dict[str, dict[str, Any]] = {}

    def succeed(token: str, output: dict[str, Any]) -> bool:
        results[token] = output
        waiting[token].set()
        return True

    tokens.succeed = succeed  # type: ignore[assignment]
    tokens.heartbeat = lambda token: True  # type: ignore[assignment]
    finished = threading.Semaphore(0)

    def execution(call: dict[str, Any]) -> None:
        token = call["execution"]
        waiting[token] = threading.Event()
        if not calls.task_acquire(call)["acquired"]:
            calls.task_requeue(call)
            return
        calls.task_place({**call, "task_token": token})
        waiting[token].wait()
        calls.task_record({**call, "result": results.pop(token)})
        calls.task_release(call)
        finished.release()

    def start_execution(ref: CallRef) -> None:
        call = ref.model_dump(exclude_none=True)
        threading.Thread(target=execution, args=(call,), daemon=True).start()

    executions.start = start_execution  # type: ignore[assignment]

    # -- the run ----------------------------------------------------------------------------------
    # Calls split in proportion to the limits, so that all three accounts stay busy together.
    counts = {a: CALLS * limit // sum(LIMITS.values()) for a, limit in LIMITS.items()}
    counts["C"] += CALLS - sum(counts.values())
    campaign_ids = []
    for n, (tenant_id, account) in enumerate(accounts.items()):
        count = counts[account]
        rows = [
            {"name": f"Lead {i}", "phone_number": f"+1617{n + 2}55{i:04d}"} for i in range(count)
        ]
        body = CampaignUpload.model_validate(
            {
                "campaign_name": "Bench",
                "first_call_time": "00:00",
                "last_call_time": "23:59",
                "max_attempts": 1,
                "csv_data": rows,
            }
        )
        campaign_ids.append((tenant_id, service.upload_csv(tenant_id, body)["campaign"]["id"]))
    meter.__init__(counts)  # type: ignore[misc]
    REQUESTS["count"] = 0
    began = time.perf_counter()
    for tenant_id, campaign_id in campaign_ids:
        service.start(tenant_id, campaign_id)
    for _ in range(CALLS):
        if not finished.acquire(timeout=120):
            raise RuntimeError("calls stalled")
    ended = time.perf_counter()
    statuses = [
        statistics.statistics(tenant_id, campaign_id)["status"]
        for tenant_id, campaign_id in campaign_ids
    ]
    assert get_settings().system_concurrent_calls_limit == SYSTEM_LIMIT
    ideal = max(
        CALLS * CALL_SECONDS / SYSTEM_LIMIT,
        *(counts[a] * CALL_SECONDS / LIMITS[a] for a in LIMITS),
    )
    return {
        "calls": CALLS,
        "seconds": round(ended - began, 2),
        "ideal_seconds": round(ideal, 2),
        "utilisation": round(meter.utilisation(), 3),
        "occupancy": round(meter.occupancy(), 3),
        "peaks": {k: v for k, v in meter.peaks.items()},
        "campaigns": statuses,
        "semaphore_after": semaphore.usage().active,
        "requests_per_call": round(REQUESTS["count"] / CALLS, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child()))
        return
    import subprocess

    with moto_server() as endpoint:
        env = env_for_child()
        suffix = str(time.time_ns())
        env.update(
            {
                "AWS_ENDPOINT_URL": endpoint,
                "TABLE_NAME": f"bench-{suffix}",
                "IDEMPOTENCY_TABLE_NAME": f"bench-idem-{suffix}",
                "IMPORT_BUCKET": f"bench-imports-{suffix}",
                "SYSTEM_CONCURRENT_CALLS_LIMIT": str(SYSTEM_LIMIT),
                "VOICE_STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:b",
                "POWERTOOLS_LOG_LEVEL": "ERROR",
            }
        )
        out = subprocess.run(
            [sys.executable, "-m", "bench.call_gating", "--child"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    if out.returncode != 0:
        raise SystemExit(f"call gating bench failed:\n{out.stderr[-4000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    peaks = result["peaks"]
    overshoot = max(0, peaks["total"] - SYSTEM_LIMIT, peaks["held"] - SYSTEM_LIMIT) + sum(
        max(0, peaks.get(name, 0) - limit) for name, limit in LIMITS.items()
    )
    print(f"\nCall gating: {CALLS} sandbox calls of {CALL_SECONDS}s, limits {LIMITS}")
    print(f"system limit            {SYSTEM_LIMIT}")
    print(
        f"seconds                 {result['seconds']}  (all slots busy: {result['ideal_seconds']})"
    )
    print(f"AWS requests per call   {result['requests_per_call']}")
    print(f"slot utilisation        {result['utilisation']}  (aim: >= 0.9)")
    print(
        f"calls on the line       {result['occupancy']}  (of the slots allowed; the rest of the"
        " held time is placing and recording calls on moto)"
    )
    print(
        "max in flight           "
        + ", ".join(f"{name}: {peaks.get(name, 0)}/{limit}" for name, limit in LIMITS.items())
        + f", all: {peaks['total']}/{SYSTEM_LIMIT}, slots held: {peaks['held']}/{SYSTEM_LIMIT}"
    )
    print(f"overshoot               {overshoot}  (aim: 0)")
    print(f"campaigns               {result['campaigns']}")
    print(f"slots held afterwards   {result['semaphore_after']}")


if __name__ == "__main__":
    main()
