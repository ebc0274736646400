"""User study: blinded items, a ratings store that never loses or garbles a row, and a summary.

:func:`open_store` gives the store for a location: a CSV path (:class:`CsvRatingStore`, the embedded
default: one disk, locked so concurrent processes and threads append whole rows) or a database URL
(:class:`SqlRatingStore`, PostgreSQL, for app replicas on several servers). Both validate a rating the
same way, keep the same columns and neutralise spreadsheet formulas; a volunteer rates an item once
(the database enforces it, the CSV's reader keeps the first row).
"""

from __future__ import annotations

import base64
import contextlib
import csv
import functools
import hashlib
import io
import json
import math
import operator
import random
import re
import secrets
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from studio import __version__
from studio.errors import StudioError

SCHEMA_VERSION = "1"
QUESTIONS: dict[str, str] = {
    "like": "I like the design",
    "realism": "It looks realistic",
    "wear": "I would wear or buy it",
}
COLUMNS: tuple[str, ...] = (
    "schema_version", "timestamp", "study_id", "session_id", "participant", "item",
    "like", "realism", "wear", "comment", "app_version", "settings",
)
LIKERT_MIN, LIKERT_MAX = 1, 5
MAX_COMMENT_CHARS = 2000
MAX_FIELD_CHARS = 200
MAX_SETTINGS_CHARS = 10 * MAX_COMMENT_CHARS
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class StudyLogError(StudioError, ValueError):
    """A rating or a ratings file was refused; the message is one sentence."""


def neutralise_formula(text: str) -> str:
    """Prefix a quote to cells a spreadsheet would run as a formula (= + - @ tab CR LF)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _clean_text(value: Any, name: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise StudyLogError(f"Field {name!r} must be text, got {type(value).__name__}.")
    text = _CONTROL_CHARS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return neutralise_formula(text)


def _likert(record: Mapping[str, Any], name: str) -> int:
    value = record.get(name)
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise StudyLogError(f"Rating {name!r} must be a whole number from 1 to 5, got {value!r}.")
    number = operator.index(value)
    if not 1 <= number <= 5:
        raise StudyLogError(f"Rating {name!r} must be from 1 to 5, got {number}.")
    return number


def _identifier(record: Mapping[str, Any], name: str) -> str:
    value = record.get(name)
    if not isinstance(value, str) or not _ID_PATTERN.match(value):
        raise StudyLogError(f"Field {name!r} must be 1-64 letters, digits or . _ : -, got {value!r}.")
    return value


def validate_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as a full row (timestamp, versions added), or a StudyLogError naming the field."""
    missing = [name for name in ("participant", "item", *QUESTIONS) if name not in record]
    if missing:
        raise StudyLogError(f"The rating is missing {', '.join(missing)}.")
    unknown = set(record) - {"participant", "item", "comment", "settings", "study_id", "session_id", *QUESTIONS}
    if unknown:
        raise StudyLogError(f"The rating has unknown fields: {', '.join(sorted(unknown))}.")
    if not isinstance(record["item"], str) or not record["item"].strip():
        raise StudyLogError(f"The rating's item must be a non-empty name, got {record['item']!r}.")
    settings = record.get("settings") or {}
    try:
        settings_text = settings if isinstance(settings, str) else json.dumps(settings, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        raise StudyLogError("The rating's settings must be JSON-serialisable.") from None
    return {
        "schema_version": SCHEMA_VERSION,
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "study_id": _clean_text(record.get("study_id", ""), "study_id", MAX_FIELD_CHARS),
        "session_id": _clean_text(record.get("session_id", ""), "session_id", MAX_FIELD_CHARS),
        "participant": _identifier(record, "participant"),
        "item": _clean_text(record["item"], "item", MAX_FIELD_CHARS),
        **{name: _likert(record, name) for name in QUESTIONS},
        "comment": _clean_text(record.get("comment"), "comment", MAX_COMMENT_CHARS),
        "app_version": __version__,
        "settings": _clean_text(settings_text, "settings", MAX_SETTINGS_CHARS),
    }


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


HEADER_LINE = _csv_line(list(COLUMNS))


class RatingStore(Protocol):
    """Where ratings go: :func:`open_store` returns a CSV or a database store, both with these."""

    location: str  # where, for messages: a path, or a URL with its password hidden

    def append(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and store one rating; returns the row as stored. A repeat of a participant's
        rating of an item (a double click) is never counted twice: the database keeps the first and
        returns it; the append-only CSV writes the repeat too (and returns it) and :meth:`load`
        keeps only the first."""
        ...

    def load(self) -> pd.DataFrame:
        """Every valid rating, one per participant and item, with :data:`COLUMNS`."""
        ...


class StoreUnavailableError(StudyLogError):
    """The ratings database cannot be reached; nothing was written and the caller may retry."""


def is_database_url(location: str | Path) -> bool:
    """Whether ``location`` names a database (``postgresql+psycopg://…``) rather than a CSV path."""
    return isinstance(location, str) and "://" in location


def open_store(location: str | Path) -> RatingStore:
    """The store for ``location``: a database URL (``postgresql+psycopg://…``) or a CSV path."""
    if is_database_url(location):
        return SqlRatingStore(location)
    return CsvRatingStore(location)


class CsvRatingStore:
    """Ratings in a CSV file: append-only, one locked write per row, header checked first."""

    def __init__(self, path: str | Path, lock_timeout: float = 30.0):
        self.path = Path(path)
        self.location = str(self.path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.lock_timeout = lock_timeout

    def append(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and append one rating (a repeat too: it is never rewritten, and ``load``
        keeps the first); returns the row as written."""
        from filelock import FileLock, Timeout

        row = validate_record(record)
        line = _csv_line([row[c] for c in COLUMNS])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with FileLock(str(self.lock_path), timeout=self.lock_timeout), open(self.path, "a+b") as handle:
                handle.seek(0, io.SEEK_END)
                size = handle.tell()
                prefix = b""
                if size == 0:
                    prefix = HEADER_LINE.encode()
                else:
                    handle.seek(0)
                    self._check_header(handle.readline())
                    handle.seek(size - 1)
                    if handle.read(1) != b"\n":  # a crash cut the last row short: start a new line
                        prefix = b"\n"
                handle.seek(0, io.SEEK_END)
                handle.write(prefix + line.encode())
                handle.flush()
        except Timeout:
            raise StudyLogError(f"The ratings file {self.path} stayed locked for {self.lock_timeout:.0f} s; try again.") from None
        except OSError as exc:
            raise StudyLogError(f"The ratings file {self.path} could not be written "
                                f"({exc.strerror or type(exc).__name__}); nothing was saved.") from None
        return row

    def _check_header(self, first_line: bytes) -> None:
        if first_line.decode("utf-8", errors="replace").rstrip("\r\n") != HEADER_LINE.rstrip("\n"):
            raise StudyLogError(
                f"{self.path} is not a Dress Studio ratings file (schema {SCHEMA_VERSION}); "
                "it was left untouched; choose another file."
            )

    def load(self) -> pd.DataFrame:
        return load_ratings(self.path)


def load_ratings(path: str | Path) -> pd.DataFrame:
    """All valid ratings in the CSV ``path``, the first per participant and item.

    Rows that cannot be read are counted in ``attrs['skipped_rows']``, repeats of a participant's
    rating of an item (a double click) in ``attrs['repeated_rows']``.
    """
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        return _ratings_frame(pd.DataFrame(columns=list(COLUMNS)), skipped=0)
    with open(path, "rb") as handle:
        first = handle.readline()
    if first.decode("utf-8", errors="replace").rstrip("\r\n") != HEADER_LINE.rstrip("\n"):
        raise StudyLogError(f"{path} is not a Dress Studio ratings file (its header is not schema {SCHEMA_VERSION}).")
    malformed: list[list[str]] = []  # lines with the wrong number of fields, counted as skipped
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, engine="python",
                            on_bad_lines=lambda fields: malformed.append(fields))
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise StudyLogError(f"{path} could not be read as CSV ({type(exc).__name__}).") from None
    total = len(frame) + len(malformed)
    for name in QUESTIONS:
        frame[name] = pd.to_numeric(frame[name], errors="coerce")
    valid = frame[list(QUESTIONS)].isin([1, 2, 3, 4, 5]).all(axis=1) & frame["participant"].str.len().gt(0)
    return _ratings_frame(frame[valid], skipped=total - int(valid.sum()))


def _ratings_frame(frame: pd.DataFrame, skipped: int) -> pd.DataFrame:
    """``frame`` with whole-number answers, the first row per participant and item, counts in attrs."""
    frame = frame.copy()
    for name in QUESTIONS:
        frame[name] = frame[name].astype(int)
    repeated = frame.duplicated(["participant", "item"], keep="first")
    frame = frame[~repeated].reset_index(drop=True)
    frame.attrs["skipped_rows"] = skipped
    frame.attrs["repeated_rows"] = int(repeated.sum())
    return frame


def ratings_csv_bytes(ratings: pd.DataFrame) -> bytes:
    """``ratings`` as a ratings CSV (header and columns of schema :data:`SCHEMA_VERSION`)."""
    return (HEADER_LINE + "".join(_csv_line([row[c] for c in COLUMNS])
                                  for row in ratings[list(COLUMNS)].to_dict("records"))).encode()


# --- The database store ----------------------------------------------------------------------

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
            row["app_version"] = _clean_text(str(record.get("app_version") or ""), "app_version", MAX_FIELD_CHARS)
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
        return _ratings_frame(frame, skipped=0)


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
_T_975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
          2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
          2.052, 2.048, 2.045, 2.042]


def t_critical_95(degrees_of_freedom: int) -> float:
    """t(0.975, df): exact table to 30, then a smooth approach to 1.96."""
    if degrees_of_freedom < 1:
        return math.nan
    if degrees_of_freedom <= 30:
        return _T_975[degrees_of_freedom - 1]
    return 1.95996 + 2.4 / degrees_of_freedom


@dataclass(frozen=True)
class QuestionStats:
    question: str
    n: int
    mean: float
    std: float
    ci95: tuple[float, float]
    share_4_or_5: float
    counts: dict[int, int]


@dataclass
class StudySummary:
    participants: int
    ratings: int
    items: int
    questions: dict[str, QuestionStats]
    per_item: pd.DataFrame = field(repr=False)
    liked_participants: int
    skipped_rows: int = 0
    repeated_rows: int = 0

    @property
    def headline(self) -> str:
        if not self.participants:
            return "No ratings yet."
        return (f"{self.liked_participants} out of {self.participants} participants liked the designs "
                "(their average 'I like the design' rating was 4 or 5).")

    def to_text(self) -> str:
        if not self.ratings:
            return self.headline
        lines = [self.headline, f"{self.ratings} ratings of {self.items} items by {self.participants} participants."]
        if self.skipped_rows:
            lines.append(f"{self.skipped_rows} unreadable rows were skipped.")
        if self.repeated_rows:
            lines.append(f"{self.repeated_rows} repeated ratings (same participant and item) were left out.")
        for name, stats in self.questions.items():
            low, high = stats.ci95
            lines.append(f"{QUESTIONS[name]}: mean {stats.mean:.2f} (sd {stats.std:.2f}, 95% CI {low:.2f}-{high:.2f}), "
                         f"{stats.share_4_or_5:.0%} rated 4 or 5, n={stats.n}")
        if len(self.per_item):
            lines.append("")
            lines.append(self.per_item.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
        return "\n".join(lines)


def _interval(mean: float, std: float, n: int) -> tuple[float, float]:
    """The 95% t interval of a mean of 1-5 answers, clipped to the scale (NaN below two answers)."""
    if n < 2:
        return (math.nan, math.nan)
    half = t_critical_95(n - 1) * std / math.sqrt(n)
    return (max(LIKERT_MIN, mean - half), min(LIKERT_MAX, mean + half))


def _question_stats(name: str, values: pd.Series) -> QuestionStats:
    n = int(values.size)
    mean = float(values.mean()) if n else math.nan
    std = float(values.std(ddof=1)) if n > 1 else math.nan
    counts = {score: int((values == score).sum()) for score in range(LIKERT_MIN, LIKERT_MAX + 1)}
    return QuestionStats(name, n, mean, std, _interval(mean, std, n), float((values >= 4).mean()) if n else math.nan, counts)


def _per_item(ratings: pd.DataFrame) -> pd.DataFrame:
    """One row per item: ratings, and per question the mean and its clipped 95% interval."""
    columns = ["item", "ratings"] + [f"{name}{suffix}" for name in QUESTIONS for suffix in ("", "_low", "_high")]
    if not len(ratings):
        return pd.DataFrame(columns=columns)
    grouped = ratings.groupby("item")
    per_item = pd.DataFrame({"ratings": grouped.size()})
    for name in QUESTIONS:
        stats = grouped[name].agg(["mean", "std", "size"])
        per_item[name] = stats["mean"]
        bounds = [_interval(row.mean, row.std, int(row.size)) for row in stats.itertuples()]
        per_item[f"{name}_low"] = [low for low, _ in bounds]
        per_item[f"{name}_high"] = [high for _, high in bounds]
    return per_item.reset_index()[columns]


def summarize(ratings: pd.DataFrame) -> StudySummary:
    """Participants, per-question statistics and per-item means with 95% t intervals (clipped to 1-5)."""
    questions = {name: _question_stats(name, ratings[name].astype(float)) for name in QUESTIONS}
    liked = int((ratings.groupby("participant")["like"].mean() >= 4).sum()) if len(ratings) else 0
    return StudySummary(
        participants=int(ratings["participant"].nunique()),
        ratings=len(ratings),
        items=int(ratings["item"].nunique()),
        questions=questions,
        per_item=_per_item(ratings),
        liked_participants=liked,
        skipped_rows=int(ratings.attrs.get("skipped_rows", 0)),
        repeated_rows=int(ratings.attrs.get("repeated_rows", 0)),
    )


def shown_rating(value: float | None) -> str:
    """A mean, sd or interval end as a person reads it: two decimals, "–" where there is none
    (one answer has no sd or interval)."""
    return "–" if value is None or pd.isna(value) else f"{value:.2f}"


def _shown_interval(low: float, high: float) -> str:
    return "–" if pd.isna(low) else f"{shown_rating(low)} to {shown_rating(high)}"


def question_table(summary: StudySummary) -> pd.DataFrame:
    """One row per question, in questionnaire order: n, mean, sd, 95% CI and the share rated 4 or 5."""
    return pd.DataFrame([
        {"question": QUESTIONS[name], "n": s.n, "mean": shown_rating(s.mean), "sd": shown_rating(s.std),
         "95% CI": _shown_interval(*s.ci95), "rated 4 or 5": s.share_4_or_5}
        for name, s in summary.questions.items()
    ], columns=["question", "n", "mean", "sd", "95% CI", "rated 4 or 5"])


def items_best_first(summary: StudySummary, question: str) -> list[str]:
    """The items by their mean answer to ``question``, best first."""
    if question not in QUESTIONS:
        raise StudyLogError(f"Unknown question {question!r}; choose one of: {', '.join(QUESTIONS)}.")
    return list(summary.per_item.sort_values(question, ascending=False, kind="stable")["item"])


def item_table(summary: StudySummary, question: str) -> pd.DataFrame:
    """Per item, best first by ``question``: the number of ratings and, per question, one readable
    "mean (low to high)" column ("4.20 (3.10 to 5.00)"; just the mean for an item rated once)."""
    table = summary.per_item.set_index("item").loc[items_best_first(summary, question)].reset_index()
    for name in QUESTIONS:
        table[name] = [shown_rating(mean) + ("" if pd.isna(low) else f" ({_shown_interval(low, high)})")
                       for mean, low, high in zip(table[name], table[f"{name}_low"], table[f"{name}_high"])]
    return table.drop(columns=[f"{name}{suffix}" for name in QUESTIONS for suffix in ("_low", "_high")])


# --- Study items ---------------------------------------------------------------------------

ITEM_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


@dataclass(frozen=True)
class StudyItem:
    """One image to rate; ``settings`` (from a JSON sidecar) is logged but never shown."""

    item_id: str
    path: Path
    settings: dict[str, Any]


def study_items(folder: str | Path) -> list[StudyItem]:
    """Images in ``folder`` (sorted), each with the settings from ``<stem>.json`` when present."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    items = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in ITEM_SUFFIXES):
        sidecar = path.with_suffix(".json")
        try:
            settings = json.loads(sidecar.read_text()) if sidecar.is_file() else {}
        except (OSError, ValueError):
            settings = {"sidecar_error": f"{sidecar.name} is not valid JSON"}
        items.append(StudyItem(path.stem, path, settings if isinstance(settings, dict) else {"settings": settings}))
    return items


def item_thumbnail(item: StudyItem, side: int = 96) -> str | None:
    """The item's picture, ``side`` pixels on its long side, as a PNG data URI; None if unreadable."""
    from studio.images import ImageError, fit_long_side, load_image, to_png_bytes

    try:
        image = load_image(item.path, name=item.path.name)
    except ImageError:
        return None
    return "data:image/png;base64," + base64.b64encode(to_png_bytes(fit_long_side(image, side))).decode("ascii")


def add_study_item(folder: str | Path, png: bytes, settings: Mapping[str, Any]) -> StudyItem:
    """Save a creation into the study folder under a blind name (content hash), with its sidecar."""
    folder = Path(folder)
    item_id = "item-" + hashlib.sha256(png).hexdigest()[:12]
    path = folder / f"{item_id}.png"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
        path.with_suffix(".json").write_text(json.dumps(dict(settings), indent=2, sort_keys=True, default=str))
    except OSError as exc:
        with contextlib.suppress(OSError):  # no picture without its settings in the study
            path.unlink(missing_ok=True)
        raise StudyLogError(f"The study folder {folder} could not be written "
                            f"({exc.strerror or type(exc).__name__}); the item was not added.") from None
    return StudyItem(item_id, path, dict(settings))


def new_participant_id() -> str:
    """An anonymous participant id; nothing about the person goes into it."""
    return "p-" + secrets.token_hex(6)


def new_session_id() -> str:
    return uuid.uuid4().hex


def presentation_order(items: list[StudyItem], participant: str) -> list[StudyItem]:
    """Items in a random order of their own for each participant (reproducible from the id)."""
    order = list(items)
    random.Random(participant).shuffle(order)
    return order
