"""What the tests need to know about the database they run on (SQLite, or PostgreSQL in CI)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.engine import get_engine
from db.models import Base


def is_sqlite(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "sqlite"


def everything_stored(database_url: str) -> bytes:
    """All that the database holds, to search for text that must never be stored in clear.

    SQLite: the bytes of the database file and its WAL, free pages included. PostgreSQL: every
    row of every table as text (its files belong to the server, which may be elsewhere).
    """
    if is_sqlite(database_url):
        path = Path(make_url(database_url).database or "")
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    chunks: list[str] = []
    with get_engine(database_url).connect() as connection:
        for table in Base.metadata.sorted_tables:
            name = connection.dialect.identifier_preparer.quote(table.name)
            chunks.extend(connection.scalars(text(f"SELECT t::text FROM {name} AS t")))
    return "\n".join(chunks).encode("utf-8")
