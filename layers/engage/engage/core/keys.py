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


def contact_email_index_pk(tenant_id: str, email: str) -> str:
    """GSI1 partition of a contact's e-mail address (lower-cased): which contacts of the tenant
    have it (inbound e-mail, Shopify orders)."""
    return f"T#{tenant_id}#EMAIL#{email.strip().lower()}"


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
    """The one item holding every in-flight call slot (see `engage.voice.semaphore_store`)."""
    return "SYS#CALLSEM", "SEMAPHORE"


def running_voice_campaigns_partition() -> str:
    """Registry of voice campaigns that are `active` (sort key `<tenantId>#<campaignId>`)."""
    return "SYS#VOICE#RUNNING"


def sweeping_voice_campaigns_partition() -> str:
    """Registry of cancelled voice campaigns with queued items left to cancel (sort key
    `<tenantId>#<campaignId>`); the tick sweeps them (`engage.voice.calls.sweep`)."""
    return "SYS#VOICE#SWEEP"


# --- auth / tenants / contacts / shortener (issue 8) ---------------------------------------


def tenant_key(tenant_id: str) -> tuple[str, str]:
    """The tenant's own item (name, credits, settings, counters)."""
    return tenant_pk(tenant_id), "TENANT"


def tenant_id_from_pk(pk: str) -> str:
    """The tenant id of a key that begins `T#<tenantId>` (the inverse of `tenant_pk`)."""
    head, _, rest = pk.partition("#")
    if head != "T" or not rest:
        raise ValueError(f"not a tenant key: {pk[:40]!r}")
    return rest.partition("#")[0]


def user_key(tenant_id: str, user_id: str) -> tuple[str, str]:
    """A team member of the tenant (e-mail, password hash, role)."""
    return tenant_pk(tenant_id), f"USER#{user_id}"


def refresh_token_key(tenant_id: str, token_id: str) -> tuple[str, str]:
    """One refresh token (hash of its secret, its family, whether it was used)."""
    return tenant_pk(tenant_id), f"RT#{token_id}"


def refresh_family_key(tenant_id: str, family_id: str) -> tuple[str, str]:
    """One refresh-token family: every token rotated from one login; revoked as a whole."""
    return tenant_pk(tenant_id), f"RTF#{family_id}"


def import_lock_key(tenant_id: str) -> tuple[str, str]:
    """The tenant's contacts-import lease (one import at a time)."""
    return tenant_pk(tenant_id), "IMPORTLOCK"


def consent_log_sk(at_iso: str, contact_id: str) -> str:
    """Sort key of a consent-log entry: ISO time first, so `>= since` is one key condition."""
    return f"{at_iso}#{contact_id}"


def phone_from_phone_key(pk: str) -> str:
    """The E.164 number of a phone-guard key (the inverse of `phone_key`)."""
    head, sep, phone = pk.rpartition("#PHONE#")
    if not sep or not head or not phone:
        raise ValueError(f"not a phone key: {pk[:40]!r}")
    return phone


def import_object_key(tenant_id: str, job_id: str) -> str:
    """S3 object key of an asynchronous import's uploaded file."""
    return f"imports/{tenant_id}/{job_id}.csv"


# --- voice ---
# Sort keys and composed ids of the voice group (issue 8: keys built and parsed here only).


def call_queue_sk(seq: int) -> str:
    """Sort key of a call-queue item: its sequence number, zero-padded to six digits."""
    return f"{seq:06d}"


def call_queue_key(tenant_id: str, campaign_id: str, seq: int) -> tuple[str, str]:
    """Key of one call-queue item (`call_queue_partition`, `call_queue_sk`)."""
    return call_queue_partition(tenant_id, campaign_id), call_queue_sk(seq)


def parse_call_queue_partition(pk: str) -> tuple[str, str]:
    """`(tenant_id, campaign_id)` from a `call_queue_partition` key; ValueError otherwise."""
    head, tenant_id, kind, campaign_id = pk.split("#", 3)
    if head != "T" or kind != "VQ" or not tenant_id or not campaign_id:
        raise ValueError(f"not a call-queue partition: {pk!r}")
    return tenant_id, campaign_id


def parse_tenant_pk(pk: str) -> str:
    """The tenant id of a `tenant_pk` value; ValueError otherwise."""
    head, _, tenant_id = pk.partition("#")
    if head != "T" or not tenant_id or "#" in tenant_id:
        raise ValueError(f"not a tenant key: {pk!r}")
    return tenant_id


def call_ready_sk(not_before: str, seq: int, attempts: int) -> str:
    """GSI2 sort key of a queued item: due time (ISO 8601 UTC), sequence, attempts made."""
    return f"{not_before}#{seq:06d}#{attempts}"


def call_ready_upper_bound(due_by: str) -> str:
    """The greatest `call_ready_sk` of an item due at `due_by` (for `<=` key conditions)."""
    return f"{due_by}#~"


def parse_call_ready_sk(sk: str) -> tuple[str, int, int]:
    """`(not_before, seq, attempts)` from a `call_ready_sk`; ValueError otherwise."""
    not_before, seq, attempts = sk.rsplit("#", 2)
    return not_before, int(seq), int(attempts)


def voice_registry_sk(tenant_id: str, campaign_id: str) -> str:
    """Sort key of a campaign in the running / sweeping voice registries."""
    return f"{tenant_id}#{campaign_id}"


def running_voice_campaign_key(tenant_id: str, campaign_id: str) -> tuple[str, str]:
    """A campaign's entry in the registry of running voice campaigns."""
    return running_voice_campaigns_partition(), voice_registry_sk(tenant_id, campaign_id)


def sweeping_voice_campaign_key(tenant_id: str, campaign_id: str) -> tuple[str, str]:
    """A cancelled campaign's entry in the registry of queues still being swept."""
    return sweeping_voice_campaigns_partition(), voice_registry_sk(tenant_id, campaign_id)


def voice_queue_item_id(campaign_id: str, seq: int) -> str:
    """The public id of a call-queue item: `<campaignId>-<seq:06d>`."""
    return f"{campaign_id}-{seq:06d}"


def parse_voice_queue_item_id(value: str) -> tuple[str, int] | None:
    """`(campaign_id, seq)` from a public queue item id, or None when it is not one."""
    campaign_id, _, seq = value.rpartition("-")
    if not campaign_id or not seq.isdigit() or len(seq) != 6:
        return None
    return campaign_id, int(seq)


def voice_call_ref(tenant_id: str, campaign_id: str, seq: int, attempt: int) -> str:
    """Our reference of one call attempt, echoed by the provider in the status-callback URL:
    `<tenantId>.<queueItemId>.<attempt>`."""
    return f"{tenant_id}.{voice_queue_item_id(campaign_id, seq)}.{attempt}"


def parse_voice_call_ref(ref: str) -> tuple[str, str, int, int] | None:
    """`(tenant_id, campaign_id, seq, attempt)` from a `voice_call_ref`, or None."""
    parts = ref.split(".")
    if len(parts) != 3 or not parts[0] or not parts[2].isdigit():
        return None
    parsed = parse_voice_queue_item_id(parts[1])
    if parsed is None:
        return None
    return parts[0], parsed[0], parsed[1], int(parts[2])


def voice_execution_name(campaign_id: str, seq: int, attempt: int, nonce: str) -> str:
    """The Step Functions execution name (and semaphore holder id) of one claim of a call
    attempt: `<queueItemId>-<attempt>-<nonce>`."""
    return f"{voice_queue_item_id(campaign_id, seq)}-{attempt}-{nonce}"


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


def parse_contact_partition(pk: str) -> tuple[str, int]:
    """Inverse of `contact_partition`: `(tenantId, shard)`; raises ValueError."""
    parts = _parts(pk, "C", 4, "contact")
    if not parts[3].isdigit():
        raise ValueError("not a contact key")
    return parts[1], int(parts[3])


def parse_counter_partition(pk: str) -> tuple[str, str, int]:
    """Inverse of `counter_key`'s partition: `(tenantId, campaignId, shard)`; raises ValueError."""
    parts = _parts(pk, "CCNT", 5, "counter")
    return parts[1], parts[3], int(parts[4])


USER_SK_PREFIX, INVITATION_SK_PREFIX = "USER#", "INV#"  # team (issue 9)


def id_from_sk(sk: str, prefix: str) -> str:
    """The id after `prefix` in a `user_key` / `invitation_key` sort key, else ValueError."""
    if not sk.startswith(prefix) or len(sk) == len(prefix):
        raise ValueError(f"not a {prefix} key: {sk[:40]!r}")
    return sk[len(prefix) :]


def invitation_key(tenant_id: str, invitation_id: str) -> tuple[str, str]:
    """A team invitation (in the tenant's partition: its token carries the tenant id)."""
    return tenant_pk(tenant_id), f"{INVITATION_SK_PREFIX}{invitation_id}"


def owner_count_key(tenant_id: str) -> tuple[str, str]:
    """The tenant's number of active owners (guards the last one: engage/auth/owners.py)."""
    return tenant_pk(tenant_id), "OWNERS"


from engage.core.keys_analytics import *  # noqa: E402, F403 (issue 11 analytics keys)
from engage.core.keys_attribution import *  # noqa: E402, F403 (issue 10 attribution keys)
from engage.core.keys_campaign_channels import *  # noqa: E402, F403 (issue 10 campaign channels)
from engage.core.keys_chat import *  # noqa: E402, F403 (issue 9 chat keys, as keys.<name>)
from engage.core.keys_customers import *  # noqa: E402, F403 (issue 11 customer view)
from engage.core.keys_email import *  # noqa: E402, F403 (issue 10 e-mail keys)
from engage.core.keys_hub import *  # noqa: E402, F403 (issue 11 hub sessions)
from engage.core.keys_integrations import *  # noqa: E402, F403 (issue 10 channels)
from engage.core.keys_notifications import *  # noqa: E402, F403 (issue 11 notifications)
from engage.core.keys_ratings import *  # noqa: E402, F403 (issue 11 satisfaction ratings)
from engage.core.keys_routing import *  # noqa: E402, F403 (issue 11 routing keys)
from engage.core.keys_routing_rules import *  # noqa: E402, F403 (issue 11 routing rules)
from engage.core.keys_video import *  # noqa: E402, F403 (issue 10 video keys)
from engage.core.keys_whatsapp import *  # noqa: E402, F403 (issue 10 WhatsApp keys)
