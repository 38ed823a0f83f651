"""Conversation storage: conversations, messages, send guards, contact links, first-response
samples. The only conversations module that talks to DynamoDB; every function takes
`tenant_id` first and builds keys with `engage.core.keys`. Every write is one single-item
(conditional) write; counters change by `ADD` only.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.update import Action

from engage.conversations.models import (
    ContactConversationItem,
    ConversationItem,
    FirstResponseItem,
    MessageItem,
    SendGuardItem,
)
from engage.core import keys

_FAILED = "ConditionalCheckFailedException"


def _failed(exc: PutError | UpdateError) -> bool:
    return exc.cause_response_code == _FAILED


# -- conversations ---------------------------------------------------------------------------
def get_conversation(tenant_id: str, conversation_id: str) -> ConversationItem | None:
    """The conversation (strongly consistent), or None."""
    try:
        return ConversationItem.get(
            *keys.conversation_key(tenant_id, conversation_id), consistent_read=True
        )
    except ConversationItem.DoesNotExist:
        return None


def link_contact(tenant_id: str, contact_id: str, conversation_id: str, at: str) -> None:
    """File the conversation under its contact (written before the conversation, so a crash
    between leaves a link to nothing, which readers skip)."""
    ContactConversationItem(
        keys.contact_conversations_partition(tenant_id, contact_id), conversation_id, created_at=at
    ).save()


def put_new_conversation(item: ConversationItem) -> None:
    """Write a new conversation (its id is fresh: the condition only guards against reuse)."""
    item.save(condition=ConversationItem.pk.does_not_exist())


def contact_conversation_ids(
    tenant_id: str, contact_id: str, before: str | None, limit: int
) -> list[str]:
    """Up to `limit` conversation ids of a contact, newest first, older than `before`."""
    pk = keys.contact_conversations_partition(tenant_id, contact_id)
    condition = ContactConversationItem.sk < before if before else None
    return [
        i.sk
        for i in ContactConversationItem.query(
            pk, condition, scan_index_forward=False, limit=limit, page_size=limit
        )
    ]


def batch_get_conversations(
    tenant_id: str, conversation_ids: Iterable[str]
) -> dict[str, ConversationItem]:
    """Conversations by id (BatchGetItem); missing ids are absent."""
    wanted = list(dict.fromkeys(conversation_ids))
    found = ConversationItem.batch_get([keys.conversation_key(tenant_id, c) for c in wanted])
    return {keys.parse_conversation_partition(c.pk)[1]: c for c in found}


def update_conversation(
    item: ConversationItem, actions: list[Action], *, expect_activity: str | None = None
) -> bool:
    """Apply `actions` to an existing conversation in one write; with `expect_activity`, only
    while its `last_activity_at` is still that value (optimistic concurrency for the console's
    changes, whose index keys depend on it). False when the condition failed. `item` is
    refreshed with the stored values."""
    condition = ConversationItem.pk.exists()
    if expect_activity is not None:
        condition = condition & (ConversationItem.last_activity_at == expect_activity)
    try:
        item.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if _failed(exc):
            return False
        raise
    return True


def record_first_response(item: ConversationItem, at: str, seconds: float) -> bool:
    """Set the conversation's first response once (conditional); False when it had one."""
    try:
        item.update(
            actions=[
                ConversationItem.first_response_at.set(at),
                ConversationItem.first_response_seconds.set(seconds),
            ],
            condition=ConversationItem.first_response_at.does_not_exist(),
        )
    except UpdateError as exc:
        if _failed(exc):
            return False
        raise
    return True


def put_first_response_sample(
    tenant_id: str, day: str, conversation_id: str, seconds: float
) -> None:
    """File one first-response time under the UTC day of the reply (idempotent put)."""
    FirstResponseItem(
        keys.first_response_partition(tenant_id, day), conversation_id, seconds=seconds
    ).save()


def first_response_samples(tenant_id: str, day: str, limit: int) -> list[float]:
    """First-response seconds filed under `day` (at most `limit`)."""
    pk = keys.first_response_partition(tenant_id, day)
    return [float(i.seconds) for i in FirstResponseItem.query(pk, limit=limit)]


# -- index queries (console lists, stats, sync) ----------------------------------------------
def _index(name: str) -> tuple[Any, Any]:
    """The index and the model attribute holding its sort key."""
    if name == "status":
        return ConversationItem.by_status, ConversationItem.gsi1sk
    return ConversationItem.by_assignee, ConversationItem.gsi2sk


def index_page(index: str, pk: str, *, below: str | None, limit: int) -> list[tuple[str, str]]:
    """`(conversation PK, index sort key)` of up to `limit` entries of a console index
    partition (`status` = GSI1, `assignee` = GSI2), greatest sort key first, below `below`."""
    idx, range_attr = _index(index)
    condition = range_attr < below if below else None
    return [
        (item.pk, str(item.gsi1sk if index == "status" else item.gsi2sk))
        for item in idx.query(pk, condition, scan_index_forward=False, limit=limit, page_size=limit)
    ]


def index_count(index: str, pk: str, *, at_least: str | None = None) -> int:
    """How many entries a console index partition has (Query with `Select=COUNT`, no Scan),
    with a sort key `>= at_least` when given."""
    idx, range_attr = _index(index)
    condition = range_attr >= at_least if at_least else None
    return int(idx.count(pk, condition))


def changes_page(
    tenant_id: str, contact_id: str, after: str | None, upto: str, limit: int
) -> list[tuple[str, str, str]]:
    """`(PK, SK, GSI3SK)` of an end user's changed items with `after < GSI3SK <= upto`, oldest
    change first (at most `limit`)."""
    pk = keys.sync_index_pk(tenant_id, contact_id)
    gsi3sk = ConversationItem.gsi3sk
    condition = gsi3sk.between(after, upto) if after else gsi3sk <= upto
    out = []
    for item in ConversationItem.by_change.query(
        pk, condition, scan_index_forward=True, limit=limit + 1, page_size=limit + 1
    ):
        if after is not None and item.gsi3sk == after:
            continue  # `between` is inclusive; the cursor itself was already given
        out.append((item.pk, item.sk, item.gsi3sk))
    return out[:limit]


def batch_get_messages(keys_: Iterable[tuple[str, str]]) -> list[MessageItem]:
    """Message items by full key (BatchGetItem)."""
    return list(MessageItem.batch_get(list(dict.fromkeys(keys_))))


def batch_get_by_keys(keys_: Iterable[tuple[str, str]]) -> list[ConversationItem]:
    """Conversation items by full key (BatchGetItem)."""
    return list(ConversationItem.batch_get(list(dict.fromkeys(keys_))))


# -- messages --------------------------------------------------------------------------------
def claim_send(
    tenant_id: str, conversation_id: str, side: str, client_message_id: str, message_id: str
) -> str:
    """Claim `client_message_id` for `message_id` (conditional put): returns the message id
    the client message id stands for (`message_id`, or the first send's)."""
    pk, sk = keys.client_message_key(tenant_id, conversation_id, side, client_message_id)
    try:
        SendGuardItem(pk, sk, message_id=message_id).save(
            condition=SendGuardItem.pk.does_not_exist()
        )
    except PutError as exc:
        if not _failed(exc):
            raise
        return str(SendGuardItem.get(pk, sk, consistent_read=True).message_id)
    return message_id


def put_message(item: MessageItem) -> bool:
    """Write a new message; False when a message with its id exists already."""
    try:
        item.save(condition=MessageItem.pk.does_not_exist())
    except PutError as exc:
        if _failed(exc):
            return False
        raise
    return True


def get_message(tenant_id: str, conversation_id: str, message_id: str) -> MessageItem | None:
    """One message (strongly consistent), or None."""
    try:
        return MessageItem.get(
            *keys.conversation_message_key(tenant_id, conversation_id, message_id),
            consistent_read=True,
        )
    except MessageItem.DoesNotExist:
        return None


def messages_page(
    tenant_id: str,
    conversation_id: str,
    *,
    before: str | None,
    after: str | None,
    limit: int,
    include_private: bool,
) -> tuple[list[MessageItem], bool]:
    """Up to `limit` messages, oldest first, and whether more lie beyond them: the newest
    ones (below `before` when given), or the oldest ones above `after`. Private notes are left
    out unless `include_private`."""
    pk = keys.conversation_partition(tenant_id, conversation_id)
    low = keys.message_sk(after) if after else keys.MESSAGE_SK_PREFIX
    high = keys.message_sk(before) if before else keys.MESSAGE_SK_PREFIX + "~"
    forward = after is not None
    condition = MessageItem.sk.between(low, high)
    found: list[MessageItem] = []
    more = False
    for item in MessageItem.query(pk, condition, scan_index_forward=forward, page_size=limit + 1):
        if item.sk in (low, high) or (item.private and not include_private):
            continue
        if len(found) == limit:
            more = True
            break
        found.append(item)
    if not forward:
        found.reverse()
    return found, more


def messages_between(
    tenant_id: str, conversation_id: str, after: str | None, upto: str
) -> list[MessageItem]:
    """Messages with `after < id <= upto`, oldest first (receipts walk them)."""
    pk = keys.conversation_partition(tenant_id, conversation_id)
    low = keys.message_sk(after) if after else keys.MESSAGE_SK_PREFIX
    condition = MessageItem.sk.between(low, keys.message_sk(upto))
    return [m for m in MessageItem.query(pk, condition) if m.sk != low]


def mark_message(item: MessageItem, field: str, at: str, sync_sk: str | None) -> bool:
    """Set `delivered_at` or `read_at` once (conditional), moving the message in the end
    user's change index; False when it was already set."""
    attr = MessageItem.delivered_at if field == "delivered_at" else MessageItem.read_at
    actions: list[Action] = [attr.set(at)]
    if sync_sk is not None:
        actions.append(MessageItem.gsi3sk.set(sync_sk))
    try:
        item.update(actions=actions, condition=MessageItem.pk.exists() & attr.does_not_exist())
    except UpdateError as exc:
        if _failed(exc):
            return False
        raise
    return True
