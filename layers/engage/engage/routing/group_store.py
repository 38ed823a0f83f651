"""Agent groups, their name claims and the tenants that have groups (models.py): the only
DynamoDB caller for them. A name is claimed with a conditional put before the group takes it,
so two groups of a tenant never share a name (case-insensitive)."""

from __future__ import annotations

from pynamodb.exceptions import DeleteError, PutError, UpdateError

from engage.core import keys
from engage.routing.models import (
    AgentGroupItem,
    GroupMember,
    GroupNameItem,
    RoutingTenantItem,
)

_FAILED = "ConditionalCheckFailedException"


def get_group(tenant_id: str, group_id: str) -> AgentGroupItem | None:
    """One group (strongly consistent), or None."""
    try:
        return AgentGroupItem.get(*keys.agent_group_key(tenant_id, group_id), consistent_read=True)
    except AgentGroupItem.DoesNotExist:
        return None


def list_groups(tenant_id: str) -> list[AgentGroupItem]:
    """The tenant's groups, oldest first (ids sort by time; one Query)."""
    return list(AgentGroupItem.query(keys.agent_group_partition(tenant_id)))


def group_by_name(tenant_id: str, name: str) -> str | None:
    """The id of the group that holds `name` (case-insensitive), or None."""
    try:
        item = GroupNameItem.get(*keys.agent_group_name_key(tenant_id, name), consistent_read=True)
    except GroupNameItem.DoesNotExist:
        return None
    return str(item.group_id)


def resolve(tenant_id: str, ref: str) -> str | None:
    """A group id from a rule's argument: a group id of the tenant, or a group's name; None
    when neither names one of the tenant's groups."""
    if ref.isalnum() and get_group(tenant_id, ref) is not None:
        return ref
    return group_by_name(tenant_id, ref)


def claim_name(tenant_id: str, name: str, group_id: str) -> bool:
    """Claim `name` for `group_id`; False when another group holds it (True if this one
    does already)."""
    try:
        GroupNameItem(*keys.agent_group_name_key(tenant_id, name), group_id=group_id).save(
            condition=GroupNameItem.pk.does_not_exist() | (GroupNameItem.group_id == group_id)
        )
    except PutError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def release_name(tenant_id: str, name: str, group_id: str) -> None:
    """Give a name back (only if `group_id` holds it)."""
    try:
        GroupNameItem(*keys.agent_group_name_key(tenant_id, name)).delete(
            condition=GroupNameItem.group_id == group_id
        )
    except DeleteError as exc:
        if exc.cause_response_code != _FAILED:
            raise


def members(values: list[tuple[str, int]]) -> list[GroupMember]:
    """Member attributes from `(user_id, capacity)` pairs."""
    return [GroupMember(user_id=u, capacity=c) for u, c in values]


def put_new_group(item: AgentGroupItem) -> None:
    """Write a new group (its id is fresh: the condition only guards against reuse)."""
    item.save(condition=AgentGroupItem.pk.does_not_exist())


def update_group(
    item: AgentGroupItem, name: str, member_list: list[GroupMember], updated_at: str
) -> bool:
    """Replace a group's name and members (conditional on its `version`); False when it
    changed meanwhile or is gone. `item` is refreshed."""
    try:
        item.update(
            actions=[
                AgentGroupItem.name.set(name),
                AgentGroupItem.members.set(member_list),
                AgentGroupItem.updated_at.set(updated_at),
                AgentGroupItem.version.add(1),
            ],
            condition=AgentGroupItem.version == item.version,
        )
    except UpdateError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def delete_group(item: AgentGroupItem) -> bool:
    """Delete a group; False when it is already gone."""
    try:
        item.delete(condition=AgentGroupItem.pk.exists())
    except DeleteError as exc:
        if exc.cause_response_code == _FAILED:
            return False
        raise
    return True


def register_tenant(tenant_id: str, since: str) -> None:
    """List the tenant for the one-minute sweep (idempotent)."""
    RoutingTenantItem(*keys.routing_tenant_key(tenant_id), since=since).save()


def routing_tenants() -> list[str]:
    """Every tenant that has had agent groups (one Query of the global list)."""
    return [str(i.sk) for i in RoutingTenantItem.query(keys.ROUTING_TENANTS_PK)]
