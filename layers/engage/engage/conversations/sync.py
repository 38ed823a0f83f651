"""`GET /v1/sync`: everything that changed for one end user since a cursor (issue 9).

Every item an end user may see (their conversations and the non-private messages in them)
carries GSI3 keys `T#<t>#SYNC#<contactId>` / `<changedMs>#<id>`, written in the same
single-item write as each change (a new message, a receipt, a status or assignee change,
a new unread count), with the time taken just before that write. Private notes carry no GSI3
keys at all, so sync cannot reach them.

The guarantee. A read returns the items whose last change lies after the cursor and at or
before `now - SYNC_LAG_MS` (oldest change first), in their current state, and a cursor at that
bound (or at the last item of a full page, with `has_more`). A writer's change commits and
reaches the index within moments of its timestamp; a read never passes a time until
`SYNC_LAG_MS` after it, so a change that commits "late" (after a later-stamped one, or after a
read already ran) is still ahead of every cursor handed out, and no change is missed while
every write commits and is indexed within `SYNC_LAG_MS` (5 s; DynamoDB writes take
milliseconds and GSIs follow their items well within a second). Items come as their current
state, so an item changed again between the index read and the item read can come twice, the
second time with the same `id` and a newer state: clients upsert by `id`. A change shows in
sync `SYNC_LAG_MS` after it happened; live delivery is the socket's job.

A cursor later than the server's now (beyond `CURSOR_SKEW_MS`, for clocks that differ a
little) was never handed out: it is a 400, not an empty answer that hands it back (a client
keeping it would never sync again). One within the allowance answers nothing yet and is
handed back, like a cursor within the lag.

Conversations come as the end user sees them (`EndUserConversationPublic`: no labels,
priority, snooze time or assignee id; their own unread count).
"""

from __future__ import annotations

import re

from engage.conversations import access, store
from engage.conversations.schemas import SyncPublic
from engage.conversations.wire import end_user_conversation_public, message_public
from engage.core import clock, keys
from engage.core.errors import ValidationFailed

SYNC_LAG_MS = 5_000
CURSOR_SKEW_MS = 60_000
"""How far past the server's now a cursor may point (clocks of servers that handed it out
and serve it now may differ a little) before it is refused: every cursor handed out points at
least SYNC_LAG_MS before its server's now."""
PAGE_MAX = 100
_CURSOR = re.compile(r"^\d{13}#([0-9A-HJKMNP-TV-Z]{26}|~)$")


def _check(cursor: str | None, now_ms: int) -> str | None:
    """The cursor, checked: ValidationFailed when malformed or later than `now_ms` plus the
    skew allowance (no sync ever hands one out: a client keeping it would never sync again)."""
    if cursor is None:
        return None
    if not _CURSOR.match(cursor):
        raise ValidationFailed("Invalid cursor", {"cursor": "must be a next_cursor from sync"})
    if keys.parse_sync_index_ms(cursor) > now_ms + CURSOR_SKEW_MS:
        raise ValidationFailed(
            "Invalid cursor: it points later than the server's time",
            {"cursor": "is later than now; use a next_cursor from sync, or none to start over"},
        )
    return cursor


def sync(tenant_id: str, external_id: str, cursor: str | None, limit: int) -> SyncPublic:
    """The end user's changes after `cursor` (None: from the start); see the module. Raises
    ValidationFailed for a malformed cursor or one later than now (beyond CURSOR_SKEW_MS)."""
    now_ms = clock.now_ms()
    _check(cursor, now_ms)
    upto = keys.sync_index_upper(max(0, now_ms - SYNC_LAG_MS))
    contact_id = access.contact_id_of_end_user(tenant_id, external_id)
    if contact_id is None or (cursor is not None and cursor >= upto):
        return SyncPublic(conversations=[], messages=[], next_cursor=cursor or upto, has_more=False)
    limit = min(limit, PAGE_MAX)
    entries = store.changes_page(tenant_id, contact_id, cursor, upto, limit)
    has_more = len(entries) == limit
    next_cursor = entries[-1][2] if has_more else upto
    conversation_keys = [(pk, sk) for pk, sk, _ in entries if sk == keys.CONVERSATION_SK]
    message_keys = [(pk, sk) for pk, sk, _ in entries if sk.startswith(keys.MESSAGE_SK_PREFIX)]
    order = {(pk, sk): n for n, (pk, sk, _) in enumerate(entries)}
    conversations = sorted(
        (c for c in store.batch_get_by_keys(conversation_keys) if c.contact_id == contact_id),
        key=lambda c: order[(c.pk, c.sk)],
    )
    found = store.batch_get_messages(message_keys)
    visible = [m for m in found if not m.private and m.contact_id == contact_id]
    visible.sort(key=lambda m: order[(m.pk, m.sk)])
    return SyncPublic(
        conversations=[end_user_conversation_public(c) for c in conversations],
        messages=[message_public(m) for m in visible],
        next_cursor=next_cursor,
        has_more=has_more,
    )
