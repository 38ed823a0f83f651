"""DynamoDB Stream delivery on one machine: what Lambda's event source mapping does on AWS.

moto records every write of a table with a `StreamSpecification` (template.yaml: EngageTable)
but has no Lambda to give the records to. `StreamSource` takes the records in order, in
batches of the mapping's `BatchSize`, builds the event Lambda builds (`Records` with
`eventSourceARN`), calls the function and honours `batchItemFailures` (the batch is retried
from the first failed record, as `ReportBatchItemFailures` does; a function that raises is
retried whole). Delivered records are dropped from moto (`moto_patches.trim_stream`). The
local runtime polls it (local/workers.py) and snapshots what is not delivered yet
(local/state.py); the tests' harness calls `deliver` while draining.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from local.cfn import ACCOUNT, REGION
from local.functions import LocalFunction


def _shard(table_name: str) -> Any:
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[ACCOUNT][REGION].tables.get(table_name)
    return table.stream_shard if table is not None else None


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime):  # moto keeps the record's time as a datetime
        return value.replace(tzinfo=value.tzinfo or dt.UTC).timestamp()
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value


def pending_records(table_name: str) -> list[dict[str, Any]]:
    """The records not delivered yet, as Lambda gives them (JSON values)."""
    from local.moto_patches import dynamodb_lock

    shard = _shard(table_name)
    if shard is None:
        return []
    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{table_name}/stream/local"
    with dynamodb_lock():
        return [{**_json(r.to_json()), "eventSourceARN": arn} for r in shard.items]


def restore_records(table_name: str, records: list[dict[str, Any]]) -> int:
    """Put back records saved by a snapshot in place of what restoring the items recorded
    (restored items are not new writes: only the saved, undelivered records are pending)."""
    from local.moto_patches import dynamodb_lock, trim_stream

    shard = _shard(table_name)
    if shard is None:
        return 0
    with dynamodb_lock():
        trim_stream(shard, len(shard.items))
        shard.items.extend(_Saved(r) for r in records)
    return len(records)


@dataclass
class _Saved:
    record: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return self.record


class StreamSource:
    """One stream event source mapping of the template: `fn` reads `table_name`'s stream in
    batches of `batch_size`."""

    def __init__(self, fn: LocalFunction, table_name: str, batch_size: int) -> None:
        self.fn, self.table_name, self.batch_size = fn, table_name, batch_size

    def deliver(self) -> int:
        """Give every pending record to the function, batch by batch; returns how many were
        delivered. Stops at a batch that fails (retried on the next call) and raises nothing:
        a failed batch is reported on stderr as Lambda would log it."""
        import sys

        from local.moto_patches import dynamodb_lock, trim_stream

        delivered = 0
        while True:
            records = pending_records(self.table_name)[: self.batch_size]
            if not records:
                return delivered
            try:
                result = self.fn.invoke({"Records": records}) or {}
                failed = [f["itemIdentifier"] for f in result.get("batchItemFailures", [])]
            except Exception as exc:
                print(f"[local] {self.fn.logical_id} failed: {exc}", file=sys.stderr)
                return delivered
            done = len(records)
            if failed:
                sequence = [r["dynamodb"]["SequenceNumber"] for r in records]
                done = min(sequence.index(f) for f in failed if f in sequence)
            with dynamodb_lock():
                trim_stream(_shard(self.table_name), done)
            delivered += done
            if failed:
                print(
                    f"[local] {self.fn.logical_id}: {len(failed)} stream records failed",
                    file=sys.stderr,
                )
                return delivered


def stream_sources(
    functions: dict[str, LocalFunction], table_names: dict[str, str]
) -> list[StreamSource]:
    """The DynamoDB event sources of the template's functions; `table_names` maps a table's
    logical id to its name."""
    out = []
    for fn in functions.values():
        for event in (fn.properties.get("Events") or {}).values():
            if event["Type"] != "DynamoDB":
                continue
            logical = event["Properties"]["Stream"]["Fn::GetAtt"][0]
            batch = int(event["Properties"].get("BatchSize", 100))
            out.append(StreamSource(fn, table_names[logical], batch))
    return out
