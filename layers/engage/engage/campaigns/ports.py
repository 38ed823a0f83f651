"""Ports of the campaigns group to SQS and Step Functions (the scheduler port is `schedules`).

Services call these instead of boto3, so the queues and the state machine can be faked at this
boundary.
"""

from __future__ import annotations

import json
from typing import Any

from engage.core.aws import client
from engage.core.settings import get_settings

BATCH_ENTRIES = 10
BATCH_BYTES = 1024 * 1024
"""SendMessageBatch takes at most 10 entries whose bodies weigh at most 1 MiB together
(Amazon SQS API reference, SendMessageBatch)."""


def requests_of(bodies: list[str]) -> list[list[str]]:
    """`bodies` in order, grouped into SendMessageBatch requests of at most BATCH_ENTRIES
    entries and BATCH_BYTES of UTF-8 (a body over BATCH_BYTES goes alone, for SQS to judge)."""
    groups: list[list[str]] = []
    current: list[str] = []
    weight = 0
    for body in bodies:
        size = len(body.encode())
        if current and (len(current) >= BATCH_ENTRIES or weight + size > BATCH_BYTES):
            groups.append(current)
            current, weight = [], 0
        current.append(body)
        weight += size
    if current:
        groups.append(current)
    return groups


def _send(queue_url: str, bodies: list[str]) -> None:
    """SendMessageBatch, grouped by `requests_of`; raises RuntimeError if SQS refuses any."""
    sqs = client("sqs")
    for group in requests_of(bodies):
        entries = [{"Id": str(j), "MessageBody": b} for j, b in enumerate(group)]
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
