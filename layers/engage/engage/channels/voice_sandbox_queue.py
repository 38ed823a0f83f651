"""Port: the SQS queue that carries the sandbox voice provider's simulated callbacks
(VOICE_SANDBOX_QUEUE_URL; consumed by functions/voice_sandbox)."""

from __future__ import annotations

from typing import Any

from engage.core.aws import client
from engage.core.settings import get_settings


def send(entries: list[dict[str, Any]]) -> None:
    """SendMessageBatch of up to 10 entries (`Id`, `MessageBody`, `DelaySeconds`)."""
    client("sqs").send_message_batch(
        QueueUrl=get_settings().voice_sandbox_queue_url, Entries=entries
    )
