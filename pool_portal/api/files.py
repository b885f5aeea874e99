"""File downloads, each authorised from the server-side session: never a public folder.

PDFs are made on request, off the event loop, and sent with a safe file name.
"""

from __future__ import annotations

import asyncio
import re
from datetime import date

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from pool_portal.db import session_scope
from pool_portal.models import Document, Invoice, Quote, Report, Site
from pool_portal.services.core.i18n import catalogue, normalise_language, t
from pool_portal.services.core.params import parse_id
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.core.scope import Viewer
from pool_portal.services.identity import auth
from pool_portal.services.incidents import photos
from pool_portal.services.infra import pdf, storage
from pool_portal.services.portal import (
    branding,
    export,
    invoices,
    list_columns,
    list_query,
    quotes,
    reports,
    visibility,
)
from pool_portal.services.staff import editing

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _viewer(request: Request, db, portal_side: bool = False) -> Viewer | None:
    """The session's viewer; ``portal_side`` for portal-only downloads (a staff member
    viewing the portal as a client then gets exactly what that client gets)."""
    return auth.resolve_viewer(db, request.cookies.get(auth.SESSION_COOKIE), portal_side=portal_side)


def _accepted_language(request: Request) -> str:
    """The browser's first language (Accept-Language), for someone not signed in."""
    return normalise_language(request.headers.get("accept-language", "").split(",")[0].strip())


def _language(request: Request, viewer: Viewer | None = None) -> str:
    """The language to answer in: the signed-in user's, else the browser's."""
    return normalise_language(viewer.language) if viewer is not None else _accepted_language(request)


REFUSALS = {401: "files.error.sign_in", 404: "files.error.not_found"}


def _refusal(status: int, lang: str, key: str | None = None) -> Response:
    """A short plain-text refusal in the user's language (401, 404, or a 400 with ``key``)."""
    return PlainTextResponse(t(key or REFUSALS.get(status, "files.error.not_found"), lang), status_code=status)


async def _bad_request(request: Request, key: str) -> Response:
    """400 with ``key``'s text, in the signed-in user's language (the session is read
    off the event loop) or the browser's."""

    def work() -> str:
        with session_scope() as db:
            return _language(request, _viewer(request, db))

    return _refusal(400, await asyncio.to_thread(work), key)


SERVABLE = {"application/pdf", "image/jpeg", "image/png", "image/webp"}


def pdf_response(data: bytes, filename: str) -> Response:
    return file_response(data, filename, "application/pdf")


def file_response(data: bytes, filename: str, content_type: str) -> Response:
    """A download with a safe file name; anything but PDFs and images goes as bytes."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip(".-")[:100] or "download"
    return Response(
        data,
        media_type=content_type if content_type in SERVABLE else "application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def _panel_pdf(request: Request, panel: str, build, filename: str) -> Response:
    """A dashboard panel's PDF for the signed-in portal user's view: 401 without a
    portal session, 404 when the panel is hidden for them."""

    def work() -> tuple[int, bytes | None, str]:
        with session_scope() as db:
            viewer = _viewer(request, db, portal_side=True)
            lang = _language(request, viewer)
            if viewer is None or not viewer.is_portal or viewer.must_change_password:
                return 401, None, lang
            if not visibility.panel_visibility(db, viewer)[panel]:
                return 404, None, lang
            return 200, build(db, viewer), lang

    status, data, lang = await asyncio.to_thread(work)
    if data is None:
        return _refusal(status, lang)
    return pdf_response(data, filename)


async def monthly_report(request: Request) -> Response:
    """GET /files/monthly-report?month=YYYY-MM: the view's monthly activity report."""
    raw = request.query_params.get("month", "")
    match = MONTH.match(raw)
    if not match or not (1 <= int(match.group(2)) <= 12) or not (2000 <= int(match.group(1)) <= 2100):
        return await _bad_request(request, "files.error.month")
    year, month = int(match.group(1)), int(match.group(2))

    return await _panel_pdf(
        request,
        "activity_report",
        lambda db, viewer: pdf.monthly_activity_report(db, viewer, year, month, viewer.language),
        f"activity-report-{year}-{month:02d}.pdf",
    )


async def document(request: Request) -> Response:
    """GET /files/document/{id}: a file shared on a property. Portal users get it only
    when it is published on a property of their view; staff, when it is their tenant's.
    Anything else is a 404, whether or not the id exists."""
    raw = request.path_params.get("document_id", "")
    languages: list[str] = []  # the answer's language, found with the session

    def work() -> tuple[int, bytes | None, str, str]:
        with session_scope() as db:
            viewer = _viewer(request, db)
            languages.append(_language(request, viewer))
            if viewer is None or viewer.must_change_password:
                return 401, None, "", ""
            doc_id = parse_id(raw)
            doc = db.get(Document, doc_id) if doc_id else None
            site = db.get(Site, doc.site_id) if doc else None
            allowed = bool(
                doc and site and doc.tenant_id == viewer.tenant_id and site.tenant_id == viewer.tenant_id
            ) and (viewer.is_staff or (doc.is_published and site.client_id in viewer.client_ids))
            if not allowed:
                return 404, None, "", ""
            try:
                data = storage.read(doc.storage_key)
            except storage.StorageError:
                return 404, None, "", ""
            return 200, data, doc.filename, doc.content_type

    status, data, filename, content_type = await asyncio.to_thread(work)
    if data is None:
        return _refusal(status, languages[0])
    return file_response(data, filename, content_type)


async def routine_report(request: Request) -> Response:
    """GET /files/routine-report?from=YYYY-MM-DD&to=YYYY-MM-DD: the Routine Activity Report."""
    try:
        start = date.fromisoformat(request.query_params.get("from", ""))
        end = date.fromisoformat(request.query_params.get("to", ""))
    except ValueError:
        return await _bad_request(request, "files.error.dates")
    if end < start or (end - start).days > pdf.MAX_RANGE_DAYS:
        return await _bad_request(request, "files.error.range")

    return await _panel_pdf(
        request,
        "routine_activities",
        lambda db, viewer: pdf.routine_activity_report(db, viewer, start, end, viewer.language),
        f"routine-activities-{start.isoformat()}-{end.isoformat()}.pdf",
    )


def _issued_pdf(db, invoice) -> bytes | None:
    """The PDF the ERP issued for an invoice (pushed through the integration API), if any."""
    stored = db.get(Document, invoice.pdf_document_id) if invoice.pdf_document_id else None
    if stored is None or stored.tenant_id != invoice.tenant_id:
        return None
    try:
        return storage.read(stored.storage_key)
    except storage.StorageError:
        return None  # the file is gone: the generated PDF instead


def _record_route(kind: str):
    """GET /files/quote/{id}, /files/invoice/{id} and /files/report/{id}: the PDF of a
    record the signed-in portal user may see (in their view, not a draft, reports
    approved, its document type switched on), or, for ADMIN and OFFICE staff, any
    record of their tenant (drafts too: the preview before sending); anything else is
    a 404 whether or not the id exists."""

    async def route(request: Request) -> Response:
        raw = request.path_params.get("record_id", "")
        languages: list[str] = []  # the answer's language, found with the session

        def work() -> tuple[int, bytes | None, str]:
            with session_scope() as db:
                # A staff member viewing the portal as a client gets what the client gets;
                # otherwise staff editors preview their tenant's documents, drafts too.
                viewer = _viewer(request, db, portal_side=True)
                languages.append(_language(request, viewer))
                if viewer is None or viewer.must_change_password:
                    return 401, None, ""
                if viewer.is_staff and viewer.role not in OFFICE_WORK:
                    return 404, None, ""
                record_id = parse_id(raw)
                if viewer.is_staff:
                    model = {"quote": Quote, "invoice": Invoice, "report": Report}[kind]
                    doc = editing.owned(db, model, viewer.tenant_id, record_id) if record_id else None
                else:
                    get = {"quote": quotes.get_quote, "invoice": invoices.get_invoice, "report": reports.get_report}[
                        kind
                    ]
                    doc = get(db, viewer, record_id) if record_id else None
                if doc is None:
                    return 404, None, ""
                issued = _issued_pdf(db, doc) if kind == "invoice" else None
                if issued is not None:
                    return 200, issued, doc.number
                render = pdf.service_report if kind == "report" else pdf.quote_or_invoice
                return 200, render(db, doc, viewer.language), doc.number

        status, data, number = await asyncio.to_thread(work)
        if data is None:
            return _refusal(status, languages[0])
        return pdf_response(data, f"{kind}-{number}.pdf")

    return route


async def export_list(request: Request) -> Response:
    """GET /files/export/{kind}.csv?<the list's query>: the whole filtered list (as the
    page shows it, in its order) as CSV for the signed-in portal user's view; 404 for
    an unknown list or one switched off for the tenant."""
    kind = request.path_params.get("kind", "")
    query = list_query.parse_query(kind, request.query_params) if kind in list_columns.LISTS else None

    def work():
        with session_scope() as db:
            viewer = _viewer(request, db, portal_side=True)
            lang = _language(request, viewer)
            if query is None:  # an unknown list, whoever asks
                return 404, None, lang
            if viewer is None or not viewer.is_portal or viewer.must_change_password:
                return 401, None, lang
            tr = catalogue(viewer.language)
            chunks = export.export_csv(db, viewer, kind, query, lambda key: tr.get(key, key))
            return (404, None, lang) if chunks is None else (200, list(chunks), lang)

    status, chunks, lang = await asyncio.to_thread(work)
    if chunks is None:
        return _refusal(status, lang)
    name = f"{kind}-{date.today().isoformat()}.csv"
    return StreamingResponse(
        iter(["\ufeff", *chunks]),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def incident_photo(request: Request) -> Response:
    """GET /files/incident-photo/{id}: a photo on an incident's thread. Portal users get
    it only on a public message of an incident in their view; staff, their tenant's.
    Cloudinary photos answer with a signed URL (a redirect, not kept by the browser).
    ``?size=thumb``: a small JPEG of the photo, for the thread's previews."""
    raw = request.path_params.get("record_id", "")
    thumb = request.query_params.get("size") == "thumb"  # the thread's small previews

    def work():
        with session_scope() as db:
            viewer = _viewer(request, db)
            lang = _language(request, viewer)
            if viewer is None or viewer.must_change_password:
                return 401, None, lang
            photo_id = parse_id(raw)
            if photo_id is None:
                return 404, None, lang
            found = (
                photos.attachment_for_staff(db, viewer.tenant_id, photo_id, thumb=thumb)
                if viewer.is_staff
                else photos.attachment_for_portal(db, viewer, photo_id, thumb=thumb)
            )
            return (404, None, lang) if found is None else (200, found, lang)

    status, found, lang = await asyncio.to_thread(work)
    if found is None:
        return _refusal(status, lang)
    attachment, content = found
    if isinstance(content, str):
        return RedirectResponse(content, status_code=302, headers={"Cache-Control": "private, no-store"})
    name = attachment.original_name or f"photo-{attachment.id}"
    if thumb and content[:3] == b"\xff\xd8\xff":  # the thumbnail (a JPEG), unless it could not be made
        name, content_type = f"thumb-{attachment.id}.jpg", "image/jpeg"
    else:
        content_type = attachment.content_type
    response = file_response(content, name, content_type)
    response.headers["Content-Disposition"] = response.headers["Content-Disposition"].replace("attachment", "inline")
    return response


async def logo(request: Request) -> Response:
    """GET /files/logo?v=<stamp>: the signed-in user's tenant's logo (checked as an image
    when uploaded, and again here); 401 without a session, 404 when there is none. The
    stamp in the URL changes with the logo, so the browser may keep it for a day."""

    def work():
        with session_scope() as db:
            viewer = _viewer(request, db)
            lang = _language(request, viewer)
            if viewer is None:
                return 401, None, lang
            found = branding.logo_bytes(db, viewer.tenant_id)
            return (404, None, lang) if found is None else (200, found, lang)

    status, found, lang = await asyncio.to_thread(work)
    if found is None:
        return _refusal(status, lang)
    data, content_type = found
    return Response(
        data,
        media_type=content_type,
        headers={
            "Cache-Control": "private, max-age=86400",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": "inline",
            "Content-Security-Policy": "default-src 'none'",
        },
    )


routes = [
    Route("/files/logo", logo, methods=["GET"]),
    Route("/files/incident-photo/{record_id}", incident_photo, methods=["GET"]),
    Route("/files/quote/{record_id}", _record_route("quote"), methods=["GET"]),
    Route("/files/invoice/{record_id}", _record_route("invoice"), methods=["GET"]),
    Route("/files/report/{record_id}", _record_route("report"), methods=["GET"]),
    Route("/files/export/{kind}.csv", export_list, methods=["GET"]),
    Route("/files/monthly-report", monthly_report, methods=["GET"]),
    Route("/files/routine-report", routine_report, methods=["GET"]),
    Route("/files/document/{document_id}", document, methods=["GET"]),
]
