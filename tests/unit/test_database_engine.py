"""One database URL, one engine: sessions commit through the engine `get_engine` returns, even
after other databases have come and gone (tests make dozens; a hook put on the engine, as
tests/integration/test_database_trouble.py does, must see the sessions' commits)."""

from __future__ import annotations

from pathlib import Path

from db.engine import get_engine, session_scope


def test_sessions_use_the_engine_get_engine_returns_after_other_databases(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kept.db'}"
    with session_scope(url) as session:
        assert session.get_bind() is get_engine(url)

    for n in range(8):  # more databases than the process keeps engines for
        get_engine(f"sqlite:///{tmp_path / f'other{n}.db'}")
        with session_scope(url):  # the kept database stays in use meanwhile
            pass

    engine = get_engine(url)
    with session_scope(url) as session:
        assert session.get_bind() is engine
