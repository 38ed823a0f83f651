"""API key items (issue 9 "Keys"; seed 001 mismatch 2: keys are stored only as hashes).

- `ApiKeyItem` `PK=T#<tenantId>#APIKEY`, `SK=<keyId>`: what the console lists (name, kind,
  display prefix, `last_used_at`, revocation) and the hashes of the current value and, during a
  rotation's grace period, of the previous one. Never the key itself.
- `ApiKeyLookupItem` `PK=APIKEY#<sha256 of the key>`, `SK=APIKEY`: one per valid value, so an
  end-user request resolves its key to a tenant and key id in one GetItem. Revoking deletes
  them; a rotated-out value's item carries `expiresAt` (refused after it, then removed by TTL).
"""

from __future__ import annotations

from enum import StrEnum

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from engage.core.db import BaseItem


class ApiKeyKind(StrEnum):
    """`publishable`: shipped in apps and web pages, acts for the end user it names (with
    the identity hash when verification is on). `secret`: server to server, trusted to act for
    any end user."""

    PUBLISHABLE = "publishable"
    SECRET = "secret"


class ApiKeyItem(BaseItem):
    """One API key of a tenant. Times are ISO 8601 UTC strings; `previousExpiresAt` is the end
    of the rotated-out value's grace period (ISO), `revokedAt` set once revoked."""

    name = UnicodeAttribute()
    kind = UnicodeAttribute()
    prefix = UnicodeAttribute()
    key_hash = UnicodeAttribute(attr_name="keyHash")
    previous_hash = UnicodeAttribute(null=True, attr_name="previousHash")
    previous_expires_at = UnicodeAttribute(null=True, attr_name="previousExpiresAt")
    created_at = UnicodeAttribute(attr_name="createdAt")
    created_by = UnicodeAttribute(null=True, attr_name="createdBy")
    rotated_at = UnicodeAttribute(null=True, attr_name="rotatedAt")
    last_used_at = UnicodeAttribute(null=True, attr_name="lastUsedAt")
    revoked_at = UnicodeAttribute(null=True, attr_name="revokedAt")


class ApiKeyLookupItem(BaseItem):
    """A valid key value's hash -> `tenantId`, `keyId`, `kind`. `expiresAt` (BaseItem's
    `expires_at`, epoch seconds, the table's TTL) only on a rotated-out value; `lastUsedAt`
    (epoch seconds) throttles the key's `last_used_at` writes (at most one a minute)."""

    tenant_id = UnicodeAttribute(attr_name="tenantId")
    key_id = UnicodeAttribute(attr_name="keyId")
    kind = UnicodeAttribute()
    last_used_at = NumberAttribute(null=True, attr_name="lastUsedAt")
