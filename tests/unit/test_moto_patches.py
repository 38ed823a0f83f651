"""The local runtime's moto shim must answer queries exactly as DynamoDB does (the test suite
runs with it installed, see tests/conftest.py)."""

from __future__ import annotations

import boto3
from moto import mock_aws

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
