"""Measure try-on engines on CCP validation pairs: a dress from one photo tried on another.

    python -m tools.tryon_measures [--pairs 10] [--engines pose,geometric]

The garment is the labelled dress pixels of one validation photo pasted on white (holes where an
arm or a bag covered it included), so it reaches the engine as a product shot; the shopper is
the next validation photo with a dress. The shopper is parsed by the shipped parser (as in the
app); the measures compare against the photo's labels:

* ``outside``: changed pixels outside the labelled person grown by 21 px, as a share of all
  changed pixels (target <= 0.03 on every pair);
* ``old_left``: labelled old-garment pixels (dress, top, outerwear, bottom) left unchanged
  (target: median <= 0.04);
* ``head_kept``: labelled hair and skin above the labelled garment's top row left unchanged
  (target >= 0.97 on every pair);
* ``flat``: 8x8 blocks wholly inside the refilled area whose luminance std is below 2, as a
  share of those blocks (target <= 0.05);
* ``white``: pure-white pixels (every channel >= 235) inside the painted garment, minus the
  share of such pixels in the source dress itself (target <= 0.02).

"Changed" means any channel differs at all. These pictures derive from CCP: nothing is saved.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from studio.masks import grow
from studio.parsing import CLASS_NAMES

DRESS = CLASS_NAMES.index("dress")
OLD_GARMENT = [CLASS_NAMES.index(n) for n in ("dress", "top", "outerwear", "bottom")]
HEAD = [CLASS_NAMES.index(n) for n in ("hair", "skin")]
MIN_DRESS_SHARE = 0.04  # a validation photo counts as a dress photo with this much labelled dress
PERSON_GROWTH = 21
WHITE = 235

TARGETS = {"outside": "<= 0.03 every pair", "old_left": "median <= 0.04", "head_kept": ">= 0.97 every pair",
           "flat": "<= 0.05", "white": "<= 0.02"}


def dress_photo_ids(reader, validation: list[str]) -> list[str]:
    """Validation photos whose labels hold at least MIN_DRESS_SHARE dress."""
    return [i for i in validation if (reader.load(i)[1] == DRESS).mean() >= MIN_DRESS_SHARE]


def dress_on_white(photo: Image.Image, labels: np.ndarray) -> Image.Image:
    """The labelled dress pixels pasted on white, holes included."""
    pixels = np.asarray(photo.convert("RGB")).copy()
    pixels[labels != DRESS] = 255
    return Image.fromarray(pixels)


def _white(pixels: np.ndarray) -> np.ndarray:
    return (pixels >= WHITE).all(axis=-1)


@dataclass
class PairMeasures:
    outside: float
    old_left: float
    head_kept: float
    flat: float
    white: float


def measure_pair(photo: Image.Image, labels: np.ndarray, garment: Image.Image, garment_labels: np.ndarray,
                 image: Image.Image, target_mask: np.ndarray, filled_mask: np.ndarray) -> PairMeasures:
    """The five measures of one try-on ``image`` of ``garment`` on ``photo`` (see the module docstring)."""
    before = np.asarray(photo.convert("RGB"), np.int16)
    after = np.asarray(image.convert("RGB"), np.int16)
    changed = (before != after).any(axis=-1)
    person = grow(labels > 0, PERSON_GROWTH)
    outside = float((changed & ~person).sum() / max(changed.sum(), 1))
    old = np.isin(labels, OLD_GARMENT)
    old_left = float((old & ~changed).sum() / max(old.sum(), 1))
    top = int(np.flatnonzero(old.any(axis=1))[0]) if old.any() else labels.shape[0]
    head = np.isin(labels, HEAD)
    head[top:] = False
    head_kept = float(1 - changed[head].mean()) if head.any() else 1.0
    h, w = (labels.shape[0] // 8) * 8, (labels.shape[1] // 8) * 8
    grey = after[:h, :w].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    blocks = filled_mask[:h, :w].reshape(h // 8, 8, w // 8, 8).all(axis=(1, 3))
    stds = grey.reshape(h // 8, 8, w // 8, 8).std(axis=(1, 3))
    flat = float((stds[blocks] < 2).mean()) if blocks.any() else 0.0
    source = np.asarray(garment.convert("RGB"))[garment_labels == DRESS]
    source_white = float(_white(source).mean()) if len(source) else 0.0
    painted_white = float(_white(after[target_mask]).mean()) if target_mask.any() else 0.0
    return PairMeasures(outside, old_left, head_kept, flat, max(painted_white - source_white, 0.0))


def run(engine_names: list[str], pairs: int, root: Path | None = None, *, verbose: bool = True) -> dict[str, list[PairMeasures]]:
    """Try each of the first ``pairs`` validation dresses on the next dress photo with each engine."""
    from studio.parsing import GarmentParser
    from studio.tryon import new_engine
    from tools.ccp import CCPReader, split

    reader = CCPReader(root)
    ids = dress_photo_ids(reader, split(root)[1])
    parser = GarmentParser.load()
    engines = {name: new_engine(name, parser=parser) for name in engine_names}
    results: dict[str, list[PairMeasures]] = {name: [] for name in engine_names}
    seconds: dict[str, float] = {name: 0.0 for name in engine_names}
    for garment_id, shopper_id in list(zip(ids, ids[1:]))[:pairs]:
        source, source_labels = reader.load(garment_id)
        garment = dress_on_white(source, source_labels)
        photo, labels = reader.load(shopper_id)
        parse = parser.predict(photo)
        for name, engine in engines.items():
            start = time.perf_counter()
            outcome = engine(photo, parse, garment)
            seconds[name] += time.perf_counter() - start
            m = measure_pair(photo, labels, garment, source_labels, outcome.image, outcome.target_mask,
                             outcome.filled_mask)
            results[name].append(m)
            if verbose:
                print(f"{name:9s} {garment_id} -> {shopper_id}: outside {m.outside:.3f}  old_left {m.old_left:.3f}  "
                      f"head_kept {m.head_kept:.3f}  flat {m.flat:.3f}  white {m.white:.3f}")
    if verbose:
        for name in engine_names:
            note = " (BlazePose on the shopper included)" if name == "pose" else ""
            print(f"{name}: {seconds[name] / max(len(results[name]), 1):.2f} s per try-on{note}")
    return results


def summary(measures: list[PairMeasures]) -> dict[str, float]:
    """The value each target is judged on: worst pair, median, or the mean over pairs."""
    return {"outside": max(m.outside for m in measures),
            "old_left": statistics.median(m.old_left for m in measures),
            "head_kept": min(m.head_kept for m in measures),
            "flat": max(m.flat for m in measures),
            "white": max(m.white for m in measures)}


def tight_crops_accepted(count: int = 8, root: Path | None = None) -> tuple[int, int]:
    """(accepted, tried): validation dresses on white cropped to the dress itself, so the garment touches
    the image's border, taken as product shots (a plain background) by the cut-out."""
    from studio.tryon.cutout import plain_background_colour
    from tools.ccp import CCPReader, split

    reader = CCPReader(root)
    ids = dress_photo_ids(reader, split(root)[1])[:count]
    accepted = 0
    for photo_id in ids:
        photo, labels = reader.load(photo_id)
        rows, cols = np.flatnonzero((labels == DRESS).any(axis=1)), np.flatnonzero((labels == DRESS).any(axis=0))
        tight = dress_on_white(photo, labels).crop((cols[0], rows[0], cols[-1] + 1, rows[-1] + 1))
        accepted += plain_background_colour(np.asarray(tight, np.float32)) is not None
    return accepted, len(ids)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=10)
    ap.add_argument("--engines", default="pose,geometric")
    args = ap.parse_args(argv)
    names = args.engines.split(",")
    results = run(names, args.pairs)
    print(f"\n| measure (judged on) | target | {' | '.join(names)} |")
    print(f"|---|---|{'---:|' * len(names)}")
    judged = {"outside": "worst pair", "old_left": "median", "head_kept": "worst pair", "flat": "worst pair",
              "white": "worst pair"}
    sums = {name: summary(results[name]) for name in names}
    for key, target in TARGETS.items():
        print(f"| {key} ({judged[key]}) | {target} | {' | '.join(f'{sums[n][key]:.3f}' for n in names)} |")
    accepted, tried = tight_crops_accepted()
    print(f"\ntightly cropped product shots on white accepted: {accepted} of {tried}")


if __name__ == "__main__":
    main()
