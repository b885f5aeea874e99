"""`portal api-key create|list|revoke`: the keys of the integration REST API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from sqlmodel import Session

from pool_portal.cli.common import CliError, command, migrated_engine
from pool_portal.db import session_scope
from pool_portal.models import Tenant
from pool_portal.services.identity import api_keys

api_key_app = typer.Typer(no_args_is_help=True, help="Keys of the integration REST API (/api/v1).")


def _api_tenant(db: Session, tenant: str) -> Tenant:
    row = api_keys.find_tenant(db, tenant)
    if row is None:
        raise CliError(f"no tenant named {tenant!r}")
    return row


@api_key_app.command("create")
@command
def api_key_create(
    tenant: Annotated[str, typer.Option("--tenant", help="the tenant's name or slug")],
    name: Annotated[str, typer.Option("--name", help="a label for the key, e.g. the ERP's name")],
) -> None:
    """Make a key. It is printed once, on the last line: store it now, it cannot be shown again."""
    engine = migrated_engine()
    with session_scope(engine) as db:
        row = _api_tenant(db, tenant)
        try:
            key, raw = api_keys.create_key(db, row.id, name)
        except api_keys.ApiKeyError as exc:
            raise CliError(str(exc)) from None
        key_id, tenant_name = key.id, row.name
    typer.echo(f"created API key {key_id} ({name.strip()}) for {tenant_name}; it is shown only now:")
    typer.echo(raw)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


@api_key_app.command("list")
@command
def api_key_list(tenant: Annotated[str, typer.Option("--tenant", help="the tenant's name or slug")]) -> None:
    """The tenant's keys: id, prefix, name, created, last used, revoked."""
    engine = migrated_engine()
    with Session(engine) as db:
        keys = api_keys.list_keys(db, _api_tenant(db, tenant).id)
    if not keys:
        typer.echo("no API keys")
    for k in keys:
        state = f"revoked {_when(k.revoked_at)}" if k.revoked_at else "active"
        typer.echo(
            f"{k.id}\t{k.key_prefix}...\t{k.name}\tcreated {_when(k.created_at)}\t"
            f"last used {_when(k.last_used_at)}\t{state}"
        )


@api_key_app.command("revoke")
@command
def api_key_revoke(
    key_id: Annotated[int, typer.Argument(help="the key's id (see `portal api-key list`)")],
    tenant: Annotated[str, typer.Option("--tenant", help="the tenant's name or slug")],
) -> None:
    """Revoke a key: requests with it get 401 from now on."""
    engine = migrated_engine()
    with session_scope(engine) as db:
        try:
            row = api_keys.revoke_key(db, _api_tenant(db, tenant).id, key_id)
        except api_keys.ApiKeyError as exc:
            raise CliError(str(exc)) from None
        name = row.name
    typer.echo(f"revoked API key {key_id} ({name})")
