"""What every `portal` command shares: the ``command`` wrapper that turns every
expected failure into one line on stderr and exit 1, and the settings' database
(migrated first, disposed of when the command ends)."""

from __future__ import annotations

import functools
import sys

import typer
from alembic.util import CommandError
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError

from pool_portal import migrations
from pool_portal.db import make_engine
from pool_portal.settings import Settings, SettingsError, load_settings


class CliError(Exception):
    """A failure to report in one line."""


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def one_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def command(fn):
    """Run a command with every expected failure turned into one line and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except (CliError, SettingsError) as exc:
            fail(str(exc))
        except ArgumentError as exc:  # a URL SQLAlchemy cannot parse, or an unknown dialect
            fail(f"REFLEX_DB_URL: {one_line(exc)}")
        except IntegrityError as exc:
            fail(f"database refused the change: {one_line(exc)}")
        except SQLAlchemyError as exc:
            fail(f"database: {one_line(exc)}")
        except CommandError as exc:
            fail(f"migrations: {one_line(exc)}")
        except OSError as exc:
            fail(f"{exc.filename or 'file'}: {exc.strerror or exc}")
        finally:
            while _open_engines:
                _open_engines.pop().dispose()

    return wrapper


def settings() -> Settings:
    """The settings, with the data folder made (or SettingsError)."""
    found = load_settings()
    found.ensure_data_dir()
    return found


def connect(url: str) -> Engine:
    """make_engine, with a connect timeout on PostgreSQL: an unreachable host fails in
    seconds instead of hanging for the TCP timeout."""
    if make_url(url).get_backend_name() == "postgresql":
        return make_engine(url, connect_args={"connect_timeout": 10})
    return make_engine(url)


_open_engines: list[Engine] = []


def engine() -> Engine:
    """The settings' database; disposed of when the command ends (see ``command``)."""
    found = connect(settings().db_url)
    _open_engines.append(found)
    return found


def migrated_engine() -> Engine:
    """The settings' database, migrated to head first."""
    found = engine()
    migrations.upgrade(found)
    return found


def interactive() -> bool:
    return sys.stdin.isatty()


def safe_url(url: str) -> str:
    """A database URL without its password."""
    return make_url(url).render_as_string(hide_password=True)
