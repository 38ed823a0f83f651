"""Users, the global e-mail index and refresh tokens (stored hashed, never in clear)."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute

from engage.core.db import BaseItem


class UserItem(BaseItem):
    """`PK=T#<tenantId>`, `SK=USER#<userId>`: e-mail, argon2 hash, role (core/roles.py) and
    `active` (a deactivated member's tokens and sign-ins are refused at once)."""

    email = UnicodeAttribute()
    password_hash = UnicodeAttribute(attr_name="passwordHash")
    role = UnicodeAttribute()
    active = BooleanAttribute(default=True)
    name = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute(attr_name="createdAt")


class EmailItem(BaseItem):
    """`PK=EMAIL#<email>`: the one global look-up, from login e-mail to tenant and user."""

    tenant_id = UnicodeAttribute(attr_name="tenantId")
    user_id = UnicodeAttribute(attr_name="userId")


class RefreshTokenItem(BaseItem):
    """`PK=T#<tenantId>`, `SK=RT#<tokenId>`: SHA-256 of the secret, the family it belongs to,
    and `revoked` = already used (rotated) or logged out; expires by TTL."""

    user_id = UnicodeAttribute(attr_name="userId")
    secret_hash = UnicodeAttribute(attr_name="secretHash")
    family_id = UnicodeAttribute(null=True, attr_name="familyId")
    revoked = BooleanAttribute(default=False)
    created_at = UnicodeAttribute(attr_name="createdAt")


class RefreshFamilyItem(BaseItem):
    """`PK=T#<tenantId>`, `SK=RTF#<familyId>`: one sign-in's chain of rotated refresh tokens.
    `revoked` kills every token of the chain at once (RFC 9700 section 4.14); the item lives
    as long as the newest token of the chain (TTL pushed on each rotation)."""

    user_id = UnicodeAttribute(attr_name="userId")
    revoked = BooleanAttribute(default=False)
    created_at = UnicodeAttribute(attr_name="createdAt")
