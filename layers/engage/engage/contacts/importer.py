"""CSV contact import: Shopify's customer export and the app's own template (issue 2;
seed 000 section 6: `{imported, skipped, invalid, errors: [{row, reason}]}`).

The file is validated in full before anything is written (encoding, header, a phone column,
size). Rows are then written in chunks of 100: one BatchGetItem finds numbers that already
belong to a contact, and BatchWriteItem writes each new contact with its phone guard. One
import runs per tenant at a time (a lease item), so two imports cannot both create a number.

Counting: `imported` = contacts created; `skipped` = rows whose number already belongs to a
contact (an existing one, or an earlier row of the same file); `invalid` = rows without a valid
number. `row` in errors is the data-row number (the first row after the header is 1).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from engage.contacts import store
from engage.contacts.import_columns import CONSENT_VALUES, GENDER_VALUES, HEADER_ALIASES
from engage.contacts.schemas import ContactImportResultPublic
from engage.contacts.service import new_contact_item
from engage.core import clock
from engage.core.errors import Conflict, PayloadTooLarge, ValidationFailed
from engage.core.phones import normalise_phone
from engage.tenants import service as tenants

MAX_ERRORS = 500
CHUNK_ROWS = 100
MAX_EMAIL = 254  # as POST /contacts accepts
MAX_TAG = 50
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _quoted(value: str, limit: int = 40) -> str:
    """A cell quoted for a row reason, cut to `limit` characters (reasons are stored)."""
    return repr(value if len(value) <= limit else value[:limit] + "...")


def norm_header(name: str) -> str:
    """`"Default Address Country Code"` -> `"defaultaddresscountrycode"`."""
    return re.sub(r"[^a-z0-9]", "", name.strip().lstrip("\ufeff").lower())


@dataclass
class Layout:
    """Column index of each known field; `phone` is always present."""

    columns: dict[str, int]


@dataclass
class ParsedRow:
    """One data row after normalisation; `phone` is None when it has no valid number."""

    row: int
    phone: str | None
    fields: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    raw_phone: str = ""


@dataclass
class ImportResult:
    """Counts and per-row reasons (seed 000 section 6)."""

    imported: int = 0
    skipped: int = 0
    invalid: int = 0
    total_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def note(self, row: int, reason: str) -> None:
        """Record a reason for a row (bounded to MAX_ERRORS entries)."""
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"row": row, "reason": reason})

    def to_public(self) -> ContactImportResultPublic:
        """Wire shape: `{imported, skipped, invalid, totalRows, errors}`."""
        return ContactImportResultPublic.model_validate(
            {
                "imported": self.imported,
                "skipped": self.skipped,
                "invalid": self.invalid,
                "totalRows": self.total_rows,
                "errors": self.errors,
            }
        )


def _encoding(head: bytes) -> str:
    if b"\x00" in head:
        raise ValidationFailed("The file is not a CSV text file", {"file": "binary content"})
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head[:-4] if len(head) > 8 else head)
        return "utf-8-sig"
    except UnicodeDecodeError:
        return "cp1252"


def open_text(binary: IO[bytes]) -> io.TextIOWrapper:
    """Wrap an upload as text (UTF-8 with or without BOM; Windows-1252 as a fallback)."""
    binary.seek(0)
    head = binary.read(65536)
    binary.seek(0)
    if not head.strip():
        raise ValidationFailed("The file is empty", {"file": "no header row"})
    return io.TextIOWrapper(binary, encoding=_encoding(head), newline="", errors="strict")


def read_layout(header: list[str]) -> Layout:
    """Map header cells to fields; raises ValidationFailed when no phone column exists."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = HEADER_ALIASES.get(norm_header(cell))
        if name and name not in columns:
            columns[name] = index
    if "phone" not in columns:
        raise ValidationFailed(
            "The file has no phone column",
            {
                "file": "expected a header such as phone, Phone or phoneNumber",
                "headers": [h[:60] for h in header[:30]],
            },
        )
    return Layout(columns)


def _cell(values: list[str], layout: Layout, name: str) -> str:
    index = layout.columns.get(name)
    if index is None or index >= len(values):
        return ""
    return values[index].strip().lstrip("'").strip()


def parse_row(number: int, values: list[str], layout: Layout, country: str) -> ParsedRow:
    """Normalise one row; field problems other than the phone become notes, not rejections."""
    region = _cell(values, layout, "country") or country
    raw_phone = _cell(values, layout, "phone")
    phone = normalise_phone(raw_phone, region)
    fields: dict[str, Any] = {}
    notes: list[str] = []
    for name in ("firstName", "lastName"):
        value = _cell(values, layout, name)
        fields[name] = value[:100] or None
    email = _cell(values, layout, "email")
    if len(email) > MAX_EMAIL:
        notes.append(f"email is longer than {MAX_EMAIL} characters; imported without it")
        email = ""
    elif email and not _EMAIL.match(email):
        notes.append(f"email {_quoted(email)} is not an e-mail address; imported without it")
        email = ""
    fields["email"] = email.lower() or None
    gender_raw = _cell(values, layout, "gender")
    fields["gender"] = GENDER_VALUES.get(gender_raw.lower()) if gender_raw else None
    if gender_raw and fields["gender"] is None:
        notes.append(
            f"gender {_quoted(gender_raw)} is not male, female or other; imported without it"
        )
    birth_raw = _cell(values, layout, "birthDate")
    fields["birthDate"] = None
    if birth_raw:
        try:
            birth = dt.date.fromisoformat(birth_raw[:10])
            if birth.year < 1900 or birth > dt.date.today():
                raise ValueError(birth_raw)
            fields["birthDate"] = birth.isoformat()
        except ValueError:
            notes.append(f"birthDate {_quoted(birth_raw)} is not an ISO date; imported without it")
    for column in ("smsConsent", "whatsappConsent", "emailConsent"):
        consent_raw = _cell(values, layout, column)
        consent = CONSENT_VALUES.get(re.sub(r"[^a-z0-9]", "", consent_raw.lower()))
        if consent is None:
            notes.append(f"{column} {_quoted(consent_raw)} not recognised; imported as unknown")
            consent = "unknown"
        if column == "emailConsent" and not fields["email"]:
            consent = "unknown"  # no address to send to
        fields[column] = consent
    tags = _cell(values, layout, "tags")
    cleaned = [t.strip() for t in tags.split(",") if t.strip()]
    if any(len(t) > MAX_TAG for t in cleaned):
        notes.append(f"tags longer than {MAX_TAG} characters were left out")
    fields["tags"] = list(dict.fromkeys(t for t in cleaned if len(t) <= MAX_TAG))[:50]
    return ParsedRow(number, phone, fields, notes, raw_phone)


def iter_rows(
    text: IO[str], country: str, start_row: int = 0
) -> tuple[Layout, Iterator[ParsedRow]]:
    """Read the header and return the layout and an iterator over rows after `start_row`."""
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration:
        raise ValidationFailed("The file is empty", {"file": "no header row"}) from None
    except (csv.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed("The file is not valid CSV", {"file": str(exc)}) from exc
    layout = read_layout(header)

    def rows() -> Iterator[ParsedRow]:
        number = 0
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            number += 1
            if number <= start_row:
                continue
            yield parse_row(number, values, layout, country)

    return layout, rows()


def check_file(binary: IO[bytes], max_bytes: int) -> int:
    """Validate the whole upload before any write; returns its number of data rows.

    Raises PayloadTooLarge (413) over `max_bytes`, ValidationFailed (400) for an empty,
    binary, undecodable or malformed file, or one without a phone column.
    """
    binary.seek(0, io.SEEK_END)
    size = binary.tell()
    if size > max_bytes:
        raise PayloadTooLarge(
            "The file is larger than the import limit",
            {"file": f"{size} bytes; the limit is {max_bytes} bytes"},
        )
    text = open_text(binary)
    try:
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            raise ValidationFailed("The file is empty", {"file": "no header row"})
        read_layout(header)
        count = sum(1 for values in reader if any(v.strip() for v in values))
    except (csv.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed("The file is not valid CSV", {"file": str(exc)}) from exc
    finally:
        text.detach()
    binary.seek(0)
    return count


def _write_new(tenant_id: str, rows: list[ParsedRow], result: ImportResult) -> None:
    """Create contacts (and their phone guards) for rows whose numbers are new, with
    BatchWriteItem. Safe because imports of one tenant hold the tenant's import lease."""
    if not rows:
        return
    items = []
    for row in rows:
        item = new_contact_item(tenant_id, row.phone or "", row.fields)
        if item.sms_consent == "opted_out":
            item.opt_out_source = "import"
        items.append(item)
    store.write_new_contacts(tenant_id, items)
    result.imported += len(rows)
    tenants.add_counters(tenant_id, contact_count=len(rows))


@contextmanager
def import_lease(tenant_id: str, seconds: int = 900) -> Iterator[None]:
    """Hold the tenant's import lease (one import at a time per tenant); Conflict if taken.

    Imports check which numbers exist and then batch-write the new ones; the lease keeps two
    imports of one tenant from both creating the same number in between.
    """
    if not store.take_import_lease(tenant_id, int(clock.now().timestamp()), seconds):
        raise Conflict("Another import is running for this account; try again when it finishes")
    try:
        yield
    finally:
        store.release_import_lease(tenant_id)


def import_rows(
    tenant_id: str,
    rows: Iterator[ParsedRow],
    result: ImportResult | None = None,
    on_chunk: Callable[[ImportResult, int], None] | None = None,
) -> ImportResult:
    """Write parsed rows in chunks; `on_chunk(result, last_row)` reports progress."""
    result = result or ImportResult()
    seen: set[str] = set()
    chunk: list[ParsedRow] = []

    def flush() -> None:
        if not chunk:
            return
        fresh: list[ParsedRow] = []
        for row in chunk:
            for note in row.notes:
                result.note(row.row, note)
            if row.phone is None:
                result.invalid += 1
                reason = (
                    "missing phone number"
                    if not row.raw_phone
                    else (f"{_quoted(row.raw_phone)} is not a valid phone number")
                )
                result.note(row.row, reason)
            elif row.phone in seen:
                result.skipped += 1
            else:
                seen.add(row.phone)
                fresh.append(row)
        existing = store.existing_phones(tenant_id, [r.phone or "" for r in fresh])
        result.skipped += sum(1 for r in fresh if r.phone in existing)
        _write_new(tenant_id, [r for r in fresh if r.phone not in existing], result)
        last = chunk[-1].row
        chunk.clear()
        if on_chunk:
            on_chunk(result, last)

    for row in rows:
        result.total_rows += 1
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            flush()
    flush()
    return result


def import_file(tenant_id: str, binary: IO[bytes]) -> ImportResult:
    """Synchronous import of an already checked file (under the tenant's import lease)."""
    country = tenants.get_settings_of(tenant_id).defaultCountry
    with import_lease(tenant_id):
        text = open_text(binary)
        try:
            _, rows = iter_rows(text, country)
            return import_rows(tenant_id, rows)
        finally:
            text.detach()
