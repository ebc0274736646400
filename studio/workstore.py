"""The shoppers' saved work: plain files under one folder, one folder per anonymous shopper id.

A saved item is one JSON file (``NAME.json``: its title, its settings, and the sha256 of each of
its pictures) and its pictures as PNG files (``NAME.KEY.png``). Nothing here ever executes what
it reads: JSON goes through ``json.loads`` (size-capped), pictures through ``images.load_image``
with PNG as the only format, and there is no pickle. Each file is written to a temporary name and
renamed into place, the JSON last, so a reader sees an old item, a new one, or (after a crash
between files) one whose digests do not match, which is reported and left out.

Each shopper has a size cap, and a shopper's folder not used for the expiry time is deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from PIL import Image

from studio.errors import StudioError
from studio.images import MEGABYTE, ImageError, ImageLimits, load_image, to_png_bytes

SHOPPER_ID = re.compile(r"[A-Za-z0-9_-]{22,64}")
ITEM_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
PNG_ONLY = ImageLimits(formats=("PNG",), min_side=1)
MAX_JSON_BYTES = MEGABYTE
FORMAT_VERSION = 1


class WorkStoreError(StudioError):
    """Saved work could not be written: over the shopper's cap, or the folder refused."""


def new_shopper_id() -> str:
    """A random anonymous id (144 bits), safe in a URL and as a folder name."""
    return secrets.token_urlsafe(18)


def is_shopper_id(text: str | None) -> bool:
    """Whether ``text`` has the form of a shopper id (anything else is never used as a folder)."""
    return text is not None and SHOPPER_ID.fullmatch(text) is not None


@dataclass(frozen=True)
class SavedItem:
    """One saved item: its pictures, its settings and when it was saved (seconds since the epoch)."""

    name: str
    title: str
    meta: dict[str, Any]
    images: dict[str, Image.Image]
    saved_at: float


@dataclass(frozen=True)
class SavedWork:
    """What a shopper's folder gave back: the readable items by name, and one sentence per item
    that was left out (corrupt, or over the cap)."""

    items: dict[str, SavedItem]
    problems: list[str]


def _megabytes(size: int) -> str:
    return f"{size / MEGABYTE:.1f} MB"


class WorkStore:
    """Shoppers' saved work under ``root``, at most ``cap_bytes`` each, deleted after
    ``expiry_seconds`` unused."""

    def __init__(self, root: str | Path, *, cap_bytes: int, expiry_seconds: float):
        self.root = Path(root)
        self.cap_bytes = int(cap_bytes)
        self.expiry_seconds = float(expiry_seconds)

    def _folder(self, shopper: str) -> Path:
        if not is_shopper_id(shopper):
            raise WorkStoreError("That is not a shopper id.")
        return self.root / shopper

    @staticmethod
    def _check_name(name: str) -> str:
        if not ITEM_NAME.fullmatch(name):
            raise WorkStoreError(f"{name[:64]!r} is not a saved item's name (lower-case letters, digits, - and _).")
        return name

    def usage(self, shopper: str) -> int:
        """Bytes the shopper's saved work takes."""
        folder = self._folder(shopper)
        return sum(p.stat().st_size for p in folder.glob("*") if p.is_file()) if folder.is_dir() else 0

    def _item_files(self, folder: Path, name: str) -> list[Path]:
        return [p for p in (folder / f"{name}.json", *folder.glob(f"{name}.*.png")) if p.is_file()]

    def save(self, shopper: str, name: str, *, title: str, meta: Mapping[str, Any] | None = None,
             images: Mapping[str, Image.Image] | None = None) -> None:
        """Save (or replace) item ``name``: ``meta`` must be plain JSON values; ``images`` by key."""
        folder = self._folder(shopper)
        self._check_name(name)
        encoded = {self._check_name(key): to_png_bytes(image) for key, image in (images or {}).items()}
        record = {"version": FORMAT_VERSION, "title": title, "saved_at": time.time(), "meta": dict(meta or {}),
                  "images": {key: hashlib.sha256(data).hexdigest() for key, data in encoded.items()}}
        text = json.dumps(record, separators=(",", ":")).encode()
        if len(text) > MAX_JSON_BYTES:
            raise WorkStoreError(f"The settings of your {title} take {_megabytes(len(text))}; "
                                 f"the limit is {_megabytes(MAX_JSON_BYTES)}.")
        size = len(text) + sum(len(data) for data in encoded.values())
        replaced = sum(p.stat().st_size for p in self._item_files(folder, name)) if folder.is_dir() else 0
        total = self.usage(shopper) - replaced + size
        if total > self.cap_bytes:
            raise WorkStoreError(f"Your {title} was not saved: your saved work would take {_megabytes(total)}, "
                                 f"over the {_megabytes(self.cap_bytes)} limit; delete a design under My designs.")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for stale in folder.glob(f"{name}.*.png"):
                if stale.name.split(".")[1] not in encoded:
                    stale.unlink()
            for key, data in encoded.items():
                _write_atomically(folder / f"{name}.{key}.png", data)
            _write_atomically(folder / f"{name}.json", text)
        except OSError as exc:
            raise WorkStoreError(f"Your {title} could not be saved ({exc.strerror or type(exc).__name__}).") from None

    def delete(self, shopper: str, name: str) -> None:
        """Remove item ``name`` (nothing happens if it is not there)."""
        folder = self._folder(shopper)
        for path in self._item_files(folder, self._check_name(name)):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def load(self, shopper: str) -> SavedWork:
        """Every readable item, newest first while they fit under the cap; each other item is one
        sentence in ``problems``. An expired folder is deleted and gives nothing."""
        folder = self._folder(shopper)
        if not folder.is_dir():
            return SavedWork({}, [])
        if time.time() - folder.stat().st_mtime > self.expiry_seconds:
            shutil.rmtree(folder, ignore_errors=True)
            return SavedWork({}, [])
        read: list[tuple[int, SavedItem | None, str]] = []
        for path in folder.glob("*.json"):
            name = path.name[: -len(".json")]
            size = sum(p.stat().st_size for p in self._item_files(folder, name))
            try:
                read.append((size, self._read(folder, name), ""))
            except (OSError, ValueError, KeyError, TypeError, ImageError) as exc:
                read.append((size, None, f"A saved item ({name}) could not be read ({_reason(exc)}) and was left out."))
        read.sort(key=lambda entry: -(entry[1].saved_at if entry[1] else 0.0))
        items, problems, used = {}, [], 0
        for size, item, problem in read:
            if item is None:
                problems.append(problem)
            elif used + size > self.cap_bytes:
                problems.append(f"Your saved {item.title} ({_megabytes(size)}) is over the "
                                f"{_megabytes(self.cap_bytes)} limit for saved work and was left out.")
            else:
                used += size
                items[item.name] = item
        return SavedWork(items, problems)

    def _read(self, folder: Path, name: str) -> SavedItem:
        path = folder / f"{name}.json"
        if path.stat().st_size > MAX_JSON_BYTES:
            raise ValueError(f"its settings are over {_megabytes(MAX_JSON_BYTES)}")
        record = json.loads(path.read_bytes())
        if not isinstance(record, dict) or record.get("version") != FORMAT_VERSION:
            raise ValueError("not a saved item of this version")
        images = {}
        for key, digest in dict(record["images"]).items():
            data = (folder / f"{name}.{self._check_name(key)}.png").read_bytes()
            if hashlib.sha256(data).hexdigest() != digest:
                raise ValueError(f"its picture {key} does not match its settings")
            images[key] = load_image(data, limits=replace(PNG_ONLY, max_bytes=max(self.cap_bytes, PNG_ONLY.max_bytes)),
                                     name=f"its picture {key}")
        return SavedItem(name, str(record["title"]), dict(record["meta"]), images, float(record["saved_at"]))

    def touch(self, shopper: str) -> None:
        """Mark the shopper's work as used now (the expiry counts from the last use)."""
        folder = self._folder(shopper)
        if folder.is_dir():
            os.utime(folder)

    def purge_expired(self) -> int:
        """Delete every shopper folder unused for longer than the expiry; returns how many."""
        if not self.root.is_dir():
            return 0
        deadline, purged = time.time() - self.expiry_seconds, 0
        for folder in self.root.iterdir():
            if is_shopper_id(folder.name) and folder.is_dir() and folder.stat().st_mtime < deadline:
                shutil.rmtree(folder, ignore_errors=True)
                purged += 1
        return purged


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _reason(exc: Exception) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return "its settings are not valid JSON"
    if isinstance(exc, FileNotFoundError):
        return "a picture is missing"
    if isinstance(exc, ImageError):
        return str(exc).rstrip(".")
    return str(exc) if isinstance(exc, ValueError) and str(exc) else type(exc).__name__
