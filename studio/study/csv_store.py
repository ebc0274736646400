"""The CSV ratings store: one disk, locked so concurrent processes and threads append whole rows."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from studio.study.records import COLUMNS, HEADER_LINE, QUESTIONS, SCHEMA_VERSION, StudyLogError, csv_line, validate_record


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
        line = csv_line([row[c] for c in COLUMNS])
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
        return ratings_frame(pd.DataFrame(columns=list(COLUMNS)), skipped=0)
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
    return ratings_frame(frame[valid], skipped=total - int(valid.sum()))


def ratings_frame(frame: pd.DataFrame, skipped: int) -> pd.DataFrame:
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
    return (HEADER_LINE + "".join(csv_line([row[c] for c in COLUMNS])
                                  for row in ratings[list(COLUMNS)].to_dict("records"))).encode()


