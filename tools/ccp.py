"""Clothing Co-Parsing (CCP) reader with the project's fixed train/validation split.

The split is fixed and documented in the model card: photos sorted by id, every tenth one
(positions 0, 10, 20, …) is validation, the rest is training.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PIL import Image

from studio import config
from studio.parsing import ccp_lookup_table

VALIDATION_EVERY = 10


def photo_ids(root: Path | None = None) -> list[str]:
    """Sorted ids (``0001`` …) of photos that have both an image and a label."""
    root = root or config.ccp_dir()
    return sorted(p.stem for p in (root / "images").glob("*.jpg") if (root / "labels" / f"{p.stem}.png").is_file())


def unlabelled_ids(root: Path | None = None) -> frozenset[str]:
    """Photos whose label map is all background: nobody annotated them (0536 in ../shared/ccp)."""
    return _scan_unlabelled(Path(root or config.ccp_dir()).resolve())


@functools.lru_cache(maxsize=4)
def _scan_unlabelled(root: Path) -> frozenset[str]:
    # Decoding all 904 label maps takes over a second; split() and the model card both ask.
    return frozenset(i for i in photo_ids(root) if not np.asarray(Image.open(root / "labels" / f"{i}.png")).any())


def split(root: Path | None = None) -> tuple[list[str], list[str]]:
    """(training ids, validation ids); unannotated photos are left out of both.

    The every-tenth rule runs over all photos first, so leaving a photo out never moves
    another photo from one side to the other.
    """
    ids = photo_ids(root)
    validation = ids[::VALIDATION_EVERY]
    held = set(validation)
    unlabelled = unlabelled_ids(root)
    return ([i for i in ids if i not in held and i not in unlabelled],
            [i for i in validation if i not in unlabelled])


def label_names(root: Path | None = None) -> list[str]:
    root = root or config.ccp_dir()
    rows = [line.split(maxsplit=1) for line in (root / "labels.txt").read_text().splitlines() if line.strip()]
    names = [""] * (max(int(i) for i, _ in rows) + 1)
    for i, name in rows:
        names[int(i)] = name.strip()
    return names


class CCPReader:
    """Loads a photo and its label map, mapped to the parser's ten classes."""

    def __init__(self, root: Path | None = None):
        self.root = root or config.ccp_dir()
        self.table = ccp_lookup_table(label_names(self.root))

    def load(self, photo_id: str) -> tuple[Image.Image, np.ndarray]:
        image = Image.open(self.root / "images" / f"{photo_id}.jpg").convert("RGB")
        labels = self.table[np.asarray(Image.open(self.root / "labels" / f"{photo_id}.png"))]
        return image, labels
