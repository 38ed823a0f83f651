"""Running voice calls, by job (issue 8 split the former 987-line module):

| module | job |
|---|---|
| `transitions` | queue item moves (claim, unclaim, finish) and the campaign's counters |
| `pump` | filling free slots fairly between accounts |
| `tasks` | the per-call state machine's tasks (Acquire, PlaceCall, Record, Release) |
| `callbacks` | call-status callbacks |
| `maintenance` | the tick: reaper, lost-callback recovery, cancel sweep, end dates, reconcile |
| `windows`, `accounts` | call windows; an account's limit and time zone |

This module keeps the names callers used before the split. The tasks here take the plain dict
a state machine task receives; new code calls `engage.voice.tasks` with a `CallState`.
"""

from __future__ import annotations

from typing import Any

from engage.voice import tasks
from engage.voice.accounts import account_limit, account_of, cached_timezone, system_limit
from engage.voice.callbacks import status_callback
from engage.voice.maintenance import (
    CANCEL_INLINE_SECONDS,
    SWEEP_TICK_SECONDS,
    cancel_campaign_queue,
    cancel_queued,
    reap,
    reconcile,
    recover_lost_callbacks,
    sweep,
    tick,
)
from engage.voice.pump import Pump, pump, release_and_pump
from engage.voice.task_models import call_state
from engage.voice.tasks import classify
from engage.voice.transitions import (
    RUNNABLE,
    bump,
    claim,
    execution_name,
    finish,
    maybe_complete,
    parse_queue_id,
    queue_id,
    unclaim,
)
from engage.voice.windows import local_now, window_state


def task_acquire(event: dict[str, Any]) -> dict[str, Any]:
    """`tasks.task_acquire` on a plain task event."""
    return tasks.task_acquire(call_state(event))


def task_requeue(event: dict[str, Any]) -> dict[str, Any]:
    """`tasks.task_requeue` on a plain task event."""
    return tasks.task_requeue(call_state(event))


def task_place(event: dict[str, Any]) -> None:
    """`tasks.task_place` on a plain task event (its `task_token` included)."""
    tasks.task_place(call_state(event), str(event["task_token"]))


def task_record(event: dict[str, Any]) -> dict[str, Any]:
    """`tasks.task_record` on a plain task event."""
    return tasks.task_record(call_state(event))


def task_release(event: dict[str, Any]) -> dict[str, Any]:
    """`tasks.task_release` on a plain task event."""
    return tasks.task_release(call_state(event))


__all__ = [
    "CANCEL_INLINE_SECONDS",
    "RUNNABLE",
    "SWEEP_TICK_SECONDS",
    "Pump",
    "account_limit",
    "account_of",
    "bump",
    "cached_timezone",
    "cancel_campaign_queue",
    "cancel_queued",
    "claim",
    "classify",
    "execution_name",
    "finish",
    "local_now",
    "maybe_complete",
    "parse_queue_id",
    "pump",
    "queue_id",
    "reap",
    "reconcile",
    "recover_lost_callbacks",
    "release_and_pump",
    "status_callback",
    "sweep",
    "system_limit",
    "task_acquire",
    "task_place",
    "task_record",
    "task_release",
    "task_requeue",
    "tick",
    "unclaim",
    "window_state",
]
