"""Port: the health probes of `GET /health`, one real request per dependency."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from engage.core.aws import client
from engage.core.settings import get_settings


def table_reachable() -> bool:
    """DescribeTable on TABLE_NAME answers (False on any AWS or connection error)."""
    try:
        client("dynamodb").describe_table(TableName=get_settings().table_name)
    except (BotoCoreError, ClientError):
        return False
    return True


def queue_reachable(queue_url: str) -> bool:
    """GetQueueAttributes on `queue_url` answers (False on any AWS or connection error, or
    when no queue is configured)."""
    if not queue_url:
        return False
    try:
        client("sqs").get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )
    except (BotoCoreError, ClientError):
        return False
    return True


def send_queue_reachable() -> bool:
    """The campaign send queue (SEND_QUEUE_URL) answers."""
    return queue_reachable(get_settings().send_queue_url)


def receipts_queue_reachable() -> bool:
    """The queue the provider webhooks hand receipts and replies to (RECEIPTS_QUEUE_URL)."""
    return queue_reachable(get_settings().receipts_queue_url)


def event_bus_reachable() -> bool:
    """DescribeEventBus on EVENT_BUS_NAME answers (False when unset or on any error)."""
    name = get_settings().event_bus_name
    if not name:
        return False
    try:
        client("events").describe_event_bus(Name=name)
    except (BotoCoreError, ClientError):
        return False
    return True
