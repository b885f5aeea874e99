"""File downloads, each authorised from the server-side session: never a public folder.

PDFs are made on request, off the event loop, and sent with a safe file name.
"""

from __future__ import annotations

import asyncio
import re

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from pool_portal.db import session_scope
from pool_portal.services import auth, dashboard, pdf
from pool_portal.services.scope import Viewer

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _viewer(request: Request, db) -> Viewer | None:
    return auth.resolve_viewer(db, request.cookies.get(auth.SESSION_COOKIE))


def pdf_response(data: bytes, filename: str) -> Response:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename)[:100] or "document.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


async def monthly_report(request: Request) -> Response:
    """GET /files/monthly-report?month=YYYY-MM: the view's monthly activity report."""
    raw = request.query_params.get("month", "")
    match = MONTH.match(raw)
    if not match or not (1 <= int(match.group(2)) <= 12) or not (2000 <= int(match.group(1)) <= 2100):
        return PlainTextResponse("month must look like 2026-11", status_code=400)
    year, month = int(match.group(1)), int(match.group(2))

    def work() -> tuple[int, bytes | None]:
        with session_scope() as db:
            viewer = _viewer(request, db)
            if viewer is None or not viewer.is_portal or viewer.must_change_password:
                return 401, None
            if not dashboard.panel_visibility(db, viewer)["activity_report"]:
                return 404, None
            return 200, pdf.monthly_activity_report(db, viewer, year, month, viewer.language)

    status, data = await asyncio.to_thread(work)
    if data is None:
        return PlainTextResponse("Not found" if status == 404 else "Sign in first", status_code=status)
    return pdf_response(data, f"activity-report-{year}-{month:02d}.pdf")


routes = [Route("/files/monthly-report", monthly_report, methods=["GET"])]
