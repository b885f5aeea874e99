"""Photo checks: the content decides the type, with limits on size and count."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pool_portal.services.infra import uploads

JPEG = b"\xff\xd8\xff\xdb" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


def test_images_are_recognised_by_content_not_by_name_and_named_by_it():
    images, errors = uploads.check_images(
        [("a.jpg", JPEG), ("b.JPEG", PNG), ("no-extension", WEBP), ("../evil.html", JPEG), ("x.png", JPEG)]
    )
    assert errors == []
    assert [(i.name, i.ext, i.content_type, i.size) for i in images] == [
        ("a.jpg", "jpg", "image/jpeg", len(JPEG)),
        ("b.png", "png", "image/png", len(PNG)),  # the name's extension follows the content
        ("no-extension.webp", "webp", "image/webp", len(WEBP)),
        ("evil.jpg", "jpg", "image/jpeg", len(JPEG)),
        ("x.jpg", "jpg", "image/jpeg", len(JPEG)),
    ]


def test_a_stored_name_takes_its_extension_from_the_detected_type_only():
    for name, kind, expected in [
        ("evil.html", "jpg", "evil.jpg"),
        ("x.png", "jpg", "x.jpg"),
        ("../../x.png.html", "pdf", "x-png.pdf"),  # no claimed extension survives, not even inside
        ("C:\\fakepath\\signed order.pdf", "pdf", "signed order.pdf"),
        ('<img src=x onerror="alert(1)">.svg', "png", "img src-x onerror-alert-1.png"),
        (".htaccess", "webp", "photo.webp"),
        ("", "jpg", "photo.jpg"),
    ]:
        assert uploads.typed_name(name, kind, "photo") == expected, name
    assert [uploads.file_kind(d) for d in (b"%PDF-1.7", JPEG, PNG, WEBP, b"<html>")] == [
        "pdf",
        "jpg",
        "png",
        "webp",
        None,
    ]


def test_disguised_and_empty_files_are_refused():
    for data in (
        b"%PDF-1.4\n%...",
        b"<html><body>hi</body></html>",
        b"GIF89a....",
        b"RIFF\x00\x00\x00\x00WAVEfmt ",
        b"",
    ):
        assert uploads.check_images([("photo.jpg", data)]) == ([], ["incident.error.photo_type"])
    # One bad file refuses the batch: nothing comes back to be stored.
    assert uploads.check_images([("ok.jpg", JPEG), ("evil.png", b"<svg onload=alert(1)>")]) == (
        [],
        ["incident.error.photo_type"],
    )


def test_size_limit_is_inclusive():
    exact = JPEG + b"\x00" * (uploads.MAX_PHOTO_BYTES - len(JPEG))
    assert len(uploads.check_images([("a.jpg", exact)])[0]) == 1
    assert uploads.check_images([("a.jpg", exact + b"\x00")]) == ([], ["incident.error.photo_size"])


def test_count_limit():
    assert len(uploads.check_images([("a.jpg", JPEG)] * uploads.MAX_PHOTOS)[0]) == uploads.MAX_PHOTOS
    assert uploads.check_images([("a.jpg", JPEG)] * (uploads.MAX_PHOTOS + 1)) == ([], ["incident.error.photo_count"])
    assert uploads.check_images([]) == ([], [])


def test_names_are_cleaned_for_display():
    [image], _ = uploads.check_images([("C:\\Users\\me\\../../etc/pool\x00.jpg", JPEG)])
    assert image.name == "pool.jpg"


@given(st.binary(max_size=64).filter(lambda b: not b.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"RIFF"))))
def test_anything_without_an_image_signature_is_refused(data):
    assert uploads.check_images([("x.jpg", data)]) == ([], ["incident.error.photo_type"])
