"""SQS consumer of the inbound e-mail queue (issue 10 "Inbound e-mail"): SES's receipt rule
stores each message in INBOUND_EMAIL_BUCKET, S3 notifies the queue (`s3:ObjectCreated:*`),
and each record's S3 event names the objects to deliver (engage/email/inbound.py).

Records are parsed by Powertools' parser (`SqsRecordModel`); the body is read as an S3 event
notification of which only each record's bucket name and object key are required (moto's
events, which the local runtime delivers, carry fewer fields than AWS's); S3's `s3:TestEvent`
is acknowledged and skipped. A record whose delivery raises (S3 or DynamoDB
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
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import BaseModel, ConfigDict, Field

from engage.core.handlers import worker_handler
from engage.core.observability import logger
from engage.email.inbound import receive_object


class _Named(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1, max_length=255)


class _Object(BaseModel):
    model_config = ConfigDict(extra="ignore")
    key: str = Field(min_length=1, max_length=1024)


class _S3(BaseModel):
    model_config = ConfigDict(extra="ignore")
    bucket: _Named
    object: _Object


class _S3Record(BaseModel):
    model_config = ConfigDict(extra="ignore")
    s3: _S3


class S3Notification(BaseModel):
    """An S3 event notification (`Records[].s3.bucket.name`, `Records[].s3.object.key`)."""

    model_config = ConfigDict(extra="ignore")
    Records: list[_S3Record] = Field(default_factory=list, max_length=100)


processor = BatchProcessor(event_type=EventType.SQS, model=SqsRecordModel)


def _record(record: SqsRecordModel) -> None:
    body = json.loads(record.body)
    if isinstance(body, dict) and body.get("Event") == "s3:TestEvent":
        return
    for s3_record in S3Notification.model_validate(body).Records:
        # S3 event keys are URL-encoded (spaces as `+`)
        key = unquote_plus(s3_record.s3.object.key)
        outcome = receive_object(s3_record.s3.bucket.name, key)
        logger.info("inbound e-mail", extra={"status": outcome.status})


def _handle(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=_record, processor=processor, context=context
    )


handler = worker_handler(_handle)
