"""The voice tick (EventBridge schedule, every minute): the reaper frees slots held by
executions that are no longer running, campaigns past their end date stop, finished ones
complete, and the pump starts due calls (retries whose delay has passed, call windows that
opened)."""

from __future__ import annotations

from typing import Any

from engage.core.handlers import worker_handler
from engage.voice import calls


def _tick(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return calls.tick()


handler = worker_handler(_tick)
