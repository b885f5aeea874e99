"""``POST /_upload`` runs an upload handler for the tab its ``reflex-client-token``
header names, and the handler's guard sees that tab's stored websocket handshake, not
this request. A tab's id is not a secret, so this door checks the request itself before
Reflex sees it: its own session cookie must be alive and be the session the tab belongs
to (``services.identity.tabs``). Anything else is refused with 403 and audited; the
handler never runs."""

from __future__ import annotations

import asyncio

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from pool_portal.db import session_scope
from pool_portal.services.core import audit
from pool_portal.services.identity import auth, tabs

UPLOAD_PATH = "/_upload"


def _may_upload(cookie_token: str | None, client_token: str, handler: str, ip: str | None) -> bool:
    with session_scope() as db:
        v = auth.resolve_viewer(db, cookie_token, touch=False)
        bound = tabs.tab_session(db, client_token)
        if v is not None and bound is not None and bound == v.session_id:
            return True
        reason = "no-session" if v is None else "unbound-tab" if bound is None else "another-session"
        audit.record(
            db,
            "upload.refused",
            tenant_id=v.tenant_id if v else None,
            actor_kind=v.kind if v else "anonymous",
            actor_id=v.user_id if v else None,
            ip=ip,
            handler=handler[:200],
            reason=reason,
        )
        return False


def upload_door(app: ASGIApp) -> ASGIApp:
    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/") == UPLOAD_PATH:
            headers = Headers(scope=scope)
            client = scope.get("client")
            allowed = await asyncio.to_thread(
                _may_upload,
                auth.token_from_cookie_header(headers.get("cookie")),
                headers.get("reflex-client-token", ""),
                headers.get("reflex-event-handler", ""),
                client[0] if client else None,
            )
            if not allowed:
                await PlainTextResponse("Forbidden", status_code=403)(scope, receive, send)
                return
        await app(scope, receive, send)

    return asgi
