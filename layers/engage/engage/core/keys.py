"""Key builders: one function per entity (STYLE.md rule 5; DESIGN.md section 2).

Every tenant-owned partition key starts with `T#<tenantId>`. A few global keys exist because
their callers have no tenant yet: `EMAIL#` (login), `RL#` (rate limits of the sign-in routes,
per client address), the `LINK#` index (public short links) and the `PSID#` / `PHONE#` indexes
(provider callbacks). Each look-up resolves to a tenant-scoped item.
"""

from __future__ import annotations


def tenant_pk(tenant_id: str) -> str:
    """Partition of the tenant's own item, its users and refresh tokens."""
    return f"T#{tenant_id}"


def email_key(email: str) -> tuple[str, str]:
    """Global e-mail -> user look-up (login happens before a tenant is known)."""
    return f"EMAIL#{email.lower()}", "EMAIL"


def contact_key(tenant_id: str, contact_id: str, shard: int) -> tuple[str, str]:
    """A contact, in one of `CONTACT_SHARDS` partitions (shard derived from the id)."""
    return f"T#{tenant_id}#C#{shard}", contact_id


def contact_partition(tenant_id: str, shard: int) -> str:
    """One contact shard's partition key."""
    return f"T#{tenant_id}#C#{shard}"


def phone_key(tenant_id: str, phone_e164: str) -> tuple[str, str]:
    """Uniqueness guard: one contact per E.164 number per tenant."""
    return f"T#{tenant_id}#PHONE#{phone_e164}", "PHONE"


def phone_index_pk(phone_e164: str) -> str:
    """GSI1 partition for the phone item: which tenants know this number (inbound STOP)."""
    return f"PHONE#{phone_e164}"


def consent_log_partition(tenant_id: str) -> str:
    """Append-only log of contacts that stopped being sendable (opted out, deleted); the
    sender reads the entries since its page was resolved instead of every contact."""
    return f"T#{tenant_id}#CONSENTLOG"


def segment_partition(tenant_id: str) -> str:
    """All segments of a tenant (a few dozen at most)."""
    return f"T#{tenant_id}#SEG"


def membership_partition(tenant_id: str, segment_id: str) -> str:
    """Static members of a custom segment; sort key is the contact id."""
    return f"T#{tenant_id}#SEGM#{segment_id}"


def campaign_partition(tenant_id: str) -> str:
    """All campaigns of a tenant; sort key is the campaign id."""
    return f"T#{tenant_id}#CAMP"


def counter_key(tenant_id: str, campaign_id: str, shard: int) -> tuple[str, str]:
    """One shard of a campaign's receipt/click counters (spread over partitions)."""
    return f"T#{tenant_id}#CCNT#{campaign_id}#{shard}", "CNT"


def message_key(
    tenant_id: str, campaign_id: str, shard: int, run: int, contact_id: str
) -> tuple[str, str]:
    """One message item per recipient per campaign run, spread over `MESSAGE_SHARDS`."""
    return f"T#{tenant_id}#M#{campaign_id}#{shard}", f"{run:04d}#{contact_id}"


def send_batch_key(
    tenant_id: str, campaign_id: str, run: int, page: int, chunk: int
) -> tuple[str, str]:
    """The claim item of one SQS message of recipients."""
    return send_batch_partition(tenant_id, campaign_id), f"{run:04d}#{page:06d}#{chunk:03d}"


def send_batch_partition(tenant_id: str, campaign_id: str) -> str:
    """Partition of a campaign's send-batch claim items."""
    return f"T#{tenant_id}#MB#{campaign_id}"


def link_index_pk(token: str) -> str:
    """GSI1 partition that resolves a short-link token to its message item."""
    return f"LINK#{token}"


def provider_index_pk(provider: str, provider_message_id: str) -> str:
    """GSI2 partition that resolves a provider message id (delivery receipts)."""
    return f"PSID#{provider}#{provider_message_id}"


def daily_stats_key(tenant_id: str, shard: int, day: str) -> tuple[str, str]:
    """Per-day counters (sent, delivered, failed, unsubscribes, creditsDebited), sharded."""
    return f"T#{tenant_id}#DAY#{shard}", day


def automation_partition(tenant_id: str) -> str:
    """All automations of a tenant."""
    return f"T#{tenant_id}#AUTO"


def import_job_key(tenant_id: str, job_id: str) -> tuple[str, str]:
    """An asynchronous contacts import job."""
    return f"T#{tenant_id}#IMPORT", job_id


def rate_key(scope: str, window: int) -> tuple[str, str]:
    """A fixed-window rate-limit counter (`scope` is already tenant- or client-qualified)."""
    return f"RL#{scope}", str(window)


# -- voice (issue 3) ---------------------------------------------------------------------------
# Three voice keys are system-wide by nature and do not begin with a tenant: the call semaphore
# (the system limit spans every account), the registry of running voice campaigns that the
# call pump walks to share slots fairly between accounts, and the registry of cancelled
# campaigns whose queue the tick is still sweeping. All hold tenant ids in their values and are
# never returned to a client.


def voice_campaign_partition(tenant_id: str) -> str:
    """All voice campaigns of a tenant; sort key is the campaign id (time-ordered)."""
    return f"T#{tenant_id}#VCAMP"


def call_queue_partition(tenant_id: str, campaign_id: str) -> str:
    """A voice campaign's call-queue items; sort key is the zero-padded sequence number."""
    return f"T#{tenant_id}#VQ#{campaign_id}"


def call_ready_pk(tenant_id: str, campaign_id: str) -> str:
    """GSI2 partition of a campaign's queue items that may be called (sparse: only items in
    `queued` carry it); the sort key `<notBefore>#<seq>#<attempt>` orders them by due time."""
    return f"T#{tenant_id}#VREADY#{campaign_id}"


def call_sid_index_pk(provider: str, call_sid: str) -> str:
    """GSI1 partition resolving a provider call id to its queue item (status callbacks)."""
    return f"CALL#{provider}#{call_sid}"


def call_semaphore_key() -> tuple[str, str]:
    """The one item holding every in-flight call slot (see `engage.voice.semaphore`)."""
    return "SYS#CALLSEM", "SEMAPHORE"


def running_voice_campaigns_partition() -> str:
    """Registry of voice campaigns that are `active` (sort key `<tenantId>#<campaignId>`)."""
    return "SYS#VOICE#RUNNING"


def sweeping_voice_campaigns_partition() -> str:
    """Registry of cancelled voice campaigns with queued items left to cancel (sort key
    `<tenantId>#<campaignId>`); the tick sweeps them (`engage.voice.calls.sweep`)."""
    return "SYS#VOICE#SWEEP"


# --- campaigns ---


def audience_snapshot_partition(tenant_id: str, campaign_id: str) -> str:
    """Partition of a campaign's audience snapshots (the recipients frozen at enqueue)."""
    return f"T#{tenant_id}#SNAP#{campaign_id}"


def audience_snapshot_key(
    tenant_id: str, campaign_id: str, snapshot_id: str, chunk: int
) -> tuple[str, str]:
    """One chunk (RECIPIENTS_PER_MESSAGE recipients) of the audience snapshot `snapshot_id`."""
    return audience_snapshot_partition(tenant_id, campaign_id), f"{snapshot_id}#{chunk:06d}"


def _parts(key: str, prefix: str, size: int, label: str) -> list[str]:
    parts = key.split("#")
    if len(parts) != size or parts[0] != "T" or parts[2] != prefix:
        raise ValueError(f"not a {label} key")
    return parts


def parse_campaign_partition(pk: str) -> str:
    """Inverse of `campaign_partition`: the tenant id; raises ValueError."""
    return _parts(pk, "CAMP", 3, "campaign")[1]


def parse_message_partition(pk: str) -> tuple[str, str, int]:
    """Inverse of `message_key`'s partition: `(tenantId, campaignId, shard)`; raises ValueError."""
    parts = _parts(pk, "M", 5, "message")
    return parts[1], parts[3], int(parts[4])


def parse_counter_partition(pk: str) -> tuple[str, str, int]:
    """Inverse of `counter_key`'s partition: `(tenantId, campaignId, shard)`; raises ValueError."""
    parts = _parts(pk, "CCNT", 5, "counter")
    return parts[1], parts[3], int(parts[4])
