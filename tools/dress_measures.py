"""Measure ``dress --garment clothing`` on CCP validation dress photos against their labels.

    python -m tools.dress_measures [--photos 12] [--sheets] [--weights PARSER.safetensors]

Each photo is parsed by the shipped parser and its body found by BlazePose, as ``python -m studio
dress`` does; the measures use the photo's ground-truth labels:

* ``kept``: labelled hair and accessory pixels within 2% of the long side of the labelled
  clothing, left unchanged (target: median >= 0.90, worst >= 0.70);
* ``old_left``: labelled clothing pixels left unchanged, i.e. the old garment showing (target:
  median <= 0.01, worst <= 0.04);
* ``stripes``: with a vertical-stripe fabric, the stripe period in the middle 30% of each labelled
  clothing row against its outer 15% on either side, pooled over the photo's rows (target: median
  >= 1.30). Printed cloth on a body narrows toward the silhouette.

A pixel is unchanged when no channel moved by more than ``TOLERANCE`` levels. ``kept`` and
``old_left`` run the design twice, as it is and colour-inverted: a pixel counts as unchanged only
when it is unchanged in both runs (so a new fabric that happens to match the old colour does not
count as the old garment showing), and as painted when it changed in either.

``--true-labels`` dresses each photo by its own ground-truth labels instead of the parser's answer (the
body still comes from BlazePose): about what the compositing reaches with a perfect parse. A labels-only
parse has no probabilities, so the steps that read them (widening to pixels the parser leans to, the
matting's pixels past the outline, the outfit decision's pruning) do not run; the split between the
parser's share of a miss and the compositing's is close, not exact.

``--sheets`` writes photo | design | stripes sheets into the git-ignored ``artifacts/dress_measures``
for review; these derive from CCP and must never be committed.
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from studio import config
from studio.parsing import CLASS_NAMES

DRESS = CLASS_NAMES.index("dress")
CLOTHING = [CLASS_NAMES.index(n) for n in ("dress", "top", "outerwear", "bottom")]
IN_FRONT = [CLASS_NAMES.index(n) for n in ("hair", "accessories")]
MIN_DRESS_SHARE = 0.04  # a validation photo counts as a dress photo with this much labelled dress
NEXT_TO = 0.02  # "next to the clothing": within this share of the photo's long side
TOLERANCE = 4
MIN_ROW_RUN = 40  # clothing runs narrower than this (px) are too short to count stripes in
STRIPE_PROMINENCE = 12.0
TARGETS = {"kept": "median >= 0.90, worst >= 0.70", "old_left": "median <= 0.01, worst <= 0.04",
           "stripes": "median >= 1.30"}


def stripe_fabric(size: int = 256, periods: int = 32) -> Image.Image:
    """Vertical stripes, dark navy on cream: ``periods`` stripe pairs across the tile."""
    columns = (np.arange(size) * periods // size) % 2 == 0
    row = np.where(columns[:, None], [[30, 32, 90]], [[232, 222, 200]]).astype(np.uint8)
    return Image.fromarray(np.repeat(row[None], size, axis=0))


def dress_photo_ids(reader, validation: list[str]) -> list[str]:
    """Validation photos whose labels hold at least MIN_DRESS_SHARE dress."""
    return [i for i in validation if (reader.load(i)[1] == DRESS).mean() >= MIN_DRESS_SHARE]


def changed(result: Image.Image, photo: Image.Image) -> np.ndarray:
    difference = np.abs(np.asarray(result, np.int16) - np.asarray(photo.convert("RGB"), np.int16))
    return difference.max(axis=2) > TOLERANCE


def next_to(labels: np.ndarray) -> np.ndarray:
    """Labelled hair and accessories within NEXT_TO of the long side of the labelled clothing."""
    from scipy import ndimage

    clothing = np.isin(labels, CLOTHING)
    near = ndimage.distance_transform_edt(~clothing) <= NEXT_TO * max(labels.shape)
    return near & np.isin(labels, IN_FRONT)


def _spacing(values: np.ndarray) -> tuple[int, int]:
    """(pixels from the first stripe peak to the last, stripe periods between them) along a run."""
    from scipy.signal import find_peaks

    peaks = find_peaks(values, prominence=STRIPE_PROMINENCE)[0]
    return (int(peaks[-1] - peaks[0]), len(peaks) - 1) if len(peaks) >= 2 else (0, 0)


def stripe_ratio(result: Image.Image, labels: np.ndarray) -> float:
    """Stripe period in the middle 30% of clothing rows over the period in their outer 15% (pooled).

    Periods are measured peak to peak, so a segment's cut-off ends do not bias the shorter outer ones.
    """
    light = np.asarray(result.convert("L"), np.float32)
    clothing = np.isin(labels, CLOTHING)
    spans, periods = np.zeros(2), np.zeros(2)  # middle, outer
    for y in range(labels.shape[0]):
        row = np.concatenate([[False], clothing[y], [False]]).astype(np.int8)
        edges = np.flatnonzero(np.diff(row))
        if len(edges) < 2:
            continue
        starts, ends = edges[::2], edges[1::2]
        longest = int(np.argmax(ends - starts))
        x0, x1 = int(starts[longest]), int(ends[longest])
        width = x1 - x0
        if width < MIN_ROW_RUN:
            continue
        outer = round(0.15 * width)
        for k, segment in enumerate([(x0 + round(0.35 * width), x0 + round(0.65 * width)),
                                     (x0, x0 + outer), (x1 - outer, x1)]):
            span, count = _spacing(light[y, segment[0]:segment[1]])
            spans[min(k, 1)] += span
            periods[min(k, 1)] += count
    if periods.min() == 0:
        return float("nan")
    middle_period, outer_period = spans / periods
    return float(middle_period / outer_period)


@dataclass
class PhotoMeasures:
    kept: float
    old_left: float
    stripes: float


def measure_photo(dress, photo: Image.Image, labels: np.ndarray, design: Image.Image) -> tuple[PhotoMeasures, list]:
    """The three measures for one photo; ``dress(fabric)`` dresses it. Also the pictures made."""
    plain, inverted = dress(design), dress(ImageOps.invert(design.convert("RGB")))
    painted = changed(plain, photo) | changed(inverted, photo)
    front = next_to(labels)
    clothing = np.isin(labels, CLOTHING)
    striped = dress(stripe_fabric())
    kept = float((~painted[front]).mean()) if front.any() else float("nan")
    return PhotoMeasures(kept, float((~painted[clothing]).mean()), stripe_ratio(striped, labels)), [plain, striped]


def dresser(parser, estimator, photo: Image.Image, labels: np.ndarray | None = None):
    """What ``python -m studio dress PHOTO FABRIC --garment clothing`` does to ``photo``, per fabric; with
    ``labels``, the photo's own labels stand in for the parser's answer."""
    from studio.body import BodyError
    from studio.composite import prepare_dress
    from studio.parsing import Parse

    try:
        body = estimator.predict(photo)
    except BodyError:
        body = None
    parse = parser.predict(photo) if labels is None else Parse(labels=labels.astype(np.uint8))
    return prepare_dress(photo, parse, "clothing", body=body).apply


def main(argv: list[str] | None = None) -> None:
    from studio.body import BodyEstimator
    from studio.parsing import GarmentParser
    from tools.ccp import CCPReader, split

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--photos", type=int, default=12, help="how many validation dress photos (0: all)")
    ap.add_argument("--design", default="mosaic", help="sample artwork used as the design")
    ap.add_argument("--sheets", action="store_true", help="write review sheets into artifacts/dress_measures")
    ap.add_argument("--weights", default=None, help="parser weights (default: the shipped parser)")
    ap.add_argument("--true-labels", action="store_true", help="dress by each photo's own labels, not the parser's")
    args = ap.parse_args(argv)

    reader = CCPReader()
    ids = dress_photo_ids(reader, split()[1])
    ids = ids[:args.photos] if args.photos else ids
    parser = None if args.true_labels else GarmentParser.load(args.weights)
    estimator = BodyEstimator.load()
    design = Image.open(config.sample_images_dir() / "artworks" / f"{args.design}.png").convert("RGB")
    out = config.PROJECT_ROOT / "artifacts" / "dress_measures"
    rows = []
    for photo_id in ids:
        photo, labels = reader.load(photo_id)
        dress = dresser(parser, estimator, photo, labels if args.true_labels else None)
        measures, pictures = measure_photo(dress, photo, labels, design)
        rows.append(measures)
        print(f"{photo_id}: kept {measures.kept:.3f}  old_left {measures.old_left:.3f}  stripes {measures.stripes:.2f}",
              flush=True)
        if args.sheets:
            out.mkdir(parents=True, exist_ok=True)
            sheet = Image.new("RGB", (photo.width * 3, photo.height))
            for k, picture in enumerate([photo, *pictures]):
                sheet.paste(picture, (k * photo.width, 0))
            sheet.save(out / f"{photo_id}.png")
    worst = {"kept": min, "old_left": max, "stripes": min}
    print(f"\n{len(rows)} validation dress photos")
    for key, target in TARGETS.items():
        values = [getattr(r, key) for r in rows if getattr(r, key) == getattr(r, key)]
        pick = worst[key](values) if values else float("nan")
        print(f"{key:9s} median {statistics.median(values):.3f}  worst {pick:.3f}  (target {target}; n={len(values)})")


if __name__ == "__main__":
    main()
