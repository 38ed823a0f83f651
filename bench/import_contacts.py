"""`make bench`: contact import of N rows (default 20,000) in Shopify's layout.

Pipeline: the real import (`engage.contacts.importer`: CSV decoding, header mapping, E.164
normalisation, duplicate detection, BatchGetItem of phone guards, BatchWriteItem of contacts
and guards, counters). Floor: raw boto3 BatchWriteItem of the irreducible writes only (one
contact item and one phone guard per imported row), from pre-normalised data.
Prints throughput, their ratio, AWS requests per row and each side's peak memory.
"""

from __future__ import annotations

import io
import os

from bench.common import bench_main, measure, moto_tables, report


def _pipeline(n: int) -> dict[str, object]:
    from engage.contacts.importer import import_rows, iter_rows, open_text
    from engage.tenants.service import new_tenant_item, tenant_id_of
    from local.samples import shopify_export

    content = shopify_export(n, seed=1).content
    with moto_tables():
        tenant = new_tenant_item("Bench")
        tenant.save()
        tenant_id = tenant_id_of(tenant)

        def run() -> int:
            text = open_text(io.BytesIO(content))
            _, rows = iter_rows(text, "US")
            result = import_rows(tenant_id, rows)
            return result.total_rows

        out = measure(run)
    return out


def _floor(n: int) -> dict[str, object]:
    import boto3

    from local.samples import shopify_export

    sample = shopify_export(n, seed=1)
    phones = sorted(set(sample.opted_in_phones)) + [
        f"+1999{i:07d}" for i in range(sample.imported - len(set(sample.opted_in_phones)))
    ]
    with moto_tables():
        ddb = boto3.client("dynamodb")

        def run() -> int:
            items = []
            for i, phone in enumerate(phones):
                cid = f"{i:026d}"
                items.append(
                    {
                        "PK": {"S": f"T#t#C#{i % 4}"},
                        "SK": {"S": cid},
                        "phoneE164": {"S": phone},
                        "firstName": {"S": "Ann"},
                        "smsConsent": {"S": "opted_in"},
                        "createdAt": {"S": "2026"},
                    }
                )
                items.append(
                    {
                        "PK": {"S": f"T#t#PHONE#{phone}"},
                        "SK": {"S": "PHONE"},
                        "contactId": {"S": cid},
                        "GSI1PK": {"S": f"PHONE#{phone}"},
                        "GSI1SK": {"S": "T#t"},
                    }
                )
            for j in range(0, len(items), 25):
                ddb.batch_write_item(
                    RequestItems={
                        os.environ["TABLE_NAME"]: [
                            {"PutRequest": {"Item": it}} for it in items[j : j + 25]
                        ]
                    }
                )
            return n

        out = measure(run)
    return out


def main() -> None:
    pipeline, floor, n = bench_main("bench.import_contacts", _pipeline, _floor)
    report(
        f"Contact import, {n} rows (Shopify layout)",
        "rows",
        pipeline,
        floor,
        {"aim": "ratio >= 0.5 and pipeline peak RSS < 200 MB"},
    )


if __name__ == "__main__":
    main()
