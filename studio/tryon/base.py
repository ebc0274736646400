"""What every try-on engine shares: the call, the result, the garment categories and the checks
that open every call.

An engine is called as ``engine(photo, parse, garment_image, category=..., body=...)`` and
answers a :class:`TryOnResult`. ``body`` is the shopper's :class:`studio.body.Body` when the
caller already has it (the app does); an engine that uses landmarks estimates it otherwise, and
one that does not ignores it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from PIL import Image

from studio.body import Body
from studio.composite import check_parse_matches
from studio.errors import InputError, UnknownChoiceError
from studio.parsing import Parse, garment_mask

CATEGORIES: dict[str, tuple[str, ...]] = {
    # new garment category -> the shopper's classes it replaces
    "dress": ("dress", "top", "bottom", "outerwear"),
    "top": ("top",),
    "bottom": ("bottom",),
    "outerwear": ("outerwear",),
}


@dataclass
class TryOnResult:
    """The dressed photo and the masks that made it (all at the photo's size unless noted)."""

    image: Image.Image
    garment_mask: np.ndarray  # the garment's silhouette, in its cut-out (cropped from the garment image)
    target_mask: np.ndarray  # where the new garment was painted
    filled_mask: np.ndarray  # old-garment pixels refilled with skin or background
    source: str  # "product shot" or "worn"


class PhotoParser(Protocol):
    """What an engine needs of the garment parser (a :class:`GarmentParser`, or a wrapper that
    serialises its calls across sessions): a worn garment's photo is parsed to cut it out."""

    def predict(self, image: Image.Image) -> Parse: ...


class TryOnEngine(Protocol):
    """The one call every engine takes (see the module docstring)."""

    name: str

    def __call__(self, photo: Image.Image, parse: Parse, garment_image: Image.Image, *,
                 category: str = "dress", body: Body | None = None) -> TryOnResult: ...


def check_category(category: str) -> tuple[str, ...]:
    """The shopper's classes a garment of ``category`` replaces; the error lists the categories."""
    if category not in CATEGORIES:
        raise UnknownChoiceError(f"Unknown garment category {category!r}; choose one of: {', '.join(CATEGORIES)}.")
    return CATEGORIES[category]


def check_inputs(photo: Image.Image, parse: Parse, category: str,
                 body: Body | None = None) -> tuple[Image.Image, tuple[str, ...]]:
    """(the photo as RGB, the classes the new garment replaces), after refusing a wrong category, a
    parse or body made for another photo, and a photo with nothing to replace."""
    replaces = check_category(category)
    rgb = photo.convert("RGB")
    check_parse_matches(rgb, parse)
    if body is not None and body.size != rgb.size:
        raise InputError(f"The body was found on a {body.size[0]}x{body.size[1]} photo but this photo is "
                         f"{rgb.width}x{rgb.height}; estimate the body on this photo.")
    if not garment_mask(parse, replaces).any():
        raise InputError(f"No garment to replace ({', '.join(replaces)}) was found in the photo.")
    return rgb, replaces
