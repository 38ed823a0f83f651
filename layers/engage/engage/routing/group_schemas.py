"""Agent group and presence wire schemas (issue 11 "Routes", seed 003 section 9: `GET/POST
/routing/groups`, `PUT/DELETE /routing/groups/{id}`, `PUT /agents/me/presence`; bare JSON,
snake_case)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, StrictInt, field_validator

from engage.core.schemas import PublicModel, RequestModel
from engage.core.wiretext import CheckedText

MAX_MEMBERS = 100
MAX_NAME = 100
MAX_CAPACITY = 100


class Presence(StrEnum):
    """An agent's presence: only `online` agents receive routed sessions."""

    ONLINE = "online"
    AWAY = "away"
    OFFLINE = "offline"


class GroupMemberIn(CheckedText, RequestModel):
    """A member of a group and their capacity in it (maximum open sessions, 1-100)."""

    user_id: str = Field(min_length=1, max_length=64)
    capacity: StrictInt = Field(ge=1, le=MAX_CAPACITY)


def _name(value: str | None) -> str | None:
    if value is None:
        return None
    clean = value.strip()
    if not clean or "#" in clean or not clean.isprintable():
        raise ValueError(f"1 to {MAX_NAME} printable characters, no '#'")
    return clean


def _unique(value: list[GroupMemberIn] | None) -> list[GroupMemberIn] | None:
    if value is not None and len({m.user_id for m in value}) != len(value):
        raise ValueError("each user_id once")
    return value


class GroupCreate(CheckedText, RequestModel):
    """POST /routing/groups: a name unique in the team and the members."""

    name: str = Field(min_length=1, max_length=MAX_NAME)
    members: list[GroupMemberIn] = Field(default_factory=list, max_length=MAX_MEMBERS)

    _check_name = field_validator("name")(_name)
    _check_members = field_validator("members")(_unique)


class GroupUpdate(CheckedText, RequestModel):
    """PUT /routing/groups/{id}: a new name and/or the new member list (replaces it)."""

    name: str | None = Field(default=None, min_length=1, max_length=MAX_NAME)
    members: list[GroupMemberIn] | None = Field(default=None, max_length=MAX_MEMBERS)

    _check_name = field_validator("name")(_name)
    _check_members = field_validator("members")(_unique)


class GroupMemberPublic(PublicModel):
    """A member as the group shows them: capacity in this group, presence, open sessions
    (all of theirs, from any group or manual assignment)."""

    user_id: str
    capacity: int
    presence: Presence
    open_sessions: int


class GroupPublic(PublicModel):
    """One agent group; `waiting`: sessions in its queue now."""

    id: str
    name: str
    members: list[GroupMemberPublic]
    waiting: int
    created_at: str


class GroupListPublic(PublicModel):
    """GET /routing/groups."""

    groups: list[GroupPublic]


class PresenceUpdate(CheckedText, RequestModel):
    """PUT /agents/me/presence."""

    status: Presence


class PresencePublic(PublicModel):
    """The caller's presence after the change."""

    user_id: str
    status: Presence
    updated_at: str
