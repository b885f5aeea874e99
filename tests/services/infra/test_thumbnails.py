"""Incident photo thumbnails: small JPEGs made once from the private local files, turned
as the camera meant, never worse than the original when an image cannot be read."""

from __future__ import annotations

import io

from PIL import Image

from pool_portal.services.infra import storage


def _image(fmt: str, size=(2000, 1500), mode="RGB", colour=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, fmt, **save)
    return out.getvalue()


def test_a_big_photo_gets_a_small_jpeg_once_and_it_goes_with_the_photo(isolated_settings):
    photo = _image("JPEG", quality=95)
    backend, key = storage.put_image(photo, "jpg")
    small = storage.image_url_or_bytes(backend, key, thumb=True)
    with Image.open(io.BytesIO(small)) as im:
        assert im.format == "JPEG" and max(im.size) == storage.THUMB_PX and im.size == (256, 192)
    assert len(small) < len(photo) / 5
    kept = list((isolated_settings / "files" / "thumbs").iterdir())
    assert len(kept) == 1 and kept[0].read_bytes() == small
    assert storage.image_url_or_bytes(backend, key, thumb=True) == small  # read back, not made again
    assert storage.image_url_or_bytes(backend, key) == photo  # the photo itself is untouched
    storage.delete(backend, key)
    assert list((isolated_settings / "files" / "thumbs").iterdir()) == []


def test_a_sideways_phone_photo_stands_up(isolated_settings):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to view
    photo = _image("JPEG", size=(600, 300), exif=exif.tobytes())
    small = storage.thumbnail(photo)
    with Image.open(io.BytesIO(small)) as im:
        assert im.size[1] > im.size[0]


def test_transparent_parts_are_white_not_black(isolated_settings):
    png = _image("PNG", size=(400, 400), mode="RGBA", colour=(0, 0, 0, 0))
    with Image.open(io.BytesIO(storage.thumbnail(png))) as im:
        assert all(channel > 240 for channel in im.convert("RGB").getpixel((10, 10)))


def test_an_unreadable_image_is_served_as_stored(isolated_settings):
    odd = b"\xff\xd8\xff\xe0" + b"\x01" * 300  # looks like a JPEG to the upload check, is not one
    backend, key = storage.put_image(odd, "jpg")
    assert storage.thumbnail(odd) is None
    assert storage.image_url_or_bytes(backend, key, thumb=True) == odd
    assert not (isolated_settings / "files" / "thumbs").exists()
