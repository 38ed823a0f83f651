"""Users, the global e-mail index and refresh tokens (stored hashed, never in clear)."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

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
    last_login_at = UnicodeAttribute(null=True, attr_name="lastLoginAt")


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


class InvitationItem(BaseItem):
    """`PK=T#<tenantId>`, `SK=INV#<invitationId>`: a team invitation. Only the SHA-256 of its
    token's secret is stored; `status` goes `pending` -> `accepted` or `revoked` by one
    conditional write each (single use); `expires_at` (epoch seconds) ends it, and is its TTL."""

    email = UnicodeAttribute()
    role = UnicodeAttribute()
    status = UnicodeAttribute()
    secret_hash = UnicodeAttribute(attr_name="secretHash")
    invited_by = UnicodeAttribute(attr_name="invitedBy")
    created_at = UnicodeAttribute(attr_name="createdAt")
    accepted_at = UnicodeAttribute(null=True, attr_name="acceptedAt")
    user_id = UnicodeAttribute(null=True, attr_name="userId")


class OwnerCountItem(BaseItem):
    """`PK=T#<tenantId>`, `SK=OWNERS`: the number of active owners. A change that takes an
    owner away first decrements it on the condition that it stays above zero, so the last owner
    stays whatever runs concurrently (engage/team/owners.py)."""

    owners = NumberAttribute(default=0)
