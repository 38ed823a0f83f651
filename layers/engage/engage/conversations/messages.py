"""Sending messages and marking receipts: the logic the end-user API and the console share
(issue 9 "Routes"; seed 001).

- A send with a `client_message_id` first claims a guard item for it (conditional put); a
  retry finds the guard and answers the first message, so a retried send never makes a second
  message (if the first attempt died between its guard and its message, the retry writes the
  message under the guard's id).
- A visible message then touches its conversation in one conditional write: last activity,
  the console's index keys, the end user's change index, `message_count` and the other side's
  unread counter (`ADD`), and reopens a resolved or snoozed conversation when the end user
  writes. A private note touches nothing the end user can see.
- The first agent reply records the first-response time once (conditional) and files a sample
  for the dashboard's median.
- A receipt marks every message of the other side up to the given one (each with a
  conditional write, so a message is counted once) and moves the side's watermark.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from engage.conversations import store
from engage.conversations.indexing import index_fields, sort_at, sync_sk
from engage.conversations.models import ConversationItem, MessageItem
from engage.conversations.schemas import (
    ConversationStatus,
    MessageCreate,
    ReceiptPublic,
    ReceiptStatus,
    Sender,
    Side,
)
from engage.conversations.wire import conversation_id_of, unread_for
from engage.core import clock, ids, keys
from engage.core.errors import NotFound

TOUCH_ATTEMPTS = 5
RECEIPT_SLACK_MS = 60_000
"""Receipts look this far behind the side's watermark, for messages that committed late."""
PREVIEW_CHARS = 200


@dataclass(frozen=True)
class Author:
    """Who sends: `sender`, `sender_id` (external id or member id) and `guard`, the namespace
    of their client message ids (`user` for the end user, the member id for an agent)."""

    sender: Sender
    sender_id: str | None
    guard: str

    @property
    def side(self) -> Side:
        """The side of the conversation the author is on."""
        return Side.USER if self.sender == Sender.USER else Side.AGENT


def send(
    tenant_id: str,
    conv: ConversationItem,
    author: Author,
    body: MessageCreate,
    private: bool,
    *,
    reopen: bool = True,
) -> tuple[MessageItem, bool]:
    """Write a message (see the module docstring): `(message, created)`; `created` is False
    when `client_message_id` named an earlier send, whose message is returned. With
    `reopen=False` an end user's message leaves a resolved or snoozed conversation as it is
    (a digit answering a rating request: engage/ratings/replies.py)."""
    conversation_id = conversation_id_of(conv)
    message_id = ids.new_id()
    if body.client_message_id:
        claimed = store.claim_send(
            tenant_id, conversation_id, author.guard, body.client_message_id, message_id
        )
        if claimed != message_id:
            existing = store.get_message(tenant_id, conversation_id, claimed)
            if existing is not None:
                return existing, False
            message_id = claimed
    at = clock.now_iso()
    item = MessageItem(
        *keys.conversation_message_key(tenant_id, conversation_id, message_id),
        contact_id=conv.contact_id,
        channel=conv.channel,
        sender=author.sender.value,
        sender_id=author.sender_id,
        content=body.content,
        type=body.type.value,
        private=private,
        client_message_id=body.client_message_id,
        created_at=at,
    )
    if not private:  # notes never enter the end user's change index
        item.gsi3pk = keys.sync_index_pk(tenant_id, conv.contact_id)
        item.gsi3sk = sync_sk(message_id)
    if not store.put_message(item):
        existing = store.get_message(tenant_id, conversation_id, message_id)
        if existing is not None:
            return existing, False
    if not private:
        _touch(tenant_id, conv, item, author, reopen=reopen)
        if author.sender == Sender.AGENT and conv.first_response_at is None:
            _first_response(tenant_id, conv, at)
    return item, True


def _touch(
    tenant_id: str, conv: ConversationItem, msg: MessageItem, author: Author, *, reopen: bool
) -> None:
    """Record the message on its conversation (retried on concurrent changes; at last, the
    counters alone, so no unread message goes uncounted)."""
    conversation_id = conversation_id_of(conv)
    counter = "unread_agent" if author.side == Side.USER else "unread_user"
    add = {"message_count": 1, counter: 1, "version": 1}
    preview = msg.content[:PREVIEW_CHARS].lower()
    current: ConversationItem | None = conv
    for _ in range(TOUCH_ATTEMPTS):
        if current is None:
            return
        status = current.status
        reopens = (
            reopen
            and author.side == Side.USER
            and status
            in (
                ConversationStatus.RESOLVED,
                ConversationStatus.SNOOZED,
            )
        )
        new_status = ConversationStatus.OPEN.value if reopens else status
        at = max(current.last_activity_at, msg.created_at)
        resolved_at = None if reopens else current.resolved_at
        fields: dict[str, object] = {
            "last_activity_at": at,
            "updated_at": msg.created_at,
            "search_text": f"{current.contact_text} {preview}",
            "status": new_status,
            **index_fields(
                tenant_id,
                conversation_id,
                status=new_status,
                assignee_id=current.assignee_id,
                at=sort_at(new_status, at, resolved_at),
            ),
        }
        remove = ("snoozed_until", "resolved_at") if reopens else ()
        expect = {"version": current.version}
        if store.update_conversation(current, set_=fields, remove=remove, add=add, expect=expect):
            _copy(current, conv)
            return
        current = store.get_conversation(tenant_id, conversation_id)
    if current is not None:
        store.update_conversation(current, add=add)
        _copy(current, conv)


def _copy(source: ConversationItem, target: ConversationItem) -> None:
    if source is not target:
        target.attribute_values = dict(source.attribute_values)


def _first_response(tenant_id: str, conv: ConversationItem, at: str) -> None:
    """Record the first agent reply's delay once, and file it for the dashboard."""
    created = dt.datetime.fromisoformat(conv.created_at.replace("Z", "+00:00"))
    replied = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
    seconds = max(0.0, round((replied - created).total_seconds(), 3))
    if store.record_first_response(conv, at, seconds):
        store.put_first_response_sample(tenant_id, at[:10], conversation_id_of(conv), seconds)


def _theirs(message: MessageItem, side: Side) -> bool:
    """Whether `side` receipts `message`: the other side's visible messages."""
    if message.private:
        return False
    return (message.sender == Sender.USER) != (side == Side.USER)


def mark(
    tenant_id: str, conv: ConversationItem, side: Side, status: ReceiptStatus, message_id: str
) -> ReceiptPublic:
    """Mark every message of the other side up to `message_id` (included) delivered / read
    for `side`. Raises NotFound when the message is not in this conversation (or is a note
    and the caller the end user)."""
    conversation_id = conversation_id_of(conv)
    target = store.get_message(tenant_id, conversation_id, message_id)
    if target is None or (side == Side.USER and target.private):
        raise NotFound("Message not found")
    field = "read_at" if status == ReceiptStatus.READ else "delivered_at"
    watermark = f"{side.value}_{'read' if status == ReceiptStatus.READ else 'delivered'}_upto"
    previous = getattr(conv, watermark)
    start = None
    if previous:
        start = ids.id_floor(max(0, ids.id_time_ms(previous) - RECEIPT_SLACK_MS))
    at = clock.now_iso()
    marked = 0
    for message in store.messages_between(tenant_id, conversation_id, start, message_id):
        if not _theirs(message, side) or getattr(message, field) is not None:
            continue
        if store.mark_message(message, field, at, sync_sk(keys.parse_message_sk(message.sk))):
            marked += 1
    store.advance_receipt(conv, watermark, message_id)
    if status == ReceiptStatus.READ:
        counter = "unread_user" if side == Side.USER else "unread_agent"
        # the end user's own unread count is theirs to see (sync); the team's is not
        seen = {"gsi3sk": sync_sk(conversation_id)} if side == Side.USER and marked else {}
        store.update_conversation(conv, set_=seen, add={counter: -marked})
    return ReceiptPublic(
        conversation_id=conversation_id,
        message_id=message_id,
        status=status,
        marked=marked,
        unread_count=unread_for(conv, side),
    )
