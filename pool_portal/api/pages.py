"""Pages without the trailing-slash redirect.

The production build writes each page as ``<route>/index.html``; the static file server
answers ``/portal`` with a 307 to ``/portal/`` before the page itself, one more round
trip on every full page load (sign-in lands on ``/portal``: 303, then 307). Measured with
Lighthouse on a phone profile: about 0.6 s before anything is painted. This ASGI wrapper
serves a GET or HEAD of a page route as the folder's index directly.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from reflex.constants import Dirs
from reflex.utils import prerequisites
from starlette.types import ASGIApp, Receive, Scope, Send


@cache
def _pages_dir() -> Path:
    return (prerequisites.get_web_dir() / Dirs.STATIC).resolve()


def _is_page_folder(path: str) -> bool:
    parts = path.strip("/").split("/")
    if not parts[0] or any(p in ("", ".", "..") or p.startswith(".") for p in parts) or "." in parts[-1]:
        return False
    return (_pages_dir().joinpath(*parts) / "index.html").is_file()


def serve_pages_without_redirect(app: ASGIApp) -> ASGIApp:
    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope.get("method") in ("GET", "HEAD")
            and not scope["path"].endswith("/")
            and _is_page_folder(scope["path"])
        ):
            path = scope["path"] + "/"
            scope = {**scope, "path": path, "raw_path": path.encode()}
        await app(scope, receive, send)

    return asgi
