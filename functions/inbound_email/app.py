"""SQS consumer of the inbound e-mail queue (issue 10 "Inbound e-mail"): SES's receipt rule
stores each message in INBOUND_EMAIL_BUCKET, S3 notifies the queue (`s3:ObjectCreated:*`),
and each record's S3 event names the objects to deliver (engage/email/inbound.py).

Records are parsed by Powertools' parser (`SqsRecordModel`, the body as an `S3Model`; S3's
`s3:TestEvent` is acknowledged and skipped). A record whose delivery raises (S3 or DynamoDB
failing) is reported in `batchItemFailures`, retried alone and, after the queue's
maxReceiveCount, goes to the DLQ. What a message holds never fails a record: an unreadable
or unaddressed e-mail is logged and dropped."""

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import S3Model, SqsRecordModel

from engage.core.handlers import worker_handler
from engage.core.observability import logger
from engage.email.inbound import receive_object

processor = BatchProcessor(event_type=EventType.SQS, model=SqsRecordModel)


def _record(record: SqsRecordModel) -> None:
    body = json.loads(record.body)
    if isinstance(body, dict) and body.get("Event") == "s3:TestEvent":
        return
    for s3_record in S3Model.model_validate(body).Records:
        # S3 event keys are URL-encoded (spaces as `+`)
        key = unquote_plus(s3_record.s3.object.key)
        outcome = receive_object(s3_record.s3.bucket.name, key)
        logger.info("inbound e-mail", extra={"status": outcome.status})


def _handle(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=_record, processor=processor, context=context
    )


handler = worker_handler(_handle)
