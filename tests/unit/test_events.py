"""The event backbone (issue 9; DESIGN.md section 5): committed writes become domain events on
the bus, derived from the table's stream, with ids that survive a retry."""

from __future__ import annotations

import json
import os

import boto3
import pytest

from tests.conftest import FUNCTIONS


def _listen(pattern: dict) -> str:
    """An SQS queue behind a rule of `pattern` on the bus (as a consumer's rule would be)."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="listener")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events = boto3.client("events")
    bus = os.environ["EVENT_BUS_NAME"]
    events.put_rule(Name="listen", EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule="listen", EventBusName=bus, Targets=[{"Id": "q", "Arn": arn}])
    return url


def _heard(url: str) -> list[dict]:
    sqs = boto3.client("sqs")
    out = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return out
        for m in got:
            out.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def test_contact_changes_reach_the_bus_as_domain_events(h):
    # Given a rule for contact events on the bus
    url = _listen({"source": ["engage"], "detail-type": [{"prefix": "contact."}]})
    headers = h.register()
    # When a contact is created, renamed, then opts out
    c = h.contact(headers, "+12015550100", firstName="Ann", smsConsent="opted_in")
    h.client.put(f"/contacts/{c['id']}", headers=headers, json={"firstName": "Anna"})
    h.client.put(f"/contacts/{c['id']}", headers=headers, json={"smsConsent": "opted_out"})
    h.drain()
    # Then the bus carried each change once, in the one envelope, in order
    heard = _heard(url)
    types = [e["detail-type"] for e in heard]
    assert types == [
        "contact.created",
        "contact.updated",
        "contact.updated",
        "contact.consent_changed",
    ]
    envelopes = [e["detail"] for e in heard]
    me = h.client.get("/auth/me", headers=headers).json()["data"]
    assert {e["tenant_id"] for e in envelopes} == {me["tenant"]["id"]}
    assert set(envelopes[0]) == {"id", "type", "tenant_id", "occurred_at", "data"}
    assert envelopes[0]["data"]["first_name"] == "Ann"
    assert envelopes[1]["data"]["changed"] == ["firstName"]
    assert envelopes[3]["data"] == {
        "contact_id": c["id"],
        "channel": "sms",
        "from": "opted_in",
        "to": "opted_out",
        "source": envelopes[3]["data"]["source"],
    }
    assert len({e["id"] for e in envelopes}) == 4


def test_a_failed_publish_is_retried_with_the_same_event_ids_and_nothing_is_lost(h, monkeypatch):
    # Given a bus that refuses the first attempt
    url = _listen({"source": ["engage"]})
    headers = h.register()
    from engage.events import bus

    real, calls = bus.publish, []

    def flaky(events):
        calls.append([e.id for e in events])
        if len(calls) == 1:
            raise bus.PublishFailed("throttled")
        real(events)

    monkeypatch.setattr(bus, "publish", flaky)
    h.contact(headers, "+12015550101", firstName="Bo")
    # When the stream is delivered (the first batch fails, the next delivery retries it)
    h.deliver_stream()
    assert len(calls) == 1 and _heard(url) == []  # refused: not published, not dropped
    h.drain()
    # Then the event arrived once, with the id of the failed attempt
    heard = [e for e in _heard(url) if e["detail-type"] == "contact.created"]
    assert len(heard) == 1
    assert heard[0]["detail"]["id"] == calls[0][0] == calls[1][0]


def test_writes_that_mean_nothing_to_others_publish_nothing(h):
    url = _listen({"source": ["engage"]})
    h.register()
    h.drain()
    assert _heard(url) == []  # a tenant, a user and a refresh token are no domain events


def test_a_malformed_stream_record_fails_alone():
    event = {"Records": [{"eventID": "1", "eventName": "INSERT", "dynamodb": {}}]}
    with pytest.raises(Exception):
        FUNCTIONS["EventsStreamFunction"].invoke(event)


def test_a_campaign_send_reports_its_progress_on_the_bus(h):
    # Given a rule for progress events and a campaign to three opted-in contacts
    url = _listen({"source": ["engage"], "detail-type": ["campaign.progress"]})
    headers = h.register()
    for i in range(3):
        h.contact(headers, f"+1201555{200 + i:04d}", smsConsent="opted_in")
    c = h.campaign(headers)
    # When it is enqueued, sent and its receipts arrive
    assert h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers).status_code == 200
    h.send_all()
    h.drain()
    # Then the bus carried its send totals up to "sent", and receipt deltas adding up to 3
    heard = [e["detail"]["data"] for e in _heard(url)]
    assert heard and all(d["campaign_id"] == c["id"] for d in heard)
    sends = [d for d in heard if d["kind"] == "send"]
    assert sends[-1]["status"] == "sent" and sends[-1]["sent"] == 3
    delivered = sum(d["delta"].get("delivered", 0) for d in heard if d["kind"] == "receipts")
    assert delivered == 3
