"""Tasks of the per-call state machine (statemachines/voice_call.asl.json), invoked with
`{"action": "acquire" | "requeue" | "place" | "record" | "release", "call": {...}, ...}`."""

from __future__ import annotations

from typing import Any

from engage.core.handlers import worker_handler
from engage.voice import calls

ACTIONS = {
    "acquire": calls.task_acquire,
    "requeue": calls.task_requeue,
    "place": calls.task_place,
    "record": calls.task_record,
    "release": calls.task_release,
}


def _task(event: dict[str, Any], context: Any) -> Any:
    action = event.get("action")
    if action not in ACTIONS:
        raise ValueError(f"unknown voice call action {action!r}")
    payload = {**event.get("call", {}), **{k: v for k, v in event.items() if k != "call"}}
    return ACTIONS[action](payload)


handler = worker_handler(_task)
