"""customers group (issue 11; seed 003 section 4 "Customer management", bare JSON, snake_case):
the contact behind every channel as a customer profile, and their history across sessions,
campaign messages and calls (engage/customers/). Reads need a viewer, changing a profile an
agent (README "Customers (seed 003)"). Routes call boto3, so they are plain `def`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from engage.core.auth import AgentPrincipal, ViewerPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.customers import history, service
from engage.customers.schemas import (
    HISTORY_DEFAULT_LIMIT,
    HISTORY_MAX_LIMIT,
    CustomerHistoryPublic,
    CustomerProfilePublic,
    CustomerProfileUpdate,
)

router = APIRouter(prefix="/customers", tags=["customers"])

CustomerPath = Annotated[str, Path(alias="customerId", description="the customer's contact id")]


@router.get("/{customerId}/profile", response_model=CustomerProfilePublic)
def get_profile(customer_id: CustomerPath, principal: ViewerPrincipal) -> CustomerProfilePublic:
    """The customer's profile: name, e-mail, phone, preferences, tags, consent (read-only)."""
    return service.get_profile(principal.tenant_id, customer_id)


@router.put("/{customerId}/profile", response_model=CustomerProfilePublic)
def update_profile(
    customer_id: CustomerPath, body: CustomerProfileUpdate, principal: AgentPrincipal
) -> CustomerProfilePublic:
    """Change any of `name`, `email`, `phone`, `preferences` (`language`, `preferred_channel`),
    `tags`; answers the profile. 400 for a malformed value or an unknown field, 409 when the
    phone belongs to another customer."""
    return service.update_profile(principal.tenant_id, customer_id, body)


@router.get("/{customerId}/history", response_model=CustomerHistoryPublic)
def customer_history(
    customer_id: CustomerPath,
    principal: ViewerPrincipal,
    limit: Annotated[int, Query(ge=1, le=HISTORY_MAX_LIMIT)] = HISTORY_DEFAULT_LIMIT,
) -> CustomerHistoryPublic:
    """Sessions, campaign messages and calls across channels, newest first (`limit` 1-100)."""
    return history.history(principal.tenant_id, customer_id, limit)


app = create_app("customers", [router])
handler = http_handler(app)
