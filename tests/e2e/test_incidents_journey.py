"""Incidents end to end, with two browsers: a client reports a fault with a photo, the
admin sees the bell and the incident, replies to the portal and writes an internal
note, the client sees the reply without reloading (never the note), writes back, the
admin sees that live too, solves it, and the client sees Solved and can no longer post."""

from __future__ import annotations

import re
import struct
import zlib

from playwright.sync_api import expect
from sqlmodel import Session, select

import pool_portal.models as m
from tests.e2e.test_shell_journey import sign_in


def png(width: int = 8, height: int = 8) -> bytes:
    """A small, valid PNG (a red square)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _bell(page) -> int:
    badge = page.locator("#bell-count")
    return int(badge.inner_text()) if badge.count() else 0


def test_report_reply_note_solve_live(app_server, browser):
    admin_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    client_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    admin, client = admin_ctx.new_page(), client_ctx.new_page()
    try:
        sign_in(admin, app_server, "/admin/login", "admin@aquademo.example.com")
        expect(admin).to_have_url(re.compile(r"/admin/?$"))
        admin.goto(f"{app_server}/admin/incidents")
        expect(admin.locator("#admin-incidents-table")).to_be_visible()
        expect(admin.locator("#bell")).to_be_visible()
        with Session(app_server.engine()) as db:
            first_admin = db.exec(
                select(m.StaffUser)
                .where(m.StaffUser.role == m.StaffRole.ADMIN, m.StaffUser.is_active == True)
                .order_by(m.StaffUser.id)
            ).first()
        assert first_admin.email == "admin@aquademo.example.com"
        with Session(app_server.engine()) as db:
            unread = len(
                db.exec(
                    select(m.Notification).where(
                        m.Notification.staff_user_id == first_admin.id, m.Notification.is_read == False
                    )
                ).all()
            )
        expect(admin.locator("#bell")).to_contain_text(str(unread) if unread else "")

        # The client reports a fault with a photo; errors first, nothing stored.
        sign_in(client, app_server, "/portal/login", "client@aquademo.example.com")
        expect(client).to_have_url(re.compile(r"/portal/?$"))
        client.get_by_role("link", name="Incidents", exact=True).click()
        client.locator("#report-fault").click()
        expect(client.locator("#incident-site option").first).to_be_attached()
        client.locator("#incident-description").fill("short")
        client.locator("#incident-submit").click()
        expect(client.locator("#error-description")).to_contain_text("10")
        client.locator("#incident-category").select_option("LEAK")
        client.locator("#incident-description").fill("Water is leaking from the pump room door since this morning.")
        client.locator("#incident-photos input[type=file]").set_input_files(
            files=[{"name": "leak.png", "mimeType": "image/png", "buffer": png()}]
        )
        expect(client.locator("#incident-photos-selected")).to_contain_text("leak.png")
        client.locator("#incident-submit").click()
        expect(client).to_have_url(re.compile(r"/portal/incident\?id=\d+"))
        expect(client.locator("#incident-reference")).to_have_text(re.compile(r"^INC-\d{4}-[A-Z0-9]{6}$"))
        reference = client.locator("#incident-reference").inner_text()
        expect(client.locator("#incident-status")).to_contain_text("Received")
        photo = client.locator("#thread img").first
        expect(photo).to_be_visible()
        client.wait_for_function(
            "() => { const i = document.querySelector('#thread img'); return i && i.complete && i.naturalWidth === 8; }"
        )
        # The thread shows a small JPEG; its link opens the photo as sent.
        src = photo.get_attribute("src")
        assert re.fullmatch(r"/files/incident-photo/\d+\?size=thumb", src)
        assert client.request.get(f"{app_server}{src}").headers["content-type"] == "image/jpeg"
        full = client.request.get(f"{app_server}{src.split('?')[0]}")
        assert full.headers["content-type"] == "image/png" and full.body() == png()

        # The admin's bell goes up without a reload; the incident is in the history.
        expect(admin.locator("#bell-count")).to_have_text(str(unread + 1))
        admin.goto(f"{app_server}/admin/incidents?q={reference}")
        admin.get_by_role("link", name=reference).click()
        expect(admin.locator("#incident-reference")).to_have_text(reference)
        expect(admin.locator("#thread")).to_contain_text("leaking from the pump room")

        # An internal note, then a reply to the portal.
        admin.locator("#admin-reply").fill("Internal: supplier says the seal kit ships Friday.")
        admin.locator("#reply-internal").click()
        expect(admin.locator("#incident-notice")).to_contain_text("Internal note saved")
        expect(admin.locator("#thread .internal")).to_contain_text("seal kit ships Friday")
        admin.locator("#admin-reply").fill("Thanks, a technician will come tomorrow morning.")
        admin.locator("#reply-portal").click()
        expect(admin.locator("#incident-notice")).to_contain_text("Reply sent")

        # The client sees the reply appear (no reload) and never the note.
        expect(client.locator("#thread")).to_contain_text("technician will come tomorrow")
        expect(client.locator("#incident-status")).to_contain_text("In process")
        expect(client.locator("body")).not_to_contain_text("seal kit")

        # The client writes back; the admin sees it appear.
        client.locator("#reply-body").fill("Great, the gate code is 4521.")
        client.locator("#reply-send").click()
        expect(client.locator("#thread")).to_contain_text("gate code is 4521")
        expect(admin.locator("#thread")).to_contain_text("gate code is 4521")

        # Solving needs resolution notes; then the client sees Solved and the closure.
        admin.locator("#incident-solve").click()
        expect(admin.locator("#error-resolution_note")).to_be_visible()
        admin.locator("#resolution").fill("Replaced the door seal of the pump room; no more leak.")
        admin.locator("#incident-solve").click()
        expect(admin.locator("#incident-notice")).to_contain_text("solved")
        expect(client.locator("#incident-status")).to_contain_text("Solved")
        expect(client.locator("#thread")).to_contain_text("Replaced the door seal")
        expect(client.locator("#incident-closed")).to_be_visible()
        expect(client.locator("#reply-body")).to_have_count(0)
        with Session(app_server.engine()) as db:
            incident = db.exec(select(m.Incident).where(m.Incident.reference == reference)).one()
            assert incident.state == m.IncidentState.SOLVED and incident.priority == m.Priority.HIGH
            visits = db.exec(select(m.Visit).where(m.Visit.incident_id == incident.id)).all()
            assert len(visits) == 1
    finally:
        admin_ctx.close()
        client_ctx.close()


def test_other_clients_incident_and_photo_are_not_found(app_server, page):
    """A client of another customer: the incident page says not found, the photo is a 404."""
    import requests

    from tests.e2e.event_client import sign_in as api_sign_in

    with Session(app_server.engine()) as db:
        costa = db.exec(select(m.Client).where(m.Client.name.like("Costa Azul%"))).first()
        foreign = db.exec(select(m.Incident).where(m.Incident.client_id != costa.id)).first()
        # A photo on the other customer's incident (stored as the app stores them).
        photo = m.IncidentAttachment(
            tenant_id=foreign.tenant_id,
            incident_id=foreign.id,
            storage_backend="local",
            storage_key="incidents/" + "x" * 24 + ".png",
            content_type="image/png",
        )
        db.add(photo)
        db.commit()
        photo_id, foreign_id, foreign_ref = photo.id, foreign.id, foreign.reference
    sign_in(page, app_server, "/portal/login", "client@aquademo.example.com")
    expect(page).to_have_url(re.compile(r"/portal/?$"))
    page.goto(f"{app_server}/portal/incident?id={foreign_id}")
    expect(page.locator("#incident-missing")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(foreign_ref)
    cookie = api_sign_in(app_server, "client@aquademo.example.com", "demo-portal-2026")
    for size in ("", "?size=thumb"):
        r = requests.get(
            f"{app_server}/files/incident-photo/{photo_id}{size}", cookies={"pp_session": cookie}, timeout=30
        )
        assert r.status_code == 404
