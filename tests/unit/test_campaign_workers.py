"""The campaign workers parse their events with Powertools parser models (issue 8, section 3):
a malformed record fails alone (partial batch failure), a malformed task input fails the task."""

from __future__ import annotations

import copy
import json

import pytest

from engage.channels.sandbox import OUTBOX
from local.cfn import ROOT


def _event(name: str) -> dict:
    return json.loads((ROOT / "events" / name).read_text())


def test_a_malformed_send_record_fails_alone_and_the_good_one_is_sent(h):
    from tests.conftest import FUNCTIONS

    headers = h.register()
    h.contact(headers, "+12015550100", firstName="Ann")
    c = h.campaign(headers)
    h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers)
    h.run_dispatch()
    [event] = list(h.sqs_event("SEND_QUEUE_URL"))
    bad = copy.deepcopy(event["Records"][0])
    bad["messageId"] = "bad-1"
    bad["body"] = json.dumps({"t": "x", "m": "not rows"})
    event["Records"].append(bad)
    result = FUNCTIONS["SenderFunction"].invoke(event)
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad-1"}]}
    assert OUTBOX.count() == 1


def test_the_sample_send_event_parses():
    from engage.campaigns.events import SendRecord

    record = SendRecord.model_validate(_event("sqs_send_batch.json")["Records"][0])
    assert record.body.m[0][2] == "+12015550100"
    assert record.body.sender is None


def test_a_dispatch_task_with_an_unknown_action_or_missing_ids_fails(h):
    from aws_lambda_powertools.utilities.parser import ValidationError

    from tests.conftest import FUNCTIONS

    fn = FUNCTIONS["DispatchFunction"]
    with pytest.raises(ValidationError):
        fn.invoke({**_event("sfn_dispatch_page.json"), "action": "explode"})
    with pytest.raises(ValidationError):
        fn.invoke({"action": "page", "run": 1})


def test_a_schedule_firing_without_ids_fails():
    from aws_lambda_powertools.utilities.parser import ValidationError

    from tests.conftest import FUNCTIONS

    with pytest.raises(ValidationError):
        FUNCTIONS["ScheduledDispatchFunction"].invoke({"tenantId": ""})
