"""The origin gate and the security headers, as ASGI layers around a small app: which
origins get CORS answers and the websocket, and what every answer carries. The whole
app (every page and route) is walked in tests/e2e/test_security_headers.py."""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from pool_portal.api import origins, security_headers
from pool_portal.settings import load_settings

OURS = "http://portal.test"
FOREIGN = "http://portal.test:8081"  # another port of the same host: another origin
ROOT = Path(__file__).resolve().parents[2]

PAGE = (
    "<!DOCTYPE html><html><head><script>document.documentElement.classList.add('light');</script>"
    '<script type="module" async="">import "/assets/app.js";</script><script src="/assets/x.js"></script>'
    "<script></script></head><body><script>window.done = true;</script></body></html>"
)


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


PAGE_HASHES = {
    sha("document.documentElement.classList.add('light');"),
    sha('import "/assets/app.js";'),
    sha("window.done = true;"),
}


def _run(coro):
    # A thread of its own: the browser tests' Playwright keeps an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


@pytest.fixture
def settings(isolated_settings, monkeypatch):
    monkeypatch.setenv("PORTAL_PUBLIC_URL", OURS)
    return load_settings()


# -- the origin gate -------------------------------------------------------------------------------
async def _csv(request):
    return PlainTextResponse("number,total\nQ-1,100\n", headers={"Content-Disposition": "attachment"})


async def _ws(websocket):
    await websocket.accept()
    await websocket.send_text("hello")
    await websocket.close()


def _reflex_like_app(allowed) -> Starlette:
    """Routes behind Starlette's CORS middleware exactly as Reflex adds it."""
    app = Starlette(
        routes=[
            Route("/files/export/quotes.csv", _csv),
            Route("/api/v1/clients", lambda r: JSONResponse({"items": []})),
            WebSocketRoute("/_event/", _ws),
        ]
    )
    app.add_middleware(
        CORSMiddleware, allow_credentials=True, allow_methods=["*"], allow_headers=["*"], allow_origins=list(allowed)
    )
    return app


@pytest.fixture
def gated():
    allowed = (OURS,)
    return TestClient(origins.origin_gate(_reflex_like_app(allowed), allowed, "/api/v1"), base_url=OURS)


def _cors(response) -> dict:
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


def test_the_cors_middleware_alone_says_credentials_true_to_anyone():
    # Why the gate exists: Starlette's CORS middleware (as Reflex configures it) answers
    # Allow-Credentials to every Origin, ours or not.
    r = TestClient(_reflex_like_app((OURS,)), base_url=OURS).get(
        "/files/export/quotes.csv", headers={"Origin": FOREIGN}
    )
    assert r.headers.get("access-control-allow-credentials") == "true"


def test_a_foreign_origin_gets_no_cors_answer(gated):
    r = gated.get("/files/export/quotes.csv", headers={"Origin": FOREIGN})
    assert r.status_code == 200 and _cors(r) == {}
    assert r.headers["content-disposition"] == "attachment"
    preflight = gated.options(
        "/files/export/quotes.csv", headers={"Origin": FOREIGN, "Access-Control-Request-Method": "GET"}
    )
    assert _cors(preflight) == {}
    for origin in ("null", "http://portal.test.evil.example", "https://portal.test"):
        assert _cors(gated.get("/files/export/quotes.csv", headers={"Origin": origin})) == {}, origin


def test_our_origin_gets_its_cors_answer(gated):
    r = gated.get("/files/export/quotes.csv", headers={"Origin": OURS})
    assert r.headers["access-control-allow-origin"] == OURS
    assert r.headers["access-control-allow-credentials"] == "true"
    assert _cors(gated.get("/files/export/quotes.csv")) == {}  # no Origin, no CORS


def test_the_integration_api_never_answers_with_cors(gated):
    for origin in (FOREIGN, OURS):
        r = gated.get("/api/v1/clients", headers={"Origin": origin})
        assert r.status_code == 200 and _cors(r) == {}, origin
        preflight = gated.options(
            "/api/v1/clients",
            headers={"Origin": origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "x"},
        )
        assert _cors(preflight) == {}, origin


def test_the_websocket_refuses_a_foreign_origin_and_takes_ours_or_none(gated):
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        gated.websocket_connect("/_event/", headers={"Origin": FOREIGN}),
    ):
        pass
    assert refused.value.code == 1008
    for headers in ({"Origin": OURS}, {}):
        with gated.websocket_connect("/_event/", headers=headers) as ws:
            assert ws.receive_text() == "hello"


def test_the_app_and_socketio_use_the_settings_origins_and_refuse_an_override(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PORTAL_", "REFLEX_"))},
        "PORTAL_DATA_DIR": str(tmp_path),
        "PORTAL_PUBLIC_URL": "https://portal.example.com",
        "PORTAL_EXTRA_ORIGINS": "https://pool.example.net",
        "PYTHONPATH": str(ROOT),
    }
    code = "import rxconfig; print(list(rxconfig.config.cors_allowed_origins))"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "['https://portal.example.com', 'https://pool.example.net']"
    # REFLEX_CORS_ALLOWED_ORIGINS would override rxconfig's list (Reflex reads it last): refused.
    bad = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "REFLEX_CORS_ALLOWED_ORIGINS": "*"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode != 0 and "REFLEX_CORS_ALLOWED_ORIGINS: not used by Pool Portal" in bad.stderr


# -- the security headers --------------------------------------------------------------------------
@pytest.fixture
def build(tmp_path, monkeypatch):
    root = tmp_path / "build"
    (root / "portal").mkdir(parents=True)
    (root / "portal" / "index.html").write_text(PAGE)
    (root / "portal" / "index.html.gz").write_bytes(gzip.compress(PAGE.encode()))
    pages = security_headers.BuiltPages(root)
    monkeypatch.setattr(security_headers, "built_pages", lambda: pages)
    return root


def _csp(response) -> dict[str, list[str]]:
    out = {}
    for part in response.headers["content-security-policy"].split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def _headers_app(build: Path):
    async def page(request):
        return HTMLResponse((build / "portal" / "index.html").read_text())

    async def page_gz(request):
        data = (build / "portal" / "index.html.gz").read_bytes()
        return Response(data, media_type="text/html", headers={"Content-Encoding": "gzip"})

    async def altered(request):  # HTML the build did not write: its scripts get no hash
        return HTMLResponse(PAGE.replace("window.done = true;", "alert(1);"))

    async def download(request):
        return Response(
            b"%PDF-1.4",
            media_type="application/pdf",
            headers={"Content-Disposition": 'attachment; filename="q.pdf"', "X-Frame-Options": "SAMEORIGIN"},
        )

    app = Starlette(
        routes=[
            Route("/portal", page),
            Route("/portal-gz", page_gz),
            Route("/altered", altered),
            Route("/files/quote/1", download),
            Route("/_health", lambda r: JSONResponse({"status": "ok"})),
        ]
    )
    return security_headers.security_headers(app)


def test_every_answer_carries_the_headers(settings, build):
    client = TestClient(_headers_app(build), base_url=OURS)
    for path in ("/portal", "/_health", "/files/quote/1", "/nowhere"):
        r = client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["referrer-policy"] == "same-origin", path
        assert "camera=()" in r.headers["permissions-policy"], path
        assert r.headers["cross-origin-opener-policy"] == "same-origin", path
        assert r.headers["cross-origin-resource-policy"] == "same-origin", path
        assert "strict-transport-security" not in r.headers, path  # http: no HSTS
        csp = _csp(r)
        assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"], path
        assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"], path
        assert csp["connect-src"][:3] == ["'self'", OURS, "ws://portal.test"], path
        assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"], path
    assert client.get("/portal").headers["x-frame-options"] == "DENY"
    # A file keeps what it says itself.
    pdf = client.get("/files/quote/1")
    assert pdf.headers["content-disposition"] == 'attachment; filename="q.pdf"'
    assert pdf.headers["x-frame-options"] == "SAMEORIGIN" and pdf.headers.get_list("x-content-type-options") == [
        "nosniff"
    ]


def test_a_built_page_allows_exactly_its_inline_scripts(settings, build):
    client = TestClient(_headers_app(build), base_url=OURS)
    page = client.get("/portal")
    assert page.text == PAGE
    assert set(_csp(page)["script-src"]) == {"'self'", *PAGE_HASHES}
    gz = client.get("/portal-gz", headers={"Accept-Encoding": "gzip"})
    assert gz.text == PAGE and set(_csp(gz)["script-src"]) == {"'self'", *PAGE_HASHES}
    # HTML that is not a built page gets no script hash at all.
    assert _csp(client.get("/altered"))["script-src"] == ["'self'"]
    assert _csp(client.get("/_health"))["script-src"] == ["'self'"]


def test_a_page_sent_by_path_is_found_by_its_path(settings, build):
    sent = []

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/html")]})
        await send({"type": "http.response.pathsend", "path": str(build / "portal" / "index.html")})

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/portal", "headers": []}
    _run(security_headers.security_headers(app)(scope, None, send))
    start = dict(sent[0]["headers"])
    script_src = start[b"content-security-policy"].decode().split("script-src ")[1].split(";")[0].split()
    assert set(script_src) == {"'self'", *PAGE_HASHES}
    assert sent[1]["type"] == "http.response.pathsend"


def test_a_page_is_read_again_when_the_build_changes_and_nothing_outside_it_counts(settings, build, tmp_path):
    pages = security_headers.built_pages()
    index = build / "portal" / "index.html"
    assert pages.for_path(str(index)) == pages.for_path(str(index) + ".gz") != ()
    assert set(pages.for_path(str(index))) == PAGE_HASHES
    index.write_text(PAGE.replace("window.done = true;", "window.done = 2;"))
    assert sha("window.done = 2;") in pages.for_path(str(index))
    outside = tmp_path / "elsewhere.html"
    outside.write_text(PAGE)
    assert pages.for_path(str(outside)) == () and pages.for_path(str(build / "portal" / ".." / ".." / "x.html")) == ()


def test_a_304_carries_no_policy(settings, build):
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 304, "headers": [(b"etag", b'"x"')]})
        await send({"type": "http.response.body", "body": b""})

    r = TestClient(security_headers.security_headers(app), base_url=OURS).get("/portal")
    assert r.status_code == 304 and "content-security-policy" not in r.headers
    assert r.headers["x-content-type-options"] == "nosniff"


def test_https_cloudinary_and_a_split_backend(isolated_settings, monkeypatch, build):
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://portal.example.com")
    monkeypatch.setenv("PORTAL_BACKEND_URL", "https://api.portal.example.com")
    monkeypatch.setenv("CLOUDINARY_URL", "cloudinary://key:secret@demo")
    r = TestClient(_headers_app(build), base_url="https://portal.example.com").get("/_health")
    assert r.headers["strict-transport-security"] == "max-age=31536000"
    assert r.headers["cross-origin-resource-policy"] == "same-site"
    csp = _csp(r)
    assert csp["img-src"] == ["'self'", "data:", "https://res.cloudinary.com"]
    assert csp["connect-src"] == [
        "'self'",
        "https://portal.example.com",
        "wss://portal.example.com",
        "https://api.portal.example.com",
        "wss://api.portal.example.com",
        "https://res.cloudinary.com",
    ]
    assert csp["form-action"] == ["'self'", "https://api.portal.example.com"]


def test_websockets_pass_untouched(settings):
    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])
        await send({"type": "websocket.accept"})

    sent = []

    async def send(message):
        sent.append(message)

    _run(security_headers.security_headers(app)({"type": "websocket", "path": "/_event", "headers": []}, None, send))
    assert seen == ["websocket"] and sent == [{"type": "websocket.accept"}]


def test_inline_script_hashes_follow_the_browser(settings):
    # The browser hashes the script's text after turning CRLF into LF.
    assert security_headers.inline_script_hashes("<script>a();\r\nb();</script>") == (sha("a();\nb();"),)
    assert security_headers.inline_script_hashes('<script src="/x.js"></script><script> </script>') == (sha(" "),)


def test_no_page_runs_a_string_through_eval():
    # rx.call_script("...") makes the browser eval() the string, which the policy refuses
    # (no 'unsafe-eval'): browser code goes through rx.run_script, compiled into the page.
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "pool_portal").rglob("*.py")
        if re.search(r"\bcall_script\(", path.read_text())
    ]
    assert offenders == []
