"""The assignment sweep (EventBridge schedule, every minute; `EventBridgeModel` via
Powertools' parser): heals slots and queues a crash left (engage/routing/sweep.py)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from engage.core.handlers import worker_handler
from engage.routing.sweep import sweep


def _sweep(event: dict[str, Any], context: Any) -> dict[str, int]:
    parse(event=event, model=EventBridgeModel)  # a scheduled event; its time is not used
    return asdict(sweep())


handler = worker_handler(_sweep)
