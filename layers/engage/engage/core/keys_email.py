"""Key builders of the e-mail channel (issue 10), re-exported by `engage.core.keys` (use them
as `keys.<name>`; STYLE.md rule 5).

- `T#<t>#EMSUP`, sort key = the lower-cased address: the tenant's suppression list (hard
  bounces and complaints; engage/email/store.py).
- `T#<t>#EMTHR#<sha256 of the Message-ID>`, `SK=THREAD`: which conversation an e-mail we sent
  or received belongs to, so a reply's `In-Reply-To` / `References` find it. The id is hashed:
  a `Message-ID` may be up to 998 characters of nearly anything.
- `T#<t>#EMCV#<conversationId>`, `SK=THREAD`: a conversation's e-mail thread (its subject and
  latest Message-IDs), which an agent's reply names in `In-Reply-To` and `References`.
Inbound mail needs no global look-up: the recipient address names the tenant
(`<tenantId>@INBOUND_EMAIL_DOMAIN`, engage/email/inbound.py).
"""

from __future__ import annotations

import hashlib

THREAD_SK = "THREAD"


def email_suppression_partition(tenant_id: str) -> str:
    """The tenant's suppressed addresses (sort key: the lower-cased address)."""
    return f"T#{tenant_id}#EMSUP"


def email_suppression_key(tenant_id: str, address: str) -> tuple[str, str]:
    """One suppressed address of a tenant (compared lower-cased)."""
    return email_suppression_partition(tenant_id), address.strip().lower()


def normalise_message_id(message_id: str) -> str:
    """A `Message-ID` as compared: no surrounding blanks or angle brackets, the domain part
    lower-cased (RFC 5322 3.6.4: `id-left "@" id-right`; the left part is case-sensitive)."""
    value = message_id.strip().strip("<>").strip()
    left, at, right = value.rpartition("@")
    return f"{left}@{right.lower()}" if at else value


def email_thread_key(tenant_id: str, message_id: str) -> tuple[str, str]:
    """The thread mapping item of one `Message-ID` in a tenant (see the module docstring)."""
    digest = hashlib.sha256(normalise_message_id(message_id).encode()).hexdigest()
    return f"T#{tenant_id}#EMTHR#{digest}", THREAD_SK


def email_conversation_thread_key(tenant_id: str, conversation_id: str) -> tuple[str, str]:
    """The e-mail thread state of one conversation (see the module docstring)."""
    return f"T#{tenant_id}#EMCV#{conversation_id}", THREAD_SK
