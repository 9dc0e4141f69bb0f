"""Stored class assignments and their attempts (SQLAlchemy 2, Alembic migrations).

SQLite in a file by default; PostgreSQL (psycopg 3) for a site with several server processes.
The schema is only ever made by the migrations in ``migrations/``, run at start by ``Store.migrate``.
"""

from .store import Store, database_url, default_database_path

__all__ = ["Store", "database_url", "default_database_path"]
