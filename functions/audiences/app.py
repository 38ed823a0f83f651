"""audiences group (seed 004 "Lists Page"; seed 000 sections 3 and 8)."""

from __future__ import annotations

from fastapi import APIRouter

from engage.audiences import service
from engage.audiences.schemas import (
    SegmentCreate,
    SegmentListPublic,
    SegmentPreviewPublic,
    SegmentPublic,
)
from engage.core.auth import AdminPrincipal, CurrentPrincipal
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.schemas import Deleted, Ok

router = APIRouter(prefix="/audiences/segments", tags=["audiences"])


@router.get("")
def list_segments(principal: CurrentPrincipal) -> Ok[SegmentListPublic]:
    """System segments (created on first call) and custom segments, with counts."""
    return Ok(data=service.list_segments(principal.tenant_id))


@router.post("", status_code=201)
def create_segment(body: SegmentCreate, principal: AdminPrincipal) -> Ok[SegmentPublic]:
    """A custom segment from criteria and/or static members."""
    return Ok(data=service.create_segment(principal.tenant_id, body))


@router.get("/{segment_id}")
def get_segment(segment_id: str, principal: CurrentPrincipal) -> Ok[SegmentPublic]:
    """One segment."""
    return Ok(data=service.to_public(service.get_segment(principal.tenant_id, segment_id)))


@router.delete("/{segment_id}")
def delete_segment(segment_id: str, principal: AdminPrincipal) -> Ok[Deleted]:
    """Delete a custom segment (system segments: 409)."""
    service.delete_segment(principal.tenant_id, segment_id)
    return Ok(data=Deleted(id=segment_id))


@router.get("/{segment_id}/preview")
def preview(segment_id: str, principal: CurrentPrincipal) -> Ok[SegmentPreviewPublic]:
    """`{segmentId, estimatedCount, totalCount}`."""
    return Ok(data=service.preview(principal.tenant_id, segment_id))


app = create_app("audiences", [router])
handler = http_handler(app)
