"""Study items: the images volunteers rate, their settings sidecars, ids and presentation order."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import random
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.images import IMAGE_SUFFIXES
from studio.study.records import StudyLogError


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
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES):
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
