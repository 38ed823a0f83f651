"""Key builders and parsers of video sessions (issue 10 "video"), re-exported by
`engage.core.keys` (use them as `keys.<name>`; DESIGN.md section 2, STYLE.md rule 5).

A tenant's video sessions share one partition (`T#<t>#VS`, sort key the session id, which is
time-ordered). An active session also carries the sparse GSI1 key `T#<t>#VSA` (removed in the
write that ends it), so the active sessions are one KEYS_ONLY query. The meeting's
ExternalMeetingId (2-64 characters, Chime echoes it in its meeting events) is
`<tenantId>.<sessionId>`, which is how the event worker finds the session of an event.
"""

from __future__ import annotations

import re

_ID = r"[0-9A-Za-z]{1,30}"


def video_session_partition(tenant_id: str) -> str:
    """The partition of the tenant's video sessions."""
    return f"T#{tenant_id}#VS"


def video_session_key(tenant_id: str, session_id: str) -> tuple[str, str]:
    """One video session."""
    return video_session_partition(tenant_id), session_id


_SESSION_PK = re.compile(r"^T#([^#]+)#VS$")


def parse_video_session_partition(pk: str) -> str:
    """The tenant id of a `video_session_partition` key; ValueError otherwise."""
    found = _SESSION_PK.match(pk)
    if found is None:
        raise ValueError("not a video session key")
    return found.group(1)


def video_active_index_pk(tenant_id: str) -> str:
    """GSI1 partition of the tenant's active video sessions (sparse: ended ones leave it)."""
    return f"T#{tenant_id}#VSA"


def video_external_meeting_id(tenant_id: str, session_id: str) -> str:
    """The ExternalMeetingId of a session's meeting: `<tenantId>.<sessionId>`."""
    return f"{tenant_id}.{session_id}"


_EXTERNAL = re.compile(rf"^({_ID})\.({_ID})$")


def parse_video_external_meeting_id(value: str) -> tuple[str, str] | None:
    """`(tenant_id, session_id)` of a `video_external_meeting_id`, None for any other value."""
    found = _EXTERNAL.match(value)
    return (found.group(1), found.group(2)) if found else None


def video_client_request_token(external_meeting_id: str) -> str:
    """CreateMeeting's ClientRequestToken (2-64 of `[-_a-zA-Z0-9]`) for a meeting's external
    id: one meeting per session, however often the call is retried."""
    return re.sub(r"[^-_a-zA-Z0-9]", "-", external_meeting_id)[:64]
