"""Sign-in and sign-out routes. They own the session cookie: HttpOnly, SameSite=Lax,
Secure under https. Reflex's rx.Cookie cannot be HttpOnly, so the cookie is set here
and read by the states from the websocket handshake headers."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from pool_portal.db import session_scope
from pool_portal.services import audit, auth
from pool_portal.settings import get_settings

_PAGES = {"portal": ("/portal", "/portal/login"), "staff": ("/admin", "/admin/login")}


def _same_origin(request: Request) -> bool:
    """Refuse cross-site form posts (login CSRF): Origin, when sent, must be ours."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    allowed = {urlsplit(get_settings().public_url).netloc, request.headers.get("host", "")}
    return urlsplit(origin).netloc in allowed


def _redirect(path: str, **query: str) -> RedirectResponse:
    # Relative: the browser stays on the host it used (localhost vs 127.0.0.1 differ
    # for cookies). Both are served on one port by `reflex run --env prod`.
    url = path
    if query:
        url += "?" + urlencode(query)
    return RedirectResponse(url, status_code=303)


def _client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def login(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("Cross-site request refused", status_code=403)
    form = await request.form()
    kind = "staff" if form.get("kind") == "staff" else "portal"
    home, login_page = _PAGES[kind]
    email = str(form.get("email") or "")[:254]
    password = str(form.get("password") or "")[:1024]
    if not email or not password:
        return _redirect(login_page, error="missing")

    def work() -> tuple[str | None, str, float]:
        with session_scope() as db:
            blocked, delay = auth.login_throttle(db, kind, email)
            if blocked:
                audit.record(db, "login.throttled", actor_kind=kind, ip=_client_ip(request),
                             target_type="account", target_id=auth.account_key(kind, email))
                return None, "throttled", 0.0
            user = auth.authenticate(db, kind, email, password, ip=_client_ip(request))
            if user is None:
                return None, "invalid", delay
            token = auth.start_session(
                db, user, ip=_client_ip(request), user_agent=request.headers.get("user-agent")
            )
            return token, "", 0.0

    token, error, delay = await asyncio.to_thread(work)
    if token is None:
        if delay:
            await asyncio.sleep(delay)  # slows guessing; the event loop stays free
        return _redirect(login_page, error=error)
    response = _redirect(home)
    # A new random id at every sign-in; any old cookie is simply replaced.
    response.set_cookie(
        auth.SESSION_COOKIE,
        token,
        max_age=get_settings().session_max_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
        path="/",
    )
    return response


async def logout(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("Cross-site request refused", status_code=403)
    form = await request.form()
    kind = "staff" if form.get("kind") == "staff" else "portal"
    token = request.cookies.get(auth.SESSION_COOKIE)

    def work() -> None:
        with session_scope() as db:
            auth.end_session(db, token)

    await asyncio.to_thread(work)
    response = _redirect(_PAGES[kind][1])
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


routes = [
    Route("/auth/login", login, methods=["POST"]),
    Route("/auth/logout", logout, methods=["POST"]),
]
