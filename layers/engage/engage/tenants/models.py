"""Tenant item: one per account, `PK=T#<tenantId>`, `SK=TENANT`."""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, JSONAttribute, NumberAttribute, UnicodeAttribute

from engage.core.db import BaseItem


class TenantItem(BaseItem):
    """Name, credit balance, settings document and tenant-wide counters (atomic ADD only)."""

    name = UnicodeAttribute()
    credits = NumberAttribute(default=0)
    settings = JSONAttribute(default=dict)
    contact_count = NumberAttribute(default=0, attr_name="contactCount")
    campaign_count = NumberAttribute(default=0, attr_name="campaignCount")
    messages_sent = NumberAttribute(default=0, attr_name="messagesSent")
    concurrent_calls_limit = NumberAttribute(null=True, attr_name="concurrentCallsLimit")
    created_at = UnicodeAttribute(attr_name="createdAt")
    # Identity verification (issue 9; engage/account/identity.py). The secret is derived from
    # the master secret and `identitySecretVersion` (0: none created yet), never stored.
    identity_verification_enabled = BooleanAttribute(
        default=False, attr_name="identityVerificationEnabled"
    )
    identity_secret_version = NumberAttribute(default=0, attr_name="identitySecretVersion")
    identity_secret_created_at = UnicodeAttribute(null=True, attr_name="identitySecretCreatedAt")
    # Until when (ISO 8601) the previous version still verifies hashes, after a rotation.
    identity_secret_previous_until = UnicodeAttribute(
        null=True, attr_name="identitySecretPreviousUntil"
    )
    # Console profile and branding (GET/PUT /admin/account; engage/account/schemas.py).
    account = JSONAttribute(null=True)
