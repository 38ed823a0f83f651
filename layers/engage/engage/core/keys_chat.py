"""Key builders and parsers of conversations, messages, end users, sockets, API keys and usage
(issue 9), re-exported by `engage.core.keys` (use them as `keys.<name>`; DESIGN.md section 2,
STYLE.md rule 5).

A conversation and its messages share one partition (`T#<t>#CV#<conversationId>`): the
conversation item (`SK=CONV`), its messages (`SK=M#<messageId>`, time-ordered ids) and the
client-message-id guards of idempotent sends (`SK=CMID#<side>#<clientMessageId>`).
"""

from __future__ import annotations

import re

CONVERSATION_SK = "CONV"
MESSAGE_SK_PREFIX = "M#"


def conversation_partition(tenant_id: str, conversation_id: str) -> str:
    """The partition of one conversation: its item, its messages, its send guards."""
    return f"T#{tenant_id}#CV#{conversation_id}"


def conversation_key(tenant_id: str, conversation_id: str) -> tuple[str, str]:
    """The conversation item."""
    return conversation_partition(tenant_id, conversation_id), CONVERSATION_SK


_CONVERSATION_PK = re.compile(r"^T#([^#]+)#CV#([^#]+)$")


def parse_conversation_partition(pk: str) -> tuple[str, str]:
    """`(tenant_id, conversation_id)` of a `conversation_partition` key; ValueError otherwise."""
    found = _CONVERSATION_PK.match(pk)
    if found is None:
        raise ValueError("not a conversation key")
    return found.group(1), found.group(2)


def message_sk(message_id: str) -> str:
    """Sort key of a message in its conversation's partition (ids sort by time)."""
    return f"{MESSAGE_SK_PREFIX}{message_id}"


def conversation_message_key(
    tenant_id: str, conversation_id: str, message_id: str
) -> tuple[str, str]:
    """One message of a conversation."""
    return conversation_partition(tenant_id, conversation_id), message_sk(message_id)


def parse_message_sk(sk: str) -> str:
    """The message id of a `message_sk`; ValueError for any other sort key."""
    if not sk.startswith(MESSAGE_SK_PREFIX) or len(sk) <= len(MESSAGE_SK_PREFIX):
        raise ValueError("not a message key")
    return sk[len(MESSAGE_SK_PREFIX) :]


def client_message_key(
    tenant_id: str, conversation_id: str, side: str, client_message_id: str
) -> tuple[str, str]:
    """The guard of an idempotent send: which message a client message id became."""
    return conversation_partition(tenant_id, conversation_id), f"CMID#{side}#{client_message_id}"


def contact_conversations_partition(tenant_id: str, contact_id: str) -> str:
    """Links from a contact to its conversations (sort key = conversation id, time-ordered)."""
    return f"T#{tenant_id}#CC#{contact_id}"


def conversation_status_index_pk(tenant_id: str, status: str) -> str:
    """GSI1 partition: the tenant's conversations in one status."""
    return f"T#{tenant_id}#CVS#{status}"


def conversation_assignee_index_pk(tenant_id: str, assignee_id: str | None, status: str) -> str:
    """GSI2 partition: the tenant's conversations of one assignee (`-` = none) in one status."""
    return f"T#{tenant_id}#CVA#{assignee_id or '-'}#{status}"


def conversation_index_sk(at_iso: str, conversation_id: str) -> str:
    """GSI1/GSI2 sort key of a conversation: its sort time (ISO 8601 UTC), then its id."""
    return f"{at_iso}#{conversation_id}"


def sync_index_pk(tenant_id: str, contact_id: str) -> str:
    """GSI3 partition: every item an end user may see (conversations, non-private messages)."""
    return f"T#{tenant_id}#SYNC#{contact_id}"


def sync_index_sk(changed_ms: int, item_id: str) -> str:
    """GSI3 sort key: when the item last changed (epoch ms, 13 digits), then its id."""
    return f"{changed_ms:013d}#{item_id}"


def sync_index_upper(changed_ms: int) -> str:
    """The greatest `sync_index_sk` of a change at `changed_ms` (for `<=` key conditions)."""
    return f"{changed_ms:013d}#~"


def parse_sync_index_ms(sort_key: str) -> int:
    """The change time (epoch ms) of a `sync_index_sk` / `sync_index_upper` value (a sync
    cursor); ValueError when it does not start with 13 digits and `#`."""
    stamp, mark = sort_key[:13], sort_key[13:14]
    if len(stamp) != 13 or not stamp.isascii() or not stamp.isdigit() or mark != "#":
        raise ValueError(f"not a sync index sort key: {sort_key!r}")
    return int(stamp)


def first_response_partition(tenant_id: str, day: str) -> str:
    """First-response samples of one UTC day (`YYYY-MM-DD`); sort key = conversation id."""
    return f"T#{tenant_id}#FRT#{day}"


def end_users_partition(tenant_id: str) -> str:
    """The tenant's end users by external id (sort key): the uniqueness guard and the list."""
    return f"T#{tenant_id}#ENDUSER"


def end_user_key(tenant_id: str, external_id: str) -> tuple[str, str]:
    """The look-up item of one end user: external id -> contact id."""
    return end_users_partition(tenant_id), external_id


# -- realtime (issue 9): WebSocket connections and their conversation subscriptions ------------
def connection_key(connection_id: str) -> tuple[str, str]:
    """Global look-up from an API Gateway connection id (all `$disconnect` and action events
    carry) to its tenant and caller."""
    return f"WSC#{connection_id}", "WSC"


def agent_connections_partition(tenant_id: str) -> str:
    """The tenant's open team-member sockets; sort key is the connection id."""
    return f"T#{tenant_id}#WSA"


def end_user_connections_partition(tenant_id: str, contact_id: str) -> str:
    """One end user's open sockets; sort key is the connection id."""
    return f"T#{tenant_id}#WSU#{contact_id}"


def conversation_sockets_partition(tenant_id: str, conversation_id: str) -> str:
    """The sockets that joined one conversation (`conversation:join`); sort key is the
    connection id. Typing goes to them."""
    return f"T#{tenant_id}#WSJ#{conversation_id}"


def seen_event_key(consumer: str, event_id: str) -> tuple[str, str]:
    """An event id a consumer has handled (idempotent consumers; engage/events/seen.py). Global:
    event ids are UUIDs, and the consumer reads it before knowing anything else."""
    return f"EVT#{consumer}#{event_id}", "EVT"


def api_key_partition(tenant_id: str) -> str:
    """The tenant's API keys (issue 9; never the key itself); sort key is the key id."""
    return f"T#{tenant_id}#APIKEY"


def api_key_key(tenant_id: str, key_id: str) -> tuple[str, str]:
    """One API key's item (name, kind, display prefix, hashes, last use, revocation)."""
    return api_key_partition(tenant_id), key_id


def api_key_lookup_key(key_hash: str) -> tuple[str, str]:
    """Global: a presented key's SHA-256 (hex) -> tenant and key id (end users have no tenant)."""
    return f"APIKEY#{key_hash}", "APIKEY"


def usage_key(tenant_id: str, period: str) -> tuple[str, str]:
    """The tenant's usage counters of one period: `YYYY-MM` (calendar month UTC) or `ALL`."""
    return f"T#{tenant_id}#USAGE", period
