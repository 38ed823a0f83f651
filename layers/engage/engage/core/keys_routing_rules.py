"""Key builders of the routing rules (issue 11 "Routing and agent capacity"), re-exported by
`engage.core.keys` (use them as `keys.<name>`; DESIGN.md section 2, STYLE.md rule 5).

A tenant's whole ordered rule set, and its business hours, are ONE item
(`PK=T#<t>#RRULES`, `SK=SET`): reordering is one conditional write, and matching one GetItem.
"""

from __future__ import annotations

ROUTING_RULES_SK = "SET"


def routing_rules_key(tenant_id: str) -> tuple[str, str]:
    """The tenant's routing rule set (its rules in order, its business hours, its version)."""
    return f"T#{tenant_id}#RRULES", ROUTING_RULES_SK
