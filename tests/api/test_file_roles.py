"""Who gets each ``/files/*`` route, through the real routes with real sessions
(Starlette's TestClient, signed in by ``/auth/login``), on the demo data: every route ×
every kind of caller × their own and the other tenant's files. And uploads, made by the
real services, stored and served under a name and type taken from their bytes, never
from the name the client gave.

The rule is ``services/infra/file_access.py``; docs/security.md ("Private files") has it
as a table. Runs on SQLite, and on PostgreSQL in the postgres pass.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass, field
from datetime import date

import pytest
from PIL import Image
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

import pool_portal.models as m
from pool_portal import demo, migrations
from pool_portal.api import files, session_routes
from pool_portal.db import get_engine, session_scope
from pool_portal.services.identity import auth, view_as
from pool_portal.services.incidents import photos
from pool_portal.services.incidents import portal as incidents_portal
from pool_portal.services.incidents import staff as incidents_staff
from pool_portal.services.infra import storage
from pool_portal.services.portal import invoices, quotes
from pool_portal.services.staff import documents, portal_admin
from tests.conftest import _external_pg_url, selected_backend

TODAY = date.today()


def _image(fmt: str, colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, fmt)
    return out.getvalue()


JPEG = _image("JPEG", "red")
PNG = _image("PNG", "blue")

# The callers: email and kind of sign-in; "viewas_a" is OFFICE viewing the portal as Costa Azul.
ACTORS = {
    "anonymous": None,
    "portal_a": ("client@aquademo.example.com", "portal"),  # Costa Azul: the files' client
    "group_a": ("group@aquademo.example.com", "portal"),  # the same tenant, other clients
    "portal_b": ("client@bluewave.example.com", "portal"),  # another tenant's portal user
    "admin_a": ("admin@aquademo.example.com", "staff"),
    "office_a": ("office@aquademo.example.com", "staff"),
    "technician_a": ("tech@aquademo.example.com", "staff"),
    "admin_b": ("admin@bluewave.example.com", "staff"),  # another tenant's staff
    "viewas_a": ("office@aquademo.example.com", "staff"),
}


@dataclass
class World:
    clients: dict[str, TestClient]
    urls: dict[str, str] = field(default_factory=dict)  # resource → URL
    ids: dict[str, int] = field(default_factory=dict)


def _database_url(request, data) -> tuple[str, object]:
    """SQLite by default; a fresh PostgreSQL database in the postgres pass."""
    if _external_pg_url() or selected_backend() == "postgres":
        server = request.getfixturevalue("pg_server")
        name = server.create_database()
        return server.url(name), lambda: server.drop_database(name)
    return f"sqlite:///{data / 'portal.db'}", lambda: None


def _viewer(token: str):
    with Session(get_engine()) as db:
        return auth.resolve_viewer(db, token, portal_side=True, touch=False)


def _one(db, query):
    found = db.exec(query).first()
    assert found is not None, str(query)
    return found


def _costa_files(world: World, tokens: dict[str, str]) -> None:
    """Costa Azul's (AquaDemo) files, made by the real services: two shared documents
    (a JPEG named evil.html, published; a PNG named x.jpg, internal), a client message
    with the same two photos, an internal note with a photo, a quote authorisation
    document named order.html, the tenant's logo named logo.html."""
    client_v = _viewer(tokens["portal_a"])
    office_v = _viewer(tokens["office_a"])
    admin_v = _viewer(tokens["admin_a"])
    with session_scope() as db:
        costa = _one(db, select(m.Client).where(m.Client.name == "Costa Azul Residences"))
        site = _one(db, select(m.Site).where(m.Site.client_id == costa.id).order_by(m.Site.id))
        pub, errors = documents.upload_document(
            db, costa.tenant_id, office_v.user_id, site.id, "Photo", True, ("evil.html", JPEG)
        )
        internal, errors2 = documents.upload_document(
            db, costa.tenant_id, office_v.user_id, site.id, "Plan", False, ("x.jpg", PNG)
        )
        assert errors == errors2 == {}
        incident = _one(
            db,
            select(m.Incident).where(m.Incident.client_id == costa.id, m.Incident.state == m.IncidentState.OPEN),
        )
        message, errors = incidents_portal.post_client_message(
            db, client_v, incident.id, "Two photos of the leak.", [("evil.html", JPEG), ("x.jpg", PNG)]
        )
        assert errors == {}
        note, errors = incidents_staff.staff_reply(
            db, costa.tenant_id, office_v.user_id, incident.id, "Internal: the pump is old.", True
        )
        stored, errors = photos.checked_and_stored(db, [("note.jpg", JPEG)], {})
        assert errors == {}
        photos.attach(db, incident, note, stored)
        assert portal_admin.set_logo(db, costa.tenant_id, admin_v.user_id, PNG, "logo.html") == {}
        open_quote = _one(
            db,
            select(m.Quote)
            .join(m.Site)
            .where(m.Site.client_id == costa.id, m.Quote.status == m.QuoteStatus.AWAITING_ACCEPTANCE),
        )
        assert (
            quotes.decide_quote(db, client_v, open_quote.id, approve=True, name="Ana", document=("order.html", JPEG))
            is None
        )
    with Session(get_engine()) as db:
        costa_sites = select(m.Site.id).join(m.Client).where(m.Client.name == "Costa Azul Residences")

        def costa(model, status):
            return _one(db, select(model.id).where(model.site_id.in_(costa_sites), model.status == status))

        shots = db.exec(select(m.IncidentAttachment).where(m.IncidentAttachment.incident_id == incident.id)).all()
        public = [a for a in shots if a.message_id == message.id]
        hidden = next(a for a in shots if a.message_id == note.id)
        authorisation = _one(
            db, select(m.Document).where(m.Document.title == f"Authorisation for quote {open_quote.number}")
        )
        world.ids.update(
            doc_published=pub,
            doc_internal=internal,
            photo_jpeg=public[0].id,
            photo_png=public[1].id,
            photo_internal=hidden.id,
            authorisation=authorisation.id,
        )
        world.urls.update(
            doc_published=f"/files/document/{pub}",
            doc_internal=f"/files/document/{internal}",
            quote=f"/files/quote/{quotes.list_quotes(db, client_v).rows[0].id}",
            quote_draft=f"/files/quote/{costa(m.Quote, m.QuoteStatus.DRAFT)}",
            invoice=f"/files/invoice/{invoices.list_invoices(db, client_v).rows[0].id}",
            invoice_draft=f"/files/invoice/{costa(m.Invoice, m.InvoiceStatus.DRAFT)}",
            report=f"/files/report/{costa(m.Report, m.ReportStatus.APPROVED)}",
            report_draft=f"/files/report/{costa(m.Report, m.ReportStatus.DRAFT)}",
            photo=f"/files/incident-photo/{public[0].id}",
            photo_thumb=f"/files/incident-photo/{public[0].id}?size=thumb",
            photo_internal=f"/files/incident-photo/{hidden.id}",
            authorisation=f"/files/document/{authorisation.id}",
        )


def _bluewave_files(world: World, tokens: dict[str, str]) -> None:
    """The other tenant's own files, which its users get: a document its admin shares on
    a property of client@bluewave's view, and a quote of that view."""
    client_v = _viewer(tokens["portal_b"])
    admin_v = _viewer(tokens["admin_b"])
    with session_scope() as db:
        site = _one(db, select(m.Site.id).where(m.Site.client_id.in_(client_v.client_ids)).order_by(m.Site.id))
        doc, errors = documents.upload_document(
            db, admin_v.tenant_id, admin_v.user_id, site, "Certificate", True, ("cert.pdf", b"%PDF-1.4 BlueWave")
        )
        assert errors == {}
        world.urls.update(
            b_doc=f"/files/document/{doc}", b_quote=f"/files/quote/{quotes.list_quotes(db, client_v).rows[0].id}"
        )


@pytest.fixture(scope="module")
def world(request, tmp_path_factory):
    data = tmp_path_factory.mktemp("file-roles")
    url, drop = _database_url(request, data)
    mp = pytest.MonkeyPatch()
    mp.setenv("PORTAL_DATA_DIR", str(data))
    mp.setenv("REFLEX_DB_URL", url)
    mp.delenv("CLOUDINARY_URL", raising=False)
    from pool_portal import db as dbmod
    from pool_portal import settings

    settings.get_settings.cache_clear()
    dbmod.get_engine.cache_clear()
    app = Starlette(routes=session_routes.routes + files.routes)
    try:
        migrations.upgrade()
        demo.load_demo(get_engine(), today=TODAY)
        with contextlib.ExitStack() as stack:
            clients = {
                actor: stack.enter_context(TestClient(app, base_url="http://testserver", follow_redirects=False))
                for actor in ACTORS
            }
            tokens = {}
            for actor, login in ACTORS.items():
                if login is None:
                    continue
                r = clients[actor].post(
                    "/auth/login", data={"kind": login[1], "email": login[0], "password": demo.DEMO_PASSWORD}
                )
                assert r.status_code == 303 and r.headers["location"] in ("/portal", "/admin"), (actor, r.headers)
                tokens[actor] = clients[actor].cookies.get(auth.SESSION_COOKIE)
            staff = _viewer(tokens["viewas_a"])
            with session_scope() as db:
                costa = _one(db, select(m.Client).where(m.Client.name == "Costa Azul Residences"))
                assert view_as.start_view_as(db, staff.tenant_id, staff.user_id, costa.id, staff.session_id)[1] == {}
            world = World(clients)
            _costa_files(world, tokens)
            _bluewave_files(world, tokens)
            year = TODAY.year
            world.urls.update(
                export="/files/export/quotes.csv",
                monthly=f"/files/monthly-report?month={TODAY:%Y-%m}",
                routine=f"/files/routine-report?from={year}-01-01&to={year}-12-31",
                logo="/files/logo",
            )
            yield world
    finally:
        dbmod.get_engine().dispose()
        settings.get_settings.cache_clear()
        dbmod.get_engine.cache_clear()
        mp.undo()
        drop()


# -- who gets what ----------------------------------------------------------------------------------
COSTA_VISIBLE = {"doc_published", "quote", "invoice", "report", "photo", "photo_thumb"}
COSTA_HIDDEN = {"doc_internal", "quote_draft", "invoice_draft", "report_draft", "photo_internal", "authorisation"}
VIEW_FILES = {"export", "monthly", "routine"}  # of the caller's own view: portal users only
BLUEWAVE = {"b_doc", "b_quote"}


def expected(actor: str, resource: str) -> int:
    """The rule, written down once more from the pages: who sees what."""
    if actor == "anonymous":
        return 401
    if resource == "logo":  # their own tenant's; only AquaDemo has one
        return 200 if actor.endswith("_a") else 404
    if actor in ("portal_a", "viewas_a"):  # Costa Azul itself, and staff viewing the portal as Costa Azul
        return 200 if resource in COSTA_VISIBLE | VIEW_FILES else 404
    if actor in ("group_a", "portal_b"):  # other clients: only their own view's
        return 200 if resource in VIEW_FILES or (actor == "portal_b" and resource in BLUEWAVE) else 404
    if actor in ("admin_a", "office_a"):  # the Data and Incidents pages: everything of the tenant
        return 200 if resource in COSTA_VISIBLE | COSTA_HIDDEN else 404
    if actor == "admin_b":
        return 200 if resource in BLUEWAVE else 404
    assert actor == "technician_a"  # the bell and their visits: no file but the logo
    return 404


RESOURCES = sorted(COSTA_VISIBLE | COSTA_HIDDEN | VIEW_FILES | BLUEWAVE | {"logo"})


@pytest.mark.parametrize("actor", list(ACTORS))
def test_every_file_route_answers_each_caller_as_the_rule_says(world, actor):
    http = world.clients[actor]
    unknown = http.get("/files/document/999999")
    got = {}
    for resource in RESOURCES:
        r = http.get(world.urls[resource])
        got[resource] = r.status_code
        if r.status_code == 404:  # refused looks exactly like unknown
            assert (r.text, r.headers["content-type"]) == (unknown.text, unknown.headers["content-type"]), resource
        if r.status_code == 200:
            assert r.headers["x-content-type-options"] == "nosniff", resource
            assert r.headers["cache-control"].startswith("private"), resource
    assert got == {resource: expected(actor, resource) for resource in RESOURCES}


def test_a_technician_gets_no_document_record_or_photo_of_their_tenant(world):
    http = world.clients["technician_a"]
    for resource in ("doc_internal", "doc_published", "quote", "invoice_draft", "report", "photo", "photo_internal"):
        assert http.get(world.urls[resource]).status_code == 404, resource
    assert http.get("/files/logo").status_code == 200  # the one file their pages show


def test_staff_viewing_as_a_client_get_the_clients_files_and_their_own_again_after(world):
    http = world.clients["viewas_a"]
    assert http.get(world.urls["doc_internal"]).status_code == 404
    with session_scope() as db:
        staff = auth.resolve_viewer(db, http.cookies.get(auth.SESSION_COOKIE))
        assert view_as.end_view_as(db, staff.tenant_id, staff.user_id, staff.session_id)
    try:
        assert http.get(world.urls["doc_internal"]).status_code == 200
        assert http.get(world.urls["export"]).status_code == 404  # a portal-only file again
    finally:
        with session_scope() as db:
            costa = _one(db, select(m.Client).where(m.Client.name == "Costa Azul Residences"))
            view_as.start_view_as(db, staff.tenant_id, staff.user_id, costa.id, staff.session_id)


# -- names and types from the bytes -----------------------------------------------------------------
def _served(r, content_type: str, disposition: str, data: bytes) -> None:
    assert r.status_code == 200
    assert r.headers["content-type"] == content_type
    assert r.headers["content-disposition"] == disposition
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.content == data


def test_a_photo_uploaded_as_evil_html_is_stored_and_served_as_the_jpeg_it_is(world):
    with Session(get_engine()) as db:
        jpeg = db.get(m.IncidentAttachment, world.ids["photo_jpeg"])
        png = db.get(m.IncidentAttachment, world.ids["photo_png"])
    assert (jpeg.original_name, jpeg.content_type) == ("evil.jpg", "image/jpeg")
    assert jpeg.storage_key.endswith(".jpg") and storage.read(jpeg.storage_key) == JPEG
    assert (png.original_name, png.content_type) == ("x.png", "image/png")  # a PNG named x.jpg
    assert png.storage_key.endswith(".png")
    for actor in ("portal_a", "office_a"):
        http = world.clients[actor]
        _served(
            http.get(f"/files/incident-photo/{jpeg.id}"), "image/jpeg", f'inline; filename="photo-{jpeg.id}.jpg"', JPEG
        )
        _served(http.get(f"/files/incident-photo/{png.id}"), "image/png", f'inline; filename="photo-{png.id}.png"', PNG)
        thumb = http.get(f"/files/incident-photo/{png.id}?size=thumb")
        assert thumb.headers["content-type"] == "image/jpeg" and thumb.content[:3] == b"\xff\xd8\xff"
        assert thumb.headers["content-disposition"] == f'inline; filename="thumb-{png.id}.jpg"'


def test_shared_and_authorisation_documents_are_named_by_their_content(world):
    with Session(get_engine()) as db:
        pub = db.get(m.Document, world.ids["doc_published"])
        internal = db.get(m.Document, world.ids["doc_internal"])
        authorisation = db.get(m.Document, world.ids["authorisation"])
    assert (pub.filename, pub.content_type) == ("evil.jpg", "image/jpeg")
    assert (internal.filename, internal.content_type) == ("x.png", "image/png")
    assert (authorisation.filename, authorisation.content_type) == ("order.jpg", "image/jpeg")
    _served(
        world.clients["portal_a"].get(f"/files/document/{pub.id}"),
        "image/jpeg",
        'attachment; filename="evil.jpg"',
        JPEG,
    )
    office = world.clients["office_a"]
    _served(office.get(f"/files/document/{internal.id}"), "image/png", 'attachment; filename="x.png"', PNG)
    _served(office.get(f"/files/document/{authorisation.id}"), "image/jpeg", 'attachment; filename="order.jpg"', JPEG)


def test_a_name_stored_before_this_rule_is_still_served_by_the_content(world):
    """A row written before names followed the content (``legacy.html`` holding a JPEG)
    goes out as ``legacy.jpg``, image/jpeg."""
    with session_scope() as db:
        doc = db.get(m.Document, world.ids["doc_published"])
        doc.filename, doc.content_type = "legacy.html", "text/html"
        db.add(doc)
    try:
        _served(
            world.clients["portal_a"].get(world.urls["doc_published"]),
            "image/jpeg",
            'attachment; filename="legacy.jpg"',
            JPEG,
        )
    finally:
        with session_scope() as db:
            doc = db.get(m.Document, world.ids["doc_published"])
            doc.filename, doc.content_type = "evil.jpg", "image/jpeg"
            db.add(doc)


def test_the_logo_uploaded_as_logo_html_is_served_as_the_png_it_is(world):
    r = world.clients["technician_a"].get("/files/logo")
    _served(r, "image/png", 'inline; filename="logo.png"', PNG)
    assert r.headers["content-security-policy"] == "default-src 'none'"
