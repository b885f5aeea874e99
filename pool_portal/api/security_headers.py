"""Security headers on every answer: the built pages, the backend routes, the files.

One ASGI middleware (``security_headers``, the last ``api_transformer`` in
pool_portal.py, so around the pages and every backend route). What each header is for
is in docs/security.md ("Other sites' pages: origins and headers"); in short:

- ``Content-Security-Policy``: scripts only from the portal itself, plus the inline
  scripts of the built pages, each allowed by its SHA-256 (never ``'unsafe-inline'``
  for scripts): the build writes a few small inline scripts into every page (the
  colour scheme, React Router's context and its streamed data). Their hashes are read
  from the built files: a page answer gets the hashes of exactly the file it is (found
  by its path when the server sends the file itself, else by the body's digest), any
  other answer none, and a 304 no policy at all (the browser would put it on the
  cached page in place of the page's own). Styles need ``'unsafe-inline'``: Emotion
  (Reflex's styling) and plotly write ``<style>`` elements at run time and the build
  inlines Emotion's first styles, without a nonce. Connections: the portal's own
  origins and their websockets (ws/wss); Cloudinary's delivery host, for images too,
  when ``CLOUDINARY_URL`` is set. No framing, no plugins, no ``<base>``, forms post
  only to the portal.
- ``X-Frame-Options: DENY`` (older browsers' ``frame-ancestors``),
  ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: same-origin``, a
  ``Permissions-Policy`` that turns off what the portal never uses (the photo picker is
  a file input: choosing or taking a photo needs no camera permission),
  ``Cross-Origin-Opener-Policy`` and ``Cross-Origin-Resource-Policy``, and
  ``Strict-Transport-Security`` when the public URL is https.

A header an answer already has is kept (a file's own ``Content-Disposition`` and
``nosniff`` are untouched); websockets and lifespan events pass through.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache, lru_cache
from html.parser import HTMLParser
from pathlib import Path

from reflex.constants import Dirs
from reflex.utils import prerequisites
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pool_portal.settings import Settings, get_settings, origin_of

CLOUDINARY_DELIVERY = "https://res.cloudinary.com"
HSTS = "max-age=31536000"
PERMISSIONS = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), midi=(), "
    "display-capture=(), fullscreen=(), picture-in-picture=(), accelerometer=(), gyroscope=(), magnetometer=()"
)
# A page answer larger than this is sent on without being hashed (no built page is near it).
_MAX_PAGE_BYTES = 2 * 1024 * 1024
_COMPRESSED = (".gz", ".br", ".zst")


# -- the built pages' inline scripts ---------------------------------------------------------------
class _InlineScripts(HTMLParser):
    """The text of every ``<script>`` without ``src``, as the browser will hash it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[str] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._text = []

    def handle_data(self, data) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag) -> None:
        if tag == "script" and self._text is not None:
            text = "".join(self._text)
            if text:  # an empty script runs nothing and needs no hash
                self.found.append(text)
            self._text = None


def inline_script_hashes(html: str) -> tuple[str, ...]:
    """CSP sources (``'sha256-...'``) for the inline scripts of ``html``, in order, once each."""
    parser = _InlineScripts()
    parser.feed(html.replace("\r\n", "\n").replace("\r", "\n"))  # the browser's newline rule
    parser.close()
    digests = (base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() for text in parser.found)
    return tuple(dict.fromkeys(f"'sha256-{d}'" for d in digests))


class BuiltPages:
    """The inline-script hashes of the built pages (``*.html`` and their precompressed
    copies), found by the file the server sends or by the digest of the body it sent."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self._by_digest: dict[bytes, tuple[str, ...]] | None = None
        self._by_file: dict[tuple[Path, int, int], tuple[str, ...]] = {}

    def _hashes_of(self, page: Path) -> tuple[str, ...]:
        """A page's hashes, read again if the file changed (a new build under a running server)."""
        stat = page.stat()
        key = (page, stat.st_mtime_ns, stat.st_size)
        if key not in self._by_file:
            self._by_file[key] = inline_script_hashes(page.read_bytes().decode("utf-8", "replace"))
        return self._by_file[key]

    def for_path(self, path: str) -> tuple[str, ...]:
        """The hashes of the built page at ``path`` (or whose compressed copy it is); none
        for a file outside the build."""
        page = Path(path).resolve()
        page = next(
            (page.with_name(page.name.removesuffix(ext)) for ext in _COMPRESSED if page.name.endswith(ext)), page
        )
        if not page.is_relative_to(self.root) or page.suffix != ".html" or not page.is_file():
            return ()
        return self._hashes_of(page)

    def for_body(self, body: bytes) -> tuple[str, ...]:
        """The hashes of the built page whose bytes (or compressed copy's) ``body`` is; none
        for any other HTML. The digests are read once, when the first page is served."""
        if self._by_digest is None:
            index: dict[bytes, tuple[str, ...]] = {}
            for page in self.root.rglob("*.html") if self.root.is_dir() else ():
                hashes = self._hashes_of(page)
                for path in (page, *(page.with_name(page.name + ext) for ext in _COMPRESSED)):
                    if path.is_file():
                        index[hashlib.sha256(path.read_bytes()).digest()] = hashes
            self._by_digest = index
        return self._by_digest.get(hashlib.sha256(body).digest(), ())


@cache
def built_pages() -> BuiltPages:
    return BuiltPages(prerequisites.get_web_dir() / Dirs.STATIC)


# -- the policy ------------------------------------------------------------------------------------
def _own_origins(settings: Settings) -> list[str]:
    """The portal's origins and their websockets' (ws for http, wss for https). Not an
    IPv6 literal ([::1]): CSP has no syntax for one ('self' still covers a page loaded so)."""
    out: list[str] = []
    for origin in settings.allowed_origins:
        if "://[" not in origin:
            out += [origin, "ws" + origin.removeprefix("http")]
    return out


def content_security_policy(settings: Settings, script_hashes: tuple[str, ...] = ()) -> str:
    cloudinary = [CLOUDINARY_DELIVERY] if settings.cloudinary_url else []
    forms = [origin_of(settings.backend_url)] if settings.backend_url else []
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *cloudinary],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'", *_own_origins(settings), *cloudinary],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", *forms],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(dict.fromkeys(values))}" for name, values in directives.items())


def fixed_headers(settings: Settings) -> list[tuple[str, str]]:
    """Every header but the CSP, the same on every answer."""
    headers = [
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", PERMISSIONS),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        # Pages and backend on two origins (PORTAL_BACKEND_URL): the pages load from both.
        ("Cross-Origin-Resource-Policy", "same-site" if settings.backend_url else "same-origin"),
    ]
    if settings.public_url.startswith("https://"):
        headers.append(("Strict-Transport-Security", HSTS))
    return headers


# -- the middleware --------------------------------------------------------------------------------
def security_headers(app: ASGIApp) -> ASGIApp:
    settings = get_settings()
    fixed = fixed_headers(settings)

    @lru_cache(maxsize=256)
    def policy(hashes: tuple[str, ...]) -> str:
        return content_security_policy(settings, hashes)

    def with_headers(start: Message, hashes: tuple[str, ...] = ()) -> Message:
        message = {**start, "headers": list(start.get("headers", []))}
        headers = MutableHeaders(scope=message)
        # A 304 updates the browser's cached copy's headers: a policy here, without the
        # page's hashes, would replace the page's own and block its scripts.
        csp = [] if start["status"] == 304 else [("Content-Security-Policy", policy(hashes))]
        for name, value in [*fixed, *csp]:
            if name not in headers:
                headers[name] = value
        return message

    async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        held: Message | None = None  # a page's start, until its body says which page it is
        body: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal held
            kind = message["type"]
            if kind == "http.response.start":
                content_type = MutableHeaders(raw=list(message.get("headers", []))).get("content-type", "")
                if content_type.startswith("text/html"):
                    held = message
                    return
                await send(with_headers(message))
                return
            if held is None:
                await send(message)
                return
            if kind == "http.response.body":
                body.append(message.get("body", b""))
                size = sum(len(b) for b in body)
                if message.get("more_body", False) and size <= _MAX_PAGE_BYTES:
                    return
                data = b"".join(body)
                hashes = () if size > _MAX_PAGE_BYTES else built_pages().for_body(data)
                start, held = held, None
                await send(with_headers(start, hashes))
                await send({**message, "body": data})
                return
            hashes = built_pages().for_path(message["path"]) if kind == "http.response.pathsend" else ()
            start, held = held, None
            await send(with_headers(start, hashes))
            await send(message)

        await app(scope, receive, send_with_headers)

    return asgi
