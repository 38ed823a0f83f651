"""audiences group (seed 004 "Lists Page"; seed 000 sections 3 and 8)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from engage.audiences import service
from engage.audiences.schemas import SegmentCreate
from engage.core.auth import CurrentPrincipal
from engage.core.envelope import ok
from engage.core.handlers import http_handler
from engage.core.http import create_app

router = APIRouter(prefix="/audiences/segments", tags=["audiences"])


@router.get("")
def list_segments(principal: CurrentPrincipal) -> dict[str, Any]:
    """System segments (created on first call) and custom segments, with counts."""
    return ok(service.list_segments(principal.tenant_id))


@router.post("", status_code=201)
def create_segment(body: SegmentCreate, principal: CurrentPrincipal) -> dict[str, Any]:
    """A custom segment from criteria and/or static members."""
    return ok(service.create_segment(principal.tenant_id, body))


@router.get("/{segment_id}")
def get_segment(segment_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """One segment."""
    return ok(service.to_public(service.get_segment(principal.tenant_id, segment_id)))


@router.delete("/{segment_id}")
def delete_segment(segment_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """Delete a custom segment (system segments: 409)."""
    service.delete_segment(principal.tenant_id, segment_id)
    return ok({"id": segment_id, "deleted": True})


@router.get("/{segment_id}/preview")
def preview(segment_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """`{segmentId, estimatedCount, totalCount}`."""
    return ok(service.preview(principal.tenant_id, segment_id))


app = create_app("audiences", [router])
handler = http_handler(app)
