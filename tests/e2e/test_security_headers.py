"""Every page and every backend route of the running app answers with the security
headers, and a page's Content-Security-Policy allows exactly the inline scripts the
page carries. Pages and routes are discovered from the app, so a new one is checked
without being listed here."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

import pytest
import requests
from reflex.constants import Endpoint
from starlette.routing import Mount

import pool_portal.pool_portal as portal_app
from pool_portal.api import integration
from tests.e2e.event_client import sign_in

DEMO_PASSWORD = "demo-portal-2026"
FOREIGN = "http://127.0.0.1:9"  # another port of the same host: another origin
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)
# A value for each path parameter, so that the route answers (200, 400, 401, 404: any).
PARAMS = {"kind": "quotes", "external_id": "X-1"}


def page_routes() -> list[str]:
    return sorted("/" if route == "index" else f"/{route}" for route in portal_app.app._unevaluated_pages)


def backend_routes() -> list[tuple[str, str]]:
    """(method, path) of every backend route: ours (pool_portal._backend(), the
    integration API's routes under its mount) and Reflex's own (/ping, /_health, the
    websocket's mount answering plain HTTP, /_upload)."""
    found: list[tuple[str, str]] = []

    def add(path: str, methods) -> None:
        path = re.sub(r"\{(\w+)\}", lambda m: PARAMS.get(m.group(1), "1"), path)
        for method in sorted(set(methods or {"GET"}) - {"HEAD"}):
            found.append((method, path))

    for route in portal_app._backend().routes + portal_app.app._api.routes:
        if isinstance(route, Mount) and route.path == integration.PREFIX:
            for api_route in integration.app.routes:
                add(integration.PREFIX + api_route.path, api_route.methods)
        elif isinstance(route, Mount):
            add(route.path + "/?EIO=4&transport=websocket", {"GET"})
        else:
            add(route.path, route.methods)
    found.append(("POST", "/" + str(Endpoint.UPLOAD).lstrip("/")))
    return sorted(set(found))


def policy(response) -> dict[str, list[str]]:
    out = {}
    for part in response.headers["content-security-policy"].split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def check_headers(response, base: str, where: str) -> dict[str, list[str]]:
    h = response.headers
    assert h.get("x-frame-options") == "DENY", where
    assert h.get("x-content-type-options") == "nosniff", where
    assert h.get("referrer-policy") == "same-origin", where
    assert "camera=()" in h.get("permissions-policy", ""), where
    assert h.get("cross-origin-opener-policy") == "same-origin", where
    assert h.get("cross-origin-resource-policy") == "same-origin", where
    assert "strict-transport-security" not in h, where  # the public URL is http here
    csp = policy(response)
    assert csp["default-src"] == ["'self'"], where
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"], where
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"], where
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"], where
    assert not any(source.startswith(("http", "ws", "*")) for source in csp["script-src"]), where
    host = urlsplit(base).netloc
    assert {"'self'", f"http://{host}", f"ws://{host}"} <= set(csp["connect-src"]), where
    assert "*" not in " ".join(csp["connect-src"] + csp["img-src"]), where
    return csp


def sha256_source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_every_page_carries_the_headers_and_allows_exactly_its_inline_scripts(app_server, encoding):
    routes = page_routes()
    assert "/portal" in routes and "/admin/clients" in routes
    for route in routes:
        r = requests.get(f"{app_server}{route}", headers={"Accept-Encoding": encoding}, timeout=30)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), route
        csp = check_headers(r, app_server, route)
        scripts = [s for s in INLINE_SCRIPT.findall(r.text) if s]
        assert scripts, f"{route}: the build wrote no inline script any more; the CSP hashes are then unneeded"
        assert set(csp["script-src"]) == {"'self'"} | {sha256_source(s) for s in scripts}, route
        # Revalidating the cached page: a 304 brings no policy, which the browser would
        # put on the cached page in place of the page's own (its hashes).
        again = requests.get(
            f"{app_server}{route}",
            headers={"Accept-Encoding": encoding, "If-None-Match": r.headers["etag"]},
            timeout=30,
        )
        assert again.status_code == 304 and "content-security-policy" not in again.headers, route


def test_every_backend_route_carries_the_headers_and_no_cors_for_a_foreign_origin(app_server):
    routes = backend_routes()
    paths = {path for _, path in routes}
    assert {"/auth/login", "/files/export/quotes.csv", "/_health", "/ping", "/api/v1/clients", "/_upload"} <= paths
    cookie = sign_in(app_server, "client@aquademo.example.com", DEMO_PASSWORD)
    for method, path in routes:
        for who, cookies in (("anonymous", {}), ("a portal user", {"pp_session": cookie})):
            r = requests.request(
                method,
                f"{app_server}{path}",
                headers={"Origin": FOREIGN},
                cookies=cookies,
                allow_redirects=False,
                timeout=30,
            )
            where = f"{method} {path} as {who}: {r.status_code}"
            assert r.status_code < 500, where
            check_headers(r, app_server, where)
            assert not [k for k in r.headers if k.lower().startswith("access-control-")], where


def test_a_file_keeps_its_disposition_and_nosniff(app_server):
    cookie = sign_in(app_server, "client@aquademo.example.com", DEMO_PASSWORD)
    r = requests.get(f"{app_server}/files/export/quotes.csv", cookies={"pp_session": cookie}, timeout=30)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith("attachment;")
    assert r.headers["x-content-type-options"] == "nosniff"
    check_headers(r, app_server, "the CSV export")
