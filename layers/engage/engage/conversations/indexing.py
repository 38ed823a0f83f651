"""The index keys of a conversation item, computed from its fields (see models.py).

- GSI1/GSI2 sort by the conversation's sort time: its resolution time once `resolved` (so
  "resolved today" is one key condition), its last activity otherwise.
- GSI3 moves to "now" on every change the end user may see (`/v1/sync`).
"""

from __future__ import annotations

from engage.conversations.models import ConversationItem
from engage.conversations.schemas import ConversationStatus
from engage.conversations.wire import conversation_id_of
from engage.core import clock, keys


def sort_at(status: str, last_activity_at: str, resolved_at: str | None) -> str:
    """The time a conversation sorts by in the console's indexes."""
    if status == ConversationStatus.RESOLVED and resolved_at:
        return resolved_at
    return last_activity_at


def sync_sk(item_id: str) -> str:
    """A GSI3 sort key for a change made now (epoch ms of the one clock)."""
    return keys.sync_index_sk(clock.now_ms(), item_id)


def assign_index_keys(tenant_id: str, item: ConversationItem) -> None:
    """Set every index attribute of an (unsaved) conversation from its fields."""
    conversation_id = conversation_id_of(item)
    at = sort_at(item.status, item.last_activity_at, item.resolved_at)
    item.gsi1pk = keys.conversation_status_index_pk(tenant_id, item.status)
    item.gsi1sk = keys.conversation_index_sk(at, conversation_id)
    item.gsi2pk = keys.conversation_assignee_index_pk(tenant_id, item.assignee_id, item.status)
    item.gsi2sk = item.gsi1sk
    item.gsi3pk = keys.sync_index_pk(tenant_id, item.contact_id)
    item.gsi3sk = sync_sk(conversation_id)


def index_fields(
    tenant_id: str,
    conversation_id: str,
    *,
    status: str,
    assignee_id: str | None,
    at: str,
) -> dict[str, str]:
    """The index attributes that place a conversation in GSI1/GSI2 (status, assignee, sort
    time `at`) and GSI3 (changed now), by attribute name."""
    sk = keys.conversation_index_sk(at, conversation_id)
    return {
        "gsi1pk": keys.conversation_status_index_pk(tenant_id, status),
        "gsi1sk": sk,
        "gsi2pk": keys.conversation_assignee_index_pk(tenant_id, assignee_id, status),
        "gsi2sk": sk,
        "gsi3sk": sync_sk(conversation_id),
    }
