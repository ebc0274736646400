"""The outfit decision: a photo shows one dress, or separates (a top and a bottom).

Pixel by pixel the network often splits one dress into dress, top and skirt patches; the decision
settles the photo as a whole and the garment area's labels follow it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studio.parsing.classes import CLASS_NAMES

# Without a photo-level head, a photo's outfit is settled as a dress, or as separates, when this
# share of the garment area's dress + top + bottom probability is (or is not) dress. Between the
# two the parser is unsure and its pixel-by-pixel answer stands.
CLEARLY_A_DRESS = 0.65
CLEARLY_SEPARATES = 0.35
# With a head: a dress when its dress probability is at least the weights' own threshold (the share
# of dress photos the head was trained on: the cut that balances the two errors of a calibrated
# head), DRESS_THRESHOLD for weights that do not store one; the decision is called unsure within
# UNSURE_MARGIN of it (the Fit page then offers both readings).
DRESS_THRESHOLD = 0.5
UNSURE_MARGIN = 0.2
# Class ids of the outfit that decision is about: dress, top, bottom.
OUTFIT_CLASSES: tuple[int, int, int] = tuple(CLASS_NAMES.index(name) for name in ("dress", "top", "bottom"))


@dataclass(frozen=True)
class OutfitDecision:
    """The settled label map, the outfit it shows ("dress", "separates" or "unsure") and how sure
    the decision is (0: a coin flip, 1: certain)."""

    labels: np.ndarray
    outfit: str
    confidence: float


def decide_outfit(labels: np.ndarray, probabilities: np.ndarray,
                  presence: dict[str, float] | None = None, dress_threshold: float = DRESS_THRESHOLD) -> OutfitDecision:
    """One outfit per photo: a dress, or separates (top + bottom).

    Pixel by pixel, the network often splits one dress into dress, top and skirt patches, or
    leaves dress patches on a blouse and skirt. With a photo-level head (``presence``: each class's
    probability of being in the photo, learned from image-level tags) its dress probability
    decides (from ``dress_threshold``); without one, the dress share of the garment area's probability mass does, and only
    when it is clear (validation: model card). The garment area is relabelled to agree.
    """
    dress, top, bottom = OUTFIT_CLASSES
    garment = np.isin(labels, OUTFIT_CLASSES)
    if presence is not None and "dress" in presence:
        p = presence["dress"]
        outfit = "dress" if p >= dress_threshold else "separates"
        confidence = min(abs(p - dress_threshold) / UNSURE_MARGIN, 1.0)
        if not garment.any():
            return OutfitDecision(labels, outfit, confidence)
        keep_top = outfit == "dress" and presence.get("top", 0.0) >= 0.5  # a cardigan or blouse over the dress
        return OutfitDecision(relabel_outfit(labels, probabilities, as_dress=outfit == "dress", keep_top=keep_top),
                              outfit, confidence)
    if not garment.any():
        return OutfitDecision(labels, "unsure", 0.0)
    dress_mass = float(probabilities[dress][garment].sum())
    total_mass = dress_mass + float(probabilities[top][garment].sum() + probabilities[bottom][garment].sum())
    share = dress_mass / max(total_mass, 1e-6)
    confidence = min(abs(share - 0.5) / (CLEARLY_A_DRESS - 0.5), 1.0)
    if share >= CLEARLY_A_DRESS:
        return OutfitDecision(relabel_outfit(labels, probabilities, as_dress=True), "dress", confidence)
    if share <= CLEARLY_SEPARATES:
        return OutfitDecision(relabel_outfit(labels, probabilities, as_dress=False), "separates", confidence)
    return OutfitDecision(labels, "unsure", confidence)


def settle_outfit(labels: np.ndarray, probabilities: np.ndarray,
                  presence: dict[str, float] | None = None) -> np.ndarray:
    """The label map after :func:`decide_outfit`."""
    return decide_outfit(labels, probabilities, presence).labels


def relabel_outfit(labels: np.ndarray, probabilities: np.ndarray, *, as_dress: bool,
                   keep_top: bool = False) -> np.ndarray:
    """The garment area (dress, top and bottom pixels) made all dress (its top pixels kept when
    ``keep_top``), or its dress pixels made top or bottom, whichever is likelier there."""
    dress, top, bottom = OUTFIT_CLASSES
    relabelled = labels.copy()
    if as_dress:
        relabelled[np.isin(labels, (dress, bottom) if keep_top else OUTFIT_CLASSES)] = dress
    else:
        was_dress = labels == dress
        relabelled[was_dress] = np.where(probabilities[top][was_dress] >= probabilities[bottom][was_dress], top, bottom)
    return relabelled

