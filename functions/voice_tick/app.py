"""The voice tick (EventBridge schedule, every minute; `EventBridgeModel` via Powertools'
parser): the reaper frees slots held by executions that are no longer running, campaigns past
their end date stop, finished ones complete, and the pump starts due calls (retries whose
delay has passed, call windows that opened)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from engage.core.handlers import worker_handler
from engage.voice.maintenance import tick


def _tick(event: dict[str, Any], context: Any) -> dict[str, int]:
    parse(event=event, model=EventBridgeModel)  # a scheduled event; its time is not used
    return tick()


handler = worker_handler(_tick)
