"""Private file storage. Files live under PORTAL_DATA_DIR/files, never in a public
folder; they reach a browser only through a route that authorises the session.

Keys are generated here (a folder and a random name), so a key from the database can
never point outside the storage folder; keys that do not look like ours are refused.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
    _write(_root() / key, data)
    return key


def _write(target: Path, data: bytes) -> None:
    """Write a whole file or nothing (a temporary file renamed into place)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)


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
    (_root() / "thumbs" / (key.replace("/", "-") + ".jpg")).unlink(missing_ok=True)


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
    url = get_settings().cloudinary_url
    if not url:
        return None
    parts = urlsplit(url)
    return {
        "cloud_name": parts.hostname or "",
        "api_key": unquote(parts.username or ""),
        "api_secret": unquote(parts.password or ""),
    }


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
    import cloudinary.uploader  # lazy: the Cloudinary SDK (~0.2 s) only when CLOUDINARY_URL is set

    try:
        result = cloudinary.uploader.upload(
            data,
            folder=IMAGE_FOLDER,
            type="authenticated",
            resource_type="image",
            public_id=secrets.token_urlsafe(18).replace("-", "x").replace("_", "y"),
            overwrite=False,
            timeout=30,
            **options,
        )
    except Exception as exc:  # network, refused signature, bad answer...
        raise StorageError(f"cloudinary upload failed: {exc}") from exc
    public_id = result.get("public_id") if isinstance(result, dict) else None
    if not isinstance(public_id, str) or not _PUBLIC_ID.fullmatch(public_id):
        raise StorageError("cloudinary answered without a usable public_id")
    return CLOUDINARY, public_id


THUMB_PX = 256  # a thumbnail's longer side: sharp at 96 to 128 CSS pixels on a 2x screen


def image_url_or_bytes(backend: str, key: str, *, thumb: bool = False) -> str | bytes:
    """Cloudinary: a signed delivery URL (str) for the authenticated asset. Local: the
    file's bytes (the caller serves them after authorising). ``thumb``: a small JPEG
    instead (Cloudinary resizes it; locally it is made once and kept). Raises StorageError."""
    if backend == LOCAL:
        return local_thumbnail(key) if thumb else read(key)
    if backend == CLOUDINARY:
        options = _cloudinary_options()
        if options is None or not _PUBLIC_ID.fullmatch(key or ""):
            raise StorageError("cloudinary is not configured or the key is not ours")
        from cloudinary.utils import cloudinary_url  # lazy: the Cloudinary SDK only when CLOUDINARY_URL is set

        size = (
            {"transformation": [{"width": THUMB_PX, "height": THUMB_PX, "crop": "limit"}], "format": "jpg"}
            if thumb
            else {}
        )
        url, _ = cloudinary_url(
            key, type="authenticated", sign_url=True, secure=True, resource_type="image", **size, **options
        )
        return url
    raise StorageError(f"unknown storage backend {backend!r}")


def thumbnail(data: bytes) -> bytes | None:
    """A JPEG of at most THUMB_PX a side, turned as the camera meant (EXIF), transparent
    parts on white; None when Pillow cannot read the image."""
    from PIL import Image, ImageOps  # lazy: Pillow only when a thumbnail is made, not for every file read

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.draft("RGB", (THUMB_PX * 2, THUMB_PX * 2))  # JPEG: decode at a fraction of the size
            small = ImageOps.exif_transpose(im)
            small.thumbnail((THUMB_PX, THUMB_PX))
            if small.mode in ("RGBA", "LA", "P"):
                rgba = small.convert("RGBA")
                small = Image.new("RGB", rgba.size, (255, 255, 255))
                small.paste(rgba, mask=rgba.getchannel("A"))
            elif small.mode != "RGB":
                small = small.convert("RGB")
            out = io.BytesIO()
            small.save(out, "JPEG", quality=80, optimize=True)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def local_thumbnail(key: str) -> bytes:
    """The stored image's thumbnail, made on first use and kept beside the files
    (``thumbs/``, private like them); the image itself when it cannot be made."""
    original = read(key)  # checks the key, and that the image still exists
    path = _root() / "thumbs" / (key.replace("/", "-") + ".jpg")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    small = thumbnail(original)
    if small is None:
        return original
    _write(path, small)
    return small


def delete(backend: str, key: str) -> None:
    """Remove a stored image. Raises StorageError on a bad key or backend."""
    if backend == LOCAL:
        delete_local(key)
        return
    if backend == CLOUDINARY:
        options = _cloudinary_options()
        if options is None or not _PUBLIC_ID.fullmatch(key or ""):
            raise StorageError("cloudinary is not configured or the key is not ours")
        import cloudinary.uploader  # lazy: the Cloudinary SDK only when CLOUDINARY_URL is set

        try:
            cloudinary.uploader.destroy(
                key, type="authenticated", resource_type="image", invalidate=True, timeout=30, **options
            )
        except Exception as exc:
            raise StorageError(f"cloudinary delete failed: {exc}") from exc
        return
    raise StorageError(f"unknown storage backend {backend!r}")
