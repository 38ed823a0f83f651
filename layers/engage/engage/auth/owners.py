"""The last owner stays (issue 9 "Roles": the last owner cannot be removed, demoted or
deactivated), whatever runs at the same time.

Each tenant has an owner count (auth/owner_store.py). A change that takes an active owner away
(demotion, deactivation, removal) first takes one from the count, on the condition that one
stays (one conditional write), and only then changes the member; when the member's own
conditional write fails (changed meanwhile), the count is given back. A change that makes an
active owner (promotion, reactivation, an owner's invitation accepted) changes the member first
and counts them after. So the count never exceeds the real number of active owners: two owners
demoting each other at once, or two admins' requests racing, leave at least one. (A crash
between the two writes leaves the count one too low: safe, the owners it hides can still be
demoted while another is left.)

A tenant registered before the count existed gets it on first use, from a Query of its members
(conditional put: the first writer wins; `ensure` runs before any change it guards).
"""

from __future__ import annotations

from engage.auth import owner_store, store


def ensure(tenant_id: str) -> None:
    """Make sure the tenant's owner count exists (seeded from its members if not)."""
    if not owner_store.exists(tenant_id):
        owner_store.create(tenant_id, store.active_owner_count(tenant_id))


def start(tenant_id: str) -> None:
    """A new tenant's count: its one owner (registration)."""
    owner_store.create(tenant_id, 1)


def take(tenant_id: str) -> bool:
    """Reserve the removal of one active owner; False when they are the last one."""
    ensure(tenant_id)
    return owner_store.take_one(tenant_id)


def give_back(tenant_id: str) -> None:
    """Undo a `take` whose change did not happen, or count a new active owner (after the
    member's write; call `ensure` before that write)."""
    owner_store.add_one(tenant_id)
