"""Moving a live session to another channel (issue 11; seed 003 section 2
`POST /sessions/{sessionId}/transfer`). The session is one conversation and stays one: the
transfer changes its `channel` in one conditional write (on its `version`, and only while the
channel is still `from_channel`), so every message before and after it is in the same
history, and writes a system message (`type: event`) recording it:
"Transferred from chat to voice: <reason>" (with the call id on a transfer to voice).

What the target channel needs, checked before anything is written (409 with the reason):
- voice: the customer's phone, and no SMS opt-out (calls honour it, engage/voice/tasks.py).
  A call to the phone is queued through the voice gating (engage/voice/session_calls.py: the
  call semaphore and the per-call state machine), placed at once when a slot is free;
- whatsapp: the phone and no WhatsApp opt-out. The session then continues under the 24-hour
  rule (engage/whatsapp/service.py `policy`, applied to every later reply by
  `inbox.reply`): outside the window agents' messages must be approved templates. The answer
  says whether the window is open now;
- sms: the phone and `smsConsent` opted in; email: an e-mail address and `emailConsent`
  opted in (engage/contacts/consent.py);
- chat: the customer is an identified end user (an external id), so they can see it on `/v1`;
- video: not a transfer target (a video session starts with `POST /video/sessions`): 400.

With `agent_id` the session is also assigned, first and through `inbox.update` (an active
agent+ member; whatever that checks, such as capacity, refuses the whole transfer).
"""

from __future__ import annotations

from engage.contacts import store as contact_store
from engage.conversations import inbox, store
from engage.conversations.indexing import sync_sk
from engage.conversations.models import ConversationItem
from engage.conversations.schemas import (
    Channel,
    ConversationStatus,
    ConversationUpdate,
)
from engage.conversations.wire import conversation_id_of
from engage.core import clock, keys
from engage.core.errors import Conflict, ValidationFailed
from engage.hub.history import record_event
from engage.hub.reach import check_target
from engage.hub.schemas import SessionTransfer, TransferPublic
from engage.hub.sessions import session_item
from engage.hub.wire import session_status

WRITE_ATTEMPTS = 5


def _move(tenant_id: str, item: ConversationItem, body: SessionTransfer) -> ConversationItem:
    """Change the conversation's channel: one conditional write on its version and channel,
    retried while only its version moved (a message landing meanwhile). Raises Conflict."""
    conversation_id = conversation_id_of(item)
    current: ConversationItem | None = item
    for _ in range(WRITE_ATTEMPTS):
        if current is None:
            break
        if current.channel != body.from_channel:
            raise Conflict(
                f"The session is on {current.channel}, not {body.from_channel.value}",
                {"from_channel": f"the session's channel is {current.channel}"},
            )
        fields = {
            "channel": body.to_channel.value,
            "updated_at": clock.now_iso(),
            "gsi3sk": sync_sk(conversation_id),  # the end user sees the channel change
        }
        expect = {"version": current.version, "channel": body.from_channel.value}
        if store.update_conversation(current, set_=fields, add={"version": 1}, expect=expect):
            return current
        current = store.get_conversation(tenant_id, conversation_id)
    raise Conflict("The session is changing too fast; retry")


def transfer(tenant_id: str, session_id: str, body: SessionTransfer) -> TransferPublic:
    """Transfer the session (see the module docstring). Raises NotFound (not the tenant's
    session), ValidationFailed (same channel, video, a bad agent), Conflict (resolved, not on
    `from_channel`, the customer lacks what the channel needs or did not consent)."""
    item = session_item(tenant_id, session_id)
    if body.to_channel == body.from_channel:
        raise ValidationFailed(
            "from_channel and to_channel must differ", {"to_channel": "the same as from_channel"}
        )
    if item.status == ConversationStatus.RESOLVED:
        raise Conflict("A resolved session cannot be transferred", {"status": "resolved"})
    if item.channel != body.from_channel:
        raise Conflict(
            f"The session is on {item.channel}, not {body.from_channel.value}",
            {"from_channel": f"the session's channel is {item.channel}"},
        )
    contact = contact_store.get(tenant_id, item.contact_id)
    if contact is None:
        raise Conflict("The session's customer no longer exists", {"customer": "deleted"})
    window_open = check_target(tenant_id, contact, body.to_channel)
    if "agent_id" in body.model_fields_set and body.agent_id != item.assignee_id:
        inbox.update(tenant_id, session_id, ConversationUpdate(assignee_id=body.agent_id))
        item = session_item(tenant_id, session_id)
    moved = _move(tenant_id, item, body)
    at = moved.updated_at
    call_id = call_status = None
    if body.to_channel == Channel.VOICE:
        from engage.voice import session_calls  # only transfers to voice load the voice code

        call = session_calls.queue_call(tenant_id, session_id, contact, moved.assignee_id)
        call_id, call_status = call.call_id, call.status
    text = f"Transferred from {body.from_channel.value} to {body.to_channel.value}"
    text += f": {body.reason}" if body.reason else ""
    if call_id:
        text += f" (call {call_id})"
    if window_open is False:
        text += " (WhatsApp window closed: templates only)"
    event = record_event(tenant_id, moved, text)
    return TransferPublic(
        session_id=session_id,
        from_channel=body.from_channel,
        to_channel=body.to_channel,
        status=session_status(moved.status, moved.assignee_id),
        agent_id=moved.assignee_id,
        transferred_at=at,
        call_id=call_id,
        call_status=call_status,
        whatsapp_window_open=window_open,
        event_message_id=keys.parse_message_sk(event.sk),
    )
