"""The event backbone's producer: the table's DynamoDB Stream -> domain events -> the bus
(DESIGN.md section 5; issue 9 "The event backbone").

Lambda reads the stream (event source mapping with `ReportBatchItemFailures`); records are
parsed by Powertools' parser (`DynamoDBStreamRecordModel`, images deserialized). Each record's
events (engage/events/derive.py) are published before the next record is taken; a record whose
events cannot be published is reported in `batchItemFailures`, so Lambda retries the batch
from it (records already published are published again with the same event ids: consumers
dedupe on the id). Records of items nobody listens to publish nothing.
"""

from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import DynamoDBStreamRecordModel

from engage.core.handlers import worker_handler
from engage.events import bus
from engage.events.derive import StreamChange, derive

processor = BatchProcessor(event_type=EventType.DynamoDBStreams, model=DynamoDBStreamRecordModel)


def _record(record: DynamoDBStreamRecordModel) -> None:
    stream = record.dynamodb
    change = StreamChange(
        event_id=record.eventID,
        name=record.eventName,
        keys=dict(stream.Keys),
        old=dict(stream.OldImage) if isinstance(stream.OldImage, dict) else None,
        new=dict(stream.NewImage) if isinstance(stream.NewImage, dict) else None,
        at=stream.ApproximateCreationDateTime or record_time_unknown(),
    )
    events = derive(change)
    if events:
        bus.publish(events)


def record_time_unknown() -> Any:
    """The time of a record that carries none (never on AWS): now."""
    from engage.core import clock

    return clock.now()


def _handle(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=_record, processor=processor, context=context
    )


handler = worker_handler(_handle)
