"""Key builders of the customer view (issue 11, seed 003 section 4), re-exported by
`engage.core.keys` (use them as `keys.<name>`; DESIGN.md section 2, STYLE.md rule 5).

- A voice call-queue item carries a sparse GSI3 entry per contact (`contact_calls_index_pk`,
  sort key `contact_calls_index_sk`: the item's creation time, campaign and sequence), written
  with the item itself, so a customer's calls are one Query of GSI3 (KEYS_ONLY) and one
  BatchGetItem: no Scan. GSI3 is shared with the end users' sync entries
  (`T#<t>#SYNC#<contactId>`); the partition prefixes differ.
"""

from __future__ import annotations


def contact_calls_index_pk(tenant_id: str, contact_id: str) -> str:
    """GSI3 partition of a contact's voice call-queue items."""
    return f"T#{tenant_id}#CALLS#{contact_id}"


def contact_calls_index_sk(created_at: str, campaign_id: str, seq: int) -> str:
    """GSI3 sort key of one call-queue item: `<createdAt ISO>#<campaignId>#<seq:06d>`, so the
    newest queued calls come first in a descending Query."""
    return f"{created_at}#{campaign_id}#{seq:06d}"
