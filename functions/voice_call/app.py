"""Tasks of the per-call state machine (statemachines/voice_call.asl.json), invoked with
`{"action": "acquire" | "requeue" | "place" | "record" | "release", "call": {...},
"task_token"?}`; the event is parsed with Powertools' parser into `CallTaskEvent`."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse

from engage.core.handlers import worker_handler
from engage.voice import tasks
from engage.voice.task_models import CallAction, CallTaskEvent


def _task(event: dict[str, Any], context: Any) -> Any:
    task = parse(event=event, model=CallTaskEvent)
    call = task.call
    if task.action == CallAction.ACQUIRE:
        return tasks.task_acquire(call)
    if task.action == CallAction.REQUEUE:
        return tasks.task_requeue(call)
    if task.action == CallAction.PLACE:
        if not task.task_token:
            raise ValueError("the place task needs its task_token")
        return tasks.task_place(call, task.task_token)
    if task.action == CallAction.RECORD:
        return tasks.task_record(call)
    return tasks.task_release(call)


handler = worker_handler(_task)
