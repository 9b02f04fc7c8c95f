"""One clock for the storage layer, timezone-aware so SQLite and PostgreSQL agree."""

from datetime import datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything carebot stores is UTC."""
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value
