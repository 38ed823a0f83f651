"""The per-contact frequency cap under the tenant's cap lease, and the per-batch e-mail
screening (issue 10 "Consent is per channel"; engage.campaigns.caps, channel_store,
sender.process, engage.email.marketing.screen).

Covered: two campaigns' senders deciding for one contact at once never both take its last
slot; a dead sender's lease does not block, a live one makes `take` give up (CapContended)
without recording anything, as does a holder past WRITE_BY (which also gives the lease back);
a sender that cannot decide caps gives its batch back and the redelivery sends it in full,
once per recipient, with credits counted once; a campaign batch's suppressed and opted-out
e-mail recipients get nothing while the others get one e-mail each."""

from __future__ import annotations

import json
import threading
from collections import Counter

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from engage.campaigns import caps, channel_store
from engage.campaigns.store import ddb_client
from engage.channels.email_sandbox import EMAIL_OUTBOX
from engage.channels.sandbox import OUTBOX
from engage.core import clock, keys
from engage.core.settings import get_settings
from tests.unit.test_campaign_channels import _campaign, _me, _person, _sent, _stats
from tests.unit.test_campaign_fallback import _items

TENANT = "t-caps"


def _lease_item(tenant_id):
    return _item(*keys.frequency_cap_lease_key(tenant_id))


def _item(pk, sk):
    got = ddb_client().get_item(
        TableName=get_settings().table_name,
        Key={"PK": {"S": pk}, "SK": {"S": sk}},
        ConsistentRead=True,
    )
    return got.get("Item")


class _Overlap:
    """Makes two senders' cap decisions overlap: the first to read the cap items waits (up to
    10 s) until the other has either been refused the lease (it is kept out while the first
    decides) or read the items too (nothing kept it out: both decide on the same state)."""

    def __init__(self, monkeypatch):
        self.changed = threading.Condition()
        self.readers = self.refused = 0
        read, take_lease = channel_store.read_caps, channel_store.take_cap_lease

        def reading(*args):
            got = read(*args)
            with self.changed:
                self.readers += 1
                self.changed.notify_all()
                if self.readers == 1:
                    self.changed.wait_for(lambda: self.refused or self.readers > 1, timeout=10)
            return got

        def leasing(*args):
            taken = take_lease(*args)
            with self.changed:
                self.refused += not taken
                self.changed.notify_all()
            return taken

        monkeypatch.setattr(channel_store, "read_caps", reading)
        monkeypatch.setattr(channel_store, "take_cap_lease", leasing)


def test_two_campaigns_deciding_for_one_contact_at_once_take_its_last_slot_once(h, cap_of_one):
    # Given a cap of one SMS per contact, and two campaigns' senders deciding at the same moment
    for round_ in range(4):
        contact = f"c-race-{round_}"
        with pytest.MonkeyPatch.context() as patch:
            overlap = _Overlap(patch)
            start = threading.Barrier(2)
            results: dict[str, set] = {}
            errors: list[BaseException] = []

            def decide(campaign_id, contact=contact, start=start, results=results, errors=errors):
                try:
                    start.wait(timeout=10)
                    results[campaign_id] = caps.take(TENANT, campaign_id, 1, [(contact, "sms")])
                except BaseException as exc:  # reported below, not lost in the thread
                    errors.append(exc)

            threads = [threading.Thread(target=decide, args=(c,)) for c in ("camp-a", "camp-b")]
            # When both take the contact's SMS slot together
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
        assert not errors, errors
        # Then exactly one campaign got the slot and the other is capped
        outcomes = sorted(len(r) for r in results.values())
        assert outcomes == [0, 1], (round_, results)
        [entries] = channel_store.read_caps(TENANT, [contact])[contact].sends.values()
        assert len(entries) == 1, entries
        # (and they did meet: the second was refused the lease while the first decided)
        assert overlap.refused >= 1 and overlap.readers == 2
    # And no lease is left behind
    assert _lease_item(TENANT) is None


def test_a_dead_senders_lease_does_not_block_the_cap(h, cap_of_one):
    # Given a lease left by a sender that died (its time ran out a second ago)
    now = clock.now_ms()
    assert channel_store.take_cap_lease(TENANT, "dead-sender", now - 21_000, now - 1_000)
    # When a sender takes a slot
    capped = caps.take(TENANT, "camp-a", 1, [("c1", "sms")])
    # Then it gets it, the slot is recorded, and the lease is free again
    assert capped == set()
    assert caps.take(TENANT, "camp-b", 1, [("c1", "sms")]) == {("c1", "sms")}
    assert _lease_item(TENANT) is None


def test_a_live_lease_makes_take_give_up_without_recording_anything(h, cap_of_one, monkeypatch):
    # Given another sender holding the tenant's lease for another minute
    monkeypatch.setattr(caps, "WAIT_SECONDS", 0.05)
    now = clock.now_ms()
    assert channel_store.take_cap_lease(TENANT, "live-sender", now, now + 60_000)
    # When a sender tries to take a slot
    with pytest.raises(caps.CapContended):
        caps.take(TENANT, "camp-a", 1, [("c1", "sms")])
    # Then nothing was recorded, and the live holder still has its lease
    assert channel_store.read_caps(TENANT, ["c1"]) == {}
    assert _lease_item(TENANT)["holder"]["S"] == "live-sender"
    # And once the holder gives it back, the contact's slot is still free for anyone
    channel_store.give_back_cap_lease(TENANT, "live-sender")
    assert caps.take(TENANT, "camp-b", 1, [("c1", "sms")]) == set()
    assert caps.take(TENANT, "camp-a", 1, [("c1", "sms")]) == {("c1", "sms")}


def test_a_holder_past_write_by_writes_nothing_and_gives_the_lease_back(h, cap_of_one, monkeypatch):
    # Given a sender whose deadline to write has passed by the time it decided
    monkeypatch.setattr(caps, "WRITE_BY", -1.0)
    # When it takes slots for two contacts
    with pytest.raises(caps.CapContended):
        caps.take(TENANT, "camp-a", 1, [("c1", "sms"), ("c2", "email")])
    # Then no slot was recorded and the lease is gone
    assert channel_store.read_caps(TENANT, ["c1", "c2"]) == {}
    assert _lease_item(TENANT) is None
    # And a sender in time gets both slots
    monkeypatch.setattr(caps, "WRITE_BY", 10.0)
    assert caps.take(TENANT, "camp-b", 1, [("c1", "sms"), ("c2", "email")]) == set()


def test_a_batch_given_back_on_a_contended_cap_is_sent_in_full_on_redelivery(
    h, cap_of_one, monkeypatch
):
    from tests.conftest import FUNCTIONS

    # Given an SMS campaign to three contacts, and a cap lease the first sender cannot get
    headers = h.register()
    for n in range(3):
        _person(h, headers, n, email=False, whatsapp="unknown")
    c = _campaign(h, headers, ["sms"])
    queued = h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers).json()["data"]
    assert queued["queuedRecipients"] == 3
    real_take, tries = caps.take, []

    def contended_once(*args, **kwargs):
        tries.append(args)
        if len(tries) == 1:
            raise caps.CapContended("lease taken (test)")
        return real_take(*args, **kwargs)

    monkeypatch.setattr(caps, "take", contended_once)
    h.run_dispatch()
    events = list(h.sqs_event("SEND_QUEUE_URL"))
    records = [r for e in events for r in e["Records"]]
    assert len(records) == 1  # three recipients: one send batch
    # When the sender runs the batch and the cap is contended
    with pytest.raises(BatchProcessingError):  # its only record failed: SQS redelivers it
        FUNCTIONS["SenderFunction"].invoke({"Records": records})
    # Then nothing was sent and the batch is queued again (not claimed)
    assert OUTBOX.count() == 0 and len(tries) == 1
    body = json.loads(records[0]["body"])
    batch = _item(keys.send_batch_partition(body["t"], body["c"]), body["b"])
    assert batch["status"]["S"] == "queued" and "claimedAt" not in batch
    # When SQS delivers the record again
    again = FUNCTIONS["SenderFunction"].invoke({"Records": records})
    assert not again.get("batchItemFailures"), again
    h.drain()
    # Then every recipient got exactly one SMS and none is failed or of unknown delivery
    assert Counter(m["to"] for m in OUTBOX.list()) == {
        "+12015550100": 1,
        "+12015550101": 1,
        "+12015550102": 1,
    }
    outcomes = sorted((m.status, m.error) for m in _items(h, headers, c["id"]))
    assert outcomes == [("delivered", None)] * 3  # sent, then the sandbox receipts
    # And the campaign is sent, its credits debited once and none refunded
    stats = _stats(h, headers, c["id"])
    assert stats["status"] == "sent" and stats["sentCount"] == 3 and stats["failedCount"] == 0
    assert stats["credits"] == {"debited": 3, "refunded": 0, "used": 3}
    assert _me(h, headers)["tenant"]["credits"] == 1000 - 3


def test_suppressed_and_opted_out_addresses_get_no_campaign_email(h):
    from engage.contacts.consent import ConsentChannel, set_channel_consent
    from engage.email import store as email_store

    # Given four contacts opted in to e-mail, one address on the suppression list
    headers = h.register()
    tenant_id = _me(h, headers)["tenant"]["id"]
    people = [_person(h, headers, n) for n in range(4)]
    email_store.suppress(tenant_id, "P1@People.test", "bounce", None)
    c = _campaign(h, headers, ["email"])
    queued = h.client.post(f"/campaigns/{c['id']}/enqueue", headers=headers).json()["data"]
    # And one who opts out of e-mail after the campaign was queued
    set_channel_consent(tenant_id, people[2]["id"], ConsentChannel.EMAIL, "opted_out", "api")
    # When the campaign is sent
    h.send_all()
    # Then only the other two got the e-mail, once each
    assert Counter(m["to"] for m in EMAIL_OUTBOX.list()) == {
        "p0@people.test": 1,
        "p3@people.test": 1,
    }
    # And the suppressed one failed as suppressed, the opted-out one was not sent
    by_contact = {m.contact_id: (m.status, m.error) for m in _items(h, headers, c["id"])}
    assert by_contact[people[1]["id"]] == ("failed", "suppressed")
    assert by_contact[people[2]["id"]] == (
        "skipped",
        "opted out, deleted or changed number after dispatch",
    )
    assert by_contact[people[0]["id"]] == by_contact[people[3]["id"]] == ("sent", None)
    stats = _stats(h, headers, c["id"])
    assert stats["status"] == "sent" and stats["channels"]["email"]["sent"] == 2
    email = stats["channels"]["email"]  # the top-level counts are SMS's (seed 004)
    assert (email["failed"], email["skipped"]) == (1, 1)
    assert stats["credits"]["refunded"] == 2
    assert queued["queuedRecipients"] == 4
    assert _sent("email") == ["p0@people.test", "p3@people.test"]


def test_a_screened_email_to_an_unknown_or_opted_out_contact_is_refused(h):
    from engage.contacts.consent import ConsentChannel, set_channel_consent
    from engage.email.marketing import screen, send_marketing

    # Given a known contact who opted out of e-mail, and a contact id that does not exist
    headers = h.register()
    tenant_id = _me(h, headers)["tenant"]["id"]
    out = _person(h, headers, 0)
    set_channel_consent(tenant_id, out["id"], ConsentChannel.EMAIL, "opted_out", "api")
    recipients = [("no-such-contact", "ghost@people.test"), (out["id"], "p0@people.test")]
    screening = screen(tenant_id, recipients)
    # When marketing e-mails are sent to them with the batch's screening
    got = [
        send_marketing(tenant_id, cid, to, "Hi", "<p>Hi</p>", "Hi", "camp-x", "r", screening)
        for cid, to in recipients
    ]
    # Then both are refused without a provider call
    assert [(r.status, r.error) for r in got] == [
        ("failed", "unknown_contact"),
        ("failed", "opted_out"),
    ]
    assert EMAIL_OUTBOX.list() == []
