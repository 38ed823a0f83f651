"""The per-call state machine's input and its task events (statemachines/voice_call.asl.json),
as pydantic models: the voice call worker parses each task's event with Powertools' parser
(`aws_lambda_powertools.utilities.parser.parse`) into `CallTaskEvent`.

The execution's input is a `CallRef`; each state adds its result under its own path (`slot`,
`result`, `error`, `recorded`, `record_error`), and every task receives the whole state as
`call` (`"call.$": "$"`), plus the task token for PlaceCall (`"task_token.$": "$$.Task.Token"`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class CallRef(BaseModel):
    """One claim of a call attempt: the execution's input (and its semaphore holder id)."""

    model_config = ConfigDict(extra="ignore")

    execution: str = Field(min_length=1, max_length=80)
    tenant_id: str = Field(min_length=1)
    campaign_id: str = Field(min_length=1)
    seq: int = Field(ge=1)
    attempt: int = Field(ge=1)
    timeout_seconds: int | None = Field(
        default=None, description="PlaceCall's wait: CALL_MAX_SECONDS plus 15 minutes"
    )


class Disposition(StrEnum):
    """What to do with a call that was not placed."""

    REQUEUE = "requeue"
    CANCELLED = "cancelled"
    FAILED = "failed"
    STALE = "stale"


class CallResult(BaseModel):
    """PlaceCall's output (the task token's): a placed call's final status (`status`,
    `talk_seconds`, `answered_by`, `call_sid`), or `placed: false` with a disposition."""

    model_config = ConfigDict(extra="ignore")

    placed: bool
    disposition: Disposition | None = None
    reason: str | None = None
    status: str | None = None
    talk_seconds: int = 0
    answered_by: str | None = None
    call_sid: str | None = None


class TaskError(BaseModel):
    """A caught error (`Catch` with `ResultPath: $.error`), e.g. `States.Timeout`."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    error: str = Field(default="NoResult", alias="Error")
    cause: str | None = Field(default=None, alias="Cause")


class CallState(CallRef):
    """The execution's state as the tasks receive it."""

    result: CallResult | None = None
    error: TaskError | None = None


class CallAction(StrEnum):
    """The task a Lambda invocation of the voice call function runs."""

    ACQUIRE = "acquire"
    REQUEUE = "requeue"
    PLACE = "place"
    RECORD = "record"
    RELEASE = "release"


class CallTaskEvent(BaseModel):
    """`{"action", "call": {...}, "task_token"?}`: one task of the state machine."""

    model_config = ConfigDict(extra="ignore")

    action: CallAction
    call: CallState
    task_token: str | None = None


def call_state(event: dict[str, Any] | CallState) -> CallState:
    """A `CallState` from a task's plain dict (bench and maintenance callers) or as is."""
    return event if isinstance(event, CallState) else CallState.model_validate(event)
