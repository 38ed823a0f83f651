"""Short links (seed 004 "URL Shortener"): `GET /r/{token}` -> 302 to the stored destination.

A token is the message's 8-character link token plus one base62 character for the link's
position in the campaign message. Only URLs stored on the campaign at creation can be reached,
and the click is counted against the campaign and the message (which names the contact), with
its time on the message (`firstClickedAt`, `lastClickedAt`: conversion attribution's window).
"""

from __future__ import annotations

from engage.campaigns import stats
from engage.campaigns.compose import TOKEN_LENGTH
from engage.core import clock, ids, keys
from engage.core.errors import NotFound
from engage.shortener import store


def resolve_click(token: str) -> str:
    """The destination URL for `token`, with the click recorded; raises NotFound."""
    if len(token) != TOKEN_LENGTH + 1 or not (token.isascii() and token.isalnum()):
        raise NotFound("Link not found")
    base, index_char = token[:TOKEN_LENGTH], token[TOKEN_LENGTH]
    try:
        index = ids.base62_index(index_char)
    except ValueError:
        raise NotFound("Link not found") from None
    message = store.message_key_of_link(base)
    if message is None:
        raise NotFound("Link not found")
    tenant_id, campaign_id, _ = keys.parse_message_partition(message[0])
    links = store.campaign_links(tenant_id, campaign_id)
    if links is None or index >= len(links):
        raise NotFound("Link not found")
    store.count_click(*message, clock.now_iso())  # a message expired meanwhile still redirects
    stats.add_campaign_counts(tenant_id, campaign_id, clicks=1)
    return links[index]
