"""Channel and integration items (issue 10; keys: core/keys_integrations.py).

No item holds a credential: secrets live in Secrets Manager (secrets_port.py) and an item keeps
the secret's name and masked hints only.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute

from engage.core.db import BaseItem


class ChannelConfigItem(BaseItem):
    """`PK=T#<t>#CHAN`, `SK=<channel>`: one channel's settings (`secret_name` is where its
    credentials are; `*_hint` their masked forms) and its last provider check: `checked_at`
    (ISO 8601), `health`, `health_detail`, `last_ping` (the last time the provider answered
    healthy), reused for `probe_ttl_seconds`."""

    channel = UnicodeAttribute()
    phone_number = UnicodeAttribute(null=True, attr_name="phoneNumber")
    webhook_url = UnicodeAttribute(null=True, attr_name="webhookUrl")
    from_address = UnicodeAttribute(null=True, attr_name="fromAddress")
    from_name = UnicodeAttribute(null=True, attr_name="fromName")
    reply_to = UnicodeAttribute(null=True, attr_name="replyTo")
    secret_name = UnicodeAttribute(null=True, attr_name="secretName")
    account_sid_hint = UnicodeAttribute(null=True, attr_name="accountSidHint")
    api_key_hint = UnicodeAttribute(null=True, attr_name="apiKeyHint")
    configured_at = UnicodeAttribute(attr_name="configuredAt")
    probe_ttl_seconds = NumberAttribute(attr_name="probeTtlSeconds")
    checked_at = UnicodeAttribute(null=True, attr_name="checkedAt")
    health = UnicodeAttribute(null=True)
    health_detail = UnicodeAttribute(null=True, attr_name="healthDetail")
    last_ping = UnicodeAttribute(null=True, attr_name="lastPing")


class ChannelMetricsItem(BaseItem):
    """`PK=T#<t>#CHM`, `SK=<channel>`: counters the metrics consumer ADDs (absent = 0):
    sessions started, active sessions, messages, first-response samples and their sum
    (seconds), calls ended and their talk seconds; video: ended sessions (`sessions`) and their
    `minutes`."""

    sessions = NumberAttribute(default=0)
    active_sessions = NumberAttribute(default=0, attr_name="activeSessions")
    messages = NumberAttribute(default=0)
    response_samples = NumberAttribute(default=0, attr_name="responseSamples")
    response_seconds = NumberAttribute(default=0, attr_name="responseSeconds")
    calls = NumberAttribute(default=0)
    talk_seconds = NumberAttribute(default=0, attr_name="talkSeconds")
    minutes = NumberAttribute(default=0)  # video: whole minutes of ended sessions


class ChannelSessionItem(BaseItem):
    """`PK=T#<t>#CHS#<conversationId>`, `SK=SESSION`: the conversation's channel and whether
    it counted as active, as of the event at `at` (id `event_id`); `prev_*` is what it was
    before that event (a retry of the event recomputes its move from them)."""

    channel = UnicodeAttribute()
    active = BooleanAttribute()
    at = UnicodeAttribute()
    event_id = UnicodeAttribute(attr_name="eventId")
    prev_channel = UnicodeAttribute(null=True, attr_name="prevChannel")
    prev_active = BooleanAttribute(default=False, attr_name="prevActive")
    version = NumberAttribute(default=0)


class IntegrationItem(BaseItem):
    """`PK=T#<t>#INTEG`, `SK=<integration>`: `last_sync` (the last successful check or webhook
    received) and, for Shopify, the shop and where its webhook secret is."""

    last_sync = UnicodeAttribute(null=True, attr_name="lastSync")
    shop_domain = UnicodeAttribute(null=True, attr_name="shopDomain")
    secret_name = UnicodeAttribute(null=True, attr_name="secretName")
    configured_at = UnicodeAttribute(null=True, attr_name="configuredAt")


class OwnerLookupItem(BaseItem):
    """Global `SHOP#<domain>` / `NUMBER#<channel>#<e164>`: the tenant that owns it."""

    tenant_id = UnicodeAttribute(attr_name="tenantId")
    claimed_at = UnicodeAttribute(attr_name="claimedAt")
