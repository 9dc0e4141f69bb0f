"""Where stored assignments live: the database URL, the engine, migrations and sessions."""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .engine import make_engine
from .errors import StorageError

ENV_VAR = "QUIZGEN_DATABASE_URL"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Any fixed number: every server process starting at once on one PostgreSQL takes it in turn.
_MIGRATION_LOCK = 0x71756967656E  # "quizgen"


def default_database_path() -> Path:
    """Where a teacher's results live unless told otherwise: the user's data folder.

    ~/.local/share/quizgen/quizgen.db on Linux ($XDG_DATA_HOME if set), ~/Library/Application
    Support/quizgen on macOS, %APPDATA%\\quizgen on Windows: kept across upgrades and reboots,
    and not inside whatever folder the server happened to be started from.
    """
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "quizgen" / "quizgen.db"


def database_url(db: str | Path | None = None) -> str:
    """``db`` (a file path or a URL), else $QUIZGEN_DATABASE_URL, else the default SQLite file."""
    chosen = str(db) if db else os.environ.get(ENV_VAR) or str(default_database_path())
    if "://" in chosen:
        return chosen
    return f"sqlite:///{Path(chosen).expanduser().resolve()}"


def describe(url: str) -> str:
    """The URL to print at start, without a password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


class Store:
    """One database for one process; the engine (and a SQLite file's folder) is made on first use."""

    def __init__(self, url: str):
        self.url = url
        self._engine: Engine | None = None
        self._lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = self._open()
        return self._engine

    def _open(self) -> Engine:
        try:
            engine = make_engine(self.url)
        except (ValueError, ImportError) as exc:
            raise StorageError(f"cannot use database {describe(self.url)}: {exc}") from None
        if engine.url.get_backend_name() == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            folder = Path(engine.url.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"cannot create the folder {folder} for the results database ({exc.strerror}); "
                    f"choose another place with --db PATH or ${ENV_VAR}"
                ) from None
        try:
            _upgrade(engine)
        except OperationalError as exc:
            engine.dispose()
            raise StorageError(
                f"cannot open the results database {describe(self.url)}: {exc.orig}; "
                f"check the path or URL given with --db or ${ENV_VAR}"
            ) from None
        return engine

    def migrate(self) -> None:
        """Open the database now and bring its tables up to date (done once, at start)."""
        _ = self.engine

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with Session(self.engine) as session, session.begin():
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A transaction that holds the write lock from its start on SQLite; commits on success."""
        with self.engine.connect().execution_options(sqlite_immediate=True) as conn, \
                Session(bind=conn) as session, session.begin():
            yield session

    @contextmanager
    def inserting(self) -> Iterator[Connection]:
        """A plain connection in a write transaction (no ORM unit of work): for the hot single-row insert."""
        with self.engine.connect().execution_options(sqlite_immediate=True) as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _upgrade(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    sqlite = engine.url.get_backend_name() == "sqlite"
    with engine.connect().execution_options(sqlite_immediate=True) as conn:
        if sqlite:
            # SQLite alters a table by copying it and dropping the old one: with foreign keys enforced
            # that drop would cascade to every attempt. The pragma only works outside a transaction.
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                # Several server processes may start at once: one migrates, the others wait, then find
                # nothing left to do. SQLite's BEGIN IMMEDIATE serialises them the same way.
                if engine.url.get_backend_name() == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
                config.attributes["connection"] = conn
                command.upgrade(config, "head")
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise OperationalError("PRAGMA foreign_key_check", {}, Exception(
                        "the migration left rows whose foreign keys point nowhere"))
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")
