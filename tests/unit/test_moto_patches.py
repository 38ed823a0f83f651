"""The moto shim: queries answer exactly as DynamoDB does (the test suite runs with it installed,
see tests/conftest.py), it refuses another moto release, and Step Functions' Lambda tasks reach
our router under `mock_aws`."""

from __future__ import annotations

import json
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
