"""The sandbox voice provider's callbacks (engage/channels/voice_sandbox.py): an SQS consumer
that delivers each simulated call-progress callback to the same handler the status webhook
uses. Records are parsed with Powertools' parser (`SqsRecordModel` with a typed JSON body) and
failures are reported per record (ReportBatchItemFailures)."""

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import BaseModel, Json

from engage.core.handlers import worker_handler
from engage.voice.callbacks import status_callback


class SandboxCallback(BaseModel):
    """One simulated callback: our call `ref` and Twilio's form parameters."""

    ref: str | None = None
    params: dict[str, str]


class SandboxCallbackRecord(SqsRecordModel):
    """An SQS record whose body is a `SandboxCallback` (JSON)."""

    body: Json[SandboxCallback]  # type: ignore[assignment]


processor = BatchProcessor(event_type=EventType.SQS, model=SandboxCallbackRecord)


def _record(record: SandboxCallbackRecord) -> None:
    status_callback("sandbox", record.body.params, record.body.ref)


def _handle(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=_record, processor=processor, context=context
    )


handler = worker_handler(_handle)
