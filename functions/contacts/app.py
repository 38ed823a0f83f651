"""contacts group (seed 004 "Contacts Page"; seed 000 section 6 import counts)."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncGenerator, AsyncIterator
from typing import IO, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from engage.contacts import jobs, service
from engage.contacts.importer import check_file, import_file
from engage.contacts.schemas import (
    ContactCreate,
    ContactImportJobPublic,
    ContactImportResultPublic,
    ContactListPublic,
    ContactPublic,
    ContactUpdate,
)
from engage.core.auth import AdminPrincipal, CurrentPrincipal
from engage.core.errors import PayloadTooLarge, ValidationFailed
from engage.core.handlers import http_handler
from engage.core.http import create_app
from engage.core.schemas import Deleted, Ok, OkMessage
from engage.core.settings import get_settings

router = APIRouter(prefix="/contacts", tags=["contacts"])

SPOOL_IN_MEMORY_BYTES = 8 * 1024 * 1024
READ_CHUNK_BYTES = 1024 * 1024
MULTIPART_OVERHEAD_BYTES = 64 * 1024
IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "the CSV (Shopify customer export or the app's "
                            "template); at most IMPORT_MAX_BYTES",
                        }
                    },
                }
            }
        },
    }
}


@router.get("")
def list_contacts(
    principal: CurrentPrincipal,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    search: Annotated[str | None, Query(max_length=100)] = None,
) -> Ok[ContactListPublic]:
    """Newest first; `search` matches phone, e-mail or name."""
    return Ok(data=service.list_contacts(principal.tenant_id, page, limit, search))


@router.post("", status_code=201)
def create_contact(body: ContactCreate, principal: AdminPrincipal) -> Ok[ContactPublic]:
    """Create (409 if the phone exists). `phone` or `phoneE164`; a contact read with GET may
    be sent as is (its `id`, `createdAt`, `updatedAt` are ignored)."""
    return Ok(data=service.create_contact(principal.tenant_id, body))


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        "The file is larger than the import limit", {"file": f"the limit is {limit} bytes"}
    )


def _no_file() -> ValidationFailed:
    return ValidationFailed("No file uploaded", {"file": "send the CSV as multipart field 'file'"})


async def _capped(stream: AsyncIterator[bytes], cap: int, limit: int) -> AsyncGenerator[bytes]:
    """The request body, refused (413) as soon as more than `cap` bytes have arrived, whatever
    the Content-Length header says (or when it is absent)."""
    seen = 0
    async for chunk in stream:
        seen += len(chunk)
        if seen > cap:
            raise _too_large(limit)
        yield chunk


async def _read_form(request: Request, limit: int) -> FormData:
    """Parse the multipart body while it streams in (one file, a few fields, at most
    `limit` bytes of file plus multipart overhead); 400 for anything that is not one."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise _no_file()
    length = request.headers.get("content-length")
    cap = limit + MULTIPART_OVERHEAD_BYTES
    if length is not None and (not length.isdigit() or int(length) > cap):
        raise _too_large(limit)
    parser = MultiPartParser(
        request.headers, _capped(request.stream(), cap, limit), max_files=1, max_fields=10
    )
    try:
        return await parser.parse()
    except MultiPartException as exc:
        raise ValidationFailed(
            "The upload is not a valid multipart form", {"file": exc.message}
        ) from None


@router.post(
    "/import",
    response_model=Ok[ContactImportResultPublic],
    responses={
        202: {
            "model": OkMessage[ContactImportJobPublic],
            "description": "More than IMPORT_SYNC_MAX_ROWS rows: queued; poll the job",
        }
    },
    openapi_extra=IMPORT_BODY,
)
async def import_contacts(request: Request, principal: AdminPrincipal) -> Any:
    """Multipart field `file`. Up to IMPORT_SYNC_MAX_ROWS rows: imported now, 200 with counts.
    More: stored and imported by a worker, 202 with a job to poll. Over IMPORT_MAX_BYTES: 413.

    The route is `async` only to read the multipart body; everything that blocks (the spool
    on disk, checks, DynamoDB, S3, SQS) runs in the thread pool."""
    settings = get_settings()
    limit = settings.import_max_bytes
    form = await _read_form(request, limit)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        await form.close()
        raise _no_file()
    spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES)  # noqa: SIM115
    try:
        while chunk := await upload.read(READ_CHUNK_BYTES):
            await run_in_threadpool(spool.write, chunk)
            if spool.tell() > limit:
                raise _too_large(limit)
        rows = await run_in_threadpool(check_file, spool, limit)
        if rows > settings.import_sync_max_rows:
            job = await run_in_threadpool(
                jobs.create_job, principal.tenant_id, spool, upload.filename, rows
            )
            body = OkMessage[ContactImportJobPublic](
                data=job, message="Import queued; poll GET /contacts/import/{jobId}"
            )
            return JSONResponse(body.model_dump(mode="json", by_alias=True), status_code=202)
        result = await run_in_threadpool(import_file, principal.tenant_id, spool)
    finally:
        await run_in_threadpool(spool.close)
        await form.close()
    return Ok(data=result.to_public())


@router.get("/import/{job_id}")
def import_job(job_id: str, principal: CurrentPrincipal) -> Ok[ContactImportJobPublic]:
    """Progress and counts of an asynchronous import."""
    return Ok(data=jobs.to_public(jobs.get_job(principal.tenant_id, job_id)))


@router.get("/{contact_id}")
def get_contact(contact_id: str, principal: CurrentPrincipal) -> Ok[ContactPublic]:
    """One contact."""
    return Ok(data=service.to_public(service.get_contact(principal.tenant_id, contact_id)))


@router.put("/{contact_id}")
def update_contact(
    contact_id: str, body: ContactUpdate, principal: AdminPrincipal
) -> Ok[ContactPublic]:
    """Change the fields given (409 if the new phone belongs to another contact). The `data`
    of a GET may be sent back as is, changed or not: `phoneE164` is accepted like `phone`,
    `id` must be this contact's, `createdAt` and `updatedAt` are ignored."""
    return Ok(data=service.update_contact(principal.tenant_id, contact_id, body))


@router.delete("/{contact_id}")
def delete_contact(contact_id: str, principal: AdminPrincipal) -> Ok[Deleted]:
    """Delete."""
    service.delete_contact(principal.tenant_id, contact_id)
    return Ok(data=Deleted(id=contact_id))


app = create_app("contacts", [router])
handler = http_handler(app)
