"""The local runtime's snapshots (local/state.py): what a developer made before a restart is
there after it. moto's backends are the same under `mock_aws` as in the runtime's server."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from engage.channels.sandbox import OUTBOX
from local.cfn import table_definitions
from local.state import Snapshots, load_secrets, reset

ROLE = "arn:aws:iam::123456789012:role/r"
LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:f"


def _provision() -> str:
    """The resources the runtime would create from template.yaml (a few of them)."""
    boto3.client("dynamodb").create_table(TableName="t", **table_definitions()["EngageTable"])
    boto3.client("s3").create_bucket(Bucket="imports")
    boto3.client("sqs").create_queue(QueueName="send")
    boto3.client("scheduler").create_schedule_group(Name="campaigns")
    sfn = boto3.client("stepfunctions")
    definition = {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}
    return sfn.create_state_machine(name="d", definition=json.dumps(definition), roleArn=ROLE)[
        "stateMachineArn"
    ]


def test_a_snapshot_brings_back_items_objects_schedules_queues_and_the_outbox(tmp_path: Path):
    # Given a runtime's moto with data of every kind, and a sandbox message in the outbox
    OUTBOX.clear()
    fired: dict[str, float] = {"c-1|rate(1 day)": 1700000000.0}
    start = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    with mock_aws():
        arn = _provision()
        item = {"PK": {"S": "T#1#CAMP"}, "SK": {"S": "c1"}, "n": {"N": "3"}, "m": {"M": {}}}
        boto3.client("dynamodb").put_item(TableName="t", Item=item)
        boto3.client("s3").put_object(Bucket="imports", Key="a/b.csv", Body=b"\xef\xbb\xbfphone")
        sqs = boto3.client("sqs")
        url = sqs.get_queue_url(QueueName="send")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="m1")
        sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=600)
        boto3.client("scheduler").create_schedule(
            Name="c-1",
            GroupName="campaigns",
            ScheduleExpression="rate(1 day)",
            StartDate=start,
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": LAMBDA, "RoleArn": ROLE, "Input": "{}"},
        )
        OUTBOX.add({"providerMessageId": "SB1", "to": "+12015550123", "status": "delivered"})
        # When it is snapshotted
        Snapshots(tmp_path, fired, arn).write()
    OUTBOX.clear()

    # Then a new moto, provisioned the same way, gets everything back
    restored_fired: dict[str, float] = {}
    with mock_aws():
        arn = _provision()
        snapshots = Snapshots(tmp_path, restored_fired, arn)
        counts = snapshots.restore()
        got = boto3.client("dynamodb").get_item(
            TableName="t", Key={"PK": item["PK"], "SK": item["SK"]}
        )
        body = boto3.client("s3").get_object(Bucket="imports", Key="a/b.csv")["Body"].read()
        sqs = boto3.client("sqs")
        url = sqs.get_queue_url(QueueName="send")["QueueUrl"]
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        schedule = boto3.client("scheduler").get_schedule(Name="c-1", GroupName="campaigns")
    assert got["Item"] == item
    assert body == b"\xef\xbb\xbfphone"
    assert [m["Body"] for m in messages] == ["m1"]  # "later" is still delayed
    assert (schedule["ScheduleExpression"], schedule["StartDate"]) == ("rate(1 day)", start)
    assert schedule["Target"]["Arn"] == LAMBDA
    assert restored_fired == fired
    assert [m["to"] for m in OUTBOX.list()] == ["+12015550123"]
    assert counts["items"] == 1 and counts["queued messages"] == 2
    assert counts["dispatches to resume"] == 0
    OUTBOX.clear()


def test_secrets_are_made_once_and_kept(tmp_path: Path):
    first = load_secrets(tmp_path, ["JWT_SECRET"])
    again = load_secrets(tmp_path, ["JWT_SECRET", "SANDBOX_WEBHOOK_SECRET"])
    assert again["JWT_SECRET"] == first["JWT_SECRET"] and len(first["JWT_SECRET"]) == 64
    assert (tmp_path / "secrets.json").stat().st_mode & 0o077 == 0


def test_reset_forgets_everything_but_the_lock(tmp_path: Path):
    load_secrets(tmp_path, ["JWT_SECRET"])
    (tmp_path / ".lock").touch()
    reset(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [".lock"]


def test_a_snapshot_from_another_format_is_refused(tmp_path: Path):
    (tmp_path / "snapshot.json").write_text(json.dumps({"format": 0}))
    with pytest.raises(RuntimeError, match="--reset"):
        Snapshots(tmp_path, {}, "arn").restore()


def test_stream_records_not_yet_delivered_survive_a_restart_and_delivered_ones_do_not(
    tmp_path: Path,
):
    # Given two committed writes, of which the event backbone has taken only the first
    from local.moto_patches import trim_stream
    from local.streams import _shard, pending_records

    with mock_aws():
        arn = _provision()
        ddb = boto3.client("dynamodb")
        for sk in ("a", "b"):
            ddb.put_item(TableName="t", Item={"PK": {"S": "T#1#C#0"}, "SK": {"S": sk}})
        trim_stream(_shard("t"), 1)
        # When the runtime is killed right after a snapshot
        Snapshots(tmp_path, {}, arn).write()

    # Then after the restart the second write's record is pending, once, and restoring the
    # items made no records of its own (they are not new writes)
    with mock_aws():
        arn = _provision()
        counts = Snapshots(tmp_path, {}, arn).restore()
        pending = pending_records("t")
    assert counts["items"] == 2 and counts["stream records"] == 1
    assert [(r["eventName"], r["dynamodb"]["Keys"]["SK"]) for r in pending] == [
        ("INSERT", {"S": "b"})
    ]
