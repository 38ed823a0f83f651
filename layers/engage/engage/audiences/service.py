"""Segments and audience resolution (seed 004 "System Segments", "Segment Resolution").

System segments are created on first listing with conditional puts on fixed ids, so concurrent
first calls create each exactly once. Ages are computed from `birthDate` on today's date in the
tenant's time zone; contacts without a birth date are in no age segment, and gender `other` is
in no gender segment.

Audience resolution walks the tenant's contact shards page by page (Query, never Scan) and is
resumable from a cursor, so the dispatch state machine can take it one page per task.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from engage.audiences import store
from engage.audiences.models import SegmentItem
from engage.audiences.schemas import (
    SegmentCreate,
    SegmentListPublic,
    SegmentPreviewPublic,
    SegmentPublic,
    SegmentType,
)
from engage.contacts import store as contacts
from engage.contacts.models import ContactItem
from engage.core import clock, ids
from engage.core.errors import Conflict, NotFound, ValidationFailed
from engage.core.settings import get_settings
from engage.tenants import service as tenants

SYSTEM_SEGMENTS: list[tuple[str, str, dict[str, Any]]] = [
    ("gender_male", "Male", {"gender": "male"}),
    ("gender_female", "Female", {"gender": "female"}),
    ("gender_unknown", "Unknown gender", {"gender": None}),
    ("age_18_24", "Age 18-24", {"age": {"gte": 18, "lte": 24}}),
    ("age_25_34", "Age 25-34", {"age": {"gte": 25, "lte": 34}}),
    ("age_35_44", "Age 35-44", {"age": {"gte": 35, "lte": 44}}),
    ("age_45_54", "Age 45-54", {"age": {"gte": 45, "lte": 54}}),
    ("age_55_plus", "Age 55+", {"age": {"gte": 55}}),
]
LEGACY_AUDIENCES = {"men": "sys_gender_male", "women": "sys_gender_female"}
COUNT_LIMIT = 50_000
# A segment id: `sys_<key>` or an `ids.new_id` (ULID layout); anything else names no segment.
SEGMENT_ID = re.compile(r"^(sys_[a-z0-9_]{1,40}|[0-9A-HJKMNP-TV-Z]{26})$")
SEGMENT_MEMBER_ID = re.compile(r"^[0-9A-HJKMNP-TV-Z]{26}$")  # a contact id


def system_segment_id(key: str) -> str:
    """Fixed id of a system segment."""
    return f"sys_{key}"


def tenant_today(tenant_id: str) -> dt.date:
    """Today's date in the tenant's time zone."""
    tz = ZoneInfo(tenants.get_settings_of(tenant_id).timezone)
    return clock.now().astimezone(tz).date()


def age_on(birth: dt.date, today: dt.date) -> int:
    """Whole years between `birth` and `today`."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def matches(contact: ContactItem, criteria: dict[str, Any], today: dt.date) -> bool:
    """Whether a contact meets every condition of `criteria` (the stored JSON shape)."""
    if "gender" in criteria and contact.gender != criteria["gender"]:
        return False
    if criteria.get("age"):
        if not contact.birth_date:
            return False
        age = age_on(dt.date.fromisoformat(contact.birth_date), today)
        rng = criteria["age"]
        if rng.get("gte") is not None and age < rng["gte"]:
            return False
        if rng.get("lte") is not None and age > rng["lte"]:
            return False
    if criteria.get("tags"):
        wanted = {t.lower() for t in criteria["tags"]}
        if not wanted & {str(t).lower() for t in (contact.tags or [])}:
            return False
    if criteria.get("consent") and contact.sms_consent != criteria["consent"]:
        return False
    created = criteria.get("createdAt")
    if created:
        day = contact.created_at[:10]
        if created.get("gte") and day < str(created["gte"]):
            return False
        if created.get("lte") and day > str(created["lte"]):
            return False
    return True


def to_public(item: SegmentItem, count: int | None = None) -> SegmentPublic:
    """Wire shape (seed 004 plus `criteriaJson` and `estimatedCount` of seed 000 section 8)."""
    return SegmentPublic(
        id=item.sk,
        key=item.key,
        name=item.name,
        type=SegmentType(item.type),
        criteria=item.criteria,
        criteria_json=item.criteria,
        static_count=int(item.static_count or 0),
        is_active=item.is_active,
        estimated_count=count,
        created_at=item.created_at,
    )


def ensure_system_segments(tenant_id: str) -> None:
    """Create any missing system segment (conditional put: safe under concurrency)."""
    existing = {s.sk for s in store.segments(tenant_id)}
    for key, name, criteria in SYSTEM_SEGMENTS:
        seg_id = system_segment_id(key)
        if seg_id in existing:
            continue
        store.put_if_absent(
            store.new_item(
                tenant_id,
                seg_id,
                key=key,
                name=name,
                type=SegmentType.SYSTEM.value,
                criteria=criteria,
                created_at=clock.now_iso(),
            )
        )


def list_segments(tenant_id: str) -> SegmentListPublic:
    """All segments with `estimatedCount` (opted-in members), computed in one pass over the
    contacts while the tenant has at most 50,000 of them (else null: use preview)."""
    ensure_system_segments(tenant_id)
    items = sorted(
        store.segments(tenant_id),
        key=lambda s: (s.type != SegmentType.SYSTEM, s.created_at, s.sk),
    )
    counts: dict[str, int | None] = {s.sk: None for s in items}
    if int(tenants.get_tenant(tenant_id).contact_count) <= COUNT_LIMIT:
        counts = {s.sk: 0 for s in items}
        today = tenant_today(tenant_id)
        statics = {s.sk: store.member_ids(tenant_id, s.sk) for s in items if s.static_count}
        for contact in contacts.iter_all(
            tenant_id, filter_condition=ContactItem.sms_consent == "opted_in"
        ):
            for seg in items:
                if _in_segment(contact, seg, today, statics.get(seg.sk)):
                    counts[seg.sk] = (counts[seg.sk] or 0) + 1
    return SegmentListPublic(segments=[to_public(s, counts[s.sk]) for s in items], total=len(items))


def _in_segment(
    contact: ContactItem, seg: SegmentItem, today: dt.date, members: set[str] | None
) -> bool:
    if members and contact.sk in members:
        return True
    return bool(seg.criteria) and matches(contact, seg.criteria, today)


def get_segment(tenant_id: str, segment_id: str) -> SegmentItem:
    """The segment; NotFound for unknown, malformed and other tenants' ids."""
    if not SEGMENT_ID.match(segment_id):
        raise NotFound("Segment not found")
    if segment_id.startswith("sys_"):
        ensure_system_segments(tenant_id)
    item = store.get(tenant_id, segment_id)
    if item is None:
        raise NotFound("Segment not found")
    return item


def create_segment(tenant_id: str, body: SegmentCreate) -> SegmentPublic:
    """A custom segment; every static member must be a contact of this tenant (else 400)."""
    members = list(dict.fromkeys(body.contact_ids or []))
    if members:
        well_formed = [m for m in members if SEGMENT_MEMBER_ID.match(m)]
        found = contacts.batch_get(tenant_id, well_formed)
        missing = [m for m in members if m not in found]
        if missing:
            raise ValidationFailed(
                "Unknown contacts in contactIds",
                {"contactIds": [m for m in missing if SEGMENT_MEMBER_ID.match(m)][:50]},
            )
    criteria = (
        body.criteria.model_dump(mode="json", by_alias=True, exclude_unset=True)
        if body.criteria
        else {}
    )
    seg_id = ids.new_id()
    item = store.new_item(
        tenant_id,
        seg_id,
        key=f"custom_{seg_id.lower()}",
        name=body.name,
        type=SegmentType.CUSTOM.value,
        criteria=criteria,
        static_count=len(members),
        created_at=clock.now_iso(),
    )
    store.add_members(tenant_id, seg_id, members)
    store.put(item)
    return to_public(item)


def delete_segment(tenant_id: str, segment_id: str) -> None:
    """Delete a custom segment and its memberships; system segments cannot be deleted (409)."""
    seg = get_segment(tenant_id, segment_id)
    if seg.type == SegmentType.SYSTEM:
        raise Conflict("System segments cannot be deleted")
    store.delete(tenant_id, seg)


# --- audience resolution -------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """A normalised campaign audience: everyone, or one segment of the tenant."""

    type: str  # all | segment
    segment_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Stored / wire form: `{"type": "all"}` or `{"type": "segment", "segmentId": ...}`."""
        return (
            {"type": "all"}
            if self.type == "all"
            else {"type": "segment", "segmentId": self.segment_id}
        )


def parse_audience(raw: Any) -> Audience:
    """Both audience formats of seed 004: `"all"`, `"men"`, `"women"`, `"segment:<id>"`, or
    `{"type": "all"}` / `{"type": "segment", "segmentId": "<id>"}`; raises ValidationFailed."""
    if isinstance(raw, str):
        value = raw.strip()
        if value == "all":
            return Audience("all")
        if value in LEGACY_AUDIENCES:
            return Audience("segment", LEGACY_AUDIENCES[value])
        if value.startswith("segment:") and SEGMENT_ID.match(value.removeprefix("segment:")):
            return Audience("segment", value.removeprefix("segment:"))
    elif isinstance(raw, dict):
        kind = raw.get("type")
        extra = set(raw) - {"type", "segmentId"}
        if kind == "all" and not extra:
            return Audience("all")
        segment_id = raw.get("segmentId")
        if (
            kind == "segment"
            and isinstance(segment_id, str)
            and SEGMENT_ID.match(segment_id)
            and not extra
        ):
            return Audience("segment", segment_id)
    raise ValidationFailed(
        "Invalid audience",
        {
            "audience": 'use "all", "men", "women", "segment:<id>", {"type": "all"} or '
            '{"type": "segment", "segmentId": "<id>"}'
        },
    )


@dataclass
class Page:
    """One page of resolved recipients and the cursor to continue (None when done)."""

    contacts: list[ContactItem]
    cursor: dict[str, Any] | None


class Resolver:
    """Resolves an audience for one tenant, page by page, optionally opted-in only and only
    contacts created before `before_id` (the recipients frozen at enqueue time)."""

    def __init__(
        self,
        tenant_id: str,
        audience: Audience,
        *,
        opted_in_only: bool = True,
        before_id: str | None = None,
    ) -> None:
        self.tenant_id = tenant_id
        self.audience = audience
        self.opted_in_only = opted_in_only
        self.before_id = before_id
        self.today = tenant_today(tenant_id)
        self.segment: SegmentItem | None = None
        if audience.type == "segment":
            self.segment = get_segment(tenant_id, audience.segment_id or "")

    def _wanted(self, contact: ContactItem) -> bool:
        if self.opted_in_only and contact.sms_consent != "opted_in":
            return False
        if self.before_id and contact.sk >= self.before_id:
            return False
        seg = self.segment
        return seg is None or (bool(seg.criteria) and matches(contact, seg.criteria, self.today))

    def page(self, cursor: dict[str, Any] | None, size: int) -> Page:
        """The next page after `cursor` (None = from the start)."""
        cur = dict(cursor or {"phase": "contacts", "shard": 0, "lek": None})
        seg = self.segment
        if cur["phase"] == "contacts":
            if seg is not None and not seg.criteria:
                cur = {"phase": "members", "lek": None}
            else:
                shards = get_settings().contact_shards
                condition = (ContactItem.sms_consent == "opted_in") if self.opted_in_only else None
                items, lek = contacts.query_page(
                    self.tenant_id, cur["shard"], cur["lek"], size, condition
                )
                chosen = [c for c in items if self._wanted(c)]
                if lek is not None:
                    return Page(chosen, {"phase": "contacts", "shard": cur["shard"], "lek": lek})
                if cur["shard"] + 1 < shards:
                    return Page(
                        chosen, {"phase": "contacts", "shard": cur["shard"] + 1, "lek": None}
                    )
                nxt = {"phase": "members", "lek": None} if seg and seg.static_count else None
                return Page(chosen, nxt)
        # Static members not already matched by the criteria.
        assert seg is not None
        member_ids, lek = store.member_page(self.tenant_id, seg.sk, cur["lek"], size)
        found = contacts.batch_get(self.tenant_id, member_ids)
        chosen = []
        for cid in member_ids:
            c = found.get(cid)
            if c is None or (self.opted_in_only and c.sms_consent != "opted_in"):
                continue
            if self.before_id and c.sk >= self.before_id:
                continue
            if seg.criteria and matches(c, seg.criteria, self.today):
                continue  # already taken in the contacts phase
            chosen.append(c)
        return Page(chosen, {"phase": "members", "lek": lek} if lek else None)

    def __iter__(self) -> Iterator[ContactItem]:
        cursor: dict[str, Any] | None = None
        while True:
            page = self.page(cursor, 1000)
            yield from page.contacts
            if page.cursor is None:
                return
            cursor = page.cursor


def preview(tenant_id: str, segment_id: str) -> SegmentPreviewPublic:
    """`{segmentId, estimatedCount, totalCount}`: opted-in members a campaign would reach now,
    and all members whatever their consent."""
    seg = get_segment(tenant_id, segment_id)
    audience = Audience("segment", seg.sk)
    total = reach = 0
    for contact in Resolver(tenant_id, audience, opted_in_only=False):
        total += 1
        if contact.sms_consent == "opted_in":
            reach += 1
    return SegmentPreviewPublic(segment_id=seg.sk, estimated_count=reach, total_count=total)
