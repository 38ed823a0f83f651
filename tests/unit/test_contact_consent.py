"""Per-channel consent on the contact (issue 10 "Consent is per channel"): `smsConsent`,
`whatsappConsent` and `emailConsent` are set by the API and by import, changed one channel at a
time, and found again by address."""

from __future__ import annotations

from engage.contacts import consent, lookup
from engage.contacts import store as contact_store
from engage.contacts.consent import ConsentChannel
from engage.core import clock


def _tenant_of(h, headers):
    return h.client.get("/auth/me", headers=headers).json()["data"]["tenant"]["id"]


def test_a_contact_carries_consent_per_channel_and_the_api_sets_each(h):
    headers = h.register()
    created = h.client.post(
        "/contacts",
        headers=headers,
        json={"phone": "+15125550115", "email": "Ana@Shop.test", "whatsappConsent": "opted_in"},
    ).json()["data"]
    assert (created["smsConsent"], created["whatsappConsent"], created["emailConsent"]) == (
        "unknown",
        "opted_in",
        "unknown",
    )
    changed = h.client.put(
        f"/contacts/{created['id']}", headers=headers, json={"emailConsent": "opted_in"}
    ).json()["data"]
    assert changed["emailConsent"] == "opted_in" and changed["whatsappConsent"] == "opted_in"


def test_opting_out_of_one_channel_leaves_the_others_and_logs_that_channel_only(h):
    headers = h.register()
    tenant_id = _tenant_of(h, headers)
    contact = h.contact(
        headers, "+15125550115", smsConsent="opted_in", email="a@shop.test", emailConsent="opted_in"
    )
    since = clock.now_iso()

    assert consent.set_channel_consent(
        tenant_id, contact["id"], ConsentChannel.EMAIL, "opted_out", "email_unsubscribe"
    )
    assert not consent.set_channel_consent(
        tenant_id, contact["id"], ConsentChannel.EMAIL, "opted_out", "email_unsubscribe"
    )

    data = h.client.get(f"/contacts/{contact['id']}", headers=headers).json()["data"]
    assert (data["smsConsent"], data["emailConsent"]) == ("opted_in", "opted_out")
    assert contact_store.unsendable_since(tenant_id, since, "email") == {contact["id"]}
    assert contact_store.unsendable_since(tenant_id, since, "sms") == set()


def test_deleting_a_contact_makes_it_unsendable_on_every_channel(h):
    headers = h.register()
    tenant_id = _tenant_of(h, headers)
    contact = h.contact(headers, "+15125550115", smsConsent="opted_in")
    since = clock.now_iso()
    assert h.client.delete(f"/contacts/{contact['id']}", headers=headers).status_code in (200, 204)
    for channel in ("sms", "whatsapp", "email"):
        assert contact_store.unsendable_since(tenant_id, since, channel) == {contact["id"]}


def test_a_contact_is_found_by_email_whatever_its_case_and_only_in_its_tenant(h):
    headers = h.register()
    other = h.register("owner@other.test", "Other")
    tenant_id, other_id = _tenant_of(h, headers), _tenant_of(h, other)
    contact = h.contact(headers, "+15125550115", email="ana@shop.test")

    assert lookup.contact_ids_by_email(tenant_id, "ANA@shop.test") == [contact["id"]]
    assert lookup.contact_ids_by_email(other_id, "ana@shop.test") == []
    assert lookup.contact_id_for_phone(tenant_id, "+15125550115") == contact["id"]
    assert lookup.contact_id_for_phone(other_id, "+15125550115") is None

    h.client.put(f"/contacts/{contact['id']}", headers=headers, json={"email": "new@shop.test"})
    assert lookup.contact_ids_by_email(tenant_id, "ana@shop.test") == []
    assert lookup.contact_ids_by_email(tenant_id, "new@shop.test") == [contact["id"]]


def test_an_unknown_sender_address_becomes_one_contact_without_a_phone(h):
    headers = h.register()
    tenant_id = _tenant_of(h, headers)
    first = lookup.ensure_contact_for_email(tenant_id, "Zoe@Example.test", "Zoe Quinn")
    again = lookup.ensure_contact_for_email(tenant_id, "zoe@example.test")
    assert first == again
    data = h.client.get(f"/contacts/{first}", headers=headers).json()["data"]
    assert (data["email"], data["firstName"], data["lastName"]) == (
        "zoe@example.test",
        "Zoe",
        "Quinn",
    )
    assert data["phoneE164"] is None and data["emailConsent"] == "unknown"


def test_shopify_accepts_email_marketing_imports_as_email_consent(h):
    headers = h.register()
    content = (
        b"First Name,Last Name,Email,Accepts Email Marketing,Phone,Accepts SMS Marketing\n"
        b"Ana,Li,ana@shop.test,yes,+15125550115,no\n"
        b"Bo,Ng,,yes,+15125550116,yes\n"
    )
    assert h.import_csv(headers, content).json()["data"]["imported"] == 2
    rows = h.client.get("/contacts", headers=headers).json()["data"]["contacts"]
    by_phone = {r["phoneE164"]: r for r in rows}
    assert by_phone["+15125550115"]["emailConsent"] == "opted_in"
    assert by_phone["+15125550115"]["smsConsent"] == "unknown"
    assert by_phone["+15125550116"]["emailConsent"] == "unknown"  # no address
    assert by_phone["+15125550116"]["smsConsent"] == "opted_in"
