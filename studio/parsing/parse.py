"""A parse (the label map and class probabilities of one photo) and the garment masks made from it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from PIL import Image

from studio.errors import InputError, UnknownChoiceError
from studio.masks import grow as grow_mask
from studio.masks import largest_parts
from studio.parsing.classes import CLASS_NAMES, GARMENT_CLASSES, PALETTE, class_ids
from studio.parsing.outfit import relabel_outfit

SURE = 0.5  # an outfit decision at least this confident preselects the garment and asks nothing


@dataclass
class Parse:
    """The parser's answer for one photo, at the photo's own size."""

    labels: np.ndarray  # uint8 HxW class ids
    probabilities: np.ndarray | None = field(default=None, repr=False)  # float32 CxHxW from the parser
    photo_presence: dict[str, float] | None = None  # class -> probability it is in the photo (photo head)
    outfit: str = "unsure"  # the outfit decision: "dress", "separates" or "unsure"
    outfit_confidence: float = 0.0

    @classmethod
    def from_label_image(cls, image: Image.Image) -> Parse:
        """Rebuild a parse from a saved label map (8-bit, one class id per pixel)."""
        labels = np.asarray(image.convert("L"), dtype=np.uint8)
        if labels.max(initial=0) >= len(CLASS_NAMES):
            raise InputError(f"A label map holds class ids 0-{len(CLASS_NAMES) - 1}; this one has {labels.max()}.")
        return cls(labels=labels)

    def label_image(self) -> Image.Image:
        """The label map as an 8-bit image (what ``python -m studio parse`` writes)."""
        return Image.fromarray(self.labels)

    def mask(self, name: str) -> np.ndarray:
        """Boolean HxW mask of a class or group name (``dress``, ``clothing`` …)."""
        return np.isin(self.labels, class_ids(name))

    def overlay(self, photo: Image.Image, alpha: float = 0.55) -> Image.Image:
        """The photo with each non-background class tinted in its palette colour."""
        base = np.asarray(photo.convert("RGB"), dtype=np.float32)
        if base.shape[:2] != self.labels.shape:
            raise InputError("The overlay photo must have the same size as the parse.")
        colours = PALETTE[self.labels].astype(np.float32)
        weight = np.where(self.labels[..., None] > 0, alpha, 0.0)
        mixed = base * (1 - weight) + colours * weight
        return Image.fromarray(np.clip(mixed + 0.5, 0, 255).astype(np.uint8))

    @property
    def outfit_unsure(self) -> bool:
        """Whether the outfit decision is too unsure to stand without the shopper's word."""
        return self.outfit == "unsure" or self.outfit_confidence < SURE

    def with_outfit(self, outfit: str) -> Parse:
        """This parse with the outfit the shopper says it is: "dress" or "separates" (the garment
        area relabelled to agree, as the decision would have done)."""
        if outfit not in ("dress", "separates"):
            raise UnknownChoiceError(f"Unknown outfit {outfit!r}; choose one of: dress, separates.")
        if self.probabilities is None:
            raise InputError("This parse has no class probabilities to relabel its outfit from; parse the photo again.")
        keep_top = outfit == "dress" and (self.photo_presence or {}).get("top", 0.0) >= 0.5  # as decide_outfit
        labels = relabel_outfit(self.labels, self.probabilities, as_dress=outfit == "dress", keep_top=keep_top)
        return replace(self, labels=labels, outfit=outfit, outfit_confidence=1.0)

    def present_classes(self, min_fraction: float = 0.002) -> list[str]:
        """Names of classes covering at least ``min_fraction`` of the photo."""
        counts = np.bincount(self.labels.ravel(), minlength=len(CLASS_NAMES))
        return [CLASS_NAMES[i] for i in np.flatnonzero(counts >= min_fraction * self.labels.size)]



# A garment may reach this share of the photo's long side past a person mask: BlazePose's mask is
# made at 256x256 and its edge is coarser than the parser's. On the sample astronaut 48 of 52,912
# clothing pixels (at 512 px) and 245 of 215,265 (at 1024 px) lie outside the mask, none farther
# than 1% of the long side.
PERSON_MARGIN = 0.01
# The parse's person pixels joined to the mask count as the person up to this share of the long side past
# it: BlazePose's mask misses a loose coat's flap that the parser sees (CCP 0011: up to 7%).
PERSON_REACH = 0.08


def near_person(person_mask: np.ndarray, parse: Parse | None = None) -> np.ndarray:
    """What may be painted: the body's person mask give or take PERSON_MARGIN of the photo's long side and,
    given the ``parse``, its person pixels joined to the mask within PERSON_REACH of it (a passer-by the
    parser draws apart from the shopper stays out)."""
    from scipy import ndimage

    if parse is not None and person_mask.shape != parse.labels.shape:
        raise InputError(f"The person mask is {person_mask.shape[1]}x{person_mask.shape[0]}; the parse is "
                         f"{parse.labels.shape[1]}x{parse.labels.shape[0]}.")
    outside = ndimage.distance_transform_edt(~person_mask)
    near = outside <= max(1, round(PERSON_MARGIN * max(person_mask.shape)))
    if parse is None:
        return near
    parts, _ = ndimage.label(parse.mask("person"))
    joined = np.isin(parts, np.unique(parts[person_mask])) & (parts > 0)
    return near | (joined & (outside <= PERSON_REACH * max(person_mask.shape)))


MAIN_PART_SHARE = 0.1  # stray blobs smaller than this share of the largest part of a garment are dropped


def garment_mask(parse: Parse, include: list[str] | tuple[str, ...], *, exclude: tuple[str, ...] = (),
                 grow: int = 0, keep_main_parts: bool = True, inside: np.ndarray | None = None) -> np.ndarray:
    """A refined boolean mask: union of ``include`` names minus ``exclude``, stray blobs dropped (parts
    smaller than a tenth of the largest; a strap or bag over the garment joins what it cuts apart), grown
    (``grow`` > 0) or shrunk (< 0) by a disc of pixels, and kept within ``inside`` (e.g. the body's person
    mask, give or take ``PERSON_MARGIN``)."""
    mask = np.zeros(parse.labels.shape, dtype=bool)
    for name in include:
        mask |= parse.mask(name)
    for name in exclude:
        mask &= ~parse.mask(name)
    if keep_main_parts and mask.any():
        # a strap or belt across the garment joins what it cuts apart (a sleeve beyond a bag's strap is no speck)
        mask = largest_parts(mask, MAIN_PART_SHARE, diagonal=True, joined_by=parse.mask("accessories"))
    mask = grow_mask(mask, grow)
    if inside is not None:
        mask &= near_person(inside, parse)
    return mask



def main_garment(parse: Parse) -> str:
    """A sensible default to design on. When the outfit decision is sure: "dress", or "separates"
    (the top and the bottom). Otherwise the garment class covering the most pixels, or all
    clothing when the parse is part dress, part top or bottom ("dress" alone would cover only a
    fragment of what the shopper wears)."""
    if parse.outfit in ("dress", "separates") and parse.outfit_confidence >= SURE and parse.mask(parse.outfit).any():
        return parse.outfit
    areas = {name: int(parse.mask(name).sum()) for name in GARMENT_CLASSES}
    outfit = areas["dress"] + areas["top"] + areas["bottom"]
    if areas["dress"] and 0.2 < areas["dress"] / outfit < 0.8:
        return "clothing"
    best = max(areas, key=areas.get)
    return best if areas[best] > 0 else "clothing"
