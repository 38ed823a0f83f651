"""The waiting-session checker (EventBridge schedule, every minute; `EventBridgeModel` via
Powertools' parser): high-priority sessions unassigned past SESSION_ALERT_WAIT_SECONDS alert
the tenant's agents, admins and owners, once per session per wait
(engage/notifications/alerts.py)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel

from engage.core.handlers import worker_handler
from engage.notifications.alerts import check_waiting


def _tick(event: dict[str, Any], context: Any) -> dict[str, int]:
    parse(event=event, model=EventBridgeModel)  # a scheduled event; its time is not used
    return check_waiting()


handler = worker_handler(_tick)
