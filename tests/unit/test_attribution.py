"""Campaign attribution (issue 10 "Attribution"): a recipient's reply within the response
window counts once as a response of the campaign; a signed Shopify order from a contact who
clicked the campaign's link within the conversion window counts as a conversion with its
revenue. Campaigns are created and sent for real (sandbox SMS), so the message items and
clicks are the pipeline's own; replies arrive on the bus as `message.created` events.

Shops are connected with the integrations group's `POST /integrations/shopify/configure`
(the webhook secret in Secrets Manager, moto).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from engage.attribution.conversions import signature_of
from engage.attribution.service import campaign_attribution, tenant_attribution
from engage.channels.sandbox import OUTBOX
from engage.core import clock
from engage.events import bus
from engage.events.envelope import DomainEvent, EventType
from tests.conftest import FUNCTIONS, _bus_rule_queue
from tests.unit.test_enduser_auth import new_key

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
SHOP, SECRET = "acme.myshopify.com", "shpss_acme_webhook_secret"


def at(**delta: float) -> None:
    """Set the one clock to T0 + delta."""
    moment = T0 + dt.timedelta(**delta)
    clock.set_clock(lambda: moment)


def tenant_of(h: Any, headers: dict[str, str]) -> str:
    return str(h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"])


def sent_campaign(h: Any, headers: dict[str, str], people: int, message: str) -> dict[str, Any]:
    """`people` opted-in contacts (with e-mail addresses), and a campaign sent to them at T0."""
    at()
    contacts = [
        h.contact(headers, f"+1201555{100 + i:04d}", firstName=f"P{i}", email=f"p{i}@buyers.test")
        for i in range(people)
    ]
    campaign = h.campaign(headers, message=message)
    assert h.client.post(f"/campaigns/{campaign['id']}/enqueue", headers=headers).status_code == 200
    h.send_all()
    return {"id": campaign["id"], "contacts": contacts}


# --- responses -------------------------------------------------------------------------------


@pytest.fixture
def replies(h: Any) -> Callable[..., int]:
    """Publish a customer's message on the bus and run AttributionFunction on its queue, as
    deployed (rule -> queue -> function); `times` delivers each SQS record that many times."""
    queue = _bus_rule_queue("AttributionRule")

    def reply(tenant_id: str, contact_id: str, sender: str = "user", times: int = 1) -> int:
        now = clock.now_iso()
        event = DomainEvent(
            id=str(uuid.uuid4()),
            type=EventType.MESSAGE_CREATED,
            tenant_id=tenant_id,
            occurred_at=now,
            data={
                "id": "m1",
                "conversation_id": "cv1",
                "sender": sender,
                "content": "Yes please!",
                "private": False,
                "created_at": now,
                "contact_id": contact_id,
            },
        )
        bus.publish([event])
        records = 0
        for batch in h._queue_events(queue):
            for _ in range(times):
                result = FUNCTIONS["AttributionFunction"].invoke(batch)
                assert not result.get("batchItemFailures"), result
            records += len(batch["Records"])
        return records

    return reply


def test_a_reply_within_72_hours_counts_once_even_when_the_event_is_redelivered(h, replies):
    # Given a campaign sent to two contacts at T0
    headers = h.register()
    tenant_id = tenant_of(h, headers)
    c = sent_campaign(h, headers, 2, "Winter sale starts now!")
    first = c["contacts"][0]["id"]
    # When the first contact writes back 71 hours later, the event delivered twice, and again
    at(hours=71)
    assert replies(tenant_id, first, times=2) == 1
    replies(tenant_id, first)
    # Then the campaign has one response, and the tenant's totals too
    assert campaign_attribution(tenant_id, c["id"]).responses == 1
    assert tenant_attribution(tenant_id).responses == 1


def test_a_recipients_chat_message_counts_through_the_stream_and_the_bus(h):
    # Given a campaign sent at T0, and the recipient identified in the chat widget by phone
    # (a secret key is trusted, so the end user takes over the contact with that number)
    headers = h.register()
    tenant_id = tenant_of(h, headers)
    key = new_key(h, headers, "secret")
    queue = _bus_rule_queue("AttributionRule")
    c = sent_campaign(h, headers, 1, "Winter sale starts now!")
    user = {"X-API-Key": key, "X-User-Id": "ada"}
    at(hours=2)
    phone = c["contacts"][0]["phoneE164"]
    identified = h.client.post("/v1/users/identify", headers=user, json={"phone": phone})
    assert identified.json()["id"] == c["contacts"][0]["id"], identified.text
    # When they open a conversation with a message (committed -> stream -> bus -> queue)
    resp = h.client.post("/v1/conversations", headers=user, json={"message": {"content": "Hi"}})
    assert resp.status_code == 201, resp.text
    h.deliver_stream()
    for batch in h._queue_events(queue):
        assert not FUNCTIONS["AttributionFunction"].invoke(batch).get("batchItemFailures")
    # Then it is the campaign's response
    assert campaign_attribution(tenant_id, c["id"]).responses == 1


def test_a_reply_after_72_hours_does_not_count(h, replies):
    headers = h.register()
    tenant_id = tenant_of(h, headers)
    c = sent_campaign(h, headers, 1, "Winter sale starts now!")
    at(hours=73)
    replies(tenant_id, c["contacts"][0]["id"])
    assert campaign_attribution(tenant_id, c["id"]).responses == 0


def test_a_reply_from_a_contact_the_campaign_did_not_reach_does_not_count(h, replies):
    # Given a campaign sent at T0, and a contact added after it was sent
    headers = h.register()
    tenant_id = tenant_of(h, headers)
    c = sent_campaign(h, headers, 1, "Winter sale starts now!")
    at(hours=1)
    late = h.contact(headers, "+12015559999", firstName="Late")
    # When that contact writes, and an agent writes to the recipient
    replies(tenant_id, late["id"])
    assert replies(tenant_id, c["contacts"][0]["id"], sender="agent") == 0  # not the rule's
    # Then nothing is a response
    assert campaign_attribution(tenant_id, c["id"]).responses == 0
    assert tenant_attribution(tenant_id).responses == 0


# --- conversions -----------------------------------------------------------------------------


@pytest.fixture
def shops(h: Any) -> Callable[..., None]:
    """Connect a Shopify shop to a tenant as its owner would:
    `POST /integrations/shopify/configure {shop_domain, webhook_secret}`."""

    def connect(headers: dict[str, str], shop: str = SHOP, secret: str = SECRET) -> None:
        body = {"shop_domain": shop, "webhook_secret": secret}
        resp = h.client.post("/integrations/shopify/configure", headers=headers, json=body)
        assert resp.status_code == 200, resp.text

    return connect


def order(order_id: int, email: str | None, total: str = "199.00", **extra: Any) -> bytes:
    body = {
        "id": order_id,
        "email": email,
        "total_price": total,
        "currency": "EUR",
        "created_at": clock.now().isoformat(),
        "line_items": [{"title": "Parka", "quantity": 1}],
        **extra,
    }
    return json.dumps(body).encode()


def post_order(
    h: Any,
    body: bytes,
    shop: str = SHOP,
    secret: str | None = SECRET,
    webhook_id: str = "wh-1",
    topic: str = "orders/create",
) -> Any:
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-Topic": topic,
        "X-Shopify-Webhook-Id": webhook_id,
    }
    if secret is not None:
        headers["X-Shopify-Hmac-Sha256"] = signature_of(secret, body)
    return h.client.post("/webhooks/shopify/orders", content=body, headers=headers)


def click(h: Any, phone: str) -> None:
    """The contact at `phone` follows the first short link of the message they were sent."""
    body = next(m["body"] for m in OUTBOX.list() if m["to"] == phone)
    link = next(w for w in body.split() if w.startswith("https://sho.rt/r/"))
    resp = h.client.get(link.replace("https://sho.rt", ""), follow_redirects=False)
    assert resp.status_code == 302


def test_a_signed_order_from_a_clicker_counts_with_its_revenue_once(h, shops):
    # Given a sent campaign with a link, which the first contact clicked a day later
    headers = h.register()
    tenant_id = tenant_of(h, headers)
    shops(headers)
    c = sent_campaign(h, headers, 2, "Sale: https://shop.test/sale")
    at(days=1)
    click(h, c["contacts"][0]["phoneE164"])
    # When that contact orders two days after the click, and Shopify redelivers the webhook
    at(days=3)
    first = post_order(h, order(1001, "P0@Buyers.test", "199.90"))
    again = post_order(h, order(1001, "P0@Buyers.test", "199.90"))
    # Then the campaign has one conversion with its revenue, and the tenant's totals too
    assert first.status_code == 200, first.text
    assert first.json()["data"] == {"orderId": "1001", "duplicate": False, "conversions": 1}
    assert again.status_code == 200 and again.json()["data"]["duplicate"] is True
    got = campaign_attribution(tenant_id, c["id"])
    assert (got.conversions, got.revenue) == (1, {"EUR": "199.90"})
    assert tenant_attribution(tenant_id).revenue == {"EUR": "199.90"}
    rows = h.client.get("/integrations/status", headers=headers).json()["integrations"]
    assert next(i for i in rows if i["type"] == "shopify")["status"] == "connected"
    # And a second order adds its revenue exactly
    post_order(h, order(1002, None, "0.10", customer={"email": "p0@buyers.test"}), webhook_id="w2")
    got = campaign_attribution(tenant_id, c["id"])
    assert (got.conversions, got.revenue) == (2, {"EUR": "200.00"})


def test_an_order_update_delivered_to_the_same_url_changes_nothing(h, shops):
    headers = h.register()
    tenant_id = tenant_of(h, headers)
    shops(headers)
    c = sent_campaign(h, headers, 1, "Sale: https://shop.test/sale")
    click(h, c["contacts"][0]["phoneE164"])
    body = order(1001, "p0@buyers.test")
    updated = post_order(h, body, topic="orders/updated")
    assert updated.status_code == 200 and updated.json()["data"]["conversions"] == 0
    assert campaign_attribution(tenant_id, c["id"]).conversions == 0
    assert post_order(h, body).json()["data"]["conversions"] == 1  # the create still counts


def test_an_order_matched_by_phone_counts(h, shops):
    headers = h.register()
    tenant_id = tenant_of(h, headers)
    shops(headers)
    c = sent_campaign(h, headers, 1, "Sale: https://shop.test/sale")
    click(h, c["contacts"][0]["phoneE164"])
    at(hours=2)
    resp = post_order(h, order(7, None, "5", phone="+1 201-555-0100"))
    assert resp.json()["data"]["conversions"] == 1
    assert campaign_attribution(tenant_id, c["id"]).revenue == {"EUR": "5.00"}


@pytest.mark.parametrize(
    ("shop", "secret"),
    [(SHOP, None), (SHOP, "not-the-secret"), ("unknown.myshopify.com", SECRET)],
    ids=["unsigned", "wrong-signature", "unknown-shop"],
)
def test_an_unsigned_or_wrongly_signed_order_is_a_401_and_changes_nothing(h, shops, shop, secret):
    headers = h.register()
    tenant_id = tenant_of(h, headers)
    shops(headers)
    c = sent_campaign(h, headers, 1, "Sale: https://shop.test/sale")
    click(h, c["contacts"][0]["phoneE164"])
    resp = post_order(h, order(1001, "p0@buyers.test"), shop=shop, secret=secret)
    assert resp.status_code == 401 and resp.json()["error"] == "unauthorized"
    assert campaign_attribution(tenant_id, c["id"]).conversions == 0
    # and the order was not marked as seen: the properly signed delivery still counts
    assert post_order(h, order(1001, "p0@buyers.test")).json()["data"]["conversions"] == 1


def test_an_order_from_a_contact_who_did_not_click_does_not_count(h, shops):
    headers = h.register()
    tenant_id = tenant_of(h, headers)
    shops(headers)
    c = sent_campaign(h, headers, 2, "Sale: https://shop.test/sale")
    click(h, c["contacts"][0]["phoneE164"])
    at(hours=5)
    resp = post_order(h, order(1001, "p1@buyers.test"))  # the second contact, no click
    assert resp.status_code == 200 and resp.json()["data"]["conversions"] == 0
    assert campaign_attribution(tenant_id, c["id"]).conversions == 0
    assert tenant_attribution(tenant_id).conversions == 0


def test_an_order_more_than_5_days_after_the_click_does_not_count(h, shops):
    headers = h.register()
    tenant_id = tenant_of(h, headers)
    shops(headers)
    c = sent_campaign(h, headers, 1, "Sale: https://shop.test/sale")
    click(h, c["contacts"][0]["phoneE164"])
    at(days=5, hours=1)
    assert post_order(h, order(1001, "p0@buyers.test")).json()["data"]["conversions"] == 0
    assert campaign_attribution(tenant_id, c["id"]).conversions == 0


def test_another_tenants_shop_cannot_post_into_this_tenant(h, shops):
    # Given tenant A's contact clicked A's campaign, and tenant B configured its own shop
    a = h.register()
    a_id = tenant_of(h, a)
    b = h.register("owner@other.test", "Other")
    b_id = tenant_of(h, b)
    shops(a)
    c = sent_campaign(h, a, 1, "Sale: https://shop.test/sale")
    click(h, c["contacts"][0]["phoneE164"])
    shops(b, "other.myshopify.com", "shpss_other")
    # When B's shop posts an order by A's customer, signed with B's secret, as B and as A
    as_b = post_order(h, order(5, "p0@buyers.test"), "other.myshopify.com", "shpss_other")
    as_a = post_order(h, order(6, "p0@buyers.test"), SHOP, "shpss_other")
    # Then B's order lands in B (no clicker there) and the other is refused: A is unchanged
    assert as_b.status_code == 200 and as_b.json()["data"]["conversions"] == 0
    assert as_a.status_code == 401
    assert campaign_attribution(a_id, c["id"]).conversions == 0
    assert tenant_attribution(b_id).conversions == 0


def test_a_signed_body_that_is_not_an_order_is_a_400(h, shops):
    headers = h.register()
    shops(headers)
    for body in (b"not json", b'{"id": "x"}', order(1, None, "lots"), order(1, None, "-1")):
        resp = post_order(h, body)
        assert resp.status_code == 400, (body, resp.text)
        assert resp.json()["error"] == "validation_error"


def test_a_campaign_on_several_channels_is_looked_up_on_each_channels_message():
    # Given a campaign whose latest run is 3, sent on SMS and WhatsApp
    from engage.attribution.service import candidate_messages
    from engage.attribution.store import CampaignRun
    from engage.core import keys

    run = CampaignRun("C1", 3, has_links=True, channels=("sms", "whatsapp"))
    # When a contact's candidate messages are listed
    found = candidate_messages("t1", [run], ["k1"])
    # Then they are the SMS message of runs 3 and 2 and their WhatsApp siblings
    sks = sorted(sk for _, sk in found)
    sms = keys.message_key("t1", "C1", 0, 3, "k1")[1]
    assert len(found) == 4 and set(found.values()) == {"C1"}
    assert f"{sms}#whatsapp" in sks and sms in sks
    assert sks[0].startswith("0002#k1")
