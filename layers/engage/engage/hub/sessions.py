"""The hub's sessions (issue 11; seed 003 section 2). A session IS a conversation
(engage/conversations, `ConversationItem`): every function here reads and changes
conversations through engage/conversations (`inbox.list_conversations` for lists,
`service.open_conversation` to open one, `inbox.update` for status, agent and priority, so
whatever that checks, such as an agent's capacity, applies here too). No copy is kept.

- `list_active`: the tenant's open and pending conversations on every channel, newest activity
  first (the console's GSI1/GSI2 index partitions, merged by `inbox.list_conversations`), each
  with its contact's name, phone and e-mail (one BatchGetItem of the page's contacts).
- `create`: a contact of the tenant who can be reached on the channel (engage/hub/reach.py,
  a phone and no opt-out for sms, whatsapp and voice, an address and no opt-out for email,
  an identified end user for chat; video sessions start at `POST
  /video/sessions`) gets a new conversation there, written with the priority asked (so the
  routing rules see it); a customer has at most one open session on sms, whatsapp and
  email; `initial_message` becomes an internal note by the creating agent: the team's
  context, never sent to the customer.
- `update`: status (mapped as engage/hub/schemas.py documents), agent and priority.
"""

from __future__ import annotations

from engage.contacts import service as contacts
from engage.contacts import store as contact_store
from engage.conversations import inbox, messages
from engage.conversations import service as conversations
from engage.conversations.contact_channel import latest_open
from engage.conversations.models import ConversationItem
from engage.conversations.schemas import (
    AgentMessageCreate,
    Channel,
    ConversationUpdate,
    Sender,
)
from engage.conversations.wire import conversation_id_of, conversation_public
from engage.core import keys
from engage.core.errors import Conflict, NotFound, ValidationFailed
from engage.hub.reach import check_target
from engage.hub.schemas import (
    SessionCreate,
    SessionCreatedPublic,
    SessionListPublic,
    SessionPublic,
    SessionStatus,
    SessionUpdate,
)
from engage.hub.wire import (
    ACTIVE_CONVERSATION_STATUSES,
    conversation_status,
    session_public,
)

PAGE_DEFAULT, PAGE_MAX = 50, 100


def session_item(tenant_id: str, session_id: str) -> ConversationItem:
    """The tenant's conversation `session_id`; NotFound for unknown, malformed or foreign ids."""
    try:
        return inbox.conversation(tenant_id, session_id)
    except NotFound:
        raise NotFound("Session not found") from None


def get(tenant_id: str, session_id: str) -> SessionPublic:
    """One session with its customer's details."""
    item = session_item(tenant_id, session_id)
    return session_public(conversation_public(item), contact_store.get(tenant_id, item.contact_id))


def list_active(
    tenant_id: str,
    me: str,
    *,
    channel: Channel | None,
    agent_id: str | None,
    cursor: str | None,
    limit: int,
) -> SessionListPublic:
    """A page of the tenant's open and pending sessions, newest activity first. `agent_id`:
    one member's sessions (`me`, `unassigned` or a member id, as the console's `assignee`).
    The open and pending index partitions are read through `inbox.list_conversations` (one
    call each, below the same cursor: both sort by `<last activity>#<id>`, so one cursor
    continues both) and merged. Raises ValidationFailed for a malformed cursor or agent id."""
    limit = max(1, min(limit, PAGE_MAX))
    pages = [
        inbox.list_conversations(
            tenant_id,
            me,
            status=status,
            assignee=agent_id,
            channel=channel,
            search=None,
            cursor=cursor,
            limit=limit,
        )
        for status in ACTIVE_CONVERSATION_STATUSES
    ]
    ranked = sorted(
        ((keys.conversation_index_sk(c.last_activity_at, c.id), c) for p in pages for c in p.data),
        key=lambda entry: entry[0],
        reverse=True,
    )
    more = len(ranked) > limit or any(p.next_cursor is not None for p in pages)
    chosen = ranked[:limit]
    contacts_ = contact_store.batch_get(tenant_id, {c.contact_id for _, c in chosen})
    return SessionListPublic(
        sessions=[session_public(c, contacts_.get(c.contact_id)) for _, c in chosen],
        next_cursor=chosen[-1][0] if more and chosen else None,
    )


SINGLE_OPEN = (Channel.SMS, Channel.WHATSAPP, Channel.EMAIL)
"""Channels whose inbound messages find the session by the customer's address: a customer has
at most one open session on each, so a reply never lands beside the session it answers."""


def create(tenant_id: str, member_id: str, body: SessionCreate) -> SessionCreatedPublic:
    """Open a session with contact `body.customer_id` on `body.channel_type` (see the module
    docstring). Raises NotFound (not the tenant's contact), ValidationFailed (video: `POST
    /video/sessions`), Conflict (not reachable or not consented there, or an open session of
    the customer on sms, whatsapp or email already: its id in `details.session_id`)."""
    try:
        contact = contacts.get_contact(tenant_id, body.customer_id)
    except NotFound:
        raise NotFound("Customer not found") from None
    check_target(tenant_id, contact, body.channel_type, field="channel_type", opt_in=False)
    if body.channel_type in SINGLE_OPEN:
        open_ = latest_open(tenant_id, contact.sk, body.channel_type)
        if open_ is not None:
            raise Conflict(
                f"The customer already has an open {body.channel_type.value} session",
                {"session_id": conversation_id_of(open_)},
            )
    item = conversations.open_conversation(
        tenant_id, contact, body.channel_type, priority=body.priority
    )
    session_id = conversation_id_of(item)
    if body.initial_message:
        author = messages.Author(sender=Sender.AGENT, sender_id=member_id, guard=member_id)
        note = AgentMessageCreate(content=body.initial_message, private=True)
        messages.send(tenant_id, item, author, note, private=True)
    return SessionCreatedPublic(session_id=session_id, created_at=item.created_at)


def conversation_update(item: ConversationItem, body: SessionUpdate) -> ConversationUpdate:
    """The conversation change a session update stands for (see engage/hub/schemas.py).
    Raises ValidationFailed for `active` without an agent, `waiting` with one."""
    given = body.model_fields_set
    fields: dict[str, object] = {}
    agent_given = "agent_id" in given
    agent = body.agent_id if agent_given else item.assignee_id
    if body.status is not None:
        fields["status"] = conversation_status(body.status)
        if body.status == SessionStatus.ACTIVE and not agent:
            raise ValidationFailed(
                "An active session needs an agent", {"agent_id": "give the agent to assign"}
            )
        if body.status == SessionStatus.WAITING:
            if agent_given and body.agent_id:
                raise ValidationFailed(
                    "A waiting session has no agent", {"agent_id": "omit it or give null"}
                )
            fields["assignee_id"] = None
    if agent_given:
        fields.setdefault("assignee_id", body.agent_id)
    if body.priority is not None:
        fields["priority"] = body.priority
    return ConversationUpdate.model_validate(fields)


def update(tenant_id: str, session_id: str, body: SessionUpdate) -> SessionPublic:
    """Change a session's status, agent or priority through `inbox.update` (an agent must be
    an active member with the agent role or higher). Raises NotFound, ValidationFailed."""
    item = session_item(tenant_id, session_id)
    change = conversation_update(item, body)
    if change.model_fields_set:
        inbox.update(tenant_id, session_id, change)
    return get(tenant_id, session_id)
