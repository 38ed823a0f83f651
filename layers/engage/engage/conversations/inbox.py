"""The console's side of conversations (issue 9 "Admin console API"; seed 001 `/admin/api/*`).

Lists read the index partitions the filters name (GSI1 by status, GSI2 by assignee and
status; all statuses = up to four partitions merged), newest activity first (resolved
conversations by their resolution time), then BatchGet the conversations and check each
against the filters again (an index entry can lag its item). `channel` and `search` filter
those items: `search` is a case-insensitive substring of the contact's name, e-mail, phone or
external id (as they were when the conversation started) or of the latest visible message's
first 200 characters. A page examines at most `SEARCH_BUDGET` conversations, so a filtered
page may hold fewer than `limit` with a `next_cursor` to go on. No Scan.
"""

from __future__ import annotations

import datetime as dt
import re

from engage.auth import store as members
from engage.conversations import access, messages, outbound, service, store
from engage.conversations.indexing import index_fields, sort_at
from engage.conversations.models import ConversationItem
from engage.conversations.schemas import (
    AgentMessageCreate,
    Channel,
    ConversationListPublic,
    ConversationPublic,
    ConversationStatus,
    ConversationUpdate,
    MessageListPublic,
    MessagePublic,
    ReceiptPublic,
    ReceiptStatus,
    Sender,
    Side,
)
from engage.conversations.wire import conversation_public, message_public
from engage.core import clock, keys
from engage.core.errors import Conflict, NotFound, ValidationFailed
from engage.core.roles import Role

SEARCH_BUDGET = 500
UPDATE_ATTEMPTS = 5
_CURSOR = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z#[0-9A-HJKMNP-TV-Z]{26}$")
UNASSIGNED, ME = "unassigned", "me"


def conversation(tenant_id: str, conversation_id: str) -> ConversationItem:
    """A conversation of the tenant; NotFound for unknown, malformed or foreign ids."""
    item = access.conversation_for(tenant_id, conversation_id, end_user_id=None)
    if item is None:
        raise NotFound("Conversation not found")
    return item


def _assignee_filter(assignee: str | None, me: str) -> tuple[bool, str | None]:
    """`(filtered, assignee id)`: `me` is the caller, `unassigned` None, else a member id."""
    if assignee is None:
        return False, None
    if assignee == ME:
        return True, me
    if assignee == UNASSIGNED:
        return True, None
    if not access.is_conversation_id(assignee):
        raise ValidationFailed("Invalid assignee", {"assignee": "me, unassigned or a user id"})
    return True, assignee


def list_conversations(
    tenant_id: str,
    me: str,
    *,
    status: ConversationStatus | None,
    assignee: str | None,
    channel: Channel | None,
    search: str | None,
    cursor: str | None,
    limit: int,
) -> ConversationListPublic:
    """A page of the tenant's conversations (see the module docstring)."""
    if cursor is not None and not _CURSOR.match(cursor):
        raise ValidationFailed("Invalid cursor", {"cursor": "must be a next_cursor"})
    by_assignee, assignee_id = _assignee_filter(assignee, me)
    statuses = [status] if status else list(ConversationStatus)
    if by_assignee:
        index = "assignee"
        pks = [keys.conversation_assignee_index_pk(tenant_id, assignee_id, s) for s in statuses]
    else:
        index = "status"
        pks = [keys.conversation_status_index_pk(tenant_id, s) for s in statuses]
    needle = search.strip().lower() if search and search.strip() else None
    limit = min(limit, service.PAGE_MAX)
    out: list[ConversationPublic] = []
    below, examined, exhausted = cursor, 0, False
    while len(out) < limit and examined < SEARCH_BUDGET:
        entries = [e for pk in pks for e in store.index_page(index, pk, below=below, limit=limit)]
        entries.sort(key=lambda e: e[1], reverse=True)
        entries = entries[:limit]
        if not entries:
            exhausted = True
            break
        items = store.batch_get_by_keys((pk, keys.CONVERSATION_SK) for pk, _ in entries)
        by_pk = {i.pk: i for i in items}
        for pk, sk in entries:
            examined += 1
            below = sk
            item = by_pk.get(pk)
            if item is None or item.status not in statuses:
                continue
            if by_assignee and item.assignee_id != assignee_id:
                continue
            if channel and item.channel != channel:
                continue
            if needle and needle not in (item.search_text or ""):
                continue
            out.append(conversation_public(item))
            if len(out) == limit:
                break
    return ConversationListPublic(data=out, next_cursor=None if exhausted else below)


def get(tenant_id: str, conversation_id: str) -> ConversationPublic:
    """One conversation of the tenant, as the console sees it."""
    return conversation_public(conversation(tenant_id, conversation_id))


def list_messages(
    tenant_id: str, conversation_id: str, before: str | None, after: str | None, limit: int
) -> MessageListPublic:
    """A conversation's messages for the console, private notes included."""
    conversation(tenant_id, conversation_id)
    return service.page_messages(
        tenant_id, conversation_id, before=before, after=after, limit=limit, include_private=True
    )


def reply(
    tenant_id: str, member_id: str, conversation_id: str, body: AgentMessageCreate
) -> tuple[MessagePublic, bool]:
    """An agent's reply (or, with `private`, an internal note): `(message, created)`. In an
    SMS or WhatsApp conversation the reply also goes out through that channel
    (`outbound.py`): a reply the channel may not carry (outside the WhatsApp window, to an
    opted-out contact) is a Conflict, and nothing is written or sent. In an e-mail
    conversation it is e-mailed, threaded (`engage/email/replies.py`)."""
    conv = conversation(tenant_id, conversation_id)
    plan = outbound.plan(tenant_id, conv, body)
    by_email = conv.channel == Channel.EMAIL and not body.private
    if by_email:
        from engage.email import replies  # only e-mail conversations load the e-mail code

        replies.check_reply(tenant_id, conv)
    author = messages.Author(sender=Sender.AGENT, sender_id=member_id, guard=member_id)
    item, created = messages.send(tenant_id, conv, author, body, private=body.private)
    if plan is not None:
        item = outbound.deliver(tenant_id, conv, item, plan)
    elif by_email and created:  # a replayed reply (same client_message_id) is not re-sent
        replies.send_reply(tenant_id, conv, item)
    return message_public(item), created


def receipt(
    tenant_id: str, conversation_id: str, status: ReceiptStatus, message_id: str
) -> ReceiptPublic:
    """The team marks the end user's messages up to `message_id` delivered / read."""
    conv = conversation(tenant_id, conversation_id)
    return messages.mark(tenant_id, conv, Side.AGENT, status, message_id)


def _check_assignee(tenant_id: str, assignee_id: str) -> None:
    user = members.get_user(tenant_id, assignee_id) if assignee_id.isalnum() else None
    if user is None or user.active is False or not Role.parse(user.role).at_least(Role.AGENT):
        raise ValidationFailed(
            "The assignee must be an active member with the agent role or higher",
            {"assignee_id": "not an active agent, admin or owner of this team"},
        )


def _changes(tenant_id: str, item: ConversationItem, body: ConversationUpdate) -> dict[str, object]:
    """The attribute values `body` changes (validated against the conversation)."""
    given = body.model_fields_set
    out: dict[str, object] = {}
    status = body.status.value if body.status else item.status
    if body.status is not None and body.status != item.status:
        out["status"] = status
    if "assignee_id" in given and body.assignee_id != item.assignee_id:
        if body.assignee_id is not None:
            _check_assignee(tenant_id, body.assignee_id)
        out["assignee_id"] = body.assignee_id
    if body.priority is not None and body.priority != item.priority:
        out["priority"] = body.priority.value
    if body.labels is not None and body.labels != list(item.labels or []):
        out["labels"] = body.labels
    if body.snoozed_until is not None:
        if status != ConversationStatus.SNOOZED:
            raise ValidationFailed(
                "snoozed_until goes with status snoozed", {"snoozed_until": "set status snoozed"}
            )
        if body.snoozed_until <= clock.now():
            raise ValidationFailed("snoozed_until must be in the future", {"snoozed_until": ""})
        until = clock.iso(body.snoozed_until.astimezone(dt.UTC))
        if until != item.snoozed_until:
            out["snoozed_until"] = until
    return out


OPEN_STATES = (ConversationStatus.OPEN, ConversationStatus.PENDING)


def _needs_slot(item: ConversationItem, changes: dict[str, object]) -> str | None:
    """The agent whose slot the change needs (issue 11 capacity): a new assignee of an open
    or pending session, or the assignee of a session reopened; None otherwise."""
    assignee = changes.get("assignee_id", item.assignee_id)
    status = str(changes.get("status", item.status))
    if not assignee or status not in OPEN_STATES:
        return None
    if "assignee_id" in changes or item.status not in OPEN_STATES:
        return str(assignee)
    return None


def _take_slot(tenant_id: str, conversation_id: str, agent_id: str) -> bool:
    """Take `agent_id`'s slot for the session (engage/routing/slots.py); True when this call
    took it (so a failed write gives it back). Conflict when the agent has no room."""
    from engage.routing import slots  # the engine's semaphore; imports no conversation code

    taken = slots.take(tenant_id, agent_id, conversation_id, slots.MANUAL, slots.Mode.AGENT)
    if taken == slots.Taken.FULL:
        raise Conflict("Agent at capacity", {"assignee_id": "agent at capacity"})
    return taken == slots.Taken.TAKEN


def _give_back(tenant_id: str, conversation_id: str, agent_id: str) -> None:
    from engage.routing import slots

    slots.release(tenant_id, agent_id, conversation_id)


def update(tenant_id: str, conversation_id: str, body: ConversationUpdate) -> ConversationPublic:
    """Change status, assignee, priority, snooze time or labels (one conditional write,
    retried when a message lands meanwhile). An assignment (or a reopen of an assigned
    session) first takes the agent's slot (issue 11: `engage/routing`), so it respects their
    capacity; the slot the previous agent held is released by the assignment consumer.
    Raises NotFound, ValidationFailed (an assignee who is not an active agent+, a snooze
    time without status snoozed or in the past), Conflict ("Agent at capacity")."""
    item = conversation(tenant_id, conversation_id)
    taken: str | None = None
    try:
        for _ in range(UPDATE_ATTEMPTS):
            changes = _changes(tenant_id, item, body)
            if not changes:
                break
            agent = _needs_slot(item, changes)
            if agent and agent != taken and _take_slot(tenant_id, conversation_id, agent):
                if taken:
                    _give_back(tenant_id, conversation_id, taken)
                taken = agent
            if _write(tenant_id, conversation_id, item, changes):
                taken = None  # the slot now belongs to the assignment
                return conversation_public(item)
            fresh = store.get_conversation(tenant_id, conversation_id)
            if fresh is None:
                raise NotFound("Conversation not found")
            item = fresh
        else:
            raise Conflict("The conversation is changing too fast; retry")
    finally:
        if taken:
            _give_back(tenant_id, conversation_id, taken)
    return conversation_public(item)


def _write(
    tenant_id: str, conversation_id: str, item: ConversationItem, changes: dict[str, object]
) -> bool:
    """One conditional write of `changes` (and the index fields they move), expecting the
    version `item` was read at; `item` is refreshed when it succeeds."""
    now = clock.now_iso()
    status = str(changes.get("status", item.status))
    resolved_at: str | None = item.resolved_at
    remove: list[str] = []
    if "status" in changes:
        resolved_at = now if status == ConversationStatus.RESOLVED else None
        if resolved_at:
            changes["resolved_at"] = resolved_at
        elif item.resolved_at:
            remove.append("resolved_at")
        if status != ConversationStatus.SNOOZED and item.snoozed_until:
            remove.append("snoozed_until")
    assignee_id = changes.get("assignee_id", item.assignee_id)
    if assignee_id is None:
        changes.pop("assignee_id", None)
        if item.assignee_id:
            remove.append("assignee_id")
    fields = {
        **changes,
        "updated_at": now,
        **index_fields(
            tenant_id,
            conversation_id,
            status=status,
            assignee_id=str(assignee_id) if assignee_id else None,
            at=sort_at(status, item.last_activity_at, resolved_at),
        ),
    }
    expect = {"version": item.version}
    return store.update_conversation(
        item, set_=fields, remove=remove, add={"version": 1}, expect=expect
    )


def assign_routed(
    tenant_id: str, conversation_id: str, agent_id: str, item: ConversationItem | None = None
) -> bool:
    """The assignment engine's write (engage/routing/assignment.py, which holds the agent's
    slot already): set the assignee only while the session is still open or pending and
    unassigned; False otherwise (resolved, or assigned by someone else meanwhile). `item`: the
    conversation as just read (saves a read; re-read if it changed meanwhile)."""
    current = item
    for _ in range(UPDATE_ATTEMPTS):
        item = current or store.get_conversation(tenant_id, conversation_id)
        current = None
        if item is None or item.status not in OPEN_STATES or item.assignee_id:
            return False
        if _write(tenant_id, conversation_id, item, {"assignee_id": agent_id}):
            return True
    return False


def unassign_routed(tenant_id: str, conversation_id: str, agent_id: str) -> bool:
    """Remove `agent_id` as the assignee (the engine: a reopened session whose agent has no
    room, a transfer routed elsewhere); False when someone else is assigned now."""
    for _ in range(UPDATE_ATTEMPTS):
        item = store.get_conversation(tenant_id, conversation_id)
        if item is None or item.assignee_id != agent_id:
            return False
        if _write(tenant_id, conversation_id, item, {"assignee_id": None}):
            return True
    return False
