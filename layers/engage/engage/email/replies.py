"""An agent's reply in an e-mail conversation goes out by e-mail (issue 10: "replies on ...
e-mail land in the contact's conversations"; the console's reply path calls it).

- `check_reply` (before the reply is written): the contact must have an address we may
  write to (present, not on the suppression list); else Conflict, and nothing is written.
- `send_reply` (after): one e-mail to the contact's address, from the tenant's sender identity
  (sending.py) with `Reply-To` the tenant's inbound address (inbound.py), so the customer's
  answer comes back into the conversation. The subject is `Re: <the thread's subject>`;
  `In-Reply-To` names the thread's latest Message-ID and `References` its ids (RFC 5322
  3.6.4), so the customer's client shows one thread. The Message-ID the customer sees (the
  provider's) is mapped to the conversation and added to the thread. A provider refusal is
  logged, not raised: the reply is already written.
Transactional, not marketing: no List-Unsubscribe, and an `emailConsent` opt-out does not
stop an answer to the customer's own question (a suppressed address does).
"""

from __future__ import annotations

import html

from engage.channels.email_base import OutboundEmail
from engage.contacts import store as contacts_store
from engage.conversations.models import ConversationItem, MessageItem
from engage.core import ids, keys
from engage.core.errors import Conflict
from engage.core.observability import logger
from engage.core.settings import get_settings
from engage.email import store
from engage.email.inbound import inbound_address
from engage.email.sending import deliver, is_address, sender_identity

DEFAULT_SUBJECT = "Your conversation"


def _address(tenant_id: str, conversation: ConversationItem) -> str:
    contact = contacts_store.get(tenant_id, conversation.contact_id)
    address = (contact.email or "").strip() if contact is not None else ""
    if not is_address(address):
        raise Conflict("The contact has no e-mail address", {"contact": "no e-mail address"})
    if store.is_suppressed(tenant_id, address):
        raise Conflict(
            "The contact's address bounced or complained", {"contact": "address suppressed"}
        )
    return address


def check_reply(tenant_id: str, conversation: ConversationItem) -> None:
    """Raise Conflict when an e-mail reply could not go out (see the module docstring)."""
    _address(tenant_id, conversation)


def reply_subject(subject: str) -> str:
    """`Re: <subject>` (once), or a neutral subject when the thread has none."""
    subject = " ".join(subject.split())[:900]
    if not subject:
        return DEFAULT_SUBJECT
    return subject if subject.lower().startswith("re:") else f"Re: {subject}"


def _html(text: str) -> str:
    body = html.escape(text).replace("\n", "<br>\n")
    return (
        f'<!doctype html><html><body style="font-family:system-ui,sans-serif">{body}</body></html>'
    )


def send_reply(tenant_id: str, conversation: ConversationItem, message: MessageItem) -> None:
    """E-mail the agent's `message` of `conversation` to its contact (see the module
    docstring). Raises Conflict when the contact has no usable address."""
    address = _address(tenant_id, conversation)
    conversation_id = keys.parse_conversation_partition(conversation.pk)[1]
    thread = store.conversation_thread(tenant_id, conversation_id)
    thread_ids = [str(m) for m in thread.message_ids or []] if thread is not None else []
    identity = sender_identity(tenant_id)
    domain = get_settings().inbound_email_domain
    own_id = f"<{ids.new_id()}.{conversation_id}@{domain}>"
    email = OutboundEmail(
        to=address,
        subject=reply_subject(thread.subject if thread is not None else ""),
        text=message.content,
        html=_html(message.content),
        tenant_id=tenant_id,
        from_address=identity.from_address,
        from_name=identity.from_name,
        reply_to=inbound_address(tenant_id),
        message_id=own_id,
        in_reply_to=thread_ids[-1] if thread_ids else None,
        references=tuple(thread_ids),
        tags=(("conversation_id", conversation_id),),
    )
    delivered = deliver(email)
    if delivered.result.status != "sent" or delivered.message_id is None:
        logger.warning("e-mail reply not sent", extra={"error": delivered.result.error})
        return
    seen = list(dict.fromkeys([delivered.message_id, own_id]))
    store.remember_thread(tenant_id, seen, conversation_id, conversation.contact_id, "out")
    store.add_to_conversation_thread(tenant_id, conversation_id, delivered.message_id, None)
