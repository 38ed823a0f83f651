"""A session call's end, recorded in its session (issue 11: a transfer to voice keeps one
history). The bus's rule puts `call.completed` events of the session-call campaign
(engage/voice/session_calls.py; `data.campaign_id` = `keys.SESSION_CALLS_CAMPAIGN_ID`) on the
SessionCalls queue; each becomes one system message (`type: event`) in the conversation the
call served (`data.conversation_id`): "Call ended: answered, 2 min 13 s", or the outcome
(no answer, busy, voicemail, failed).

Idempotent on the event id: the message is written with the client message id
`call:<eventId>` under the system's guard (engage/conversations/messages.py `send`), so a
redelivered event answers the message already written and writes no second one.
"""

from __future__ import annotations

from engage.conversations import store
from engage.core import keys
from engage.events.envelope import DomainEvent, EventType
from engage.hub.history import record_event

OUTCOMES = {
    "answered": "answered",
    "voicemail": "reached voicemail",
    "no_answer": "no answer",
    "busy": "busy",
    "failed": "failed",
}


def _duration(seconds: int) -> str:
    minutes, rest = divmod(max(0, seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def call_text(outcome: str, talk_seconds: int) -> str:
    """The event message of a call that ended with `outcome` after `talk_seconds`."""
    said = OUTCOMES.get(outcome, outcome)
    if outcome in ("answered", "voicemail") and talk_seconds > 0:
        return f"Call ended: {said}, {_duration(talk_seconds)}"
    return f"Call ended: {said}"


def record_call(event: DomainEvent) -> bool:
    """Record a session call's end in its conversation (see the module docstring); False for
    other events, calls of other campaigns, or a conversation that is gone."""
    data = event.data
    if event.type is not EventType.CALL_COMPLETED:
        return False
    if not keys.is_session_calls_campaign(str(data.get("campaign_id"))):
        return False
    conversation_id = data.get("conversation_id")
    if not isinstance(conversation_id, str):
        return False
    conv = store.get_conversation(event.tenant_id, conversation_id)
    if conv is None:
        return False
    talk = data.get("talk_seconds")
    seconds = int(talk) if isinstance(talk, int | float) else 0
    text = call_text(str(data.get("outcome") or "failed"), seconds)
    record_event(event.tenant_id, conv, text, client_message_id=f"call:{event.id}")
    return True
