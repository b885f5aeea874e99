"""File downloads, each authorised from the server-side session: never a public folder.

Who gets which file is one rule per kind of file, in ``services.infra.file_access``
(the same as the pages'); these routes only resolve the session, ask that rule and
send its answer: 401 without a session, and the same 404 for anything refused as for
an unknown id. PDFs are made on request, off the event loop; every file goes under a
name and type taken from its bytes, with ``nosniff``.
"""

from __future__ import annotations

import asyncio
import re
from datetime import date

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from pool_portal.db import session_scope
from pool_portal.services.core.i18n import catalogue, normalise_language, t
from pool_portal.services.core.params import parse_id
from pool_portal.services.core.scope import Viewer
from pool_portal.services.identity import auth
from pool_portal.services.infra import file_access, pdf
from pool_portal.services.infra.file_access import Download
from pool_portal.services.portal import export, list_columns, list_query

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _viewer(request: Request, db) -> Viewer | None:
    """The session's viewer, resolved for the portal side: a staff member viewing the
    portal as a client gets exactly what that client gets, from every route."""
    return auth.resolve_viewer(db, request.cookies.get(auth.SESSION_COOKIE), portal_side=True)


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


async def _bad_request(request: Request, key: str | None, status: int = 400) -> Response:
    """``status`` (400) with ``key``'s text, in the signed-in user's language (the
    session is read off the event loop) or the browser's."""

    def work() -> str:
        with session_scope() as db:
            return _language(request, _viewer(request, db))

    return _refusal(status, await asyncio.to_thread(work), key)


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


async def _ask(request: Request, rule, *, during_password_change: bool = False) -> tuple[int, object, str]:
    """Off the event loop: (200, what ``rule(db, viewer)`` gave, lang); (401, None, lang)
    without a session (or before a required password change); (404, None, lang) when
    the rule gave nothing: refused, another tenant's, unknown or missing alike."""

    def work() -> tuple[int, object, str]:
        with session_scope() as db:
            viewer = _viewer(request, db)
            lang = _language(request, viewer)
            if viewer is None or (viewer.must_change_password and not during_password_change):
                return 401, None, lang
            found = rule(db, viewer)
            return (404, None, lang) if found is None else (200, found, lang)

    return await asyncio.to_thread(work)


def _download(status: int, found: Download | None, lang: str) -> Response:
    return _refusal(status, lang) if found is None else file_response(found.data, found.name, found.content_type)


async def _panel_pdf(request: Request, panel: str, build, filename: str) -> Response:
    """A dashboard panel's PDF for the signed-in portal user's view, when the panel is
    shown to them (``file_access.panel_report``)."""
    status, data, lang = await _ask(
        request, lambda db, viewer: build(db, viewer) if file_access.panel_report(db, viewer, panel) else None
    )
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


async def document(request: Request) -> Response:
    """GET /files/document/{id}: a file shared on a property (``file_access.document``)."""
    doc_id = parse_id(request.path_params.get("document_id", ""))
    return _download(*await _ask(request, lambda db, viewer: file_access.document(db, viewer, doc_id)))


def _record_route(kind: str):
    """GET /files/quote/{id}, /files/invoice/{id} and /files/report/{id}: the record's
    PDF (``file_access.record_pdf``)."""

    async def route(request: Request) -> Response:
        record_id = parse_id(request.path_params.get("record_id", ""))
        return _download(*await _ask(request, lambda db, viewer: file_access.record_pdf(db, viewer, kind, record_id)))

    return route


async def export_list(request: Request) -> Response:
    """GET /files/export/{kind}.csv?<the list's query>: the whole filtered list (as the
    page shows it, in its order) as CSV for the signed-in portal user's view
    (``file_access.may_export``); 404 for an unknown list, whoever asks, or one
    switched off for the tenant."""
    kind = request.path_params.get("kind", "")
    query = list_query.parse_query(kind, request.query_params) if kind in list_columns.LISTS else None
    if query is None:  # an unknown list, whoever asks
        return await _bad_request(request, None, 404)

    def rows(db, viewer: Viewer) -> list[str] | None:
        if not file_access.may_export(viewer):
            return None
        tr = catalogue(viewer.language)
        chunks = export.export_csv(db, viewer, kind, query, lambda key: tr.get(key, key))
        return None if chunks is None else list(chunks)

    status, chunks, lang = await _ask(request, rows)
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
    """GET /files/incident-photo/{id}: a photo on an incident's thread
    (``file_access.incident_photo``), shown inline as ``photo-<id>.<type>``, its type
    taken from its bytes. Cloudinary photos answer with a signed URL (a redirect, not
    kept by the browser). ``?size=thumb``: a small JPEG of the photo, for the thread's
    previews."""
    photo_id = parse_id(request.path_params.get("record_id", ""))
    thumb = request.query_params.get("size") == "thumb"  # the thread's small previews
    status, found, lang = await _ask(
        request, lambda db, viewer: file_access.incident_photo(db, viewer, photo_id, thumb=thumb)
    )
    if found is None:
        return _refusal(status, lang)
    if found.url:
        return RedirectResponse(found.url, status_code=302, headers={"Cache-Control": "private, no-store"})
    response = file_response(found.data, found.name, found.content_type)
    response.headers["Content-Disposition"] = response.headers["Content-Disposition"].replace("attachment", "inline")
    return response


async def logo(request: Request) -> Response:
    """GET /files/logo?v=<stamp>: the signed-in user's tenant's logo (checked as an image
    when uploaded, and again here: ``file_access.logo``); 401 without a session, 404
    when there is none. The stamp in the URL changes with the logo, so the browser may
    keep it for a day."""
    status, found, lang = await _ask(request, file_access.logo, during_password_change=True)
    if found is None:
        return _refusal(status, lang)
    return Response(
        found.data,
        media_type=found.content_type,
        headers={
            "Cache-Control": "private, max-age=86400",
            "X-Content-Type-Options": "nosniff",
            "Content-Disposition": f'inline; filename="{found.name}"',
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
