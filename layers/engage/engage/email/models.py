"""E-mail channel items (issue 10): the tenant's suppression list and the thread mappings.

- `SuppressionItem`, `PK=T#<t>#EMSUP`, `SK=<lower-cased address>`: an address the tenant must
  not e-mail again (a permanent bounce or a complaint; `reason`), with the SES event's time.
- `ThreadItem`, `PK=T#<t>#EMTHR#<sha256(Message-ID)>`, `SK=THREAD`: the conversation an e-mail
  we sent or received belongs to (`direction` out | in), expiring after EMAIL_THREAD_TTL_DAYS.
- `ConversationThreadItem`, `PK=T#<t>#EMCV#<conversationId>`, `SK=THREAD`: the conversation's
  e-mail subject and its latest Message-IDs, oldest first (at most 20: RFC 5322 3.6.4 lets a
  `References` keep the first and the latest).
Keys come from engage/core/keys_email.py.
"""

from __future__ import annotations

from pynamodb.attributes import ListAttribute, UnicodeAttribute

from engage.core.db import BaseItem


class SuppressionItem(BaseItem):
    """One suppressed address of a tenant (see the module docstring)."""

    address = UnicodeAttribute()
    reason = UnicodeAttribute()  # bounce | complaint
    detail = UnicodeAttribute(null=True)  # SES bounceSubType / complaintFeedbackType
    created_at = UnicodeAttribute(attr_name="createdAt")


class ThreadItem(BaseItem):
    """One e-mail's conversation (see the module docstring)."""

    conversation_id = UnicodeAttribute(attr_name="conversationId")
    contact_id = UnicodeAttribute(attr_name="contactId")
    direction = UnicodeAttribute()  # out | in
    created_at = UnicodeAttribute(attr_name="createdAt")


class ConversationThreadItem(BaseItem):
    """One conversation's e-mail thread (see the module docstring)."""

    subject = UnicodeAttribute(default="")
    message_ids = ListAttribute(of=UnicodeAttribute, default=list, attr_name="messageIds")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
