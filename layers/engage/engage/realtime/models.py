"""Realtime connection items (issue 9 "Realtime"; DESIGN.md section 5).

- `ConnectionItem` `PK=WSC#<connectionId>`, `SK=WSC`: who holds an API Gateway WebSocket
  connection (tenant, kind, member id or end user's external id, the end user's contact id
  once known, the conversations it joined); `$disconnect` and every action carry only the
  connection id.
- `ConnectionIndexItem` in `T#<tenantId>#WSA` (team members' sockets) or
  `T#<tenantId>#WSU#<contactId>` (one end user's sockets), `SK=<connectionId>`: what the
  fan-out queries to find the sockets an event goes to (one Query per audience); it carries
  the member id or the end user's API key id (`keyId`), whose standing the fan-out reads
  before pushing (standing_store.py).
- `SubscriptionItem` in `T#<tenantId>#WSJ#<conversationId>`, `SK=<connectionId>`: a socket that
  joined a conversation (`conversation:join`); typing goes to these (one Query).
All expire by TTL (`expiresAt`) a little after API Gateway's two-hour connection limit, so a
connection whose `$disconnect` never came is gone anyway; a push that finds a connection gone
removes its items at once.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UnicodeSetAttribute

from engage.core.db import BaseItem


class ConnectionItem(BaseItem):
    """One open socket: `tenantId`, `kind` (`agent` | `end_user`), `principalId` (the member
    id, or the end user's external id: the tenant's own id for them), `contactId` (end users,
    once known), `keyId` (end users: the API key they connected with), `joined` (conversation
    ids it joined), `connectedAt` (ISO 8601), `expiresAt` (epoch seconds, TTL)."""

    tenant_id = UnicodeAttribute(attr_name="tenantId")
    kind = UnicodeAttribute()
    principal_id = UnicodeAttribute(attr_name="principalId")
    contact_id = UnicodeAttribute(null=True, attr_name="contactId")
    key_id = UnicodeAttribute(null=True, attr_name="keyId")
    joined = UnicodeSetAttribute(null=True)
    connected_at = UnicodeAttribute(attr_name="connectedAt")
    expires_at = NumberAttribute(attr_name="expiresAt")


class ConnectionIndexItem(BaseItem):
    """A socket listed under its tenant's team sockets or its end user's sockets:
    `principalId` (the member id, or the end user's contact id) and, for end users, `keyId`."""

    principal_id = UnicodeAttribute(attr_name="principalId")
    key_id = UnicodeAttribute(null=True, attr_name="keyId")
    expires_at = NumberAttribute(attr_name="expiresAt")


class SubscriptionItem(BaseItem):
    """A socket that joined a conversation: `kind` and `senderId` (the member id, or the end
    user's contact id) name it in the typing frames it sends; `keyId` (end users) is the API
    key whose standing typing frames to it rest on; expires with its connection."""

    kind = UnicodeAttribute()
    sender_id = UnicodeAttribute(attr_name="senderId")
    key_id = UnicodeAttribute(null=True, attr_name="keyId")
    expires_at = NumberAttribute(attr_name="expiresAt")
