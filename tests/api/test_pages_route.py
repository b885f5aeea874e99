"""Page routes are served without the trailing-slash redirect (one round trip less on
every full page load); anything else passes through untouched."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from pool_portal.api import pages


@pytest.fixture
def build(tmp_path, monkeypatch):
    for folder in ("portal", "portal/login", "admin"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "index.html").write_text("<html></html>")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app.js").write_text("")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "index.html").write_text("")
    monkeypatch.setattr(pages, "_pages_dir", lambda: tmp_path)
    return tmp_path


def _seen_path(path: str, method: str = "GET") -> str:
    seen = {}

    async def app(scope, receive, send):
        seen["path"], seen["raw"] = scope["path"], scope["raw_path"]

    scope = {"type": "http", "method": method, "path": path, "raw_path": path.encode()}
    # A thread of its own: the browser tests' Playwright keeps an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, pages.serve_pages_without_redirect(app)(scope, None, None)).result()
    assert seen["raw"] == seen["path"].encode()
    return seen["path"]


def test_a_page_route_is_served_as_its_folder(build):
    assert _seen_path("/portal") == "/portal/"
    assert _seen_path("/portal/login") == "/portal/login/"
    assert _seen_path("/admin", "HEAD") == "/admin/"


def test_everything_else_passes_unchanged(build):
    for path in (
        "/portal/",
        "/portal/nothing",
        "/assets/app.js",
        "/assets",
        "/auth/login",
        "/",
        "/portal/../admin",
        "/.hidden",
        "/portal//login",
    ):
        assert _seen_path(path) == path
    assert _seen_path("/portal", "POST") == "/portal"
