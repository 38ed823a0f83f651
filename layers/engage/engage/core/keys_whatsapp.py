"""Key builders and parsers of the WhatsApp window and of provider references to conversation
messages (issue 10), re-exported by `engage.core.keys` (use them as `keys.<name>`; DESIGN.md
section 2, STYLE.md rule 5).

- The 24-hour customer-service window of one contact: `PK=T#<t>#WAWIN#<contactId>`,
  `SK=WINDOW` (one item per contact; engage/whatsapp/models.py).
- A conversation message handed to an SMS or WhatsApp provider carries the reference
  `<tenantId>|T#<t>#CV#<conversationId>|M#<messageId>`: the shape of a campaign message's
  reference (`<tenantId>|<PK>|<SK>`), so status callbacks route it the same way.
"""

from __future__ import annotations

from engage.core.keys_chat import (
    conversation_message_key,
    parse_conversation_partition,
    parse_message_sk,
)

WINDOW_SK = "WINDOW"


def whatsapp_window_key(tenant_id: str, contact_id: str) -> tuple[str, str]:
    """The WhatsApp window item of one contact (last inbound message time)."""
    return f"T#{tenant_id}#WAWIN#{contact_id}", WINDOW_SK


def conversation_message_ref(tenant_id: str, conversation_id: str, message_id: str) -> str:
    """The provider reference of a conversation message (see the module docstring)."""
    pk, sk = conversation_message_key(tenant_id, conversation_id, message_id)
    return f"{tenant_id}|{pk}|{sk}"


def parse_conversation_message_ref(ref: str | None) -> tuple[str, str, str] | None:
    """`(tenant_id, conversation_id, message_id)` of a `conversation_message_ref`; None for any
    other reference (a campaign message's, a malformed one)."""
    if not ref or ref.count("|") != 2:
        return None
    tenant_id, rest = ref.split("|", 1)
    pk, sk = rest.split("|", 1)
    try:
        pk_tenant, conversation_id = parse_conversation_partition(pk)
        message_id = parse_message_sk(sk)
    except ValueError:
        return None
    if pk_tenant != tenant_id:
        return None
    return tenant_id, conversation_id, message_id
