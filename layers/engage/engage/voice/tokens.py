"""Completing the Step Functions task token a call's execution waits on (`PlaceCall`,
`.waitForTaskToken`; https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html
#connect-wait-token).

A token may be completed from two places (the final status callback, and PlaceCall itself when
it finds the callback already recorded), so a second completion is expected and harmless: the
errors Step Functions answers for a token that is done or gone are logged, not raised.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from engage.core.aws import client
from engage.core.observability import logger

_DONE = {"TaskDoesNotExist", "TaskTimedOut", "InvalidToken"}


def succeed(token: str, output: dict[str, Any]) -> bool:
    """SendTaskSuccess with `output`; False when the token was already done or unknown."""
    try:
        client("stepfunctions").send_task_success(taskToken=token, output=json.dumps(output))
    except ClientError as exc:
        if exc.response["Error"]["Code"] in _DONE:
            logger.info("task token already done", extra={"error": exc.response["Error"]["Code"]})
            return False
        raise
    return True


def heartbeat(token: str) -> bool:
    """SendTaskHeartbeat (a progress callback shows the call is alive); False if done."""
    try:
        client("stepfunctions").send_task_heartbeat(taskToken=token)
    except ClientError as exc:
        if exc.response["Error"]["Code"] in _DONE:
            return False
        raise
    return True
