"""Sample data in real formats, generated here so tests, the demo and the benchmarks never need
anything outside the project. Numbers are in ranges reserved for fiction: NANP 555-0100..0199
and Australia's 0491 570 xxx.

`shopify_export(n)` writes Shopify's customer export layout (UTF-8 BOM, CRLF, apostrophe-
prefixed ids and phones, national formats resolved by `Default Address Country Code`, quoted
fields with commas, quotes and line breaks, non-ASCII names, blank and junk phones, the same
number twice in another format) and returns the counts an import must report.

From a shell (the README's by-hand walk): `python -m local.samples customers_export.csv`
writes such an export (200 rows unless `--rows`) and prints what importing it must report.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import phonenumbers

SHOPIFY_HEADER = [
    "Customer ID",
    "First Name",
    "Last Name",
    "Email",
    "Accepts Email Marketing",
    "Default Address Company",
    "Default Address Address1",
    "Default Address Address2",
    "Default Address City",
    "Default Address Province Code",
    "Default Address Country Code",
    "Default Address Zip",
    "Default Address Phone",
    "Phone",
    "Accepts SMS Marketing",
    "Total Spent",
    "Total Orders",
    "Note",
    "Tax Exempt",
    "Tags",
]
FIRST = [
    "Ava",
    "Ben",
    "Chloé",
    "Dev",
    "Émile",
    "Fatima",
    "Günter",
    "Hana",
    "Ivo",
    "Jaya",
    "Kofi",
    "Lena",
    "Mateus",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Søren",
    "Xóchitl",
]
LAST = [
    "D'Souza",
    "Jovanović",
    "Kowalski",
    "Nakamura",
    "Tanaka",
    "Haddad",
    "Petrov",
    "Quispe",
    "Lindqvist",
    "Müller",
    "O'Brien",
    "Sato",
    "Vargas",
    "Ueda",
    "Fontaine",
]
JUNK = ["12345", "000", "call me", "n/a"]


@lru_cache(maxsize=1)
def area_codes() -> list[int]:
    """US area codes whose 555-01xx numbers libphonenumber accepts as valid."""
    out = []
    for code in range(201, 990):
        number = phonenumbers.parse(f"+1{code}5550100")
        if phonenumbers.is_valid_number(number):
            out.append(code)
    return out


def us_number(i: int) -> str:
    """The i-th fictional US number in E.164 (distinct for i < 100 * len(area_codes()))."""
    codes = area_codes()
    return f"+1{codes[(i // 100) % len(codes)]}55501{i % 100:02d}"


@dataclass
class Sample:
    """A generated file and what importing it must report."""

    content: bytes
    rows: int
    imported: int
    skipped: int
    invalid: int
    opted_in: int
    opted_in_phones: list[str]


def shopify_export(n: int, seed: int = 7, bom: bool = True) -> Sample:
    """`n` customers in Shopify's export layout; see the module docstring."""
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(SHOPIFY_HEADER)
    imported = skipped = invalid = 0
    opted: list[str] = []
    used: list[str] = []
    next_number = 0
    for i in range(n):
        kind = rng.random()
        consent = "yes" if rng.random() < 0.6 else "no"
        country = "US"
        if kind < 0.05:
            phone, e164 = rng.choice(["", *JUNK]), None
        elif kind < 0.10 and used:
            e164 = rng.choice(used)  # the same number again, written another way
            if e164.startswith("+61"):
                phone, country = f"0{e164[3:6]} {e164[6:9]} {e164[9:]}", "AU"
            else:
                phone = f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
        elif kind < 0.12:
            e164 = f"+614915701{next_number % 100:02d}"
            next_number += 1
            phone, country = f"0491 570 1{e164[-2:]}", "AU"
        else:
            e164 = us_number(next_number)
            next_number += 1
            phone = "'" + e164 if rng.random() < 0.7 else f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
        if e164 is None:
            invalid += 1
        elif e164 in used:
            skipped += 1
        else:
            used.append(e164)
            imported += 1
            if consent == "yes":
                opted.append(e164)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        note = rng.choice(
            ["", "Prefers texts, not calls", 'Said "hi", then left', "Line one\r\nline two"]
        )
        writer.writerow(
            [
                f"'{7985351724485 + i}",
                first,
                last,
                f"{first.lower()}.{i}@example.com",
                rng.choice(["yes", "no"]),
                rng.choice(["", "Acme, Inc.", "Ørsted Ltd"]),
                f"{100 + i} Main St",
                "",
                "Springfield",
                "IL",
                country,
                f"'0{rng.randint(1000, 9999)}",
                "",
                phone,
                consent,
                f"{rng.uniform(5, 900):.2f}",
                str(rng.randint(0, 12)),
                note,
                "no",
                rng.choice(["", "VIP", "wholesale", "Bronze VIP, loyal"]),
            ]
        )
    text = out.getvalue()
    content = (("\ufeff" if bom else "") + text).encode("utf-8")
    return Sample(content, n, imported, skipped, invalid, len(opted), opted)


def app_template(rows: list[dict[str, str]]) -> bytes:
    """The app's own import template (phone, firstName, lastName, email, gender, birthDate,
    smsConsent)."""
    header = ["phone", "firstName", "lastName", "email", "gender", "birthDate", "smsConsent"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in header})
    return out.getvalue().encode()


def main(argv: list[str] | None = None) -> int:
    """Write a Shopify customer export to the path given; print what an import must report."""
    parser = argparse.ArgumentParser(
        prog="python -m local.samples",
        description="Write a sample Shopify customer export (fictional numbers only).",
    )
    parser.add_argument("path", type=Path, help="file to write, e.g. customers_export.csv")
    parser.add_argument("--rows", type=int, default=200, help="customers (default 200)")
    parser.add_argument("--seed", type=int, default=7, help="the same seed, the same file")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    sample = shopify_export(args.rows, seed=args.seed)
    args.path.write_bytes(sample.content)
    print(
        f"wrote {args.path} ({sample.rows} rows, Shopify layout): an import reports "
        f"imported={sample.imported} skipped={sample.skipped} invalid={sample.invalid}; "
        f"{sample.opted_in} accept SMS marketing"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
