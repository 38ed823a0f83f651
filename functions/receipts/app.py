"""SQS consumer of the receipts queue: applies delivery receipts (each record's body is a
`ReceiptsBody`, a Powertools parser model; a receipt that overtook its send is retried through
`batchItemFailures`)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse

from engage.campaigns.events import ReceiptsRecord
from engage.campaigns.receipts import apply_receipts
from engage.channels.base import Receipt
from engage.core.handlers import worker_handler

processor = BatchProcessor(event_type=EventType.SQS, model=ReceiptsRecord)


def _record(record: ReceiptsRecord) -> None:
    apply_receipts([Receipt(**r.model_dump()) for r in record.body.receipts])


def _handle(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=_record, processor=processor, context=context
    )


handler = worker_handler(_handle)
