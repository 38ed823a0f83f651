"""Data that survives a restart of the local runtime (`make dev`).

moto keeps everything in memory and has no persistence of its own, so the runtime snapshots
what a developer would miss into a state directory (`.local-state/` in the checkout, ignored by
git; `--state-dir` or LOCAL_STATE_DIR choose another, `--reset` / `make reset` empties it):

* `secrets.json`, written once when the directory is new: the JWT signing secret, the sandbox
  webhook secret and the template's Secrets Manager values, so access tokens, refresh tokens and
  signed callbacks stay valid across restarts;
* `snapshot.json`, rewritten atomically (temp file + rename): every item of every DynamoDB table
  (wire format, read from moto's tables under the shim's lock) with the table's stream records
  that the event backbone has not taken yet (read under the same lock, so no committed write
  loses its event across a restart), every object of every S3 bucket,
  the EventBridge Scheduler schedules and which `at(...)`/`rate(...)` firings already happened,
  the messages in every SQS queue with what is left of their delay (a message handled after the
  snapshot is delivered again after a restart: at-least-once, as SQS is, and every consumer is
  idempotent; receive counts start again from zero), the Step Functions
  dispatch executions that were running, and the sandbox outboxes.

A snapshot is written at most every SNAPSHOT_SECONDS while something changed (moto's server
reports each request that may change state), and once more on Ctrl-C / SIGTERM after the
workers stop, so a `kill -9` loses at most the last few seconds.

On start the runtime provisions moto from template.yaml as always, then `restore` puts the
snapshot back before serving. A campaign dispatch that was running is started again with its
input (its tasks are safe to re-run from the first state: claims keep each recipient to one
send). Voice call executions are not restarted: their slots are freed by the voice tick's
reaper once REAPER_GRACE_SECONDS have passed, a call never placed goes back to the queue and a
call already placed is recorded as failed (`execution_ended`), never dialled twice.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import math
import os
import secrets
import shutil
import sys
import threading
import time
from pathlib import Path
from typing import Any

from local.cfn import ACCOUNT, REGION, ROOT

DEFAULT_DIR = ROOT / ".local-state"
SNAPSHOT_SECONDS = 3.0
FORMAT = 1


def state_dir(explicit: str | None) -> Path:
    """The state directory: `explicit`, else LOCAL_STATE_DIR, else `.local-state/`."""
    return Path(explicit or os.environ.get("LOCAL_STATE_DIR") or DEFAULT_DIR).resolve()


def lock_state_dir(directory: Path) -> None:
    """Hold `directory/.lock` for the life of the process; exit with a message when another
    runtime holds it (two runtimes writing one snapshot would lose each other's data)."""
    import fcntl

    directory.mkdir(parents=True, exist_ok=True)
    handle = (directory / ".lock").open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise SystemExit(
            f"{directory} is in use by another local runtime: stop it first, or give this one "
            f"its own --state-dir."
        ) from None
    _held.append(handle)


_held: list[Any] = []


def reset(directory: Path) -> None:
    """Forget everything kept in `directory` (`--reset`, `make reset`) but its lock."""
    for path in directory.iterdir():
        if path.name == ".lock":
            continue
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()


def load_secrets(directory: Path, names: list[str]) -> dict[str, str]:
    """The runtime's generated secrets, by name: read from `secrets.json`, with any name not
    there yet generated (64 hex characters) and written back (mode 0600)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "secrets.json"
    saved: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    missing = [n for n in names if n not in saved]
    if missing:
        saved.update({n: secrets.token_hex(32) for n in missing})
        _write(path, saved)
        path.chmod(0o600)
    return saved


def _write(path: Path, data: Any) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w") as fh:
        json.dump(data, fh, separators=(",", ":"), default=_encode)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to the snapshot")


class Snapshots:
    """Writes and restores `snapshot.json` for one runtime. `fired` is the runtime's record of
    schedule firings (kept in the snapshot); `dispatch_arn` the dispatch state machine."""

    def __init__(self, directory: Path, fired: dict[str, float], dispatch_arn: str) -> None:
        self.path = directory / "snapshot.json"
        self.fired = fired
        self.dispatch_arn = dispatch_arn
        self.changes = 0
        self._written = 0
        self._lock = threading.Lock()
        self.pending_executions: list[dict[str, str]] = []

    def changed(self) -> None:
        """Note a change (moto's server calls this after each mutating request)."""
        self.changes += 1

    # -- writing ---------------------------------------------------------------------------
    def write(self) -> float:
        """Write a snapshot of everything now; returns the seconds it took."""
        started = time.monotonic()
        with self._lock:
            seen = self.changes
            data = {
                "format": FORMAT,
                "written": dt.datetime.now(dt.UTC).isoformat(),
                **_tables_and_streams(),
                "s3": _objects(),
                "scheduler": _schedules(),
                "fired": dict(self.fired),
                "sqs": _messages(),
                "executions": self._running_executions(),
                "outbox": _outboxes(),
            }
            _write(self.path, data)
            self._written = seen
        return time.monotonic() - started

    def run(self, stop: threading.Event) -> None:
        """Write a snapshot every SNAPSHOT_SECONDS (or five times as long as the last one
        took, whichever is longer) while something changed, until `stop` is set."""
        period = SNAPSHOT_SECONDS
        while not stop.wait(period):
            if self.changes == self._written:
                continue
            try:
                took = self.write()
            except Exception as exc:  # keep serving; the next pass tries again
                print(f"[local] snapshot failed: {type(exc).__name__}: {exc}", file=sys.stderr)
                continue
            period = max(SNAPSHOT_SECONDS, 5 * took)

    def _running_executions(self) -> list[dict[str, str]]:
        import boto3

        sfn = boto3.client("stepfunctions")
        out = []
        pages = sfn.get_paginator("list_executions").paginate(
            stateMachineArn=self.dispatch_arn, statusFilter="RUNNING"
        )
        for page in pages:
            for e in page["executions"]:
                described = sfn.describe_execution(executionArn=e["executionArn"])
                out.append({"name": e["name"], "input": described.get("input") or "{}"})
        return [*out, *self.pending_executions]

    # -- restoring -------------------------------------------------------------------------
    def restore(self) -> dict[str, int]:
        """Put the last snapshot back into the freshly provisioned moto (before serving);
        returns what was restored, by kind. Running dispatches are kept for `resume`."""
        if not self.path.exists():
            return {}
        data = json.loads(self.path.read_text())
        if data.get("format") != FORMAT:
            raise RuntimeError(f"{self.path} is from another version: start with --reset")
        counts = {
            "items": _restore_tables(data["dynamodb"]),
            "stream records": _restore_streams(data["dynamodb"], data.get("streams") or {}),
            "objects": _restore_objects(data["s3"]),
            "schedules": _restore_schedules(data["scheduler"]),
            "queued messages": _restore_messages(data["sqs"]),
            "outbox records": _restore_outboxes(data["outbox"]),
        }
        self.fired.update(data.get("fired") or {})
        self.pending_executions = list(data.get("executions") or [])
        counts["dispatches to resume"] = len(self.pending_executions)
        self.changes = self._written = 0
        return counts

    def resume(self) -> None:
        """Start again the dispatch executions that were running (same name and input)."""
        import boto3

        sfn = boto3.client("stepfunctions")
        for e in self.pending_executions:
            sfn.start_execution(stateMachineArn=self.dispatch_arn, name=e["name"], input=e["input"])
        self.pending_executions = []


# -- DynamoDB: moto's tables, read and written under the shim's lock ---------------------------
def _ddb_backend() -> Any:
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[ACCOUNT][REGION]


def _tables_and_streams() -> dict[str, Any]:
    """`{"dynamodb": {table: [item]}, "streams": {table: [record]}}`: every item, and the
    stream records not delivered yet, read under one hold of the lock, so a write is in the
    snapshot with its record or not at all (a crash loses no event; local/streams.py)."""
    from local.moto_patches import dynamodb_lock
    from local.streams import pending_records

    out: dict[str, list[dict[str, Any]]] = {}
    streams: dict[str, list[dict[str, Any]]] = {}
    with dynamodb_lock():
        for name, table in _ddb_backend().tables.items():
            rows: list[dict[str, Any]] = []
            for partition in table.items.values():
                members = partition.values() if table.range_key_attr else [partition]
                rows.extend(item.to_json()["Attributes"] for item in members)
            out[name] = rows
            if table.stream_shard is not None:
                streams[name] = pending_records(name)
    return {"dynamodb": out, "streams": streams}


def _restore_streams(tables: dict[str, Any], streams: dict[str, list[dict[str, Any]]]) -> int:
    """Replace the records that restoring the items made with the saved undelivered ones."""
    from local.streams import restore_records

    return sum(restore_records(name, streams.get(name, [])) for name in tables)


def _restore_tables(tables: dict[str, list[dict[str, Any]]]) -> int:
    from local.moto_patches import dynamodb_lock

    backend, n = _ddb_backend(), 0
    with dynamodb_lock():
        for name, rows in tables.items():
            table = backend.tables.get(name)
            if table is None:  # a table the template no longer has
                continue
            for row in rows:
                table.put_item(row)
                n += 1
    return n


# -- S3, Scheduler, SQS: through their APIs or moto's queue list --------------------------------
def _objects() -> dict[str, list[dict[str, str]]]:
    import boto3

    s3 = boto3.client("s3")
    out: dict[str, list[dict[str, str]]] = {}
    for bucket in s3.list_buckets()["Buckets"]:
        name = bucket["Name"]
        out[name] = []
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=name):
            for obj in page.get("Contents", []):
                got = s3.get_object(Bucket=name, Key=obj["Key"])
                out[name].append(
                    {
                        "key": obj["Key"],
                        "body": base64.b64encode(got["Body"].read()).decode(),
                        "contentType": got.get("ContentType", "binary/octet-stream"),
                    }
                )
    return out


def _restore_objects(buckets: dict[str, list[dict[str, str]]]) -> int:
    import boto3

    s3, n = boto3.client("s3"), 0
    existing = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    for name, objects in buckets.items():
        if name not in existing:
            continue
        for obj in objects:
            s3.put_object(
                Bucket=name,
                Key=obj["key"],
                Body=base64.b64decode(obj["body"]),
                ContentType=obj["contentType"],
            )
            n += 1
    return n


_SCHEDULE_FIELDS = (
    "Name",
    "GroupName",
    "ScheduleExpression",
    "ScheduleExpressionTimezone",
    "StartDate",
    "EndDate",
    "FlexibleTimeWindow",
    "Target",
    "ActionAfterCompletion",
    "State",
    "Description",
)


def _schedules() -> list[dict[str, Any]]:
    import boto3

    scheduler = boto3.client("scheduler")
    out = []
    for group in scheduler.list_schedule_groups()["ScheduleGroups"]:
        listed = scheduler.list_schedules(GroupName=group["Name"]).get("Schedules", [])
        for s in listed:
            got = scheduler.get_schedule(Name=s["Name"], GroupName=group["Name"])
            out.append({k: got[k] for k in _SCHEDULE_FIELDS if got.get(k) is not None})
    return out


def _restore_schedules(schedules: list[dict[str, Any]]) -> int:
    import boto3

    scheduler = boto3.client("scheduler")
    for s in schedules:
        params = dict(s)
        for k in ("StartDate", "EndDate"):
            if k in params:
                params[k] = dt.datetime.fromisoformat(params[k])
        scheduler.create_schedule(**params)
    return len(schedules)


def _sqs_backend() -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[ACCOUNT][REGION]


def _messages() -> dict[str, list[dict[str, Any]]]:
    """Every message of every queue, visible or not (in flight), with the seconds left of its
    delay (moto keeps `delayed_until` in epoch milliseconds)."""
    now_ms = time.time() * 1000

    def left(m: Any) -> int:
        return min(max(math.ceil((m.delayed_until - now_ms) / 1000), 0), 900)

    return {
        name: [{"body": m.body, "delay": left(m)} for m in list(queue._messages)]
        for name, queue in list(_sqs_backend().queues.items())
    }


def _restore_messages(queues: dict[str, list[dict[str, Any]]]) -> int:
    import boto3

    sqs, n = boto3.client("sqs"), 0
    for name, messages in queues.items():
        if not messages:
            continue
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        for i in range(0, len(messages), 10):
            entries = [
                {"Id": str(j), "MessageBody": m["body"], "DelaySeconds": m["delay"]}
                for j, m in enumerate(messages[i : i + 10])
            ]
            sqs.send_message_batch(QueueUrl=url, Entries=entries)
            n += len(entries)
    return n


# -- the sandbox outboxes (in-process records) ---------------------------------------------------
def _outbox_objects() -> dict[str, Any]:
    from engage.channels.email_sandbox import EMAIL_OUTBOX
    from engage.channels.sandbox import OUTBOX
    from engage.channels.voice import CALL_OUTBOX

    return {"messages": OUTBOX, "calls": CALL_OUTBOX, "emails": EMAIL_OUTBOX}


def _outboxes() -> dict[str, list[dict[str, Any]]]:
    return {name: box.list(10**9)[::-1] for name, box in _outbox_objects().items()}


def _restore_outboxes(saved: dict[str, list[dict[str, Any]]]) -> int:
    boxes, n = _outbox_objects(), 0
    for name, records in saved.items():
        for record in records:  # oldest first, as they were added
            boxes[name].add(record)
            n += 1
    return n
