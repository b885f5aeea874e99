"""`portal create-tenant` and `portal create-admin`: a service company and its first
ADMIN, each written in one unit of work."""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from typing import Annotated

import typer
from sqlmodel import Session, or_, select

from pool_portal.cli import common
from pool_portal.cli.common import CliError, command, fail, migrated_engine
from pool_portal.db import session_scope
from pool_portal.models import PortalSettings, StaffRole, StaffUser, Tenant
from pool_portal.services.core.i18n import t
from pool_portal.services.identity.access import normalise_email  # email-validator, no DNS
from pool_portal.services.identity.passwords import hash_password, password_problem


def _slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60]


@command
def create_tenant(name: Annotated[str, typer.Argument(help="the service company's name")]) -> None:
    """Create a tenant (a service company) with default portal settings."""
    name = name.strip()
    slug = _slug(name)
    if not name or not slug or len(name) > 120:
        fail("the tenant name must have letters or digits (at most 120 characters)", 2)
    engine = migrated_engine()
    with session_scope(engine) as db:
        existing = db.exec(select(Tenant).where(or_(Tenant.name == name, Tenant.slug == slug))).first()
        if existing is not None:
            raise CliError(f"a tenant named {existing.name!r} (slug {existing.slug}) already exists")
        tenant = Tenant(name=name, slug=slug)
        db.add(tenant)
        db.flush()
        db.add(PortalSettings(tenant_id=tenant.id))
    typer.echo(f"created tenant {name} (slug {slug})")


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get("PORTAL_ADMIN_PASSWORD"):
        return os.environ["PORTAL_ADMIN_PASSWORD"]
    if not common.interactive():
        raise CliError("no password: type it at a terminal, or use --password-stdin or PORTAL_ADMIN_PASSWORD")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@command
def create_admin(
    email: Annotated[str, typer.Argument(help="the admin's email address")],
    tenant: Annotated[str, typer.Option("--tenant", help="the tenant's name or slug")],
    name: Annotated[str, typer.Option(help="display name")] = "",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="read the password from stdin")] = False,
) -> None:
    """Create a staff ADMIN for a tenant.

    The password is asked twice at a terminal; scripts use --password-stdin or
    PORTAL_ADMIN_PASSWORD."""
    address = normalise_email(email)
    if address is None:
        fail(f"{email!r} is not a valid email address", 2)
    engine = migrated_engine()

    def find_tenant(db: Session) -> Tenant:
        row = db.exec(select(Tenant).where(or_(Tenant.name == tenant, Tenant.slug == tenant))).first()
        if row is None:
            raise CliError(f"no tenant named {tenant!r}")
        if db.exec(select(StaffUser.id).where(StaffUser.tenant_id == row.id, StaffUser.email == address)).first():
            raise CliError(f"{address} is already a staff user of {row.name}")
        return row

    # Check before asking for the password, and ask with no transaction open.
    with Session(engine) as db:
        find_tenant(db)
    password = _read_password(password_stdin)
    problem = password_problem(password)
    if problem:
        raise CliError(t(problem))
    password_hash = hash_password(password)
    with session_scope(engine) as db:
        row = find_tenant(db)  # again, in the writing transaction
        db.add(
            StaffUser(
                tenant_id=row.id,
                email=address,
                name=name.strip() or address.split("@")[0],
                role=StaffRole.ADMIN,
                password_hash=password_hash,
            )
        )
        tenant_name = row.name
    typer.echo(f"created ADMIN {address} for {tenant_name}")
