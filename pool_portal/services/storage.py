"""Private file storage. Files live under PORTAL_DATA_DIR/files, never in a public
folder; they reach a browser only through a route that authorises the session.

Keys are generated here (a folder and a random name), so a key from the database can
never point outside the storage folder; keys that do not look like ours are refused.
"""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from pathlib import Path

from pool_portal.settings import get_settings

KEY = re.compile(r"^[a-z]+/[A-Za-z0-9_-]{16,64}\.[a-z0-9]{1,5}$")


class StorageError(Exception):
    pass


def _root() -> Path:
    return get_settings().files_dir


def save(data: bytes, folder: str, extension: str) -> str:
    """Store ``data``; return its key (``folder/random.ext``)."""
    if not re.fullmatch(r"[a-z]+", folder) or not re.fullmatch(r"[a-z0-9]{1,5}", extension):
        raise StorageError("bad folder or extension")
    key = f"{folder}/{secrets.token_urlsafe(18)}.{extension}"
    target = _root() / key
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)
    return key


def read(key: str) -> bytes:
    if not KEY.fullmatch(key or ""):
        raise StorageError("not a storage key")
    path = _root() / key
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise StorageError("missing file") from exc


def delete_local(key: str) -> None:
    """Remove a stored file (best effort: a missing file is not an error)."""
    if not KEY.fullmatch(key or ""):
        raise StorageError("not a storage key")
    (_root() / key).unlink(missing_ok=True)


# -- images: local files or Cloudinary ---------------------------------------------------
# One interface for incident photos. With CLOUDINARY_URL set, images go to Cloudinary as
# *authenticated* assets (a signed upload; delivered only through signed URLs); without
# it, they are private local files read back through an authorising route.

LOCAL, CLOUDINARY = "local", "cloudinary"
IMAGE_FOLDER = "incidents"
_IMAGE_EXTENSIONS = ("jpg", "png", "webp")
_PUBLIC_ID = re.compile(r"^[A-Za-z0-9_/-]{1,200}$")


def _cloudinary_options() -> dict[str, str] | None:
    """cloud_name/api_key/api_secret from settings.cloudinary_url, or None (local files)."""
    from urllib.parse import unquote, urlsplit

    url = get_settings().cloudinary_url
    if not url:
        return None
    parts = urlsplit(url)
    return {"cloud_name": parts.hostname or "", "api_key": unquote(parts.username or ""),
            "api_secret": unquote(parts.password or "")}


def image_backend() -> str:
    return CLOUDINARY if _cloudinary_options() else LOCAL


def put_image(data: bytes, ext: str) -> tuple[str, str]:
    """Store an image (already checked by services.uploads); return (backend, key).
    Raises StorageError when it cannot be stored."""
    if ext not in _IMAGE_EXTENSIONS:
        raise StorageError("not an image extension")
    options = _cloudinary_options()
    if options is None:
        return LOCAL, save(data, IMAGE_FOLDER, ext)
    import cloudinary.uploader

    try:
        result = cloudinary.uploader.upload(
            data, folder=IMAGE_FOLDER, type="authenticated", resource_type="image",
            public_id=secrets.token_urlsafe(18).replace("-", "x").replace("_", "y"),
            overwrite=False, timeout=30, **options,
        )
    except Exception as exc:  # network, refused signature, bad answer...
        raise StorageError(f"cloudinary upload failed: {exc}") from exc
    public_id = result.get("public_id") if isinstance(result, dict) else None
    if not isinstance(public_id, str) or not _PUBLIC_ID.fullmatch(public_id):
        raise StorageError("cloudinary answered without a usable public_id")
    return CLOUDINARY, public_id


def image_url_or_bytes(backend: str, key: str) -> str | bytes:
    """Cloudinary: a signed delivery URL (str) for the authenticated asset. Local: the
    file's bytes (the caller serves them after authorising). Raises StorageError."""
    if backend == LOCAL:
        return read(key)
    if backend == CLOUDINARY:
        options = _cloudinary_options()
        if options is None or not _PUBLIC_ID.fullmatch(key or ""):
            raise StorageError("cloudinary is not configured or the key is not ours")
        from cloudinary.utils import cloudinary_url

        url, _ = cloudinary_url(key, type="authenticated", sign_url=True, secure=True,
                                resource_type="image", **options)
        return url
    raise StorageError(f"unknown storage backend {backend!r}")


def delete(backend: str, key: str) -> None:
    """Remove a stored image. Raises StorageError on a bad key or backend."""
    if backend == LOCAL:
        delete_local(key)
        return
    if backend == CLOUDINARY:
        options = _cloudinary_options()
        if options is None or not _PUBLIC_ID.fullmatch(key or ""):
            raise StorageError("cloudinary is not configured or the key is not ours")
        import cloudinary.uploader

        try:
            cloudinary.uploader.destroy(key, type="authenticated", resource_type="image", invalidate=True,
                                        timeout=30, **options)
        except Exception as exc:
            raise StorageError(f"cloudinary delete failed: {exc}") from exc
        return
    raise StorageError(f"unknown storage backend {backend!r}")
