"""The database ratings store (PostgreSQL through SQLAlchemy Core), for app replicas on several servers."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from studio.study.csv_store import ratings_frame
from studio.study.records import (
    COLUMNS,
    LIKERT_MAX,
    LIKERT_MIN,
    MAX_COMMENT_CHARS,
    MAX_FIELD_CHARS,
    MAX_SETTINGS_CHARS,
    QUESTIONS,
    StoreUnavailableError,
    StudyLogError,
    clean_text,
    validate_record,
)

TABLE_NAME = "study_ratings"
_ID_CHARS_SQL = "^[A-Za-z0-9_.:-]+$"  # the same identifiers as _ID_PATTERN, checked by the server
_CREATE_LOCK_KEY = 0x5354554459  # advisory lock: replicas starting together create the table once


@functools.cache
def _ratings_table() -> Any:
    """The SQLAlchemy table: the schema's columns, constraints checked by the server."""
    import sqlalchemy as sa

    return sa.Table(
        TABLE_NAME, sa.MetaData(),
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("schema_version", sa.String(8), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("study_id", sa.String(MAX_FIELD_CHARS), nullable=False),
        sa.Column("session_id", sa.String(MAX_FIELD_CHARS), nullable=False),
        sa.Column("participant", sa.String(64), sa.CheckConstraint(f"participant ~ '{_ID_CHARS_SQL}'",
                                                                   name="participant_identifier"), nullable=False),
        sa.Column("item", sa.String(MAX_FIELD_CHARS), sa.CheckConstraint("item <> ''", name="item_not_empty"), nullable=False),
        *(sa.Column(name, sa.SmallInteger, nullable=False) for name in QUESTIONS),
        sa.Column("comment", sa.String(MAX_COMMENT_CHARS), nullable=False),
        sa.Column("app_version", sa.String(MAX_FIELD_CHARS), nullable=False),
        sa.Column("settings", sa.String(MAX_SETTINGS_CHARS), nullable=False),
        sa.UniqueConstraint("participant", "item", name="one_rating_per_participant_and_item"),
        *(sa.CheckConstraint(f'"{name}" BETWEEN {LIKERT_MIN} AND {LIKERT_MAX}', name=f"{name}_1_to_5") for name in QUESTIONS),
    )


def _database_url(location: str) -> Any:
    """The SQLAlchemy URL for ``location`` (``postgresql://`` means psycopg 3), or a StudyLogError."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(location)
    except ArgumentError:
        raise StudyLogError("The ratings database URL is not a valid SQLAlchemy URL; "
                            "write it as postgresql+psycopg://USER@HOST:PORT/DATABASE.") from None
    if "password" in url.query:  # psycopg also reads ?password=…; keep it where messages hide it
        url = url.difference_update_query(["password"]).set(password=str(url.query["password"]))
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    if url.drivername != "postgresql+psycopg":
        raise StudyLogError(f"The ratings database must be PostgreSQL through psycopg 3 "
                            f"(postgresql+psycopg://…), not {url.drivername}.")
    return url


_ENGINES: dict[str, Any] = {}
_ENGINES_LOCK = threading.Lock()
_TABLE_READY: set[str] = set()  # databases whose table this process has created or found


def _engine(url: Any) -> Any:
    """One connection pool per database for the whole process (Streamlit reruns reuse it)."""
    from sqlalchemy import create_engine

    key = url.render_as_string(hide_password=False)
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = create_engine(url, pool_pre_ping=True, hide_parameters=True, pool_size=2, max_overflow=8,
                                          connect_args={"connect_timeout": 5})
        return _ENGINES[key]


class SqlRatingStore:
    """Ratings in a PostgreSQL table (SQLAlchemy Core, psycopg 3): many app replicas, one database.

    Statements are parameterised; the table is created when missing; the server checks the
    answers (1-5), the identifiers and the lengths, sets the write time, and keeps one rating per
    participant and item, so a double click stores one row. The password never appears in a
    message: :attr:`location` shows it as ``***``.
    """

    def __init__(self, url: str):
        self.url = _database_url(url)
        self.location = self.url.render_as_string(hide_password=True)

    @contextmanager
    def _transaction(self) -> Iterator[Any]:
        """A connection in a transaction; database failures become one-sentence StudyLogErrors."""
        from sqlalchemy import exc, text

        engine = _engine(self.url)
        key = self.url.render_as_string(hide_password=False)
        try:
            with engine.begin() as connection:
                if key not in _TABLE_READY:
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CREATE_LOCK_KEY})
                    _ratings_table().metadata.create_all(connection, checkfirst=True)
                yield connection
            _TABLE_READY.add(key)
        except (exc.OperationalError, exc.InterfaceError) as error:
            raise StoreUnavailableError(f"The ratings database {self.location} cannot be reached "
                                        f"({self._reason(error)}); nothing was saved, try again.") from None
        except exc.DBAPIError as error:
            raise StudyLogError(f"The ratings database {self.location} refused the request "
                                f"({self._reason(error)}).") from None

    def _reason(self, error: Any) -> str:
        """The server's short reason, e.g. 'connection refused'; never the password or a row's values."""
        diagnostic = getattr(error.orig, "diag", None)
        text = (getattr(diagnostic, "message_primary", None) or str(error.orig) or type(error.orig).__name__)
        text = text.strip().splitlines()[0].rstrip(".")
        if getattr(diagnostic, "constraint_name", None):
            text = f"constraint {diagnostic.constraint_name}"
        if self.url.password:
            text = text.replace(str(self.url.password), "***")
        return text[:160]

    def append(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and insert one rating; a repeat of a participant's item returns the stored row."""
        row = validate_record(record)
        return self._insert([{name: row[name] for name in COLUMNS if name != "timestamp"}], return_rows=True)[0]

    def import_ratings(self, ratings: pd.DataFrame) -> int:
        """Copy ``ratings`` (e.g. a CSV's) in, keeping their timestamps; returns how many were new."""
        dated, undated = [], []  # rows without a readable time get the server's
        for record in ratings.to_dict("records"):
            row = validate_record({name: record.get(name) for name in _RECORD_FIELDS})
            row["app_version"] = clean_text(str(record.get("app_version") or ""), "app_version", MAX_FIELD_CHARS)
            row["timestamp"] = _parse_timestamp(record.get("timestamp"))
            if row["timestamp"] is None:
                del row["timestamp"]
            (dated if "timestamp" in row else undated).append(row)
        return sum(len(self._insert(rows, return_rows=False)) for rows in (dated, undated) if rows)

    def _insert(self, rows: list[dict[str, Any]], return_rows: bool) -> list[Any]:
        import sqlalchemy as sa
        from sqlalchemy.dialects.postgresql import insert

        table = _ratings_table()
        columns = [table.c[name] for name in COLUMNS]
        statement = insert(table).on_conflict_do_nothing(index_elements=["participant", "item"])
        with self._transaction() as connection:
            if not return_rows:
                return connection.execute(statement.returning(table.c.id), rows).all()
            stored = connection.execute(statement.returning(*columns), rows).mappings().first()
            if stored is None:  # already rated: a double click, or a retry after a lost reply
                stored = connection.execute(sa.select(*columns).where(
                    table.c.participant == rows[0]["participant"], table.c.item == rows[0]["item"])).mappings().one()
        return [_stored_row(stored)]

    def load(self) -> pd.DataFrame:
        import sqlalchemy as sa

        table = _ratings_table()
        with self._transaction() as connection:
            stored = connection.execute(sa.select(*(table.c[name] for name in COLUMNS)).order_by(table.c.id)).mappings().all()
        frame = pd.DataFrame([_stored_row(row) for row in stored], columns=list(COLUMNS))
        return ratings_frame(frame, skipped=0)


_RECORD_FIELDS = ("participant", "item", "comment", "settings", "study_id", "session_id", *QUESTIONS)


def _parse_timestamp(value: Any) -> datetime | None:
    """An imported row's time (ISO 8601), or None to let the server stamp it."""
    try:
        stamp = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def _stored_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A database row as the CSV store's row: text cells, ISO UTC time, whole-number answers."""
    out = {name: row[name] for name in COLUMNS}
    out["timestamp"] = row["timestamp"].astimezone(UTC).isoformat(timespec="milliseconds")
    return out


# Two-sided 95% Student t critical values by degrees of freedom (1..30), then normal beyond.
