"""Key builders of member notifications (issue 11 "Notifications"; seed 003 section 6),
re-exported by `engage.core.keys` (use them as `keys.<name>`; DESIGN.md section 2, STYLE.md
rule 5).

Tenant items:
- `T#<t>#NTF#<memberId>` / `<notificationId>`: one member's notifications; ids sort by time,
  so a reverse Query is newest first;
- `T#<t>#NTFU#<memberId>` / `<notificationId>`: the member's UNREAD notifications (a copy
  that marking read deletes), so `unread_only` is one Query, with no filter over read ones;
- `T#<t>#NTFS#<conversationId>` / `WAIT`: whether the session waits (high priority,
  unassigned, active) and since when (engage/notifications/waits.py).

Global items (they exist to find tenants' work, as `SYS#VOICE#SWEEP` does):
- `NTFW#<yyyymmddHHMM>` / `<tenantId>#<conversationId>#<since>`: a waiting session to check
  in that minute (the scheduled checker reads the due minutes' partitions).

Also the parsers of other domains' keys the notification sources read (channel
configurations: engage/integrations/events.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

NOTIFICATION_ID_PREFIX = "ntf_"
SESSION_WAIT_SK = "WAIT"
_NOTIFICATION_ID = re.compile(r"^ntf_\d{17}[0-9a-f]{16}$")
_NOTIFICATION_PK = re.compile(r"^T#([^#]+)#NTF#([^#]+)$")
_CHANNEL_CONFIG_PK = re.compile(r"^T#([^#]+)#CHAN$")
_WATCH_SK = re.compile(r"^([^#]+)#([^#]+)#([^#]+)$")


def notification_id(created_at: dt.datetime, source: str, member_id: str) -> str:
    """A deterministic id per (source, member): `ntf_` + the creation time to the
    millisecond (`yyyymmddHHMMSSfff`, so ids sort by time) + 16 hex digits of a hash of the
    source (e.g. `assigned/<eventId>`) and the member id. A retried event makes the same id."""
    at = created_at.astimezone(dt.UTC)
    stamp = at.strftime("%Y%m%d%H%M%S") + f"{at.microsecond // 1000:03d}"
    digest = hashlib.sha256(f"{source}\n{member_id}".encode()).hexdigest()[:16]
    return f"{NOTIFICATION_ID_PREFIX}{stamp}{digest}"


def is_notification_id(value: str) -> bool:
    """Whether `value` has the form `notification_id` makes (anything else is not found)."""
    return _NOTIFICATION_ID.match(value) is not None


def notification_partition(tenant_id: str, member_id: str) -> str:
    """One member's notifications; sort key is the notification id."""
    return f"T#{tenant_id}#NTF#{member_id}"


def notification_key(tenant_id: str, member_id: str, notification_id: str) -> tuple[str, str]:
    """One notification of a member."""
    return notification_partition(tenant_id, member_id), notification_id


def parse_notification_partition(pk: str) -> tuple[str, str]:
    """`(tenant_id, member_id)` of a `notification_partition` key; ValueError otherwise."""
    found = _NOTIFICATION_PK.match(pk)
    if found is None:
        raise ValueError("not a notification key")
    return found.group(1), found.group(2)


def unread_notification_partition(tenant_id: str, member_id: str) -> str:
    """One member's unread notifications; sort key is the notification id."""
    return f"T#{tenant_id}#NTFU#{member_id}"


def unread_notification_key(
    tenant_id: str, member_id: str, notification_id: str
) -> tuple[str, str]:
    """The unread entry of one notification."""
    return unread_notification_partition(tenant_id, member_id), notification_id


def session_wait_key(tenant_id: str, conversation_id: str) -> tuple[str, str]:
    """Whether a session waits for an agent (high priority, unassigned) and since when."""
    return f"T#{tenant_id}#NTFS#{conversation_id}", SESSION_WAIT_SK


def session_watch_partition(minute: dt.datetime) -> str:
    """Global: the waiting sessions to check in `minute` (UTC, seconds ignored)."""
    return f"NTFW#{minute.astimezone(dt.UTC).strftime('%Y%m%d%H%M')}"


def session_watch_key(
    due: dt.datetime, tenant_id: str, conversation_id: str, since: str
) -> tuple[str, str]:
    """Global: one waiting session (waiting since `since`, ISO 8601) to check at `due`."""
    return session_watch_partition(due), f"{tenant_id}#{conversation_id}#{since}"


def parse_session_watch_sk(sk: str) -> tuple[str, str, str]:
    """`(tenant_id, conversation_id, since)` of a `session_watch_key` sort key."""
    found = _WATCH_SK.match(sk)
    if found is None:
        raise ValueError("not a session watch key")
    return found.group(1), found.group(2), found.group(3)


def parse_channel_config_partition(pk: str) -> str:
    """The tenant id of a `channel_config_partition` key (`T#<t>#CHAN`); ValueError
    otherwise."""
    found = _CHANNEL_CONFIG_PK.match(pk)
    if found is None:
        raise ValueError("not a channel configuration key")
    return found.group(1)
