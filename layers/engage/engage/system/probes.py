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


def send_queue_reachable() -> bool:
    """GetQueueAttributes on SEND_QUEUE_URL answers (False on any AWS or connection error)."""
    try:
        client("sqs").get_queue_attributes(
            QueueUrl=get_settings().send_queue_url, AttributeNames=["ApproximateNumberOfMessages"]
        )
    except (BotoCoreError, ClientError):
        return False
    return True
