"""SQS consumer of the receipts queue: applies delivery receipts (Powertools batch processing;
a receipt that overtook its send is retried through `batchItemFailures`)."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from engage.campaigns.receipts import apply_receipts
from engage.channels.base import Receipt
from engage.core.handlers import worker_handler

processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    receipts = [Receipt(**r) for r in json.loads(record.body)["receipts"]]
    apply_receipts(receipts)


def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=_record, processor=processor, context=context
    )


handler = worker_handler(_handle)
