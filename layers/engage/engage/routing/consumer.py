"""The assignment consumer (functions/assignment): `conversation.created` and
`conversation.updated` from the bus, idempotent on the event id (engage/events/seen.py).

- a new session, or a transfer (`changes` names `channel`): the routing rules run on its
  facts (channel, priority, the contact's tags and language, now) and the first match's
  action is applied (`apply_action`; the rules: `engage.routing.rules.first_match`);
- a change of `status`, `assignee_id` or `priority`: `assignment.settle` (release the slots
  the session should no longer hold and drain the freed agents' queues; leave or move in its
  queue); a reopened session whose agent has no room is unassigned and routed again.

`apply_action` is the engine's entry point for a `RuleAction`:
- `assign_to_agent_group:<id or name>`: enqueue in that group's queue and drain it (a
  session waiting in another queue moves there); a session already assigned keeps its agent
  (a transfer to a channel keeps the agent who works it);
- `assign_to_agent:<user id>`: the agent (an active member, agent or higher) if they have room
  under their capacity, else the session waits in that agent's own queue until they do;
- `set_priority:<level>`: the conversation's priority;
- `auto_reply:<template>`: auto_reply.py.
An action that names nothing that exists is logged and skipped (the session stays as it is).
"""

from __future__ import annotations

from collections.abc import Callable

from engage.auth import store as members
from engage.contacts import store as contacts
from engage.conversations import inbox
from engage.conversations import store as conversations
from engage.conversations.models import ConversationItem
from engage.conversations.schemas import ConversationUpdate, Priority
from engage.core import clock, keys
from engage.core.observability import logger
from engage.core.roles import Role
from engage.events import seen
from engage.events.envelope import DomainEvent, EventType
from engage.routing import assignment, auto_reply, group_store
from engage.routing.facts import ActionKind, RuleAction, SessionFacts

CONSUMER = "assignment"
SETTLE_ON = ("status", "assignee_id", "priority")
RuleSource = Callable[[str, SessionFacts], RuleAction | None]


def _rules() -> RuleSource:
    """The tenant's rules, first match wins (`engage.routing.rules.first_match`)."""
    from engage.routing import rules  # the rule language: loaded when an event needs it

    return rules.first_match


def facts_of(tenant_id: str, conv: ConversationItem) -> SessionFacts:
    """What rules see of a session: its channel and priority, its contact's tags and
    language (lower-cased), and now."""
    contact = contacts.get(tenant_id, conv.contact_id)
    tags = frozenset(str(t).lower() for t in (contact.tags or [])) if contact else frozenset()
    language = contact.language.lower() if contact and contact.language else None
    return SessionFacts(
        channel=str(conv.channel),
        priority=str(conv.priority),
        at=clock.now(),
        tags=tags,
        language=language,
    )


resolve_group = group_store.resolve


def _is_agent(tenant_id: str, user_id: str) -> bool:
    user = members.get_user(tenant_id, user_id) if user_id.isalnum() else None
    return (
        user is not None and user.active is not False and Role.parse(user.role).at_least(Role.AGENT)
    )


def _route_to(tenant_id: str, conv: ConversationItem, queue_id: str) -> None:
    """Enqueue an unassigned session in `queue_id` and drain it; an assigned one keeps its
    agent (a transfer with an agent, or a session an agent already works)."""
    if conv.assignee_id:
        return
    assignment.enqueue(tenant_id, conv, queue_id)
    assignment.drain(tenant_id, queue_id)


def apply_action(tenant_id: str, conversation_id: str, action: RuleAction, ref: str) -> None:
    """Apply one rule action to a session (see the module docstring); `ref` is the event id
    (an auto-reply's idempotency key)."""
    conv = conversations.get_conversation(tenant_id, conversation_id)
    if conv is None:
        return
    argument = action.argument.strip()
    if action.kind == ActionKind.ASSIGN_TO_AGENT_GROUP:
        group_id = resolve_group(tenant_id, argument)
        if group_id is None:
            logger.warning("rule names no group", extra={"rule": action.rule_id})
            return
        _route_to(tenant_id, conv, group_id)
    elif action.kind == ActionKind.ASSIGN_TO_AGENT:
        if not _is_agent(tenant_id, argument):
            logger.warning("rule names no active agent", extra={"rule": action.rule_id})
            return
        _route_to(tenant_id, conv, keys.agent_queue_id(argument))
    elif action.kind == ActionKind.SET_PRIORITY:
        try:
            priority = Priority(argument.lower())
        except ValueError:
            logger.warning("rule sets an unknown priority", extra={"rule": action.rule_id})
            return
        inbox.update(tenant_id, conversation_id, ConversationUpdate(priority=priority))
    elif action.kind == ActionKind.AUTO_REPLY:
        auto_reply.send(tenant_id, conv, argument, ref)


def route_session(tenant_id: str, conversation_id: str, ref: str, rules: RuleSource) -> None:
    """Run the rules on an open session and apply the first match (nothing matches: it stays
    unassigned, as before routing existed)."""
    conv = conversations.get_conversation(tenant_id, conversation_id)
    if conv is None or conv.status not in assignment.OPEN_STATES:
        return
    action = rules(tenant_id, facts_of(tenant_id, conv))
    if action is not None:
        apply_action(tenant_id, conversation_id, action, ref)


def handle(event: DomainEvent, rules: RuleSource | None = None) -> None:
    """Handle one conversation event (see the module docstring), without the seen check."""
    conversation_id = event.data.get("id")
    if not isinstance(conversation_id, str):
        return
    source = rules if rules is not None else _rules()
    tenant_id = event.tenant_id
    raw = event.data.get("changes")
    changes = [str(c) for c in raw] if isinstance(raw, list) else []
    reroute = False
    if event.type == EventType.CONVERSATION_UPDATED and any(c in changes for c in SETTLE_ON):
        reroute = assignment.settle(tenant_id, conversation_id)
    if event.type == EventType.CONVERSATION_CREATED or "channel" in changes or reroute:
        route_session(tenant_id, conversation_id, event.id, source)


def consume(event: DomainEvent) -> None:
    """The SQS consumer's per-event work: `handle`, once per event id."""
    if event.type not in (EventType.CONVERSATION_CREATED, EventType.CONVERSATION_UPDATED):
        return
    if not seen.claim(CONSUMER, event.id):
        return
    try:
        handle(event)
    except Exception:
        seen.release(CONSUMER, event.id)
        raise
