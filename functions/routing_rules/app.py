"""routing_rules group (issue 11 "Routing and agent capacity"; seed 003 section 9
`GET /routing/rules`, bare JSON, snake_case; README "Routing rules"): the tenant's ordered
routing rules and the business hours their `business_hours` condition reads. Reads need a
viewer, writes an admin. Routes call DynamoDB, so they are plain `def`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from engage.core.auth import AdminPrincipal, ViewerPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.schemas import Deleted
from engage.routing import hours, rules
from engage.routing.rules_schemas import (
    BusinessHoursPublic,
    BusinessHoursUpdate,
    RoutingRuleCreate,
    RoutingRuleListPublic,
    RoutingRulePublic,
    RoutingRuleUpdate,
)

router = APIRouter(prefix="/routing", tags=["routing"])

RuleId = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z]+$", description="rule id")
]


@router.get("/rules")
def list_rules(principal: ViewerPrincipal) -> RoutingRuleListPublic:
    """The rules in order (`position` 1 is tried first; the first that holds wins)."""
    return rules.list_rules(principal.tenant_id)


@router.post("/rules", status_code=201)
def create_rule(body: RoutingRuleCreate, principal: AdminPrincipal) -> RoutingRulePublic:
    """Add a rule at `position` (default last). 400 for an invalid condition or action, with
    the 1-based `position` of the error in `details`, or a position past the end."""
    return rules.create_rule(principal.tenant_id, body)


@router.put("/rules/{id}")
def update_rule(
    id: RuleId, body: RoutingRuleUpdate, principal: AdminPrincipal
) -> RoutingRulePublic:
    """Change a rule's condition or action, or move it to `position` (the others shift)."""
    return rules.update_rule(principal.tenant_id, id, body)


@router.delete("/rules/{id}")
def delete_rule(id: RuleId, principal: AdminPrincipal) -> Deleted:
    """Delete a rule (`{id, deleted: true}`); the rules after it move up."""
    return rules.delete_rule(principal.tenant_id, id)


@router.get("/business-hours")
def get_business_hours(principal: ViewerPrincipal) -> BusinessHoursPublic:
    """The weekly business hours (default Mon-Fri 09:00-17:00 in the settings' time zone)."""
    return hours.get_business_hours(principal.tenant_id)


@router.put("/business-hours")
def put_business_hours(body: BusinessHoursUpdate, principal: AdminPrincipal) -> BusinessHoursPublic:
    """Replace the weekly business hours (days left out are closed)."""
    return hours.put_business_hours(principal.tenant_id, body)


app = create_app("routing_rules", [router])
handler = http_handler(app)
