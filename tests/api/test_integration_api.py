"""The integration REST API over HTTP (in-process, the same ASGI app Reflex mounts):
keys, tenants kept apart, idempotent upserts, problem details, size and rate limits,
and schemathesis against the OpenAPI spec."""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from sqlalchemy import func
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

import pool_portal.models as m
from pool_portal import migrations
from pool_portal.api import integration as api_routes
from pool_portal.services.identity import api_keys
from tests.conftest import selected_backend

PROBLEM = "application/problem+json"


def _reset_caches():
    from pool_portal import db
    from pool_portal import settings as app_settings

    app_settings.get_settings.cache_clear()
    db.get_engine.cache_clear()


@contextmanager
def _world(db_url: str, data_dir, mp: pytest.MonkeyPatch):
    """Settings from a clean environment (a private data dir, the database, a high rate
    limit), a migrated database with two tenants and a key each, an HTTP client."""
    for var in list(os.environ):
        if var in ("REFLEX_REDIS_URL", "CLOUDINARY_URL") or (
            var.startswith("PORTAL_") and not var.startswith("PORTAL_TEST_")
        ):
            mp.delenv(var, raising=False)
    mp.setenv("PORTAL_DATA_DIR", str(data_dir))
    mp.setenv("REFLEX_DB_URL", db_url)
    mp.setenv("PORTAL_API_RATE_LIMIT", "100000")
    _reset_caches()
    migrations.upgrade(db_url)
    from pool_portal.db import get_engine, session_scope

    keys = {}
    with session_scope() as db:
        for name in ("A", "B"):
            tenant = m.Tenant(name=name, slug=name.lower())
            db.add(tenant)
            db.flush()
            keys[name] = (tenant.id, api_keys.create_key(db, tenant.id, f"{name} ERP")[1])
    app = Starlette(routes=api_routes.routes)
    try:
        with TestClient(app, base_url="http://testserver") as client:
            yield SimpleNamespace(
                app=app,
                client=client,
                engine=get_engine(),
                a={"Authorization": f"Bearer {keys['A'][1]}"},
                b={"Authorization": f"Bearer {keys['B'][1]}"},
                tenant_a=keys["A"][0],
                tenant_b=keys["B"][0],
            )
    finally:
        get_engine().dispose()
        _reset_caches()


@pytest.fixture
def api(db_url, tmp_path, monkeypatch):
    with _world(db_url, tmp_path / "var", monkeypatch) as world:
        yield world


@pytest.fixture(scope="module")
def shared_api(request, tmp_path_factory):
    """One world for all the schemathesis operations (a database per operation would
    spend most of the time migrating)."""
    base = tmp_path_factory.mktemp("schemathesis")
    pg = None
    if selected_backend() == "postgres":
        pg = request.getfixturevalue("pg_server")
        name = pg.create_database()
        db_url = pg.url(name)
    else:
        db_url = f"sqlite:///{base / 'portal.db'}"
    with pytest.MonkeyPatch.context() as mp, _world(db_url, base / "var", mp) as world:
        yield world
    if pg is not None:
        pg.drop_database(name)


def rows(api, model, tenant_id=None) -> int:
    with Session(api.engine) as db:
        query = select(func.count()).select_from(model)
        if tenant_id is not None:
            query = query.where(model.tenant_id == tenant_id)
        return db.exec(query).one()


def is_problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status and body["title"] and body["type"].startswith("urn:pool-portal:problem:")
    return body


def test_without_a_live_key_every_route_is_401_and_the_spec_is_public(api):
    for method, path in [
        ("GET", "/api/v1/clients"),
        ("GET", "/api/v1/sites/S-1"),
        ("PUT", "/api/v1/assets/A-1"),
        ("PUT", "/api/v1/invoices/I-1/pdf"),
        ("GET", "/api/v1/nowhere"),
    ]:
        for headers in ({}, {"Authorization": "Bearer ppk_wrong"}, {"Authorization": "Basic eDp5"}):
            r = api.client.request(method, path, headers=headers, json={"name": "x"})
            is_problem(r, 401)
            assert r.headers["www-authenticate"] == "Bearer"
    spec = api.client.get("/api/v1/openapi.json")
    assert spec.status_code == 200 and "/clients/{external_id}" in spec.json()["paths"]
    assert rows(api, m.Client) == 0


def test_a_repeated_upsert_gives_one_row(api):
    body = {"name": "Costa Azul", "email": "office@costa.example"}
    first = api.client.put("/api/v1/clients/ERP-C-1", json=body, headers=api.a)
    again = api.client.put("/api/v1/clients/ERP-C-1", json=body, headers=api.a)
    assert (first.status_code, again.status_code) == (201, 200)
    assert (
        first.json()
        == again.json()
        == {**body, "external_id": "ERP-C-1", "phone": None, "billing_address": None, "is_active": True}
    )
    assert rows(api, m.Client) == 1
    site = {"client_external_id": "ERP-C-1", "name": "Pool 1", "latitude": 38.35, "longitude": -0.48}
    assert api.client.put("/api/v1/sites/S-1", json=site, headers=api.a).status_code == 201
    quote = {
        "number": "Q-1",
        "site_external_id": "S-1",
        "kind": "SERVICE",
        "title": "Cover",
        "tax_rate_bp": 2100,
        "status": "AWAITING_ACCEPTANCE",
        "lines": [{"description": "Cover", "quantity": 2, "unit_price_cents": 5000}],
    }
    for expected in (201, 200, 200):
        r = api.client.put("/api/v1/quotes/Q-1", json=quote, headers=api.a)
        assert r.status_code == expected
    assert r.json()["total_cents"] == 12100 and r.json()["lines"][0]["total_cents"] == 10000
    assert rows(api, m.Quote) == 1 and rows(api, m.QuoteLine) == 1
    assert api.client.get("/api/v1/quotes/Q-1", headers=api.a).json() == r.json()


def test_a_key_of_tenant_a_never_reads_or_writes_tenant_b(api):
    assert api.client.put("/api/v1/clients/B-1", json={"name": "B's client"}, headers=api.b).status_code == 201
    assert (
        api.client.put(
            "/api/v1/sites/B-S1", json={"client_external_id": "B-1", "name": "B pool"}, headers=api.b
        ).status_code
        == 201
    )
    # B's ids are not found for A...
    for path in ("/api/v1/clients/B-1", "/api/v1/sites/B-S1"):
        is_problem(api.client.get(path, headers=api.a), 404)
    assert api.client.get("/api/v1/sites", headers=api.a).json() == {"items": [], "next_cursor": None}
    # ...A cannot create into B: a reference to B's client is unknown, named in the answer.
    r = api.client.put("/api/v1/sites/A-S1", json={"client_external_id": "B-1", "name": "Sneaky"}, headers=api.a)
    body = is_problem(r, 422)
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("client_external_id", "unknown_reference")]
    # ...and a PUT with B's external id makes A's own record; B's stays as it was.
    assert api.client.put("/api/v1/clients/B-1", json={"name": "A's client"}, headers=api.a).status_code == 201
    assert api.client.get("/api/v1/clients/B-1", headers=api.b).json()["name"] == "B's client"
    assert rows(api, m.Site, api.tenant_a) == 0 and rows(api, m.Client, api.tenant_b) == 1
    r = api.client.put(
        "/api/v1/invoices/B-I1/pdf", content=b"%PDF-1.4", headers={**api.a, "content-type": "application/pdf"}
    )
    is_problem(r, 404)


def test_errors_are_problem_details_naming_the_fields(api):
    api.client.put("/api/v1/clients/C-1", json={"name": "C"}, headers=api.a)
    api.client.put("/api/v1/sites/S-1", json={"client_external_id": "C-1", "name": "Pool"}, headers=api.a)
    r = api.client.put(
        "/api/v1/invoices/I-1",
        headers=api.a,
        json={
            "number": "I-1",
            "site_external_id": "S-1",
            "status": "SENT",
            "colour": "red",
            "lines": [{"description": "Part", "quantity": -1, "unit_price_cents": 100}],
        },
    )
    fields = {e["field"] for e in is_problem(r, 422)["errors"]}
    assert fields == {"status", "colour", "lines.0.quantity"}
    is_problem(
        api.client.put(
            "/api/v1/clients/C-2", content=b"{not json", headers={**api.a, "content-type": "application/json"}
        ),
        422,
    )
    assert {
        e["field"] for e in is_problem(api.client.get("/api/v1/clients?cursor=zzz", headers=api.a), 422)["errors"]
    } == {"cursor"}
    assert {
        e["field"] for e in is_problem(api.client.get("/api/v1/clients/bad%20id", headers=api.a), 422)["errors"]
    } == {"external_id"}
    is_problem(api.client.delete("/api/v1/clients/C-1", headers=api.a), 405)
    assert rows(api, m.Invoice) == 0


def test_lists_page_by_cursor(api):
    for n in range(7):
        api.client.put(f"/api/v1/clients/C-{n}", json={"name": f"Client {n}"}, headers=api.a)
    seen, url = [], "/api/v1/clients?limit=3"
    while url:
        page = api.client.get(url, headers=api.a).json()
        seen += [c["external_id"] for c in page["items"]]
        url = f"/api/v1/clients?limit=3&cursor={page['next_cursor']}" if page["next_cursor"] else None
    assert seen == [f"C-{n}" for n in range(7)]


def test_a_revoked_key_gets_401_at_once(api):
    assert api.client.get("/api/v1/clients", headers=api.a).status_code == 200
    with Session(api.engine) as db:
        key = db.exec(select(m.ApiKey).where(m.ApiKey.tenant_id == api.tenant_a)).one()
        assert key.last_used_at is not None
        api_keys.revoke_key(db, api.tenant_a, key.id)
        db.commit()
    is_problem(api.client.get("/api/v1/clients", headers=api.a), 401)
    assert api.client.get("/api/v1/clients", headers=api.b).status_code == 200


def test_an_oversize_body_is_413_and_nothing_is_written(api, monkeypatch):
    monkeypatch.setenv("PORTAL_API_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("PORTAL_API_MAX_PDF_BYTES", "4096")
    _reset_caches()
    r = api.client.put("/api/v1/clients/C-1", json={"name": "C", "billing_address": "x" * 3000}, headers=api.a)
    assert "2048" in is_problem(r, 413)["detail"]

    def chunks():  # no Content-Length: counted while reading
        for _ in range(3):
            yield b" " * 1000
        yield b'{"name": "C"}'

    is_problem(
        api.client.put("/api/v1/clients/C-1", content=chunks(), headers={**api.a, "content-type": "application/json"}),
        413,
    )
    assert rows(api, m.Client) == 0
    # The PDF route has its own, larger limit.
    api.client.put("/api/v1/clients/C-1", json={"name": "C"}, headers=api.a)
    api.client.put("/api/v1/sites/S-1", json={"client_external_id": "C-1", "name": "Pool"}, headers=api.a)
    api.client.put("/api/v1/invoices/I-1", json={"number": "I-1", "site_external_id": "S-1"}, headers=api.a)
    pdf = {**api.a, "content-type": "application/pdf"}
    assert api.client.put("/api/v1/invoices/I-1/pdf", content=b"%PDF-1.4" + b" " * 3000, headers=pdf).status_code == 200
    is_problem(api.client.put("/api/v1/invoices/I-1/pdf", content=b"%PDF-1.4" + b" " * 5000, headers=pdf), 413)
    # Only that route: a record whose external id is "pdf" is JSON, with the JSON limit.
    for path in ("/api/v1/quotes/pdf", "/api/v1/invoices/pdf", "/api/v1/clients/pdf"):
        r = api.client.put(
            path, content=b'{"name": "' + b"x" * 3000 + b'"}', headers={**api.a, "content-type": "application/json"}
        )
        assert "2048" in is_problem(r, 413)["detail"], path


def test_a_record_called_pdf_cannot_send_a_pdf_sized_body(api):
    """With the default limits (1 MiB JSON, 10 MiB PDF), 2 MiB of JSON to the quote with
    external id "pdf" is refused before anything is read into a record."""
    body = b'{"number": "Q-1", "site_external_id": "S-1", "title": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    r = api.client.put("/api/v1/quotes/pdf", content=body, headers={**api.a, "content-type": "application/json"})
    assert str(1024 * 1024) in is_problem(r, 413)["detail"]
    assert rows(api, m.Quote) == 0


def test_cross_field_rules_are_problem_details_naming_the_field(api):
    api.client.put("/api/v1/clients/C-1", json={"name": "C"}, headers=api.a)
    api.client.put("/api/v1/sites/S-1", json={"client_external_id": "C-1", "name": "Pool"}, headers=api.a)
    r = api.client.put(
        "/api/v1/jobs/J-1",
        json={"number": "J-1", "site_external_id": "S-1", "kind": "ROUTINE", "description": "Weekly"},
        headers=api.a,
    )
    assert is_problem(r, 422)["errors"] == [
        {"field": "due_date", "code": "routine_needs_due_date", "detail": "A routine job needs a due date."}
    ]
    r = api.client.put(
        "/api/v1/invoices/I-1",
        json={"number": "I-1", "site_external_id": "S-1", "issued_on": "2026-03-02", "due_on": "2026-03-01"},
        headers=api.a,
    )
    assert [(e["field"], e["code"]) for e in is_problem(r, 422)["errors"]] == [("due_on", "due_before_issued")]
    assert rows(api, m.Job) == rows(api, m.Invoice) == 0


def test_an_answered_quote_is_409_naming_it_and_the_same_push_is_200(api):
    api.client.put("/api/v1/clients/C-1", json={"name": "C"}, headers=api.a)
    api.client.put("/api/v1/sites/S-1", json={"client_external_id": "C-1", "name": "Pool"}, headers=api.a)
    quote = {
        "number": "Q-7",
        "site_external_id": "S-1",
        "kind": "SERVICE",
        "status": "AWAITING_ACCEPTANCE",
        "title": "Service",
        "lines": [{"description": "Pump", "unit_price_cents": 50000}],
    }
    assert api.client.put("/api/v1/quotes/Q-EXT", json=quote, headers=api.a).status_code == 201
    with Session(api.engine) as db:  # the client approves it in the portal
        row = db.exec(select(m.Quote)).one()
        row.status, row.decided_at, row.approver_name = m.QuoteStatus.APPROVED, datetime.now(UTC), "Ana"
        db.add(row)
        db.commit()
    answered = {**quote, "status": "APPROVED"}
    r = api.client.put(
        "/api/v1/quotes/Q-EXT",
        json={**answered, "lines": [{"description": "Pump", "unit_price_cents": 90000}]},
        headers=api.a,
    )
    body = is_problem(r, 409)
    assert "Q-7" in body["detail"] and "approved" in body["detail"]
    assert [(e["field"], e["code"]) for e in body["errors"]] == [("lines", "answered")]
    got = api.client.get("/api/v1/quotes/Q-EXT", headers=api.a).json()
    assert got["total_cents"] == 50000 and got["status"] == "APPROVED" and got["approver_name"] == "Ana"
    r = api.client.put("/api/v1/quotes/Q-EXT", json=answered, headers=api.a)
    assert r.status_code == 200 and r.json()["total_cents"] == 50000


def test_the_rate_limit_is_per_key_with_retry_after(api, monkeypatch):
    monkeypatch.setenv("PORTAL_API_RATE_LIMIT", "3")
    _reset_caches()
    statuses = [api.client.get("/api/v1/clients", headers=api.a).status_code for _ in range(4)]
    if statuses != [200, 200, 200, 429]:  # a minute boundary passed between requests: once more
        statuses = [api.client.get("/api/v1/clients", headers=api.a).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    r = api.client.get("/api/v1/clients", headers=api.a)
    is_problem(r, 429)
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert api.client.get("/api/v1/clients", headers=api.b).status_code == 200  # B has its own count


def test_an_invoice_pdf_replaces_the_generated_one(api):
    api.client.put("/api/v1/clients/C-1", json={"name": "C"}, headers=api.a)
    api.client.put("/api/v1/sites/S-1", json={"client_external_id": "C-1", "name": "Pool"}, headers=api.a)
    api.client.put(
        "/api/v1/invoices/I-1",
        headers=api.a,
        json={
            "number": "I-1",
            "site_external_id": "S-1",
            "status": "AWAITING_PAYMENT",
            "lines": [{"description": "Service", "unit_price_cents": 9900}],
        },
    )
    pdf = {**api.a, "content-type": "application/pdf", "x-filename": "INV 1.pdf"}
    is_problem(
        api.client.put(
            "/api/v1/invoices/I-1/pdf", content=b"%PDF-1.4", headers={**api.a, "content-type": "text/plain"}
        ),
        415,
    )
    is_problem(api.client.put("/api/v1/invoices/I-1/pdf", content=b"<html>", headers=pdf), 422)
    r = api.client.put("/api/v1/invoices/I-1/pdf", content=b"%PDF-1.4 the ERP's", headers=pdf)
    assert r.status_code == 200 and r.json()["has_pdf"] is True
    from pool_portal.services.infra.file_access import issued_pdf as _issued_pdf

    with Session(api.engine) as db:
        invoice = db.exec(select(m.Invoice)).one()
        assert _issued_pdf(db, invoice) == b"%PDF-1.4 the ERP's"
        assert db.get(m.Document, invoice.pdf_document_id).is_published is False


# -- schemathesis -------------------------------------------------------------------------------------
# The spec is read from the app itself (the public /api/v1/openapi.json needs no
# database); each generated request goes in-process to the same ASGI app, against
# the database of the ``api`` fixture (the settings are read per request).
_app = Starlette(routes=api_routes.routes)


@schemathesis.serializer("application/pdf")
def _pdf_body(ctx, value):
    """Generated bytes as the PDF route's body (schemathesis has no PDF serializer)."""
    return value if isinstance(value, bytes) else str(value).encode()


schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", _app)


def _checks():
    from schemathesis import checks
    from schemathesis.specs.openapi import checks as openapi_checks

    return [
        checks.not_a_server_error,
        openapi_checks.status_code_conformance,
        openapi_checks.content_type_conformance,
        openapi_checks.response_headers_conformance,
        openapi_checks.response_schema_conformance,
    ]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
def test_schemathesis_finds_no_server_error_and_no_answer_outside_the_spec(case, shared_api):
    """Every operation, with generated valid and invalid requests carrying a live key:
    no 5xx, every status, content type, header and body as the spec says."""
    case.call_and_validate(headers=shared_api.a, checks=_checks())
