"""SQS consumer of the import queue: runs (or resumes) asynchronous contact imports."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from engage.contacts.jobs import fail_job, run_job
from engage.core.errors import Conflict, EngageError
from engage.core.handlers import worker_handler

processor = BatchProcessor(event_type=EventType.SQS)
MAX_RECEIVES = 3  # the queue's redrive policy sends the message to the DLQ after this


def _record(record: SQSRecord) -> None:
    body = json.loads(record.body)
    try:
        run_job(body["tenantId"], body["jobId"])
    except Conflict:
        raise  # another import of this tenant holds the lease: retry after the visibility timeout
    except EngageError as exc:  # the stored file turned out unreadable: no retry helps
        fail_job(body["tenantId"], body["jobId"], exc.message)
    except Exception as exc:
        if int(record.attributes.approximate_receive_count or 1) >= MAX_RECEIVES:
            fail_job(body["tenantId"], body["jobId"], f"import failed: {type(exc).__name__}")
        raise


def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(
        event=event, record_handler=_record, processor=processor, context=context
    )


handler = worker_handler(_handle)
