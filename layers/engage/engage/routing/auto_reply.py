"""`auto_reply:<template>` (issue 11 routing actions): a bot message in the session with the
template's text (engage/templates library, by id or name; `{{firstName|there}}` filled from
the contact, other variables left to their fallbacks), on the session's channel.

- chat: a message from `bot` in the conversation;
- SMS / WhatsApp: checked by `conversations/outbound.py` first (SMS consent; the WhatsApp
  24-hour window and template rule); a channel that may not carry it is skipped and logged,
  otherwise the message is written and sent once through the channel's adapter;
- e-mail, voice, video: skipped and logged (no automatic message goes out on them).

Idempotent: the message's client id is derived from the event, so a redelivered event
answers the message already written and sends nothing twice.
"""

from __future__ import annotations

from engage.contacts import store as contacts
from engage.conversations import messages, outbound
from engage.conversations.models import ConversationItem
from engage.conversations.schemas import AgentMessageCreate, Channel, Sender
from engage.core.errors import Conflict, ValidationFailed
from engage.core.observability import logger
from engage.core.render import render
from engage.templates.library import find_template

BOT = messages.Author(sender=Sender.BOT, sender_id=None, guard="bot")
CARRIED = (Channel.CHAT, Channel.SMS, Channel.WHATSAPP)


def template_text(name: str) -> str | None:
    """The library template's text by id or name (case-insensitive), or None."""
    template = find_template(name)
    return template.content if template is not None else None


def send(tenant_id: str, conv: ConversationItem, template: str, ref: str) -> bool:
    """Post the template's text in the session (see the module docstring); `ref` (an event
    id) makes it idempotent. True when a message was written (or had been)."""
    text = template_text(template)
    if text is None:
        logger.warning("auto_reply names no template", extra={"template": template[:64]})
        return False
    if conv.channel not in CARRIED:
        logger.info("auto_reply skipped: channel", extra={"channel": conv.channel})
        return False
    contact = contacts.get(tenant_id, conv.contact_id)
    content = render(text, {"firstName": contact.first_name if contact else None})
    body = AgentMessageCreate(content=content, client_message_id=f"auto-{ref}"[:128])
    try:
        plan = outbound.plan(tenant_id, conv, body)
    except (Conflict, ValidationFailed) as exc:
        logger.info("auto_reply skipped: the channel may not carry it", extra={"why": exc.code})
        return False
    item, created = messages.send(tenant_id, conv, BOT, body, private=False)
    if plan is not None and created:
        outbound.deliver(tenant_id, conv, item, plan)
    return True
