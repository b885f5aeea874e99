"""``python -m pool_portal.cli``: the `portal` command."""

from pool_portal.cli import app

app()
