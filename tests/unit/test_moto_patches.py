"""The moto shim: queries answer exactly as DynamoDB does (the test suite runs with it installed,
see tests/conftest.py), it refuses another moto release, and Step Functions' Lambda tasks reach
our router under `mock_aws`."""

from __future__ import annotations

import json
import threading
import time

import boto3
import pytest
from moto import mock_aws

from local import moto_patches
from local.cfn import table_definitions


def _load(ddb):
    ddb.create_table(TableName="t", **table_definitions()["EngageTable"])
    for p in (1, 2):
        for i in range(10):
            item = {"PK": {"S": f"P#{p}"}, "SK": {"S": f"{i:03d}"}, "n": {"N": str(i)}}
            if i == 4:
                item.update({"GSI1PK": {"S": "LINK#abc"}, "GSI1SK": {"S": f"L{p}"}})
            ddb.put_item(TableName="t", Item=item)


def test_queries_answer_as_dynamodb_does_with_the_shim_installed():
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _load(ddb)
        base = ddb.query(
            TableName="t",
            KeyConditionExpression="PK = :p AND SK > :s",
            ExpressionAttributeValues={":p": {"S": "P#1"}, ":s": {"S": "003"}},
            ScanIndexForward=False,
            Limit=3,
        )
        assert [i["SK"]["S"] for i in base["Items"]] == ["009", "008", "007"]
        assert base["LastEvaluatedKey"] == {"PK": {"S": "P#1"}, "SK": {"S": "007"}}
        index = ddb.query(
            TableName="t",
            IndexName="GSI1",
            KeyConditionExpression="GSI1PK = :g",
            ExpressionAttributeValues={":g": {"S": "LINK#abc"}},
        )
        assert sorted(i["PK"]["S"] for i in index["Items"]) == ["P#1", "P#2"]
        filtered = ddb.query(
            TableName="t",
            KeyConditionExpression="PK = :p",
            FilterExpression="n > :n",
            ExpressionAttributeValues={":p": {"S": "P#2"}, ":n": {"N": "5"}},
        )
        assert [i["n"]["N"] for i in filtered["Items"]] == ["6", "7", "8", "9"]
        assert filtered["ScannedCount"] == 10
        missing = ddb.query(
            TableName="t",
            KeyConditionExpression="PK = :p",
            ExpressionAttributeValues={":p": {"S": "nobody"}},
        )
        assert missing["Items"] == [] and missing["Count"] == 0


def test_items_answer_as_dynamodb_does_with_the_shim_installed():
    # The shim builds items with one size measurement, reads item requests with json.loads
    # and projects top-level attributes directly: each must answer as moto's own code did.
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(TableName="t", **table_definitions()["EngageTable"])
        item = {
            "PK": {"S": "P#1"},
            "SK": {"S": "A"},
            "name": {"S": "Zoë"},
            "n": {"N": "1.50"},
            "on": {"BOOL": True},
            "none": {"NULL": True},
            "tags": {"SS": ["a", "b"]},
            "meta": {"M": {"device": {"M": {"os": {"S": "iOS 17"}}}, "list": {"L": [{"N": "2"}]}}},
            "blob": {"B": b"\x00\x01"},
        }
        ddb.put_item(TableName="t", Item=item)
        got = ddb.get_item(TableName="t", Key={"PK": {"S": "P#1"}, "SK": {"S": "A"}})["Item"]
        assert got == item  # binary values still take moto's own parse (base64 -> bytes)
        # Projections of top-level names answer those attributes, nested ones still work
        projected = ddb.query(
            TableName="t",
            KeyConditionExpression="PK = :p",
            ExpressionAttributeValues={":p": {"S": "P#1"}},
            ProjectionExpression="#n, meta, tags, absent",
            ExpressionAttributeNames={"#n": "name"},
        )["Items"]
        assert projected == [{"name": item["name"], "meta": item["meta"], "tags": item["tags"]}]
        nested = ddb.get_item(
            TableName="t",
            Key={"PK": {"S": "P#1"}, "SK": {"S": "A"}},
            ProjectionExpression="meta.device.os, meta.list[0]",
        )["Item"]
        assert nested == {
            "meta": {"M": {"device": {"M": {"os": {"S": "iOS 17"}}}, "list": {"L": [{"N": "2"}]}}}
        }
        # A projected copy is a copy: changing the stored item later does not change it
        ddb.update_item(
            TableName="t",
            Key={"PK": {"S": "P#1"}, "SK": {"S": "A"}},
            UpdateExpression="SET meta.device.os = :v",
            ExpressionAttributeValues={":v": {"S": "iOS 18"}},
        )
        assert projected[0]["meta"]["M"]["device"]["M"]["os"] == {"S": "iOS 17"}


def test_an_item_over_400_kb_is_refused_with_the_shim_installed():
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(TableName="t", **table_definitions()["EngageTable"])
        key = {"PK": {"S": "P#1"}, "SK": {"S": "A"}}
        ddb.put_item(TableName="t", Item={**key, "body": {"S": "x" * 399_000}})  # under: kept
        # Over the limit only in total (each attribute alone is under it): still refused
        big = {**key, "a": {"S": "x" * 210_000}, "b": {"S": "y" * 210_000}}
        with pytest.raises(ddb.exceptions.ClientError, match="Item size has exceeded"):
            ddb.put_item(TableName="t", Item=big)
        kept = ddb.get_item(TableName="t", Key=key)["Item"]
        assert len(kept["body"]["S"]) == 399_000 and "a" not in kept


def test_the_shim_refuses_another_moto_release(monkeypatch):
    # Given moto reports a release the shim was not written for
    monkeypatch.setattr(moto_patches, "version", lambda name: "5.1.0")
    # When a patch is installed, Then it fails loudly, naming both releases
    with pytest.raises(moto_patches.MotoVersionError, match=r"5\.2\.5.*5\.1\.0"):
        moto_patches.install_lambda_router(lambda name, event: None)


def test_the_pinned_moto_is_the_one_installed():
    moto_patches.check_version()  # the lock file and MOTO_VERSION agree


ASL = {
    "StartAt": "Double",
    "States": {
        "Double": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "doubler", "Payload": {"n.$": "$.n"}},
            "OutputPath": "$.Payload",
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Failed"}],
            "Next": "Done",
        },
        "Failed": {"Type": "Pass", "Result": {"caught": True}, "End": True},
        "Done": {"Type": "Succeed"},
    },
}


def _run(sfn, arn: str, name: str, payload: dict) -> dict:
    execution = sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(payload))
    deadline = time.monotonic() + 20
    while True:  # moto runs the execution on a thread of its own
        described = sfn.describe_execution(executionArn=execution["executionArn"])
        if described["status"] != "RUNNING":
            return described
        assert time.monotonic() < deadline, "the execution did not finish"
        time.sleep(0.05)


def test_step_functions_lambda_tasks_reach_the_router_under_mock_aws():
    # Given moto's Step Functions executor and a router that runs "doubler" in-process
    calls = []

    def route(name, event):
        calls.append((name, event))
        if event["n"] < 0:
            raise ValueError("negative")
        return {"n": event["n"] * 2}

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        undo = moto_patches.install_lambda_router(route)
        try:
            sfn = boto3.client("stepfunctions", region_name="us-east-1")
            arn = sfn.create_state_machine(
                name="m",
                definition=json.dumps(ASL),
                roleArn="arn:aws:iam::123456789012:role/sfn",
            )["stateMachineArn"]
            # When executions run the real definition
            ok = _run(sfn, arn, "ok", {"n": 21})
            failed = _run(sfn, arn, "failed", {"n": -1})
        finally:
            undo()
    # Then the task reached the router with its payload, its result is the output, and a
    # raised error is the task's error (caught by the definition's Catch)
    assert calls == [("doubler", {"n": 21}), ("doubler", {"n": -1})]
    assert (ok["status"], json.loads(ok["output"])) == ("SUCCEEDED", {"n": 42})
    assert (failed["status"], json.loads(failed["output"])) == ("SUCCEEDED", {"caught": True})


def test_an_execution_stopped_before_its_thread_has_started_aborts_before_its_first_task(
    monkeypatch,
):
    # Given an execution whose thread is still parsing the definition (slow on a loaded
    # machine), so moto has not built its environment yet
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    parse = ExecutionWorker._get_evaluation_entrypoint
    parsing, proceed = threading.Event(), threading.Event()

    def slow_parse(self):
        parsing.set()
        assert proceed.wait(20), "the test never let the parse go on"
        return parse(self)

    monkeypatch.setattr(ExecutionWorker, "_get_evaluation_entrypoint", slow_parse)
    calls = []
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        undo = moto_patches.install_lambda_router(lambda name, event: calls.append(name) or {})
        try:
            sfn = boto3.client("stepfunctions", region_name="us-east-1")
            arn = sfn.create_state_machine(
                name="m", definition=json.dumps(ASL), roleArn="arn:aws:iam::123456789012:role/sfn"
            )["stateMachineArn"]
            execution = sfn.start_execution(stateMachineArn=arn, name="x", input='{"n": 1}')
            assert parsing.wait(20)
            # When it is stopped then, and its thread goes on afterwards
            sfn.stop_execution(executionArn=execution["executionArn"], cause="stopped early")
            proceed.set()
            deadline = time.monotonic() + 20
            while (
                status := sfn.describe_execution(executionArn=execution["executionArn"])["status"]
            ) == "RUNNING":
                assert time.monotonic() < deadline, "the stopped execution ran on"
                time.sleep(0.02)
        finally:
            proceed.set()
            undo()
    # Then it ends ABORTED without running a single task
    assert (status, calls) == ("ABORTED", [])


@pytest.mark.parametrize(
    ("method", "target", "changes"),
    [
        ("POST", "DynamoDB_20120810.PutItem", True),
        ("POST", "DynamoDB_20120810.Query", False),
        ("POST", "AmazonSQS.ReceiveMessage", False),
        ("POST", "AmazonSQS.DeleteMessage", True),
        ("PUT", None, True),  # an S3 object, a Scheduler schedule
        ("GET", None, False),
    ],
)
def test_the_change_listener_tells_writes_from_reads(method, target, changes):
    assert moto_patches.is_change(method, target) is changes
