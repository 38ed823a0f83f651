"""Helpers of the ratings tests (tests/unit/test_ratings*.py): the rating-request consumer fed
by its own bus rule, the `rating.recorded` events that reach the bus, and resolving a
session from the console."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3

from tests.conftest import FUNCTIONS, _bus_rule_queue


class Bus:
    """The RatingsAskRule's queue (as template.yaml deploys it) and a queue of every
    `rating.recorded` event the bus carries (as the analytics consumer's rule would see)."""

    def __init__(self, h: Any) -> None:
        self.h = h
        self.ask_url = _bus_rule_queue("RatingsAskRule")
        sqs = boto3.client("sqs")
        self.ratings_url = sqs.create_queue(QueueName="engage-test-ratings-recorded")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=self.ratings_url, AttributeNames=["QueueArn"])
        events = boto3.client("events")
        bus = os.environ["EVENT_BUS_NAME"]
        pattern = {"source": ["engage"], "detail-type": ["rating.recorded"]}
        events.put_rule(Name="ratings-recorded", EventBusName=bus, EventPattern=json.dumps(pattern))
        events.put_targets(
            Rule="ratings-recorded",
            EventBusName=bus,
            Targets=[{"Id": "q", "Arn": arn["Attributes"]["QueueArn"]}],
        )
        self.recorded: list[dict[str, Any]] = []

    def run(self) -> list[dict[str, Any]]:
        """Deliver the stream and run the rating-request consumer until nothing is left;
        returns the batches it was given."""
        batches = []
        for _ in range(10):
            self.h.drain()
            got = list(self.h._queue_events(self.ask_url))
            for batch in got:
                result = FUNCTIONS["RatingsAskFunction"].invoke(batch)
                assert not result.get("batchItemFailures"), result
            batches.extend(got)
            if not got:
                break
        self.h.drain()
        for batch in self.h._queue_events(self.ratings_url):
            for record in batch["Records"]:
                self.recorded.append(json.loads(record["body"])["detail"])
        return batches


def resolve(h: Any, headers: dict[str, str], session_id: str, **fields: Any) -> dict[str, Any]:
    """Resolve the session from the console (with any other field of the update)."""
    resp = h.client.put(
        f"/admin/api/conversations/{session_id}",
        headers=headers,
        json={"status": "resolved", **fields},
    )
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def console_messages(h: Any, headers: dict[str, str], session_id: str) -> list[dict[str, Any]]:
    resp = h.client.get(f"/admin/api/conversations/{session_id}/messages", headers=headers)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["data"])


def conversation(h: Any, headers: dict[str, str], session_id: str) -> dict[str, Any]:
    resp = h.client.get(f"/admin/api/conversations/{session_id}", headers=headers)
    assert resp.status_code == 200, resp.text
    return dict(resp.json())
