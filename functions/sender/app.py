"""SQS consumer of the send queue: each record's body is a `SendBatchBody` (Powertools parser
model), sent by `engage.campaigns.sender`; Powertools batch processing reports partial batch
failures, so one failed record is retried without the others."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

from engage.campaigns.events import SendRecord
from engage.campaigns.sender import process
from engage.core.handlers import worker_handler

processor = BatchProcessor(event_type=EventType.SQS, model=SendRecord)


def _record(record: SendRecord) -> None:
    process(record.body)


def _handle(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=_record, processor=processor, context=context
    )


handler = worker_handler(_handle)
