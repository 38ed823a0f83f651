"""The usage consumer: the bus's rule puts `conversation.created`, `message.created` and
`contact.created` on an SQS queue (EventBridge -> SQS -> Lambda: batched, retried, with a
DLQ); each record is one EventBridge event whose `detail` is a domain event. Counting is
idempotent on the event id (engage/usage/consumer.py); a record that fails is reported in
`batchItemFailures` and retried alone.
"""

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel, SqsRecordModel
from pydantic import Json

from engage.core.handlers import worker_handler
from engage.events.envelope import DomainEvent
from engage.usage.consumer import count


class UsageEventRecord(SqsRecordModel):
    """An SQS record carrying one EventBridge event."""

    # No `from __future__ import annotations` in this module: pydantic resolves this type at
    # class creation (the local runtime loads app.py files outside sys.modules).
    body: Json[EventBridgeModel]  # type: ignore[assignment]


processor = BatchProcessor(event_type=EventType.SQS, model=UsageEventRecord)


def _record(record: UsageEventRecord) -> None:
    count(DomainEvent.model_validate(record.body.detail))


def _handle(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=_record, processor=processor, context=context
    )


handler = worker_handler(_handle)
