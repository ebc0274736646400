"""User study: blinded items, a ratings log that never loses or garbles a row, and a summary.

The log is behind a small interface (:class:`RatingStore`): :class:`RatingLog` keeps ratings in
a CSV file on one disk, locked so concurrent processes and threads append whole rows. A
database backend (SQLAlchemy, e.g. PostgreSQL, for volunteers on several servers) only needs
``append`` and ``load`` with the same columns.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import operator
import random
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Protocol

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
MAX_COMMENT_CHARS = 2000
MAX_FIELD_CHARS = 200
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
    settings = record.get("settings") or {}
    try:
        settings_text = settings if isinstance(settings, str) else json.dumps(settings, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        raise StudyLogError("The rating's settings must be JSON-serialisable.") from None
    return {
        "schema_version": SCHEMA_VERSION,
        "timestamp": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "study_id": _clean_text(record.get("study_id", ""), "study_id", MAX_FIELD_CHARS),
        "session_id": _clean_text(record.get("session_id", ""), "session_id", MAX_FIELD_CHARS),
        "participant": _identifier(record, "participant"),
        "item": _clean_text(record["item"], "item", MAX_FIELD_CHARS),
        **{name: _likert(record, name) for name in QUESTIONS},
        "comment": _clean_text(record.get("comment"), "comment", MAX_COMMENT_CHARS),
        "app_version": __version__,
        "settings": _clean_text(settings_text, "settings", 10 * MAX_COMMENT_CHARS),
    }


def _csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


HEADER_LINE = _csv_line(list(COLUMNS))


class RatingStore(Protocol):
    """Where ratings go; a SQL backend implements the same two methods."""

    def append(self, record: Mapping[str, Any]) -> dict[str, Any]: ...

    def load(self) -> pd.DataFrame: ...


class RatingLog:
    """Ratings in a CSV file: append-only, one locked write per row, header checked first."""

    def __init__(self, path: str | Path, lock_timeout: float = 30.0):
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.lock_timeout = lock_timeout

    def append(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and append one rating; returns the row as written."""
        from filelock import FileLock, Timeout

        row = validate_record(record)
        line = _csv_line([row[c] for c in COLUMNS])
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with FileLock(str(self.lock_path), timeout=self.lock_timeout):
                with open(self.path, "a+b") as handle:
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
    """All valid ratings in ``path``; rows that cannot be read are counted in ``attrs['skipped_rows']``."""
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        frame = pd.DataFrame(columns=list(COLUMNS))
        frame.attrs["skipped_rows"] = 0
        return frame
    with open(path, "rb") as handle:
        first = handle.readline()
    if first.decode("utf-8", errors="replace").rstrip("\r\n") != HEADER_LINE.rstrip("\n"):
        raise StudyLogError(f"{path} is not a Dress Studio ratings file (its header is not schema {SCHEMA_VERSION}).")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, on_bad_lines="skip")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise StudyLogError(f"{path} could not be read as CSV ({type(exc).__name__}).") from None
    total = len(frame)
    for name in QUESTIONS:
        frame[name] = pd.to_numeric(frame[name], errors="coerce")
    valid = frame[list(QUESTIONS)].isin([1, 2, 3, 4, 5]).all(axis=1) & frame["participant"].str.len().gt(0)
    frame = frame[valid].copy()
    for name in QUESTIONS:
        frame[name] = frame[name].astype(int)
    frame.attrs["skipped_rows"] = total - len(frame)
    return frame.reset_index(drop=True)


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
        for name, stats in self.questions.items():
            low, high = stats.ci95
            lines.append(f"{QUESTIONS[name]}: mean {stats.mean:.2f} (sd {stats.std:.2f}, 95% CI {low:.2f}-{high:.2f}), "
                         f"{stats.share_4_or_5:.0%} rated 4 or 5, n={stats.n}")
        if len(self.per_item):
            lines.append("")
            lines.append(self.per_item.to_string(index=False, float_format=lambda v: f"{v:.2f}"))
        return "\n".join(lines)


def _question_stats(name: str, values: pd.Series) -> QuestionStats:
    n = int(values.size)
    mean = float(values.mean()) if n else math.nan
    std = float(values.std(ddof=1)) if n > 1 else math.nan
    half = t_critical_95(n - 1) * std / math.sqrt(n) if n > 1 else math.nan
    counts = {score: int((values == score).sum()) for score in range(1, 6)}
    return QuestionStats(name, n, mean, std, (mean - half, mean + half), float((values >= 4).mean()) if n else math.nan, counts)


def summarize(ratings: pd.DataFrame) -> StudySummary:
    """Participants, per-question statistics with 95% t intervals, per-item means, the headline."""
    questions = {name: _question_stats(name, ratings[name].astype(float)) for name in QUESTIONS}
    if len(ratings):
        grouped = ratings.groupby("item")
        per_item = grouped[list(QUESTIONS)].mean()
        per_item.insert(0, "ratings", grouped.size())
        for name in QUESTIONS:
            per_item[f"{name}_sem"] = grouped[name].std(ddof=1) / grouped.size().pow(0.5)
        per_item = per_item.reset_index()
        liked = int((ratings.groupby("participant")["like"].mean() >= 4).sum())
    else:
        per_item = pd.DataFrame(columns=["item", "ratings", *QUESTIONS])
        liked = 0
    return StudySummary(
        participants=int(ratings["participant"].nunique()),
        ratings=len(ratings),
        items=int(ratings["item"].nunique()),
        questions=questions,
        per_item=per_item,
        liked_participants=liked,
        skipped_rows=int(ratings.attrs.get("skipped_rows", 0)),
    )


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


def add_study_item(folder: str | Path, png: bytes, settings: Mapping[str, Any]) -> StudyItem:
    """Save a creation into the study folder under a blind name (content hash), with its sidecar."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    item_id = "item-" + hashlib.sha256(png).hexdigest()[:12]
    path = folder / f"{item_id}.png"
    path.write_bytes(png)
    path.with_suffix(".json").write_text(json.dumps(dict(settings), indent=2, sort_keys=True, default=str))
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
