"""The local runtime's moto shim must answer every query exactly as moto does without it."""

from __future__ import annotations

import boto3
from moto import mock_aws

from local import moto_patches
from local.cfn import table_definitions


def _queries(ddb):
    base = ddb.query(
        TableName="t",
        KeyConditionExpression="PK = :p AND SK > :s",
        ExpressionAttributeValues={":p": {"S": "P#1"}, ":s": {"S": "003"}},
        ScanIndexForward=False,
        Limit=3,
    )
    index = ddb.query(
        TableName="t",
        IndexName="GSI1",
        KeyConditionExpression="GSI1PK = :g",
        ExpressionAttributeValues={":g": {"S": "LINK#abc"}},
    )
    filtered = ddb.query(
        TableName="t",
        KeyConditionExpression="PK = :p",
        FilterExpression="n > :n",
        ExpressionAttributeValues={":p": {"S": "P#2"}, ":n": {"N": "5"}},
    )
    missing = ddb.query(
        TableName="t",
        KeyConditionExpression="PK = :p",
        ExpressionAttributeValues={":p": {"S": "nobody"}},
    )
    return [(r["Items"], r.get("LastEvaluatedKey")) for r in (base, index, filtered, missing)]


def _load(ddb):
    ddb.create_table(TableName="t", **table_definitions()["EngageTable"])
    for p in (1, 2):
        for i in range(10):
            item = {"PK": {"S": f"P#{p}"}, "SK": {"S": f"{i:03d}"}, "n": {"N": str(i)}}
            if i == 4:
                item.update({"GSI1PK": {"S": "LINK#abc"}, "GSI1SK": {"S": "LINK"}})
            ddb.put_item(TableName="t", Item=item)


def test_query_results_are_the_same_with_and_without_the_shim():
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _load(ddb)
        before = _queries(ddb)
    moto_patches.install()
    with mock_aws():
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        _load(ddb)
        after = _queries(ddb)
    assert after == before
    assert len(before[1][0]) == 2  # the index query finds both partitions' items
    assert [i["SK"]["S"] for i in before[0][0]] == ["009", "008", "007"]
