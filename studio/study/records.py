"""A rating record: its schema, the checks every store makes, and the store's protocol.

Both stores (CSV and database) validate a rating the same way, keep the same columns and
neutralise spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
import json
import operator
import re
from collections.abc import Mapping
from datetime import UTC, datetime
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


def clean_text(value: Any, name: str, limit: int) -> str:
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
        raise StudyLogError(f"Rating {name!r} must be a whole number from {LIKERT_MIN} to {LIKERT_MAX}, got {value!r}.")
    number = operator.index(value)
    if not LIKERT_MIN <= number <= LIKERT_MAX:
        raise StudyLogError(f"Rating {name!r} must be from {LIKERT_MIN} to {LIKERT_MAX}, got {number}.")
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
        "study_id": clean_text(record.get("study_id", ""), "study_id", MAX_FIELD_CHARS),
        "session_id": clean_text(record.get("session_id", ""), "session_id", MAX_FIELD_CHARS),
        "participant": _identifier(record, "participant"),
        "item": clean_text(record["item"], "item", MAX_FIELD_CHARS),
        **{name: _likert(record, name) for name in QUESTIONS},
        "comment": clean_text(record.get("comment"), "comment", MAX_COMMENT_CHARS),
        "app_version": __version__,
        "settings": clean_text(settings_text, "settings", MAX_SETTINGS_CHARS),
    }


def csv_line(values: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


HEADER_LINE = csv_line(list(COLUMNS))


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


