"""The base state: language, translation and the caller's server-side identity."""

from __future__ import annotations

import asyncio

import reflex as rx

from pool_portal.db import session_scope
from pool_portal.services import audit, auth
from pool_portal.services.i18n import LANGUAGES, catalogue, normalise_language
from pool_portal.services.scope import Viewer


class AppState(rx.State):
    """Shared by every page. Identity is never taken from the browser's state: each
    handler that needs it resolves the HttpOnly session cookie from the websocket
    handshake headers against the sessions table."""

    lang: str = rx.LocalStorage("en", name="pp_lang", sync=True)
    signed_in: bool = False
    user_name: str = ""
    tenant_name: str = ""
    brand_colour: str = "#0e7490"

    @rx.var
    def tr(self) -> dict[str, str]:
        return catalogue(normalise_language(self.lang))

    @rx.var
    def language_options(self) -> list[list[str]]:
        return [[code, name] for code, name in LANGUAGES.items()]

    @rx.event
    async def set_language(self, lang: str):
        self.lang = normalise_language(lang)
        token = self._session_token()
        if token:
            await asyncio.to_thread(self._store_language, token, self.lang)

    @staticmethod
    def _store_language(token: str, lang: str) -> None:
        with session_scope() as db:
            auth.set_session_language(db, token, lang)

    # -- identity ----------------------------------------------------------
    def _session_token(self) -> str | None:
        headers = self.router.headers.raw_headers
        return auth.token_from_cookie_header(headers.get("cookie"))

    def _client_ip(self) -> str | None:
        return self.router.session.client_ip or None

    async def _viewer(self, kind: str, action: str) -> Viewer | None:
        """The caller if it has a live session of ``kind``; otherwise audit the
        refusal and return None. Every data handler starts here."""
        token = self._session_token()
        ip = self._client_ip()

        def work() -> Viewer | None:
            with session_scope() as db:
                viewer = auth.resolve_viewer(db, token)
                if viewer is None or viewer.kind != kind:
                    audit.record(
                        db,
                        "call.refused",
                        tenant_id=viewer.tenant_id if viewer else None,
                        actor_kind=viewer.kind if viewer else "anonymous",
                        actor_id=viewer.user_id if viewer else None,
                        ip=ip,
                        handler=action,
                    )
                    return None
                return viewer

        return await asyncio.to_thread(work)

    def _apply_identity(self, viewer: Viewer, tenant_name: str, brand_colour: str) -> None:
        self.signed_in = True
        self.user_name = viewer.name
        self.tenant_name = tenant_name
        self.brand_colour = brand_colour
        if self.lang != viewer.language and viewer.language:
            self.lang = viewer.language

    def _clear_identity(self) -> None:
        self.signed_in = False
        self.user_name = ""
        self.tenant_name = ""


class LoginState(AppState):
    """The sign-in pages: only shows the error the sign-in route redirected with."""

    error: str = ""

    @rx.event
    def load_login(self):
        code = self.router.url.query_parameters.get("error", "")
        self.error = code if code in ("invalid", "missing", "throttled") else ""
