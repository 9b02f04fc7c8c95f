"""Engines and sessions. SQLite gets WAL and a busy timeout so server and CLI can share it."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# SQLite: seconds to wait for another connection's write lock; `sqlite:///file.db?timeout=5`.
SQLITE_BUSY_TIMEOUT_S = 15.0


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (psycopg2 is only installed for Rasa's sake)."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@dataclass(frozen=True)
class _Database:
    """What this process keeps for one database URL: its engine (which pools connections), the
    sessions made on that engine, and the queue its writers wait in. Cached together, as one:
    kept in separate caches they were evicted separately, so after eight other databases a
    session could commit through an older engine than `get_engine` returned (and hooks put
    on that engine missed it), and a second writer queue could open beside the first."""

    engine: Engine
    sessions: sessionmaker[Session]
    writers: AbstractContextManager


@lru_cache(maxsize=8)
def _database(url: str) -> _Database:
    engine = _create_engine(url)
    return _Database(engine, sessionmaker(engine, expire_on_commit=False), _writer_queue(url))


def get_engine(url: str) -> Engine:
    """One engine per database URL for the whole process (engines pool connections)."""
    return _database(url).engine


def _create_engine(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_database_file(Path(parsed.database))
        # How long to wait for another writer's lock before giving up (busy timeout).
        timeout = float(parsed.query.get("timeout", SQLITE_BUSY_TIMEOUT_S))
        engine = create_engine(
            parsed.difference_update_query(["timeout"]),
            connect_args={"timeout": timeout, "check_same_thread": False},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def private_database_file(path: Path) -> None:
    """Create the SQLite file (and any missing folder) readable by this account alone.

    sqlite3 creates files with the process's umask, usually 0644: anyone on the machine could
    copy the database. The file is made 0600 before SQLite opens it; SQLite gives its journal
    and WAL files the database file's mode. A file this account owns with a looser mode (made
    by an older release) is tightened.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for made in path.parent.glob(path.name + "*"):  # the database, its -wal and -shm
        with suppress(FileNotFoundError):  # another process may close the WAL meanwhile
            info = made.stat()
            if info.st_uid == os.getuid() and info.st_mode & 0o077:
                made.chmod(0o600)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")  # the busy timeout is sqlite3's `timeout`
    cursor.close()


def _writer_queue(url: str) -> AbstractContextManager:
    """SQLite has one writer at a time. Sessions of this process queue here, in order, rather
    than in SQLite's busy handler, which sleeps in steps of up to 100 ms: under load (10 or more
    conversations at once) that made each message wait hundreds of milliseconds. Other
    processes (the CLI) still meet the busy timeout. PostgreSQL needs no queue."""
    if make_url(normalise_url(url)).get_backend_name() == "sqlite":
        return threading.RLock()  # re-entrant: a nested session in the same thread
    return nullcontext()


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session for one unit of work: committed on success, rolled back on any error."""
    database = _database(url)
    with database.writers:
        session = database.sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def ping(url: str) -> bool:
    try:
        with get_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable" for /health
        return False
