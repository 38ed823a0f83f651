"""The sandbox voice provider's callbacks (engage/channels/voice.py): an SQS consumer that
delivers each simulated call-progress callback to the same handler the status webhook uses."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from engage.core.handlers import worker_handler
from engage.voice import calls

processor = BatchProcessor(event_type=EventType.SQS)


def _record(record: SQSRecord) -> None:
    body = json.loads(record.body)
    calls.status_callback("sandbox", body["params"], body.get("ref"))


def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=_record, processor=processor, context=context
    )


handler = worker_handler(_handle)
