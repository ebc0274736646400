"""Issue #19's measures of a garment parser on this project's validation photos, as one table row.

    python -m tools.parser_measures [--weights FILE] [--body] [--name NAME]

Pixels (90 pixel-labelled validation photos, full resolution, the parser's own test-time options):
10-class mIoU, dress IoU, clothing IoU (dress, top, outerwear, bottom against the rest), pixel
accuracy, and the share of accessory pixels painted as clothing. Photos (those 90 plus the fixed
fifth of ``tagged/``, ``tools/ccp.py``): the outfit decision's balanced accuracy (a photo is called
dress when dress pixels are at least half of dress + top + bottom; a dress photo has a dress-group
tag) and the macro F1 of garment presence (a class present at 0.3 % of the pixels) over dress, top,
outerwear, bottom, legwear and footwear. ``--body`` also uses the body stage: parse pixels farther
than ``PERSON_MARGIN`` outside BlazePose's person mask become background.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from studio import config
from studio.body import BodyError, BodyEstimator
from studio.parsing import CLASS_NAMES, GarmentParser, Parse, confusion_matrix, near_person, scores
from tools.ccp import CCPReader, label_tags, split, tagged_split, tagged_tags
from tools.train_parser import outfit_measures


def on_the_person(parse: Parse, estimator: BodyEstimator, photo) -> np.ndarray:
    """The parse's labels with what lies outside the body's person mask (and its margin) made background."""
    try:
        person = estimator.predict(photo, person_mask=parse.labels > 0).person_mask
    except BodyError:
        return parse.labels
    outside = ~near_person(person)
    labels = parse.labels.copy()
    labels[outside] = CLASS_NAMES.index("background")
    return labels


def measure(parser: GarmentParser, ccp: Path, body: bool) -> dict:
    """The measures of ``parser`` (see the module docstring)."""
    reader = CCPReader(ccp)
    _, val_ids = split(ccp)
    tags = tagged_tags(ccp)
    estimator = BodyEstimator.load() if body else None
    confusion, called = 0, []
    photos = [(i, True) for i in val_ids] + [(i, False) for i in tagged_split(ccp)[1]]
    for photo_id, labelled in photos:
        if labelled:
            photo, truth = reader.load(photo_id)
        else:
            photo, truth = reader.load_tagged(photo_id), None
        parse = parser.predict(photo)
        labels = on_the_person(parse, estimator, photo) if body else parse.labels
        if truth is not None:
            confusion = confusion + confusion_matrix(labels, truth)
        called.append((label_tags(truth) if truth is not None else tags[photo_id], labels, parse.photo_presence))
    result = scores(confusion)
    return {"mean_iou": result.mean_iou, "dress_iou": result.per_class_iou.get("dress", 0.0),
            "clothing_iou": result.clothing_iou, "pixel_accuracy": result.pixel_accuracy,
            "accessories_as_clothing": result.accessories_as_garment, "per_class_iou": result.per_class_iou,
            **outfit_measures(called)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", type=Path, default=config.parser_weights())
    ap.add_argument("--ccp", type=Path, default=config.ccp_dir())
    ap.add_argument("--body", action="store_true", help="also clear what lies outside the body's person mask")
    ap.add_argument("--name", default=None, help="the row's name (default: the weights file's name)")
    args = ap.parse_args(argv)
    m = measure(GarmentParser.load(args.weights), args.ccp, args.body)
    name = (args.name or args.weights.name) + (" + body" if args.body else "")
    print(json.dumps({"name": name, **m}))
    print(f"| {name} | {m['mean_iou']:.3f} | {m['dress_iou']:.3f} | {m['clothing_iou']:.3f} | "
          f"{m['pixel_accuracy']:.3f} | {m['accessories_as_clothing']:.3f} | {m['outfit_balanced_accuracy']:.3f} "
          f"({m['dress_called_dress']}/{m['dress_photos']}, {m['separates_called_separates']}/{m['separates_photos']}) | "
          f"{m['presence_macro_f1']:.3f} |")


if __name__ == "__main__":
    main()
