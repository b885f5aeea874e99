"""Sign-in and sign-out routes. They own the session cookie: HttpOnly, SameSite=Lax,
Secure under https. Reflex's rx.Cookie cannot be HttpOnly, so the cookie is set here
and read by the states from the websocket handshake headers."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from pool_portal.api import login_gate
from pool_portal.db import in_unit_of_work, session_scope
from pool_portal.models import PortalUser, StaffUser
from pool_portal.services.identity import access, auth, throttle
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
    url = get_settings().page_url(path)
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
    ip = _client_ip(request)
    # The throttle first: during a back-off, or while another attempt on this account is
    # being checked, the password is not even looked at.
    gate = await login_gate.enter(kind, email, ip)
    if gate.outcome != throttle.OPEN:
        return _redirect(login_page, error="throttled")

    def work() -> tuple[str | None, bool]:
        with session_scope() as db:
            user = auth.authenticate(db, kind, email, password, ip=ip)
            throttle.finish(db, gate, ok=user is not None)  # committed with the result
            if user is None:
                return None, False
            return _start(db, user, request), user.must_change_password

    try:
        token, must_change = await asyncio.to_thread(work)
    except BaseException:
        await login_gate.release(gate)
        raise
    if token is None:
        return _redirect(login_page, error="invalid")
    return _signed_in(f"{home}/password" if must_change else home, token)


def _signed_in(home: str, token: str) -> Response:
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


def _start(db, user, request: Request) -> str:
    return auth.start_session(db, user, ip=_client_ip(request), user_agent=request.headers.get("user-agent"))


async def magic(request: Request) -> Response:
    """The "Sign in" button of a magic link page: consumes the link (POST, so mail
    scanners that follow links do not burn it) and signs in."""
    if not _same_origin(request):
        return PlainTextResponse("Cross-site request refused", status_code=403)
    form = await request.form()
    link_token = str(form.get("token") or "")[:500]

    def work() -> str | None:
        with session_scope() as db:
            user = access.use_magic_link(db, link_token, ip=_client_ip(request))
            return _start(db, user, request) if user else None

    token = await asyncio.to_thread(work)
    if token is None:
        return _redirect("/portal/magic", error="invalid")
    return _signed_in("/portal", token)


def _set_password_route(accept, page: str, home: str):
    """POST handler of a set-your-password page (``page``): ``accept(db, token,
    password, confirm, ip=)`` -> (user, error key); on success the user is signed in
    and lands on ``home``; otherwise back to the page with the link and the error."""

    async def route(request: Request) -> Response:
        if not _same_origin(request):
            return PlainTextResponse("Cross-site request refused", status_code=403)
        form = await request.form()
        link_token = str(form.get("token") or "")[:500]
        password = str(form.get("password") or "")[:1024]
        confirm = str(form.get("confirm") or "")[:1024]

        def work() -> tuple[str | None, str | None]:
            with session_scope() as db:
                user, error = accept(db, link_token, password, confirm, ip=_client_ip(request))
                return (_start(db, user, request), None) if user else (None, error)

        token, error = await asyncio.to_thread(work)
        if token is None:
            return _redirect(page, token=link_token, error=error or "link.invalid")
        return _signed_in(home, token)

    return route


# An invitation or a reset link (portal), a staff invitation (/admin/set-password).
set_password = _set_password_route(access.set_password_with_link, "/portal/set-password", "/portal")
staff_set_password = _set_password_route(access.accept_staff_invitation, "/admin/set-password", "/admin")


def _whoami(db, session_token: str | None) -> tuple[str, str] | None:
    """(kind, email) of the session's user, or None without a live session."""
    viewer = auth.resolve_viewer(db, session_token, touch=False)
    return None if viewer is None else ("portal" if viewer.is_portal else "staff", viewer.email)


async def change_password(request: Request) -> Response:
    """A signed-in user sets a new password (required after a staff-set one): the
    current password is checked through the sign-in throttle (a wrong one counts as a
    failed sign-in); every other session of the user ends and the user is mailed."""
    if not _same_origin(request):
        return PlainTextResponse("Cross-site request refused", status_code=403)
    form = await request.form()
    current = str(form.get("current") or "")[:1024]
    password = str(form.get("password") or "")[:1024]
    confirm = str(form.get("confirm") or "")[:1024]
    session_token = request.cookies.get(auth.SESSION_COOKIE)
    ip = _client_ip(request)
    who = await asyncio.to_thread(in_unit_of_work, _whoami, session_token)
    if who is None:
        return _redirect("/portal/login")
    kind, email = who
    page = "/portal/password" if kind == "portal" else "/admin/password"
    gate = await login_gate.enter(kind, email, ip)
    if gate.outcome != throttle.OPEN:
        return _redirect(page, error="password.throttled")

    def work() -> access.PasswordChange | None:
        with session_scope() as db:
            viewer = auth.resolve_viewer(db, session_token)
            if viewer is None:
                throttle.release(db, gate)
                return None
            user = db.get(PortalUser if viewer.is_portal else StaffUser, viewer.user_id)
            result = access.change_password(
                db, user, current, password, confirm, keep_session_id=viewer.session_id, ip=ip
            )
            throttle.finish(db, gate, ok=result.current_ok)
            return result

    try:
        result = await asyncio.to_thread(work)
    except BaseException:
        await login_gate.release(gate)
        raise
    if result is None:
        return _redirect("/portal/login")
    if result.error:
        return _redirect(page, error=result.error)
    return _redirect(page, changed=str(result.signed_out))


async def logout(request: Request) -> Response:
    if not _same_origin(request):
        return PlainTextResponse("Cross-site request refused", status_code=403)
    form = await request.form()
    kind = "staff" if form.get("kind") == "staff" else "portal"
    token = request.cookies.get(auth.SESSION_COOKIE)

    everywhere = form.get("everywhere") == "1"

    def work() -> None:
        with session_scope() as db:
            if everywhere:
                viewer = auth.resolve_viewer(db, token)
                if viewer is not None:
                    model = PortalUser if viewer.is_portal else StaffUser
                    auth.end_all_sessions(db, db.get(model, viewer.user_id))
            auth.end_session(db, token)

    await asyncio.to_thread(work)
    response = _redirect(_PAGES[kind][1])
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


routes = [
    Route("/auth/login", login, methods=["POST"]),
    Route("/auth/logout", logout, methods=["POST"]),
    Route("/auth/magic", magic, methods=["POST"]),
    Route("/auth/set-password", set_password, methods=["POST"]),
    Route("/auth/staff-set-password", staff_set_password, methods=["POST"]),
    Route("/auth/change-password", change_password, methods=["POST"]),
]
