"""Attribution wire schemas: what others read (`CampaignAttribution`), the part of Shopify's
`orders/create` payload we use, and the webhook's answer.

Shopify's order payload (Admin REST API, Order resource; webhook topic `orders/create`) has
well over a hundred fields; `ShopifyOrder` reads the few attribution needs and ignores the
rest (a provider's payload, not our request: unknown fields are not an error).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from engage.core.schemas import Ok, PublicModel


class CampaignAttribution(PublicModel):
    """A campaign's (or the tenant's) attributed results: `responses` (recipients who wrote
    back within ATTRIBUTION_RESPONSE_WINDOW_HOURS), `conversions` (Shopify orders placed
    within ATTRIBUTION_CONVERSION_WINDOW_DAYS of a click on its link) and `revenue` of those
    orders, currency (ISO 4217) -> decimal string (`"199.00"`, exact)."""

    responses: int = Field(ge=0)
    conversions: int = Field(ge=0)
    revenue: dict[str, str]


class ShopifyCustomer(BaseModel):
    """`customer` of a Shopify order (the fields attribution matches contacts on)."""

    model_config = ConfigDict(extra="ignore")

    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)


class ShopifyOrder(BaseModel):
    """The fields of Shopify's `orders/create` payload that attribution reads: `id`, the
    buyer's `email` / `phone` (also on `customer`), `total_price` (a decimal string in the
    shop's currency), `currency` (ISO 4217) and `created_at` (ISO 8601 with offset)."""

    model_config = ConfigDict(extra="ignore")

    id: int = Field(ge=1)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=64)
    customer: ShopifyCustomer | None = None
    total_price: str = Field(default="0", max_length=40)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    created_at: str | None = Field(default=None, max_length=64)


class ShopifyOrderReceipt(PublicModel):
    """What the webhook did with an order: `duplicate` (seen before: nothing changed) and
    the number of campaigns it counted as a conversion of."""

    orderId: str
    duplicate: bool
    conversions: int = Field(ge=0)


class ShopifyOrderReceiptResponse(Ok[ShopifyOrderReceipt]):
    """`{"success": true, "data"}` of `POST /webhooks/shopify/orders` (Shopify reads only the
    status code: any 2xx is a delivery)."""
