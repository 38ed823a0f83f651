"""SQS consumer of the import queue: runs (or resumes) asynchronous contact imports.

Records are parsed by Powertools' parser (`SqsRecordModel` with the body as JSON of
`ImportJobMessage`); a record that fails (parse error included) is reported in
`batchItemFailures`, so only it is retried and, after MAX_RECEIVES, goes to the DLQ."""

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import BaseModel, ConfigDict, Field, Json

from engage.contacts.jobs import fail_job, run_job
from engage.core.errors import Conflict, EngageError
from engage.core.handlers import worker_handler

MAX_RECEIVES = 3  # the queue's redrive policy sends the message to the DLQ after this


class ImportJobMessage(BaseModel):
    """The body `engage.contacts.import_port.queue_job` sends."""

    model_config = ConfigDict(extra="ignore")
    tenant_id: str = Field(alias="tenantId", min_length=1, max_length=64)
    job_id: str = Field(alias="jobId", min_length=1, max_length=64)


class ImportJobRecord(SqsRecordModel):
    """An SQS record of the import queue."""

    # No `from __future__ import annotations` in this module: pydantic resolves this type at
    # class creation (the local runtime loads app.py files outside sys.modules).
    body: Json[ImportJobMessage]  # type: ignore[assignment]


processor = BatchProcessor(event_type=EventType.SQS, model=ImportJobRecord)


def _record(record: ImportJobRecord) -> None:
    job = record.body
    try:
        run_job(job.tenant_id, job.job_id)
    except Conflict:
        raise  # another import of this tenant holds the lease: retry after the visibility timeout
    except EngageError as exc:  # the stored file turned out unreadable: no retry helps
        fail_job(job.tenant_id, job.job_id, exc.message)
    except Exception as exc:
        if int(record.attributes.ApproximateReceiveCount or 1) >= MAX_RECEIVES:
            fail_job(job.tenant_id, job.job_id, f"import failed: {type(exc).__name__}")
        raise


def _handle(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=_record, processor=processor, context=context
    )


handler = worker_handler(_handle)
