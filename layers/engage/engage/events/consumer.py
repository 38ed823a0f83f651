"""The Lambda handler of a bus consumer (DESIGN.md section 5: consumers chosen by rules).

A consumer's rule puts the domain events it cares about on its own SQS queue (EventBridge ->
SQS -> Lambda: batched, retried, with a DLQ). Each SQS record's body is one EventBridge event
whose `detail` is a `DomainEvent` (engage/events/envelope.py). Records are parsed with
Powertools' parser (`SqsRecordModel`, the body as an `EventBridgeModel`) and processed with its
`BatchProcessor`: a record that fails is reported in `batchItemFailures` and retried alone.
Consumers are idempotent on the event id themselves (engage/events/seen.py).
"""

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.parser.models import EventBridgeModel, SqsRecordModel
from pydantic import Json

from engage.events.envelope import DomainEvent


class BusEventRecord(SqsRecordModel):
    """An SQS record carrying one EventBridge event."""

    # No `from __future__ import annotations` in this module: pydantic resolves this type at
    # class creation.
    body: Json[EventBridgeModel]  # type: ignore[assignment]


def bus_consumer(
    consume: Callable[[DomainEvent], object],
) -> Callable[[dict[str, Any], Any], PartialItemFailureResponse]:
    """The SQS handler `(event, context) -> {"batchItemFailures": [...]}` that gives each
    record's domain event to `consume` (its return value is ignored); a record whose body is
    not a domain event, or whose `consume` raises, is a failed item."""
    processor = BatchProcessor(event_type=EventType.SQS, model=BusEventRecord)

    def handle_record(record: BusEventRecord) -> None:  # Powertools passes `record=`
        consume(DomainEvent.model_validate(record.body.detail))

    def handle(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
        return process_partial_response(
            event=event, record_handler=handle_record, processor=processor, context=context
        )

    return handle
