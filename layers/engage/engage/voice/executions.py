"""Port: the per-call Step Functions state machine (VOICE_STATE_MACHINE_ARN,
statemachines/voice_call.asl.json): start one execution, ask whether one is still running.
Completing an execution's task token is `engage.voice.tokens`."""

from __future__ import annotations

import contextlib

from engage.core.aws import client
from engage.core.settings import get_settings
from engage.voice.task_models import CallRef


def start(call: CallRef) -> None:
    """StartExecution named `call.execution` with the call as its input (a second start of
    the same name is a no-op: ExecutionAlreadyExists)."""
    sfn = client("stepfunctions")
    with contextlib.suppress(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(
            stateMachineArn=get_settings().voice_state_machine_arn,
            name=call.execution,
            input=call.model_dump_json(exclude_none=True),
        )


def is_running(name: str) -> bool:
    """Whether execution `name` of the voice state machine is RUNNING (DescribeExecution);
    False when it does not exist."""
    arn = get_settings().voice_state_machine_arn.replace(":stateMachine:", ":execution:")
    sfn = client("stepfunctions")
    try:
        status = sfn.describe_execution(executionArn=f"{arn}:{name}")["status"]
    except sfn.exceptions.ExecutionDoesNotExist:
        return False
    return bool(status == "RUNNING")
