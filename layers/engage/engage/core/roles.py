"""Team roles and what each may do (issue 9 "Roles"; DESIGN.md section 2).

Roles are ordered: `viewer` < `agent` < `admin` < `owner`. A viewer reads; an agent also works
conversations; an admin also runs campaigns, contacts, segments, automations, settings, voice,
the team (below owner) and API keys; an owner also grants ownership (and, later, billing).
README.md "Roles" publishes the matrix per route group.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A team member's role."""

    OWNER = "owner"
    ADMIN = "admin"
    AGENT = "agent"
    VIEWER = "viewer"

    @property
    def rank(self) -> int:
        """Its place in the order (viewer 0 ... owner 3)."""
        return _ORDER.index(self)

    def at_least(self, other: Role) -> bool:
        """Whether this role may do what `other` may."""
        return self.rank >= other.rank

    @classmethod
    def parse(cls, value: str) -> Role:
        """The role stored as `value`; anything unknown (an old `member`) is a viewer."""
        try:
            return cls(value)
        except ValueError:
            return cls.VIEWER


_ORDER = (Role.VIEWER, Role.AGENT, Role.ADMIN, Role.OWNER)
