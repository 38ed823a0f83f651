"""What routing rules are evaluated against and what they decide (issue 11 "Routing and agent
capacity"; seed 003 section 9 `GET /routing/rules`). Shared by the rule engine
(`grammar.py`, `rules.py`) and the assignment engine (`assignment.py`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class ActionKind(StrEnum):
    """A rule's action, written `<kind>:<argument>` (`assign_to_agent_group:vip`)."""

    ASSIGN_TO_AGENT_GROUP = "assign_to_agent_group"  # argument: a group id or name
    ASSIGN_TO_AGENT = "assign_to_agent"  # argument: a member's user id
    SET_PRIORITY = "set_priority"  # argument: low | normal | high | urgent
    AUTO_REPLY = "auto_reply"  # argument: a template name (engage/templates) or id


@dataclass(frozen=True)
class RuleAction:
    """One parsed action; `rule_id` is the rule it came from (None when built by hand)."""

    kind: ActionKind
    argument: str
    rule_id: str | None = None


@dataclass(frozen=True)
class SessionFacts:
    """A session as rules see it: `channel` (a `conversations.schemas.Channel` value),
    `priority` (low | normal | high | urgent), the customer's `tags` (lower-cased) and
    `language` (BCP 47, lower-cased; None unknown), and `at` (UTC, aware: when the rule runs,
    for `business_hours`)."""

    channel: str
    priority: str
    at: dt.datetime
    tags: frozenset[str] = field(default_factory=frozenset)
    language: str | None = None
