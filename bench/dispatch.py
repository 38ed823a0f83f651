"""`make bench`: one SMS campaign to N opted-in recipients (default 20,000), then one
campaign on SMS, WhatsApp and e-mail to N recipients opted in to all three (issue 10 "Speed").

Pipeline: the real path from `enqueue` (audience pass, pricing, atomic credit debit, execution
start) through the dispatch tasks (audience pages, message items, send-batch claims, SQS
batches) and the sender (claims, consent re-check, sandbox provider, outcome writes, counters)
until the campaign is `sent`; the sandbox's delivery receipts are then applied and timed
separately. Floor: raw boto3 BatchWriteItem of the irreducible writes only: one message item
per recipient, with its outcome (the product writes no `queued` item: the text travels in the
SQS message), with the attributes the product stores (its text, contact, short-link token and
link-index entry, provider id and receipt-index entry), written out by hand: moto's cost grows
with an item's attributes, so a floor of smaller items than the product must store would not be
this product's floor. The three-channel campaign's floor is the same writes for its 3N
message items (one per recipient per channel). A second floor adds one frequency-cap item
per recipient (what the product's exact per-contact cap records; its ratio is printed beside
the first, which stays the aim's). `BENCH_DISPATCH=sms` or `channels` runs one.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

from bench.common import (
    bench_main,
    count_requests,
    measure,
    moto_server,
    moto_tables,
    report,
    run_child,
)

CHANNELS = ["sms", "whatsapp", "email"]


def _setup(n: int, channels: bool = False) -> tuple[str, str]:
    import boto3

    from engage.campaigns.schemas import SmsCampaignCreate
    from engage.campaigns.service import create_campaign
    from engage.contacts.models import ContactItem
    from engage.contacts.service import new_contact_item, phone_item
    from engage.tenants.service import new_tenant_item, tenant_id_of
    from local.cfn import ROOT
    from local.samples import us_number

    definition = (
        (ROOT / "statemachines/campaign_dispatch.asl.json")
        .read_text()
        .replace(
            "${DispatchFunctionArn}", "arn:aws:lambda:us-east-1:123456789012:function:dispatch"
        )
    )
    os.environ["DISPATCH_STATE_MACHINE_ARN"] = boto3.client("stepfunctions").create_state_machine(
        name=os.environ["TABLE_NAME"],
        definition=definition,
        roleArn="arn:aws:iam::123456789012:role/sfn",
    )["stateMachineArn"]
    from engage.core.settings import get_settings

    get_settings.cache_clear()
    tenant = new_tenant_item("Bench")
    tenant.save()
    tenant_id = tenant_id_of(tenant)
    with ContactItem.batch_write() as batch:
        for i in range(n):
            phone = us_number(i)
            fields = {"firstName": "Ann", "smsConsent": "opted_in"}
            if channels:
                fields |= {"whatsappConsent": "opted_in", "emailConsent": "opted_in"}
                fields["email"] = f"ann{i}@people.test"
            item = new_contact_item(tenant_id, phone, fields)
            batch.save(item)
            batch.save(phone_item(tenant_id, phone, item.sk))
    from engage.tenants.service import add_counters

    add_counters(tenant_id, contact_count=n)
    campaign = create_campaign(
        tenant_id,
        SmsCampaignCreate(
            name="Bench",
            message="Hi {{firstName}}, the sale is on: https://shop.test/sale",
            audience="all",
        ),
    )
    if channels:
        from engage.campaigns.channel_schemas import CampaignChannelsUpdate
        from engage.campaigns.channels import set_channels

        settings = {
            "whatsapp": {"template": "HX" + "0" * 32, "variables": {"1": "{{firstName}}"}},
            "email": {
                "subject": "The sale, {{firstName}}",
                "html": '<p>Hi {{firstName}}, <a href="https://shop.test/sale">the sale</a>.</p>',
            },
        }
        body = CampaignChannelsUpdate.model_validate({"channels": CHANNELS, "settings": settings})
        set_channels(tenant_id, campaign["id"], body)
    return tenant_id, campaign["id"]


def _drain(queue_url: str, handle: object) -> int:
    import boto3

    sqs = boto3.client("sqs")
    handled = 0
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)
        messages = got.get("Messages", [])
        if not messages:
            return handled
        for m in messages:
            handle(m["Body"])  # type: ignore[operator]
            handled += 1
        sqs.delete_message_batch(
            QueueUrl=queue_url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
            ],
        )


def _consumers(queue_url: str, handle: object, workers: int, stop: threading.Event) -> list:
    """`workers` threads polling the queue as Lambda's SQS event source does (up to 10
    messages a receive, deleted once handled), until `stop` is set and the queue is empty."""
    import boto3

    def work() -> None:
        sqs = boto3.client("sqs")
        while True:
            stopping = stop.is_set()
            got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            messages = got.get("Messages", [])
            if not messages:
                if stopping:
                    return
                continue
            for m in messages:
                handle(m["Body"])  # type: ignore[operator]
            sqs.delete_message_batch(
                QueueUrl=queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(messages)
                ],
            )

    threads = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for t in threads:
        t.start()
    return threads


def _pipeline(n: int, channels: bool = False) -> dict[str, object]:
    from engage.campaigns import dispatch
    from engage.campaigns.enqueue import enqueue
    from engage.campaigns.receipts import apply_receipts
    from engage.campaigns.sender import process_record_body
    from engage.campaigns.service import get_item
    from engage.channels.base import Receipt

    senders = int(os.environ.get("BENCH_SENDERS", "5"))
    with moto_tables():
        tenant_id, campaign_id = _setup(n, channels)
        messages = n * (len(CHANNELS) if channels else 1)

        phases: dict[str, float] = {}

        def send() -> int:
            t0 = time.perf_counter()
            enqueue(tenant_id, campaign_id)
            t1 = time.perf_counter()
            stop = threading.Event()
            threads = _consumers(os.environ["SEND_QUEUE_URL"], process_record_body, senders, stop)
            start = {"tenantId": tenant_id, "campaignId": campaign_id, "run": 1}
            state = dispatch.prepare(dispatch.DispatchState(**start))
            while not state["done"]:
                state = dispatch.resolve_page(dispatch.DispatchState(**state))
            dispatch.finalize(dispatch.DispatchState(**state))
            t2 = time.perf_counter()
            stop.set()
            for t in threads:
                t.join()
            phases["enqueue (resolve, price, snapshot, debit, start)"] = round(t1 - t0, 2)
            phases[f"dispatch (pages, messages, SQS; {senders} senders consuming meanwhile)"] = (
                round(t2 - t1, 2)
            )
            phases["send after dispatch ended (claims, provider, outcomes)"] = round(
                time.perf_counter() - t2, 2
            )
            item = get_item(tenant_id, campaign_id)
            assert item.status == "sent" and int(item.sent_count) == messages, item.status
            return messages

        result = measure(send)
        result["phases"] = phases

        def receipts() -> int:
            def apply(body: str) -> None:
                apply_receipts([Receipt(**r) for r in json.loads(body)["receipts"]])

            _drain(os.environ["RECEIPTS_QUEUE_URL"], apply)
            return messages

        result["receipts"] = measure(receipts)
    return result


def _message_item(i: int, outcome: bool) -> dict[str, dict[str, str]]:
    """Message item `i` as the product stores it (engage.campaigns.message_store.Message.item):
    queued with its short-link token and link-index entry; with its outcome, also the provider's
    id and the receipt-index entry. Written out here, not through Engage's code."""
    contact = f"{i:026d}"
    item = {
        "PK": {"S": f"T#0123456789ABCDEFGHJKMNPQRS#M#0123456789ABCDEFGHJKMNPQRS#{i % 8}"},
        "SK": {"S": f"0001#{contact}"},
        "contactId": {"S": contact},
        "phone": {"S": "+12015550100"},
        "body": {"S": "Hi Ann, the sale is on: https://sho.rt/r/abcdefgh0"},
        "segments": {"N": "1"},
        "status": {"S": "sent" if outcome else "queued"},
        "createdAt": {"S": "2026-01-01T00:00:00.000Z"},
        "token": {"S": f"t{i:07d}"},
        "GSI1PK": {"S": f"LINK#t{i:07d}"},
        "GSI1SK": {"S": "LINK"},
    }
    if outcome:
        item["provider"] = {"S": "sandbox"}
        item["providerMessageId"] = {"S": f"SM{i:032d}"}
        item["updatedAt"] = {"S": "2026-01-01T00:00:01.000Z"}
        item["GSI2PK"] = {"S": f"PSID#sandbox#SM{i:032d}"}
        item["GSI2SK"] = {"S": "MSG"}
    return item


def _channel_message_item(i: int, channel: str) -> dict[str, dict[str, str]]:
    """Message item `i` on `channel` as the product stores it: an SMS as `_message_item`; a
    WhatsApp message beside it (`SK=...#whatsapp`, `channel`); an e-mail with its address
    (`email` instead of `phone`) and its subject as `body`."""
    item = _message_item(i, outcome=True)
    if channel == "sms":
        return item
    item["SK"] = {"S": f"{item['SK']['S']}#{channel}"}
    item["channel"] = {"S": channel}
    item["token"] = {"S": f"{channel[0]}{i:07d}"}
    item["GSI1PK"] = {"S": f"LINK#{channel[0]}{i:07d}"}
    item["providerMessageId"] = {"S": f"{channel[0].upper()}{i:033d}"}
    item["GSI2PK"] = {"S": f"PSID#sandbox#{channel[0].upper()}{i:033d}"}
    if channel == "email":
        del item["phone"]
        item["email"] = {"S": f"ann{i}@people.test"}
        item["body"] = {"S": "The sale, Ann"}
    return item


def _cap_item(i: int, channels: list[str]) -> dict[str, dict]:
    """Recipient `i`'s frequency-cap item as the product stores it
    (engage.campaigns.channel_store.put_caps): one send recorded per channel."""
    entry = {"S": "2026-01-01T00:00:00.000Z#0123456789ABCDEFGHJKMNPQRS#1"}
    item: dict[str, dict] = {
        "PK": {"S": f"T#0123456789ABCDEFGHJKMNPQRS#FCAP#{i % 8}"},
        "SK": {"S": f"{i:026d}"},
        "expiresAt": {"N": "1767830400"},
    }
    item |= {channel: {"L": [entry]} for channel in channels}
    return item


def _floor(n: int, channels: bool = False, cap: bool = False) -> dict[str, object]:
    """The floor's writes; with `cap`, also one frequency-cap item per recipient (the record
    an exact per-contact cap cannot do without), in the same BatchWriteItem stream."""
    import boto3

    with moto_tables():
        ddb = boto3.client("dynamodb")
        table = os.environ["TABLE_NAME"]
        on = CHANNELS if channels else ["sms"]
        items = [_channel_message_item(i, channel) for i in range(n) for channel in on]
        units = len(items)
        if cap:
            items += [_cap_item(i, on) for i in range(n)]

        def run() -> int:
            for j in range(0, len(items), 25):
                ddb.batch_write_item(
                    RequestItems={
                        table: [{"PutRequest": {"Item": item}} for item in items[j : j + 25]]
                    }
                )
            return units

        out = measure(run)
    return out


def _channels_child() -> bool:
    """`--child channels` / `--child channels-floor`: run that side and print its JSON."""
    if "--child" not in sys.argv:
        return False
    mode = sys.argv[sys.argv.index("--child") + 1]
    if mode not in ("channels", "channels-floor", "channels-floor-cap", "floor-cap"):
        return False
    n = int(sys.argv[sys.argv.index("--n") + 1])
    count_requests()
    if mode == "channels":
        side = _pipeline(n, True)
    else:
        side = _floor(n, mode.startswith("channels"), mode.endswith("-cap"))
    print(json.dumps(side))
    return True


def _report(title: str, pipeline: dict, floor: dict, capped: dict) -> None:
    receipts = pipeline.pop("receipts")
    phases = pipeline.pop("phases")
    with_cap = pipeline["per_second"] / capped["per_second"] if capped["per_second"] else 0.0
    report(
        title,
        "messages",
        pipeline,
        floor,
        {
            "pipeline seconds by phase": phases,
            "delivery receipts applied afterwards": f"{receipts['per_second']}/s, "
            f"{receipts['requests_per_unit']} requests per receipt",
            "floor plus the frequency cap's record (one cap item per recipient)": (
                f"{capped['per_second']} messages/s; ratio pipeline/that floor: {with_cap:.2f}"
            ),
            "aim": "ratio >= 0.5 (against the first floor)",
        },
    )


def main() -> None:
    if _channels_child():
        return
    which = os.environ.get("BENCH_DISPATCH", "both")
    n = int(os.environ.get("BENCH_RECIPIENTS", "20000"))
    if which in ("both", "sms"):
        pipeline, floor, n = bench_main("bench.dispatch", _pipeline, _floor)
        with moto_server() as endpoint:
            capped = run_child("bench.dispatch", "floor-cap", n, endpoint)
        _report(
            f"Campaign dispatch to {n} opted-in recipients (enqueue -> all sent)",
            pipeline,
            floor,
            capped,
        )
    if which in ("both", "channels"):
        with moto_server() as endpoint:
            floor = run_child("bench.dispatch", "channels-floor", n, endpoint)
            capped = run_child("bench.dispatch", "channels-floor-cap", n, endpoint)
            pipeline = run_child("bench.dispatch", "channels", n, endpoint)
        _report(
            f"Campaign on SMS, WhatsApp and e-mail to {n} recipients opted in to all three "
            f"({3 * n} messages; floor: one write per message item per channel)",
            pipeline,
            floor,
            capped,
        )


if __name__ == "__main__":
    main()
