"""Key builders of campaign attribution (issue 10 "Attribution"), re-exported by
`engage.core.keys` (use them as `keys.<name>`; DESIGN.md section 2, STYLE.md rule 5).

A campaign's attribution lives in its own partition `T#<t>#ATTR#<campaignId>`: the counter item
(`SK=CNT`: responses, conversions, revenue per currency) and one claim item per counted thing
(`SK=R#<contactId>`: this contact's response was counted; `SK=O#<orderId>`: this order's
conversion was counted), so a redelivered event or webhook counts once. The tenant's totals
(`T#<t>#ATTR`, `SK=TOTAL`) sit beside their claims (`SK=R#<campaignId>#<contactId>`,
`SK=O#<orderId>`: the order marker, which also answers a redelivered webhook at once).
"""

from __future__ import annotations

ATTRIBUTION_COUNTER_SK = "CNT"
ATTRIBUTION_TOTAL_SK = "TOTAL"
SMS = "sms"


def campaign_channel_message_key(sms_key: tuple[str, str], channel: str) -> tuple[str, str]:
    """A recipient's campaign message item on `channel`, from their SMS message's key of the
    same run (`message_key`): the SMS message keeps that key; a WhatsApp or e-mail message is
    its sibling with the channel after the contact id (`SK=<run>#<contactId>#<channel>`: the
    layout of campaigns on several channels, `keys_campaign_channels.channel_message_sk` on
    branch h/mcampaigns; when both are merged this should call that builder)."""
    pk, sk = sms_key
    return pk, (sk if channel == SMS else f"{sk}#{channel}")


def attribution_partition(tenant_id: str, campaign_id: str) -> str:
    """The partition of one campaign's attribution counter and claims."""
    return f"T#{tenant_id}#ATTR#{campaign_id}"


def attribution_counter_key(tenant_id: str, campaign_id: str) -> tuple[str, str]:
    """A campaign's attribution counters (responses, conversions, revenue per currency)."""
    return attribution_partition(tenant_id, campaign_id), ATTRIBUTION_COUNTER_SK


def response_claim_key(tenant_id: str, campaign_id: str, contact_id: str) -> tuple[str, str]:
    """The contact's response to the campaign was counted (once per recipient per campaign)."""
    return attribution_partition(tenant_id, campaign_id), f"R#{contact_id}"


def conversion_claim_key(tenant_id: str, campaign_id: str, order_id: str) -> tuple[str, str]:
    """The order was counted as a conversion of the campaign."""
    return attribution_partition(tenant_id, campaign_id), f"O#{order_id}"


def attribution_totals_partition(tenant_id: str) -> str:
    """The partition of the tenant's attribution totals and their claims."""
    return f"T#{tenant_id}#ATTR"


def attribution_totals_key(tenant_id: str) -> tuple[str, str]:
    """The tenant's attribution totals (the dashboard's figures)."""
    return attribution_totals_partition(tenant_id), ATTRIBUTION_TOTAL_SK


def total_response_claim_key(tenant_id: str, campaign_id: str, contact_id: str) -> tuple[str, str]:
    """The contact's response to the campaign was added to the tenant's totals."""
    return attribution_totals_partition(tenant_id), f"R#{campaign_id}#{contact_id}"


def order_marker_key(tenant_id: str, order_id: str) -> tuple[str, str]:
    """A Shopify order was handled (and, if attributed, added to the tenant's totals)."""
    return attribution_totals_partition(tenant_id), f"O#{order_id}"


def revenue_attribute(currency: str) -> str:
    """The counter attribute of revenue in `currency` (ISO 4217, three capital letters): a
    top-level number, because DynamoDB's ADD works on top-level attributes only."""
    if len(currency) != 3 or not currency.isascii() or not currency.isupper():
        raise ValueError("not an ISO 4217 currency code")
    return f"revenue_{currency}"


def currency_of_attribute(name: str) -> str | None:
    """The currency of a `revenue_attribute` name, or None for another attribute."""
    head, sep, currency = name.partition("_")
    if head != "revenue" or not sep or len(currency) != 3 or not currency.isupper():
        return None
    return currency
