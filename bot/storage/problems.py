"""Why the database could not be opened, as one line an operator can act on.

A missing folder, a PostgreSQL server that is down, a missing database or a
refused login are settings to fix, not faults to debug: ``pacer`` prints the
line and exits with code 2 instead of a driver traceback.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url

# PostgreSQL's SQLSTATE codes (asyncpg errors carry them as ``sqlstate``).
_NO_DATABASE = "3D000"
_LOGIN_REFUSED = ("28P01", "28000")  # wrong password; unknown role or no pg_hba entry
_STARTING_UP = ("57P03",)


class DatabaseUnavailable(RuntimeError):
    """The database could not be opened at start-up; :attr:`line` says why and what to do."""

    def __init__(self, line: str) -> None:
        super().__init__(line)
        self.line = line


def sqlite_folder_problem(url: str) -> str | None:
    """The line for a SQLite file whose folder is missing, checked before anything opens it.

    Checked first rather than read off the driver's error: a failed aiosqlite connect
    leaves a thread that may answer into a closed event loop after the one line.
    """
    parsed = make_url(url)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        return None
    folder = Path(database).expanduser().parent
    if folder.is_dir():
        return None
    return (
        f"Can't open the SQLite database {database}: the folder {folder} does not exist. "
        "Create it, or point --db (or DATABASE_URL) elsewhere."
    )


def explain(error: BaseException, url: str) -> str | None:
    """One line for a database that cannot be opened, or None for a fault of Pacer's own."""
    if isinstance(error, DatabaseUnavailable):
        return error.line
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _explain_sqlite(error, parsed.database or "")
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    name, user = parsed.database or "", parsed.username or ""
    for cause in _chain(error):
        state = getattr(cause, "sqlstate", None)
        if state == _NO_DATABASE:
            return (
                f"PostgreSQL at {where} has no database '{name}': create it "
                f"(createdb {name}) or fix the name in DATABASE_URL (or --db)."
            )
        if state in _LOGIN_REFUSED:
            return (
                f"PostgreSQL at {where} refused the login as '{user}' (wrong password or "
                "unknown user): fix the user and password in DATABASE_URL (or --db)."
            )
        if state in _STARTING_UP:
            return f"PostgreSQL at {where} is still starting up: try again in a moment."
        if isinstance(cause, socket.gaierror):
            return (
                f"Can't find the PostgreSQL host '{parsed.host}': fix the host in "
                "DATABASE_URL (or --db)."
            )
        if isinstance(cause, (ConnectionError, TimeoutError)) or (
            isinstance(cause, OSError) and "connect" in str(cause).lower()
        ):
            return (
                f"Can't reach PostgreSQL at {where}: is it running? Start it, or fix the "
                "host and port in DATABASE_URL (or --db)."
            )
    return None


def _explain_sqlite(error: BaseException, database: str) -> str | None:
    """The SQLite file's folder is missing or not writable."""
    text = " ".join(str(c) for c in _chain(error)).lower()
    if "unable to open database file" not in text and "readonly" not in text:
        return None
    folder = Path(database).expanduser().parent
    if not folder.is_dir():
        return sqlite_folder_problem(f"sqlite:///{database}")
    return (
        f"Can't open the SQLite database {database}: {folder} is not writable for this user. "
        "Fix its permissions, or point --db (or DATABASE_URL) elsewhere."
    )


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and everything it was raised from (driver errors sit a few levels down)."""
    seen: set[int] = set()
    waiting: list[BaseException] = [error]
    while waiting:
        current = waiting.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        orig = getattr(current, "orig", None)  # SQLAlchemy's DBAPIError wraps the driver's
        for nxt in (orig, current.__cause__, current.__context__):
            if isinstance(nxt, BaseException):
                waiting.append(nxt)
