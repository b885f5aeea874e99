"""Photos on Cloudinary: signed uploads as authenticated assets, signed delivery URLs.

A small HTTP server on a loopback port stands in for Cloudinary's upload API and
checks every request's signature the way Cloudinary does.
"""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import cloudinary
import pytest
from sqlmodel import select

import pool_portal.models as m
from pool_portal.services.core.scope import Viewer
from pool_portal.services.incidents import notify, photos, portal
from pool_portal.services.infra import storage

API_KEY, API_SECRET, CLOUD = "123456789", "s3cr3t-&-more", "demo-cloud"
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 300
UNSIGNED = ("file", "api_key", "resource_type", "cloud_name", "signature")


def expected_signature(params: dict[str, str], secret: str) -> str:
    """Cloudinary's rule: sha1 of the sorted non-empty ``k=v`` pairs joined by ``&``
    (an ``&`` inside a value escaped as %26), then the API secret."""
    pairs = sorted(f"{k}={v}".replace("&", "%26") for k, v in params.items() if k not in UNSIGNED and v)
    return hashlib.sha1(("&".join(pairs) + secret).encode()).hexdigest()


class FakeCloudinary(BaseHTTPRequestHandler):
    store: dict[str, bytes]
    calls: list[tuple[str, dict[str, str]]]

    def log_message(self, *args):  # quiet
        pass

    def _form(self) -> tuple[dict[str, str], bytes | None]:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        raw = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body
        msg = email.message_from_bytes(raw, policy=email.policy.HTTP)
        fields, file = {}, None
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True)
            if name == "file":
                file = data
            else:
                fields[name] = data.decode()
        return fields, file

    def _answer(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802
        fields, file = self._form()
        self.calls.append((self.path, fields))
        if fields.get("api_key") != API_KEY or fields.get("signature") != expected_signature(fields, API_SECRET):
            return self._answer(401, {"error": {"message": "Invalid Signature"}})
        if self.path == f"/v1_1/{CLOUD}/image/upload":
            if fields.get("type") != "authenticated" or not file:
                return self._answer(400, {"error": {"message": "bad upload"}})
            public_id = f"{fields['folder']}/{fields['public_id']}"
            self.store[public_id] = file
            return self._answer(
                200,
                {
                    "public_id": public_id,
                    "version": 1712345678,
                    "signature": "x",
                    "resource_type": "image",
                    "type": "authenticated",
                    "format": "jpg",
                    "bytes": len(file),
                    "secure_url": f"https://res.cloudinary.com/{CLOUD}/image/authenticated/s--abc--/v1712345678/{public_id}.jpg",
                },
            )
        if self.path == f"/v1_1/{CLOUD}/image/destroy":
            found = self.store.pop(fields.get("public_id", ""), None)
            return self._answer(200, {"result": "ok" if found is not None else "not found"})
        return self._answer(404, {"error": {"message": "no such endpoint"}})


@pytest.fixture
def fake_cloudinary(isolated_settings, monkeypatch):
    from pool_portal import settings

    handler = type("Handler", (FakeCloudinary,), {"store": {}, "calls": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    before = cloudinary.config().upload_prefix
    cloudinary.config(upload_prefix=f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("CLOUDINARY_URL", f"cloudinary://{API_KEY}:{API_SECRET.replace('&', '%26')}@{CLOUD}")
    settings.get_settings.cache_clear()
    yield SimpleNamespace(store=handler.store, calls=handler.calls, files=isolated_settings / "files")
    cloudinary.config(upload_prefix=before)
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_without_cloudinary_url_images_are_private_local_files(isolated_settings):
    assert storage.image_backend() == "local"
    backend, key = storage.put_image(JPEG, "jpg")
    assert backend == "local" and (isolated_settings / "files" / key).read_bytes() == JPEG
    assert storage.image_url_or_bytes(backend, key) == JPEG
    storage.delete(backend, key)
    assert not (isolated_settings / "files" / key).exists()
    with pytest.raises(storage.StorageError):
        storage.image_url_or_bytes("local", "../../etc/passwd")


def test_signed_upload_signed_url_and_delete(fake_cloudinary):
    assert storage.image_backend() == "cloudinary"
    backend, key = storage.put_image(JPEG, "jpg")
    assert backend == "cloudinary" and key.startswith("incidents/")
    assert fake_cloudinary.store == {key: JPEG}
    [(path, fields)] = fake_cloudinary.calls
    assert (path, fields["type"], fields["timestamp"].isdigit()) == (
        f"/v1_1/{CLOUD}/image/upload",
        "authenticated",
        True,
    )
    assert not fake_cloudinary.files.exists()  # nothing written locally

    url = storage.image_url_or_bytes(backend, key)
    prefix = f"https://res.cloudinary.com/{CLOUD}/image/authenticated/s--"
    assert url.startswith(prefix) and url.endswith(f"/v1/{key}")
    signature = url[len(prefix) :].split("--/", 1)[0]
    assert signature == base64.urlsafe_b64encode(hashlib.sha1((key + API_SECRET).encode()).digest())[:8].decode()

    # The thread's previews: Cloudinary resizes, under a signature of its own.
    thumb = storage.image_url_or_bytes(backend, key, thumb=True)
    assert thumb.startswith(prefix) and thumb.endswith(f"/c_limit,h_256,w_256/v1/{key}.jpg")
    signed = thumb[len(prefix) :].split("--/", 1)[0]
    assert (
        signed
        == base64.urlsafe_b64encode(hashlib.sha1((f"c_limit,h_256,w_256/{key}.jpg" + API_SECRET).encode()).digest())[
            :8
        ].decode()
    )

    storage.delete(backend, key)
    assert fake_cloudinary.store == {}
    assert fake_cloudinary.calls[-1][0] == f"/v1_1/{CLOUD}/image/destroy"
    assert fake_cloudinary.calls[-1][1]["type"] == "authenticated"


def test_a_wrong_secret_is_refused_by_the_server(fake_cloudinary, monkeypatch):
    from pool_portal import settings

    monkeypatch.setenv("CLOUDINARY_URL", f"cloudinary://{API_KEY}:wrong@{CLOUD}")
    settings.get_settings.cache_clear()
    with pytest.raises(storage.StorageError, match="Invalid Signature"):
        storage.put_image(JPEG, "jpg")
    assert fake_cloudinary.store == {}


def test_reported_photos_go_to_cloudinary_and_a_refusal_leaves_nothing(db, fake_cloudinary, monkeypatch):
    monkeypatch.setattr(notify, "send_mail", lambda *a, **k: None)
    t = m.Tenant(name="T", slug="t")
    db.add(t)
    db.flush()
    c = m.Client(tenant_id=t.id, name="C")
    pat = m.PortalUser(tenant_id=t.id, email="p@x.test", name="Pat")
    db.add_all([c, pat, m.StaffUser(tenant_id=t.id, email="a@t.test", name="A", role=m.StaffRole.ADMIN)])
    db.flush()
    site = m.Site(tenant_id=t.id, client_id=c.id, name="Pool")
    db.add(site)
    db.commit()
    v = Viewer(
        kind="portal",
        tenant_id=t.id,
        user_id=pat.id,
        session_id=1,
        name="Pat",
        email=pat.email,
        client_ids=frozenset({c.id}),
    )
    inc, errors = portal.report_incident(db, v, site.id, "WATER", "The water is green again.", [("a.jpg", JPEG)])
    assert errors == {}
    [photo] = db.exec(select(m.IncidentAttachment)).all()
    assert (photo.storage_backend, fake_cloudinary.store) == ("cloudinary", {photo.storage_key: JPEG})
    [entry] = portal.thread_for_portal(db, v, inc.id)
    got, url = photos.attachment_for_portal(db, v, entry.attachments[0].id)
    assert got.id == photo.id and url.startswith(f"https://res.cloudinary.com/{CLOUD}/image/authenticated/s--")

    # The second upload fails: the first one is deleted from Cloudinary again, no rows remain.
    uploads_before = dict(fake_cloudinary.store)
    real, calls = storage.put_image, []

    def second_fails(data, ext):
        calls.append(ext)
        if len(calls) == 2:
            raise storage.StorageError("cloudinary upload failed: timeout")
        return real(data, ext)

    monkeypatch.setattr(storage, "put_image", second_fails)
    before = len(db.exec(select(m.Incident)).all())
    result = portal.report_incident(
        db, v, site.id, "WATER", "Green water once more.", [("a.jpg", JPEG), ("b.jpg", JPEG)]
    )
    assert result == (None, {"photos": "incident.error.storage"})
    assert len(db.exec(select(m.Incident)).all()) == before and len(db.exec(select(m.IncidentAttachment)).all()) == 1
    assert fake_cloudinary.store == uploads_before
    assert [path.rsplit("/", 1)[-1] for path, _ in fake_cloudinary.calls[-2:]] == ["upload", "destroy"]
