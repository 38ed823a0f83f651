"""`call.completed` on the bus (issue 9 "The event backbone"; engage/voice/events.py): every
call that ends becomes one event, derived from the call-queue item's stream record."""

from __future__ import annotations

import pytest

from tests.unit.test_events import _heard, _listen
from tests.unit.test_voice_flow import set_limit, start, upload, us

pytestmark = pytest.mark.voice_calls  # moto runs statemachines/voice_call.asl.json


def test_each_call_that_ends_is_one_call_completed_event_with_its_outcome(h):
    # Given a rule for call events, and a campaign of 4 numbers whose sandbox outcomes are
    # answered (0), voicemail (6), no answer (7) and busy (8), one attempt each
    url = _listen({"source": ["engage"], "detail-type": ["call.completed"]})
    headers = h.register()
    set_limit(h, headers, 2)
    phones = [p for p in us(10) if p[-1] in "0678"]
    campaign_id = upload(h, headers, phones, max_attempts=1)["campaign"]["id"]
    # When it is started and every call runs to its end
    start(h, headers, campaign_id)
    h.run_calls()
    h.deliver_stream()
    # Then the bus carried one call.completed per call, with the call's own outcome
    events = [e["detail"] for e in _heard(url)]
    assert len(events) == 4
    assert {e["data"]["campaign_id"] for e in events} == {campaign_id}
    assert sorted(e["data"]["outcome"] for e in events) == [
        "answered",
        "busy",
        "no_answer",
        "voicemail",
    ]
    assert all(e["data"]["attempt"] == 1 and e["data"]["call_sid"] for e in events)
    assert all(e["data"]["queue_status"] in ("completed", "failed") for e in events)
    assert len({e["id"] for e in events}) == 4
    # And no phone number travels in the event
    assert not any(p in str(events) for p in phones)


def test_delivering_the_stream_again_publishes_no_second_call_event(h):
    # Given a campaign of one call that ended and whose events were delivered
    url = _listen({"source": ["engage"], "detail-type": ["call.completed"]})
    headers = h.register()
    set_limit(h, headers, 1)
    campaign_id = upload(h, headers, us(1), max_attempts=1)["campaign"]["id"]
    start(h, headers, campaign_id)
    h.run_calls()
    h.deliver_stream()
    assert len(_heard(url)) == 1
    # When the stream is delivered again (nothing new was written)
    h.deliver_stream()
    # Then no further call event is published
    assert _heard(url) == []
