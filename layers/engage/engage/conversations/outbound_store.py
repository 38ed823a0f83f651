"""Storage of a conversation reply's trip through an SMS or WhatsApp provider (issue 10,
conversations/outbound.py): one conditional single-item update each, so a reply is handed
to a provider at most once and its status only moves forward."""

from __future__ import annotations

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from engage.conversations.models import MessageItem
from engage.conversations.schemas import ChannelStatus
from engage.core import keys

_FAILED = "ConditionalCheckFailedException"

BEFORE: dict[ChannelStatus, tuple[ChannelStatus, ...]] = {
    ChannelStatus.SENT: (ChannelStatus.SENDING,),
    ChannelStatus.DELIVERED: (ChannelStatus.SENDING, ChannelStatus.SENT),
    ChannelStatus.READ: (ChannelStatus.SENDING, ChannelStatus.SENT, ChannelStatus.DELIVERED),
    ChannelStatus.FAILED: (ChannelStatus.SENDING, ChannelStatus.SENT),
}
"""The statuses each status may follow (a late or repeated callback changes nothing)."""


def _update(item: MessageItem, actions: list[Action], condition: Condition) -> bool:
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def claim(item: MessageItem) -> bool:
    """Mark the message `sending` unless it was ever handed to a provider (False then)."""
    return _update(
        item,
        [MessageItem.channel_status.set(ChannelStatus.SENDING.value)],
        MessageItem.pk.exists() & MessageItem.channel_status.does_not_exist(),
    )


def record_result(
    item: MessageItem, status: ChannelStatus, provider_message_id: str | None, error: str | None
) -> bool:
    """The provider's answer to the send: `sending -> sent | failed` with its message id and
    reason (False when a status callback already moved the message on)."""
    actions: list[Action] = [MessageItem.channel_status.set(status.value)]
    if provider_message_id:
        actions.append(MessageItem.provider_message_id.set(provider_message_id))
    if error:
        actions.append(MessageItem.channel_error.set(error[:300]))
    condition = MessageItem.channel_status == ChannelStatus.SENDING.value
    if _update(item, actions, condition):
        return True
    if provider_message_id:  # keep the id for later callbacks
        _update(
            item,
            [MessageItem.provider_message_id.set(provider_message_id)],
            MessageItem.pk.exists() & MessageItem.provider_message_id.does_not_exist(),
        )
    return False


def advance(
    tenant_id: str,
    conversation_id: str,
    message_id: str,
    status: ChannelStatus,
    provider_message_id: str,
    error: str | None,
) -> bool:
    """Move a sent reply to `status` when it is in one of the statuses BEFORE it and the
    provider message id matches (or none was recorded yet); False otherwise."""
    item = MessageItem(*keys.conversation_message_key(tenant_id, conversation_id, message_id))
    actions: list[Action] = [
        MessageItem.channel_status.set(status.value),
        MessageItem.provider_message_id.set(provider_message_id),
    ]
    if error:
        actions.append(MessageItem.channel_error.set(error[:300]))
    condition = MessageItem.channel_status.is_in(*(s.value for s in BEFORE[status])) & (
        MessageItem.provider_message_id.does_not_exist()
        | (MessageItem.provider_message_id == provider_message_id)
    )
    return _update(item, actions, condition)
