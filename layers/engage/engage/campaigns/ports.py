"""Ports of the campaigns group to SQS and Step Functions (the scheduler port is `schedules`).

Services call these instead of boto3, so the queues and the state machine can be faked at this
boundary.
"""

from __future__ import annotations

import json
from typing import Any

from engage.core.aws import client
from engage.core.settings import get_settings


def _send(queue_url: str, bodies: list[str]) -> None:
    """SendMessageBatch, 10 bodies a request; raises RuntimeError if SQS refuses any."""
    sqs = client("sqs")
    for i in range(0, len(bodies), 10):
        entries = [{"Id": str(j), "MessageBody": b} for j, b in enumerate(bodies[i : i + 10])]
        result = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        if result.get("Failed"):
            raise RuntimeError(f"SQS refused {len(result['Failed'])} messages")


def send_batches(bodies: list[str]) -> None:
    """Put send batches (JSON written by dispatch) on SEND_QUEUE_URL."""
    _send(get_settings().send_queue_url, bodies)


def send_receipts(bodies: list[str]) -> None:
    """Put receipt bodies on RECEIPTS_QUEUE_URL."""
    _send(get_settings().receipts_queue_url, bodies)


def start_dispatch(name: str, payload: dict[str, Any]) -> str:
    """Start the campaign-dispatch state machine; returns the execution ARN."""
    execution = client("stepfunctions").start_execution(
        stateMachineArn=get_settings().dispatch_state_machine_arn,
        name=name,
        input=json.dumps(payload),
    )
    return str(execution["executionArn"])
