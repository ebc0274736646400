"""Golden-image comparison with a tolerance; a failing comparison writes the diff for review."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from studio import config

GOLDEN = Path(__file__).parent / "golden"
ARTIFACTS = config.PROJECT_ROOT / "artifacts" / "golden-diffs"


def average_hash(image: Image.Image, size: int = 16) -> np.ndarray:
    grey = np.asarray(image.convert("L").resize((size, size), Image.BILINEAR), dtype=np.float32)
    return grey > grey.mean()


def assert_matches_golden(image: Image.Image, name: str, *, mean_tolerance: float = 2.0, hash_bits: int = 6) -> None:
    """Mean absolute pixel difference and perceptual-hash distance both within tolerance.

    Set STUDIO_UPDATE_GOLDEN=1 to (re)write the golden file after a deliberate change.
    """
    path = GOLDEN / f"{name}.png"
    if os.environ.get("STUDIO_UPDATE_GOLDEN") == "1":
        image.save(path)
    golden = Image.open(path).convert("RGB")
    assert golden.size == image.size, f"{name}: size {image.size} != golden {golden.size}"
    diff = np.abs(np.asarray(image, np.float32) - np.asarray(golden, np.float32))
    distance = int((average_hash(image) != average_hash(golden)).sum())
    if diff.mean() > mean_tolerance or distance > hash_bits:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        Image.fromarray(np.clip(diff * 4, 0, 255).astype(np.uint8)).save(ARTIFACTS / f"{name}-diff.png")
        image.save(ARTIFACTS / f"{name}-actual.png")
        raise AssertionError(f"{name}: mean difference {diff.mean():.2f} (limit {mean_tolerance}), hash distance "
                             f"{distance} (limit {hash_bits}); see {ARTIFACTS}")
