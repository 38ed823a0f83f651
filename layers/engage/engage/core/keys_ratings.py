"""Key builders and parsers of customer satisfaction ratings (issue 11 "Analytics"),
re-exported by `engage.core.keys` (use them as `keys.<name>`; DESIGN.md section 2, STYLE.md
rule 5).

One partition per rated session (a session is a conversation): `PK=T#<t>#RATING#<sessionId>`
holds the rating itself (`SK=RATING`, at most one per session) and the pending rating request
(`SK=ASK`, while the customer has been asked and has not answered; it expires).
"""

from __future__ import annotations

import re

RATING_SK = "RATING"
RATING_REQUEST_SK = "ASK"


def rating_partition(tenant_id: str, session_id: str) -> str:
    """The partition of one session's rating and pending rating request."""
    return f"T#{tenant_id}#RATING#{session_id}"


def rating_key(tenant_id: str, session_id: str) -> tuple[str, str]:
    """The rating of one session (one per session)."""
    return rating_partition(tenant_id, session_id), RATING_SK


def rating_request_key(tenant_id: str, session_id: str) -> tuple[str, str]:
    """The pending rating request of one session."""
    return rating_partition(tenant_id, session_id), RATING_REQUEST_SK


_RATING_PK = re.compile(r"^T#([^#]+)#RATING#([^#]+)$")


def parse_rating_partition(pk: str) -> tuple[str, str]:
    """`(tenant_id, session_id)` of a `rating_partition` key; ValueError otherwise."""
    found = _RATING_PK.match(pk)
    if found is None:
        raise ValueError("not a rating key")
    return found.group(1), found.group(2)
