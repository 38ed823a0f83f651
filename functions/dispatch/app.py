"""Campaign-dispatch tasks, invoked by statemachines/campaign_dispatch.asl.json with
`{"action": "prepare" | "page" | "finalize" | "fail", ...state}`; the input is parsed with
Powertools' parser into `DispatchState` (`DispatchFailure` for `fail`)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser import parse

from engage.campaigns import dispatch
from engage.campaigns.events import DispatchAction
from engage.core.handlers import worker_handler


def _dispatch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    action = parse(event=event, model=DispatchAction).action
    if action == "fail":
        return dispatch.fail(parse(event=event, model=dispatch.DispatchFailure))
    state = parse(event=event, model=dispatch.DispatchState)
    if action == "prepare":
        return dispatch.prepare(state)
    if action == "page":
        return dispatch.resolve_page(state)
    return dispatch.finalize(state)


handler = worker_handler(_dispatch)
