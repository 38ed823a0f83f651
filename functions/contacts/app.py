"""contacts group (seed 004 "Contacts Page"; seed 000 section 6 import counts)."""

from __future__ import annotations

import tempfile
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from engage.contacts import jobs, service
from engage.contacts.importer import check_file, import_file
from engage.contacts.schemas import ContactCreate, ContactUpdate
from engage.core.auth import CurrentPrincipal
from engage.core.envelope import ok
from engage.core.errors import PayloadTooLarge, ValidationFailed
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.settings import get_settings

router = APIRouter(prefix="/contacts", tags=["contacts"])


@router.get("")
def list_contacts(
    principal: CurrentPrincipal,
    page: Annotated[int, Query(ge=1)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    search: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, Any]:
    """Newest first; `search` matches phone, e-mail or name."""
    return ok(service.list_contacts(principal.tenant_id, page, limit, search))


@router.post("", status_code=201)
def create_contact(body: ContactCreate, principal: CurrentPrincipal) -> dict[str, Any]:
    """Create (409 if the phone exists)."""
    return ok(service.create_contact(principal.tenant_id, body))


@router.post("/import")
async def import_contacts(
    request: Request, response: Response, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Multipart field `file`. Up to IMPORT_SYNC_MAX_ROWS rows: imported now, 200 with counts.
    More: stored and imported by a worker, 202 with a job to poll."""
    settings = get_settings()
    length = int(request.headers.get("content-length") or 0)
    if length > settings.import_max_bytes + 64 * 1024:
        raise PayloadTooLarge(
            "The file is larger than the import limit",
            {"file": f"the limit is {settings.import_max_bytes} bytes"},
        )
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ValidationFailed(
            "No file uploaded", {"file": "send the CSV as multipart field 'file'"}
        )
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        while chunk := await upload.read(1024 * 1024):
            spool.write(chunk)
            if spool.tell() > settings.import_max_bytes:
                raise PayloadTooLarge(
                    "The file is larger than the import limit",
                    {"file": f"the limit is {settings.import_max_bytes} bytes"},
                )
        rows = await run_in_threadpool(check_file, spool, settings.import_max_bytes)  # type: ignore[arg-type]
        if rows > settings.import_sync_max_rows:
            response.status_code = 202
            job = await run_in_threadpool(
                jobs.create_job,
                principal.tenant_id,
                spool,
                upload.filename,
                rows,  # type: ignore[arg-type]
            )
            return ok(job, message="Import queued; poll GET /contacts/import/{jobId}")
        result = await run_in_threadpool(import_file, principal.tenant_id, spool)  # type: ignore[arg-type]
    return ok(result.to_public())


@router.get("/import/{job_id}")
def import_job(job_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """Progress and counts of an asynchronous import."""
    return ok(jobs.to_public(jobs.get_job(principal.tenant_id, job_id)))


@router.get("/{contact_id}")
def get_contact(contact_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """One contact."""
    return ok(service.to_public(service.get_contact(principal.tenant_id, contact_id)))


@router.put("/{contact_id}")
def update_contact(
    contact_id: str, body: ContactUpdate, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Change fields (409 if the new phone belongs to another contact)."""
    return ok(service.update_contact(principal.tenant_id, contact_id, body))


@router.delete("/{contact_id}")
def delete_contact(contact_id: str, principal: CurrentPrincipal) -> dict[str, Any]:
    """Delete."""
    service.delete_contact(principal.tenant_id, contact_id)
    return ok({"id": contact_id, "deleted": True})


app = create_app("contacts", [router])
handler = http_handler(app)
