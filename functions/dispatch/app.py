"""Campaign-dispatch tasks, invoked by statemachines/campaign_dispatch.asl.json with
`{"action": "prepare" | "page" | "finalize" | "fail", ...state}`."""

from __future__ import annotations

from typing import Any

from engage.campaigns import dispatch
from engage.core.handlers import worker_handler

ACTIONS = {
    "prepare": dispatch.prepare,
    "page": dispatch.resolve_page,
    "finalize": dispatch.finalize,
    "fail": dispatch.fail,
}


def _dispatch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    action = event.get("action")
    if action not in ACTIONS:
        raise ValueError(f"unknown dispatch action {action!r}")
    return ACTIONS[action](event)


handler = worker_handler(_dispatch)
