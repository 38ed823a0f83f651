"""Conversions (issue 10 "Attribution"): Shopify's `orders/create` webhook
(`POST /webhooks/shopify/orders`), an order placed by a contact who clicked a campaign's
short link within ATTRIBUTION_CONVERSION_WINDOW_DAYS before it, with its revenue.

Authentication (Shopify, "Deliver webhooks through HTTPS: verify the webhook"): the shop is
named by `X-Shopify-Shop-Domain` and mapped to its tenant and webhook secret by the tenant's
`POST /integrations/shopify/configure {shop_domain, webhook_secret}`
(`engage.integrations.service.shopify_shop`); `X-Shopify-Hmac-Sha256` must equal
base64(HMAC-SHA256(secret, raw body)), compared in constant time. A missing or wrong signature
and an unknown shop are all the same 401, and nothing is read or written for them: the tenant
comes from the shop, so one shop can never post into another tenant.

Attribution: the order's buyer is matched to contacts by e-mail (`email`, `customer.email`)
and E.164 phone (`phone`, `customer.phone`); for each campaign with short links that was
sending in the last LINK_LOOKBACK, the contact's message item is read, and the campaign counts
the order when a recorded click time (`firstClickedAt`, `lastClickedAt`, written by the
shortener) lies in [order time - window, order time]. The order time is its `created_at`
(never later than now). Each (campaign, order) counts once, and the order once in the tenant's
totals; Shopify redelivers an unanswered webhook with the same `X-Shopify-Webhook-Id` and order
id, and the order's marker answers a redelivery without reading anything else. A verified
delivery marks the Shopify integration's `last_sync` (`GET /integrations/status`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError

from engage.attribution import service, store
from engage.attribution.schemas import ShopifyCustomer, ShopifyOrder, ShopifyOrderReceipt
from engage.attribution.store import MessageFacts
from engage.contacts import lookup
from engage.core import clock, keys
from engage.core.errors import Unauthorized, ValidationFailed
from engage.core.observability import logger
from engage.core.phones import normalise_phone
from engage.core.settings import get_settings
from engage.integrations import service as integrations

LINK_LOOKBACK = dt.timedelta(days=30)  # clicks are looked for on campaigns this recent
MAX_REVENUE = Decimal("1e15")
ORDERS_CREATE = "orders/create"


def signature_of(secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(secret, body)): Shopify's `X-Shopify-Hmac-Sha256`."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verified_tenant(shop_domain: str | None, signature: str | None, body: bytes) -> str:
    """The tenant of a signed request from a configured shop; raises Unauthorized (the same
    for every reason: no signature, no such shop, wrong signature)."""
    if not shop_domain or not signature:
        raise Unauthorized("Missing Shopify signature")
    found = integrations.shopify_shop(shop_domain.strip().lower())
    if found is None:
        raise Unauthorized("Invalid Shopify signature")
    tenant_id, secret = found
    expected = signature_of(secret, body).encode()
    if not hmac.compare_digest(expected, signature.strip().encode()):
        raise Unauthorized("Invalid Shopify signature")
    return tenant_id


def parse_order(body: bytes) -> tuple[ShopifyOrder, Decimal]:
    """The order and its total as a Decimal; raises ValidationFailed (400)."""
    try:
        order = ShopifyOrder.model_validate_json(body)
    except ValidationError as exc:
        fields = {".".join(str(p) for p in e["loc"]) or "body": e["msg"] for e in exc.errors()}
        raise ValidationFailed("Not a Shopify order", fields) from None
    try:
        total = Decimal(order.total_price.strip())
    except InvalidOperation:
        total = Decimal("NaN")
    if not total.is_finite() or total < 0 or total >= MAX_REVENUE:
        raise ValidationFailed("Invalid total_price", {"total_price": "a decimal amount"})
    return order, total


def buyer_contacts(tenant_id: str, order: ShopifyOrder) -> list[str]:
    """The tenant's contacts the order's buyer matches, by e-mail and by E.164 phone."""
    customer = order.customer or ShopifyCustomer()
    emails = {e.strip().lower() for e in (order.email, customer.email) if e}
    phones = {p for p in (normalise_phone(r, None) for r in (order.phone, customer.phone)) if p}
    found: list[str] = []
    for email in sorted(emails):
        found += lookup.contact_ids_by_email(tenant_id, email)
    for phone in sorted(phones):
        contact_id = lookup.contact_id_for_phone(tenant_id, phone)
        if contact_id:
            found.append(contact_id)
    return list(dict.fromkeys(found))


def clicked_within(facts: MessageFacts, order_at: dt.datetime, window: dt.timedelta) -> bool:
    """Whether a recorded click on the message lies in the window before `order_at`."""
    for value in (facts.last_clicked_at, facts.first_clicked_at):
        at = service.parse_time(value)
        if at is not None and order_at - window <= at <= order_at:
            return True
    return False


def campaigns_converted(tenant_id: str, contact_ids: list[str], order_at: dt.datetime) -> list[str]:
    """The ids of the campaigns whose link one of the contacts clicked in the window."""
    if not contact_ids:
        return []
    window = dt.timedelta(days=get_settings().attribution_conversion_window_days)
    since = clock.iso(order_at - max(window, LINK_LOOKBACK))
    runs = [r for r in store.campaigns_active_since(tenant_id, since) if r.has_links]
    if not runs:
        return []
    candidates = service.candidate_messages(tenant_id, runs, contact_ids)
    facts = store.message_facts(candidates)
    return sorted(
        {candidates[key] for key, f in facts.items() if clicked_within(f, order_at, window)}
    )


def record_order(
    shop_domain: str | None,
    signature: str | None,
    webhook_id: str | None,
    body: bytes,
    topic: str | None = None,
) -> ShopifyOrderReceipt:
    """Verify and attribute one `orders/create` delivery (see the module docstring); raises
    Unauthorized (401) before anything else, ValidationFailed (400) for a signed body that is
    not an order. Another topic (`X-Shopify-Topic`, e.g. `orders/updated` subscribed to the
    same URL) is acknowledged and changes nothing: only a new order is a conversion."""
    tenant_id = verified_tenant(shop_domain, signature, body)
    integrations.mark_synced(tenant_id, "shopify")  # GET /integrations/status `last_sync`
    order, total = parse_order(body)
    order_id = str(order.id)
    if topic and topic.strip().lower() != ORDERS_CREATE:
        return ShopifyOrderReceipt(orderId=order_id, duplicate=False, conversions=0)
    marker = keys.order_marker_key(tenant_id, order_id)
    if store.exists(marker):
        return ShopifyOrderReceipt(orderId=order_id, duplicate=True, conversions=0)
    now = clock.now()
    order_at = min(service.parse_time(order.created_at) or now, now)
    campaigns = campaigns_converted(tenant_id, buyer_contacts(tenant_id, order), order_at)
    revenue = {order.currency: total}
    fields = {"orderId": order_id, "webhookId": (webhook_id or "")[:100], "at": clock.iso(order_at)}
    counted = 0
    for campaign_id in campaigns:
        counted += service.count_once(
            keys.conversion_claim_key(tenant_id, campaign_id, order_id),
            keys.attribution_counter_key(tenant_id, campaign_id),
            fields,
            conversions=1,
            revenue=revenue,
        )
    marked = service.count_once(
        marker,
        keys.attribution_totals_key(tenant_id),
        {**fields, "campaigns": ",".join(campaigns)},
        conversions=1 if campaigns else 0,
        revenue=revenue if campaigns else None,
    )
    if counted:
        logger.info("conversion attributed", extra={"campaigns": counted})
    return ShopifyOrderReceipt(orderId=order_id, duplicate=not marked, conversions=counted)
