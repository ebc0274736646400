"""The parser's fixed classes (../shared/DESIGN.md, "Parser classes"), their groups and colours."""

from __future__ import annotations

import numpy as np

from studio.errors import UnknownChoiceError

CLASS_NAMES: tuple[str, ...] = (
    "background",
    "skin",
    "hair",
    "dress",
    "top",
    "outerwear",
    "bottom",
    "legwear",
    "footwear",
    "accessories",
)


GROUPS: dict[str, tuple[int, ...]] = {
    "clothing": (3, 4, 5, 6),
    "separates": (4, 6),  # a top and a bottom, the other answer of the outfit decision
    "person": tuple(range(1, len(CLASS_NAMES))),
}


# One colour per class for overlays and legends (background is transparent in overlays).
PALETTE: np.ndarray = np.array(
    [
        (0, 0, 0),
        (241, 194, 125),
        (92, 64, 51),
        (220, 20, 60),
        (30, 144, 255),
        (128, 0, 128),
        (255, 165, 0),
        (46, 139, 87),
        (139, 69, 19),
        (255, 215, 0),
    ],
    dtype=np.uint8,
)


GARMENT_CLASSES: tuple[str, ...] = ("dress", "top", "bottom", "outerwear")



def class_ids(name: str) -> tuple[int, ...]:
    """Class ids behind a class or group name; the error lists every valid name."""
    if name in GROUPS:
        return GROUPS[name]
    if name in CLASS_NAMES:
        return (CLASS_NAMES.index(name),)
    valid = ", ".join(list(CLASS_NAMES) + list(GROUPS))
    raise UnknownChoiceError(f"Unknown garment or class {name!r}; choose one of: {valid}.")

