"""E-mail channel storage (engage/email/models.py): the suppression list and the thread
mappings. The only e-mail module that talks to DynamoDB; single-item writes only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from engage.core import clock, keys
from engage.core.settings import get_settings
from engage.email.models import ConversationThreadItem, SuppressionItem, ThreadItem


def is_suppressed(tenant_id: str, address: str) -> bool:
    """Whether the tenant's suppression list holds `address` (compared lower-cased)."""
    try:
        SuppressionItem.get(*keys.email_suppression_key(tenant_id, address))
    except SuppressionItem.DoesNotExist:
        return False
    return True


def suppressed_among(tenant_id: str, addresses: Iterable[str]) -> set[str]:
    """Which of `addresses` the tenant's suppression list holds, lower-cased (BatchGetItem,
    100 keys a request)."""
    wanted = {keys.email_suppression_key(tenant_id, a) for a in addresses if a.strip()}
    return {item.sk for item in SuppressionItem.batch_get(list(wanted))} if wanted else set()


def suppress(tenant_id: str, address: str, reason: str, detail: str | None) -> bool:
    """Put `address` on the tenant's suppression list; False when it already was there (the
    first reason is kept)."""
    from pynamodb.exceptions import PutError

    pk, sk = keys.email_suppression_key(tenant_id, address)
    item = SuppressionItem(
        pk, sk, address=sk, reason=reason, detail=detail, created_at=clock.now_iso()
    )
    try:
        item.save(condition=SuppressionItem.pk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def remember_thread(
    tenant_id: str,
    message_ids: Iterable[str],
    conversation_id: str,
    contact_id: str,
    direction: str,
) -> None:
    """Map every `Message-ID` of `message_ids` to the conversation (overwrites: the latest
    e-mail of an id wins; ids are unique in practice)."""
    now = clock.now()
    expires = int((now + dt.timedelta(days=get_settings().email_thread_ttl_days)).timestamp())
    for message_id in dict.fromkeys(m for m in message_ids if m.strip()):
        ThreadItem(
            *keys.email_thread_key(tenant_id, message_id),
            conversation_id=conversation_id,
            contact_id=contact_id,
            direction=direction,
            created_at=clock.iso(now),
            expires_at=expires,
        ).save()


def thread_of(tenant_id: str, message_id: str) -> ThreadItem | None:
    """The mapping of one `Message-ID` in the tenant, or None (expired ones too)."""
    try:
        item = ThreadItem.get(*keys.email_thread_key(tenant_id, message_id))
    except ThreadItem.DoesNotExist:
        return None
    if item.expires_at is not None and item.expires_at < clock.now().timestamp():
        return None  # TTL deletes lazily
    return item


MAX_THREAD_IDS = 20


def conversation_thread(tenant_id: str, conversation_id: str) -> ConversationThreadItem | None:
    """The conversation's e-mail thread, or None when no e-mail was part of it yet."""
    try:
        return ConversationThreadItem.get(
            *keys.email_conversation_thread_key(tenant_id, conversation_id), consistent_read=True
        )
    except ConversationThreadItem.DoesNotExist:
        return None


def add_to_conversation_thread(
    tenant_id: str, conversation_id: str, message_id: str, subject: str | None
) -> None:
    """Append `message_id` to the conversation's thread (the first subject is kept; the list
    keeps its first id and the latest ones). Last writer wins: two e-mails of one
    conversation at the same instant may keep only one of them, which costs a client's
    threading at most, never a message."""
    item = conversation_thread(tenant_id, conversation_id)
    if item is None:
        item = ConversationThreadItem(
            *keys.email_conversation_thread_key(tenant_id, conversation_id),
            subject=(subject or "")[:998],
            message_ids=[],
        )
    ids = [str(m) for m in item.message_ids or [] if str(m) != message_id] + [message_id]
    if len(ids) > MAX_THREAD_IDS:
        ids = ids[:1] + ids[-(MAX_THREAD_IDS - 1) :]
    item.message_ids = ids  # type: ignore[assignment]  # PynamoDB's list typing
    if not item.subject and subject:
        item.subject = subject[:998]
    item.updated_at = clock.now_iso()
    item.save()
