"""Per-recipient message text: variables filled, links rewritten to short links."""

from __future__ import annotations

from engage.campaigns.models import CampaignItem
from engage.contacts.models import ContactItem
from engage.core import ids
from engage.core.render import render
from engage.core.settings import get_settings

TOKEN_LENGTH = 8  # plus one base62 character for the link index


def short_url(token: str, index: int) -> str:
    """`<URL_SHORTENER_BASE_URL>/r/<token><index>`."""
    return f"{get_settings().url_shortener_base_url}/r/{token}{ids.base62_digit(index)}"


def compose_values(
    campaign: CampaignItem, first_name: str | None, last_name: str | None
) -> dict[str, str | None]:
    """The template variables of one recipient."""
    return {
        "firstName": first_name,
        "lastName": last_name,
        "discount": (campaign.meta or {}).get("discountValue"),
    }


def render_for(campaign: CampaignItem, values: dict[str, str | None], token: str | None) -> str:
    """The text for `values`. With `token=None`, links become short links of the real length
    with a dummy token, which is what the credit estimate at enqueue needs."""
    links = list(campaign.links or [])
    urls = [short_url(token or "x" * TOKEN_LENGTH, i) for i in range(len(links))]
    return render(campaign.message, values, urls)


def compose(campaign: CampaignItem, contact: ContactItem, token: str | None) -> str:
    """The text one contact receives (see `render_for`)."""
    values = compose_values(campaign, contact.first_name, contact.last_name)
    return render_for(campaign, values, token)
