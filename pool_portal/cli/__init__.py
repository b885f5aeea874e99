"""The `portal` command for self-hosters: migrate, demo data, tenants, admins, API keys,
backups, checks (``[project.scripts] portal = "pool_portal.cli:app"``).

Every failure is one line on stderr and a non-zero exit; nothing is half-created
(each command writes in one transaction). Each command lives in a module of this
package (``common`` holds what they share); they are registered here, in the order
``portal --help`` lists them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pool_portal.cli import accounts, backups, checks, database, keys, serve

app = typer.Typer(
    add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help="Pool Portal administration."
)


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=serve.version_callback, is_eager=True, help="the version and the schema"),
    ] = False,
) -> None:
    """Pool Portal administration."""


app.command("serve")(serve.serve)
app.command("migrate")(database.migrate)
app.command("demo")(database.demo)
app.command("create-tenant")(accounts.create_tenant)
app.command("create-admin")(accounts.create_admin)
app.add_typer(keys.api_key_app, name="api-key")
app.command("backup")(backups.backup)
app.command("restore")(backups.restore)
app.command("check")(checks.check)
