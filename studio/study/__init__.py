"""User study: blinded items, a ratings store that never loses or garbles a row, and a summary.

:func:`open_store` gives the store for a location: a CSV path (:class:`CsvRatingStore`, the embedded
default: one disk, locked so concurrent processes and threads append whole rows) or a database URL
(:class:`SqlRatingStore`, PostgreSQL, for app replicas on several servers). Both validate a rating the
same way, keep the same columns and neutralise spreadsheet formulas; a volunteer rates an item once
(the database enforces it, the CSV's reader keeps the first row).
"""

from __future__ import annotations

from pathlib import Path

from studio.study.csv_store import CsvRatingStore, load_ratings, ratings_csv_bytes
from studio.study.items import (
    StudyItem,
    add_study_item,
    item_thumbnail,
    new_participant_id,
    new_session_id,
    presentation_order,
    study_items,
)
from studio.study.records import (
    COLUMNS,
    LIKERT_MAX,
    LIKERT_MIN,
    MAX_COMMENT_CHARS,
    QUESTIONS,
    RatingStore,
    StoreUnavailableError,
    StudyLogError,
    validate_record,
)
from studio.study.sql_store import TABLE_NAME, SqlRatingStore
from studio.study.summary import (
    QuestionStats,
    StudySummary,
    item_table,
    items_best_first,
    question_table,
    shown_rating,
    summarize,
)


def is_database_url(location: str | Path) -> bool:
    """Whether ``location`` names a database (``postgresql+psycopg://…``) rather than a CSV path."""
    return isinstance(location, str) and "://" in location


def open_store(location: str | Path) -> RatingStore:
    """The store for ``location``: a database URL (``postgresql+psycopg://…``) or a CSV path."""
    if is_database_url(location):
        return SqlRatingStore(location)
    return CsvRatingStore(location)




__all__ = [
    "COLUMNS", "LIKERT_MAX", "LIKERT_MIN", "MAX_COMMENT_CHARS", "QUESTIONS", "TABLE_NAME",
    "CsvRatingStore", "QuestionStats", "RatingStore", "SqlRatingStore", "StoreUnavailableError", "StudyItem",
    "StudyLogError", "StudySummary", "add_study_item", "is_database_url", "item_table", "item_thumbnail",
    "items_best_first", "load_ratings", "new_participant_id", "new_session_id", "open_store", "presentation_order",
    "question_table", "ratings_csv_bytes", "shown_rating", "study_items", "summarize", "validate_record",
]
