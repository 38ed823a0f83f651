"""SQS consumer of the send queue (Powertools batch processing, partial batch failures)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from engage.campaigns.sender import process_record_body
from engage.core.handlers import worker_handler

processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    process_record_body(record.body)


def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=_record, processor=processor, context=context
    )


handler = worker_handler(_handle)
