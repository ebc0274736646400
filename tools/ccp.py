"""Clothing Co-Parsing (CCP) reader with the project's fixed train/validation splits.

The splits are fixed and documented in the model card. Pixel-labelled photos: sorted by id, every
tenth one (positions 0, 10, 20, …) is validation, the rest is training. Tag-only photos
(``tagged/``): sorted by id, every fifth one (positions 0, 5, 10, …) is validation, the rest is
training.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PIL import Image

from studio import config
from studio.parsing import CLASS_NAMES

# Clothing Co-Parsing label names -> our class ids (../shared/DESIGN.md, "Parser classes").
CCP_GROUPS: dict[int, tuple[str, ...]] = {
    1: ("skin",),
    2: ("hair",),
    3: ("dress", "romper", "jumper", "bodysuit", "swimwear"),
    4: ("blouse", "shirt", "t-shirt", "top", "sweater", "sweatshirt", "cardigan", "vest",
        "hoodie", "bra", "intimate"),
    5: ("coat", "blazer", "jacket", "suit", "cape"),
    6: ("skirt", "pants", "jeans", "shorts", "leggings", "panties"),
    7: ("tights", "stockings", "socks"),
    8: ("shoes", "boots", "sandals", "heels", "flats", "pumps", "sneakers", "loafers", "clogs",
        "wedges"),
    9: ("accessories", "bag", "purse", "belt", "hat", "sunglasses", "glasses", "scarf",
        "necklace", "bracelet", "earrings", "ring", "watch", "wallet", "gloves", "tie"),
}


def ccp_lookup_table(ccp_label_names: list[str]) -> np.ndarray:
    """Map CCP label ids (index = CCP id, value = name) to our class ids as a uint8 table."""
    by_name = {name: class_id for class_id, names in CCP_GROUPS.items() for name in names}
    table = np.zeros(256, dtype=np.uint8)
    for ccp_id, name in enumerate(ccp_label_names):
        if ccp_id == 0:
            continue
        if name not in by_name:
            raise ValueError(f"CCP label {name!r} has no class in the parser's class table.")
        table[ccp_id] = by_name[name]
    return table



VALIDATION_EVERY = 10
TAGGED_VALIDATION_EVERY = 5


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

    def load_tagged(self, photo_id: str) -> Image.Image:
        """A tag-only photo (no label map)."""
        return Image.open(self.root / "tagged" / "images" / f"{photo_id}.jpg").convert("RGB")

    def load(self, photo_id: str) -> tuple[Image.Image, np.ndarray]:
        image = Image.open(self.root / "images" / f"{photo_id}.jpg").convert("RGB")
        labels = self.table[np.asarray(Image.open(self.root / "labels" / f"{photo_id}.png"))]
        return image, labels


def tagged_tags(root: Path | None = None) -> dict[str, frozenset[str]]:
    """Tag-only photos: id -> the parser classes its CCP image-level tags say are present."""
    root = root or config.ccp_dir()
    csv_path = root / "tagged" / "tags.csv"
    if not csv_path.is_file():
        return {}
    table = ccp_lookup_table(label_names(root))
    by_name = {name: CLASS_NAMES[table[i]] for i, name in enumerate(label_names(root)) if i > 0}
    tags = {}
    for line in csv_path.read_text().splitlines()[1:]:
        if not line.strip():
            continue
        photo_id, _, names = line.partition(",")
        if (root / "tagged" / "images" / f"{photo_id}.jpg").is_file():
            tags[photo_id] = frozenset(by_name[n] for n in names.split() if n in by_name)
    return tags


def tagged_split(root: Path | None = None) -> tuple[list[str], list[str]]:
    """(training ids, validation ids) of the tag-only photos: every fifth by sorted id is validation."""
    ids = sorted(tagged_tags(root))
    validation = ids[::TAGGED_VALIDATION_EVERY]
    held = set(validation)
    return [i for i in ids if i not in held], validation


def label_tags(labels: np.ndarray) -> frozenset[str]:
    """The classes a pixel-labelled photo holds (any pixel), as its image-level tags would say."""
    counts = np.bincount(labels.ravel(), minlength=len(CLASS_NAMES))
    return frozenset(CLASS_NAMES[i] for i in np.flatnonzero(counts[1:]) + 1)
