"""One typed settings object, read from the environment and validated at start.

Reflex itself reads only ``REFLEX_``-prefixed variables, so the database and Redis
URLs keep Reflex's names; everything that is ours is ``PORTAL_``-prefixed.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from pool_portal import resources


class SettingsError(ValueError):
    """A configuration problem, with a one-line message naming the variable."""


# The database URL schemes we accept, and the driver each one uses.
_DB_SCHEMES = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgres": "postgresql+psycopg",
    "postgresql": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}


_DEFAULT_PORTS = {"http": 80, "https": 443}
# One machine's own names for itself: a loopback public URL (`make run`) allows them all,
# on its port only, so http://127.0.0.1:3000 works as well as http://localhost:3000.
_LOOPBACK = ("localhost", "127.0.0.1", "[::1]")


def origin_of(url: str) -> str:
    """The origin of an http(s) URL as a browser writes it in ``Origin``:
    ``scheme://host[:port]``, lower case, the scheme's default port left out."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if ":" in host:  # IPv6
        host = f"[{host}]"
    port = parts.port
    return f"{scheme}://{host}" + (f":{port}" if port and port != _DEFAULT_PORTS.get(scheme) else "")


def _check_origin(raw: str) -> str:
    """``raw`` as an origin (see origin_of); ValueError when it is anything more or less."""
    try:
        parts = urlsplit(raw)
        _ = parts.port  # urlsplit checks the port only when it is read
    except ValueError:
        parts = None
    if (
        parts is None
        or parts.scheme.lower() not in _DEFAULT_PORTS
        or not parts.hostname
        or parts.username is not None
        or parts.path not in ("", "/")
        or parts.query
        or parts.fragment
    ):
        raise ValueError(f"{raw[:60]!r} is not an origin (scheme://host[:port], nothing after it)")
    return origin_of(raw)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    port: int = Field(3000, ge=1, le=65535, validation_alias=AliasChoices("PORT"))
    # `portal serve`: the address to listen on, and the number of backend workers
    # (several need REFLEX_REDIS_URL; unset: one, or Reflex's choice with Redis).
    host: str = Field("0.0.0.0", min_length=1, validation_alias=AliasChoices("PORTAL_HOST"))
    workers: int | None = Field(None, ge=1, le=64, validation_alias=AliasChoices("PORTAL_WORKERS", "GRANIAN_WORKERS"))
    data_dir: Path = Field(default_factory=resources.default_data_dir, validation_alias=AliasChoices("PORTAL_DATA_DIR"))
    db_url: str = Field("", validation_alias=AliasChoices("REFLEX_DB_URL"))
    redis_url: str | None = Field(None, validation_alias=AliasChoices("REFLEX_REDIS_URL"))
    secret_key: str | None = Field(None, validation_alias=AliasChoices("PORTAL_SECRET_KEY"))
    public_url: str = Field("", validation_alias=AliasChoices("PORTAL_PUBLIC_URL"))
    # Only when the backend is served apart from the pages (`make dev`: pages on 3000,
    # backend on 8000): where the sign-in forms post to. Unset: the same origin.
    backend_url: str | None = Field(None, validation_alias=AliasChoices("PORTAL_BACKEND_URL"))
    # More origins whose pages may use the portal with the user's session (another name
    # of the same portal), comma separated: the public URL's (and the backend's) are
    # always allowed, any other page is refused the websocket and credentialed reads.
    extra_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        (), validation_alias=AliasChoices("PORTAL_EXTRA_ORIGINS")
    )
    smtp_url: str | None = Field(None, validation_alias=AliasChoices("PORTAL_SMTP_URL"))
    mail_from: str = Field("Pool Portal <no-reply@localhost>", validation_alias=AliasChoices("PORTAL_MAIL_FROM"))
    cloudinary_url: str | None = Field(None, validation_alias=AliasChoices("CLOUDINARY_URL"))
    session_idle_minutes: int = Field(
        30, ge=1, le=24 * 60, validation_alias=AliasChoices("PORTAL_SESSION_IDLE_MINUTES")
    )
    session_max_hours: int = Field(12, ge=1, le=24 * 30, validation_alias=AliasChoices("PORTAL_SESSION_MAX_HOURS"))
    # Password sign-in: failures allowed from one client IP, across accounts, per window
    # (successful sign-ins never count: many users behind one office address).
    login_ip_failures: int = Field(30, ge=1, le=1_000_000, validation_alias=AliasChoices("PORTAL_LOGIN_IP_FAILURES"))
    login_ip_window_minutes: int = Field(
        15, ge=1, le=24 * 60, validation_alias=AliasChoices("PORTAL_LOGIN_IP_WINDOW_MINUTES")
    )
    # The integration API (/api/v1): requests per key per minute, and the largest body.
    api_rate_limit: int = Field(120, ge=1, le=1_000_000, validation_alias=AliasChoices("PORTAL_API_RATE_LIMIT"))
    api_max_body_bytes: int = Field(
        1024 * 1024, ge=1024, le=64 * 1024 * 1024, validation_alias=AliasChoices("PORTAL_API_MAX_BODY_BYTES")
    )
    # Online payments: where the providers' SDKs send their API calls. Unset: the real
    # APIs. Set only to a stand-in (the tests) or a proxy of your own.
    stripe_api_base: str | None = Field(None, validation_alias=AliasChoices("PORTAL_STRIPE_API_BASE"))
    mollie_api_endpoint: str | None = Field(None, validation_alias=AliasChoices("PORTAL_MOLLIE_API_ENDPOINT"))
    api_max_pdf_bytes: int = Field(
        10 * 1024 * 1024, ge=1024, le=256 * 1024 * 1024, validation_alias=AliasChoices("PORTAL_API_MAX_PDF_BYTES")
    )

    @field_validator(
        "redis_url",
        "smtp_url",
        "cloudinary_url",
        "secret_key",
        "backend_url",
        "stripe_api_base",
        "mollie_api_endpoint",
        "workers",
        mode="before",
    )
    @classmethod
    def _blank_is_none(cls, v):
        if isinstance(v, str) and not v.strip():
            return None
        return v

    @field_validator("db_url")
    @classmethod
    def _check_db_url(cls, v: str) -> str:
        v = v.strip()
        if not v:
            return v
        scheme, sep, rest = v.partition("://")
        scheme = scheme.lower()
        if not sep or scheme not in _DB_SCHEMES:
            raise ValueError("must look like sqlite:////path/portal.db or postgresql://user:password@host/db")
        # postgres:// and postgresql:// would make SQLAlchemy look for psycopg2, which is
        # not installed: psycopg (3) is.
        return f"{_DB_SCHEMES[scheme]}://{rest}"

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, v: str | None) -> str | None:
        if v and urlsplit(v).scheme not in ("redis", "rediss", "unix"):
            raise ValueError("must be a redis:// or rediss:// URL")
        return v

    @field_validator("public_url", "backend_url", "stripe_api_base", "mollie_api_endpoint")
    @classmethod
    def _check_public_url(cls, v: str | None) -> str | None:
        if v:
            parts = urlsplit(v)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValueError("must be an http:// or https:// URL")
        return v.rstrip("/") if v else v

    @field_validator("extra_origins", mode="before")
    @classmethod
    def _check_extra_origins(cls, v) -> tuple[str, ...]:
        items = v.split(",") if isinstance(v, str) else list(v or ())
        return tuple(_check_origin(item.strip()) for item in items if item.strip())

    @field_validator("smtp_url")
    @classmethod
    def _check_smtp_url(cls, v: str | None) -> str | None:
        if v:
            parts = urlsplit(v)
            if parts.scheme not in ("smtp", "smtps", "smtp+starttls") or not parts.hostname:
                raise ValueError("must look like smtp://host:port or smtps://user:pass@host:465")
            try:
                _ = parts.port  # urlsplit checks the port only when it is read
            except ValueError as exc:
                raise ValueError("has a bad port") from exc
        return v

    @field_validator("cloudinary_url")
    @classmethod
    def _check_cloudinary_url(cls, v: str | None) -> str | None:
        if v:
            parts = urlsplit(v)
            if parts.scheme != "cloudinary" or not parts.hostname or not parts.username:
                raise ValueError("must look like cloudinary://API_KEY:API_SECRET@CLOUD_NAME")
        return v

    @field_validator("secret_key")
    @classmethod
    def _check_secret(cls, v: str | None) -> str | None:
        if v is not None and len(v) < 32:
            raise ValueError("must be at least 32 characters")
        return v

    @model_validator(mode="after")
    def _defaults(self) -> Settings:
        self.data_dir = Path(self.data_dir).expanduser().resolve()
        if not self.db_url:
            self.db_url = f"sqlite:///{self.data_dir / 'portal.db'}"
        if not self.public_url:
            self.public_url = f"http://localhost:{self.port}"
        return self

    # -- derived -----------------------------------------------------------
    @property
    def is_sqlite(self) -> bool:
        return self.db_url.startswith("sqlite")

    @property
    def is_embedded_db(self) -> bool:
        """The embedded default: REFLEX_DB_URL unset (or naming the same file), so the
        SQLite file under PORTAL_DATA_DIR. `make run` loads the demo data only here."""
        return self.db_url == f"sqlite:///{self.data_dir / 'portal.db'}"

    def form_action(self, path: str) -> str:
        """Where a page's plain form posts: the same origin, or the split-off backend."""
        return f"{self.backend_url}{path}" if self.backend_url else path

    def page_url(self, path: str) -> str:
        """Where a backend route redirects to: relative on one origin (the browser stays
        on the host it used), the pages' origin when the backend is split off."""
        return f"{self.public_url}{path}" if self.backend_url else path

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """The origins whose pages may open the websocket and read credentialed answers:
        the public URL's (with the other loopback names when it is one), the split-off
        backend's, and PORTAL_EXTRA_ORIGINS. Nothing else, never ``*``."""
        found: list[str] = []
        for url in (self.public_url, self.backend_url):
            if not url:
                continue
            parts = urlsplit(origin_of(url))
            host = f"[{parts.hostname}]" if ":" in (parts.hostname or "") else parts.hostname
            port = f":{parts.port}" if parts.port else ""
            found += [f"{parts.scheme}://{name}{port}" for name in (_LOOPBACK if host in _LOOPBACK else (host,))]
        found += self.extra_origins
        return tuple(dict.fromkeys(found))

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    @property
    def files_dir(self) -> Path:
        """Private files (PDFs, photos): never under Reflex's public upload dir."""
        return self.data_dir / "files"

    def ensure_data_dir(self) -> None:
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # A probe of its own: two processes starting together must not collide.
            with tempfile.NamedTemporaryFile(dir=self.data_dir, prefix=".write-test-"):
                pass
        except OSError as exc:
            raise SettingsError(f"PORTAL_DATA_DIR: {self.data_dir} is not writable ({exc.strerror or exc})") from exc

    def get_secret_key(self) -> str:
        """PORTAL_SECRET_KEY, or one generated once into the data dir and reused."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.ensure_data_dir()
            # Written whole under a private name, then linked into place: another process
            # never reads a half-written key, and when two start together one key wins.
            key = secrets.token_urlsafe(48)
            tmp = self.data_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "w") as fh:
                    fh.write(key)
                try:
                    os.link(tmp, path)
                except FileExistsError:
                    pass
                except OSError:  # a filesystem without hard links
                    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
                    with contextlib.suppress(FileExistsError), os.fdopen(os.open(path, flags, 0o600), "w") as fh:
                        fh.write(key)
            finally:
                tmp.unlink(missing_ok=True)
        key = path.read_text().strip()
        if len(key) < 32:
            raise SettingsError(f"PORTAL_DATA_DIR: {path} holds no usable key (delete it to make a new one)")
        return key


_ALIASES = {
    name: (field.validation_alias.choices[0] if isinstance(field.validation_alias, AliasChoices) else name)
    for name, field in Settings.model_fields.items()
}


def load_settings() -> Settings:
    """Build the settings from the environment; raise SettingsError with one line
    naming the bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        field = err["loc"][0] if err["loc"] else "?"
        var = _ALIASES.get(str(field), str(field))
        msg = err["msg"].removeprefix("Value error, ")
        raise SettingsError(f"{var}: {msg}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
