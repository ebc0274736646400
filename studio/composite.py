"""Put a fabric onto a garment in a photo so it looks like cloth, not a sticker.

The fabric is laid over the garment region, multiplied by the garment's own normalised
luminance (so folds and shadows stay), optionally displaced along the folds, and blended in
with an inward feather. Everything outside the garment mask is left byte-identical, so hair,
arms, hands and bags in front of the garment stay in front.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from studio.errors import InputError
from studio.masks import inward_feather, luminance, soften, write_back
from studio.parsing import Parse, garment_mask
from studio.pattern import FabricPattern


def shading_map(pixels: np.ndarray, mask: np.ndarray, strength: float, smooth: float) -> np.ndarray:
    """Garment luminance divided by its median inside ``mask``: >1 in highlights, <1 in folds.

    ``smooth`` blurs away the old fabric's print while keeping folds; ``strength`` 0 gives a flat 1.
    """
    light = soften(luminance(pixels), smooth)
    reference = float(np.median(light[mask])) if mask.any() else 1.0
    ratio = np.clip(light / max(reference, 1e-3), 0.15, 2.0)
    return 1.0 + strength * (ratio - 1.0)


def check_parse_matches(photo: Image.Image, parse: Parse) -> None:
    """Refuse a parse made for another photo (a different size)."""
    if parse.labels.shape != (photo.height, photo.width):
        raise InputError(f"The parse is {parse.labels.shape[1]}x{parse.labels.shape[0]} but the photo is "
                         f"{photo.width}x{photo.height}; parse this photo first.")


def shading_blur_radius(photo: Image.Image) -> float:
    """Blur that removes an old fabric's fine print but keeps folds, scaled with the photo."""
    return max(1.0, min(photo.size) / 300)


def _sample_bilinear(texture: np.ndarray, ys: np.ndarray, xs: np.ndarray) -> np.ndarray:
    h, w = texture.shape[:2]
    xs, ys = np.clip(xs, 0, w - 1.001), np.clip(ys, 0, h - 1.001)
    x0, y0 = xs.astype(np.int32), ys.astype(np.int32)
    fx, fy = (xs - x0)[..., None], (ys - y0)[..., None]
    top = texture[y0, x0] * (1 - fx) + texture[y0, x0 + 1] * fx
    bottom = texture[y0 + 1, x0] * (1 - fx) + texture[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bottom * fy


def fabric_layer(fabric: Image.Image, mask: np.ndarray, *, scale: float, rotation: float,
                 offset: tuple[float, float]) -> np.ndarray:
    """Fabric repeated over the whole photo, float RGB, centred on the garment.

    At ``scale`` 1 one copy of the fabric spans the garment's width; ``offset`` shifts the
    pattern by fractions of the garment's width and height.
    """
    height, width = mask.shape
    rows, cols = np.nonzero(mask)
    box_w, box_h = cols.max() + 1 - cols.min(), rows.max() + 1 - rows.min()
    factor = max(scale * box_w / fabric.width, 8 / min(fabric.size))
    pattern = FabricPattern(fabric, repeat="basic", scale=factor, rotation=rotation)
    layer = np.asarray(pattern.render((width, height)), dtype=np.float32)
    shift_y = round((rows.min() + rows.max()) / 2 - height / 2 + offset[1] * box_h)
    shift_x = round((cols.min() + cols.max()) / 2 - width / 2 + offset[0] * box_w)
    return np.roll(layer, (shift_y, shift_x), axis=(0, 1))


def dress_up(
    photo: Image.Image,
    parse: Parse,
    fabric: Image.Image,
    garment: str = "dress",
    *,
    mask: np.ndarray | None = None,
    scale: float = 1.0,
    rotation: float = 0.0,
    offset: tuple[float, float] = (0.0, 0.0),
    shading: float = 0.85,
    opacity: float = 1.0,
    fold_warp: float = 0.0,
    feather: float = 2.0,
) -> Image.Image:
    """The photo with ``fabric`` on ``garment`` (a class or group name, or an explicit ``mask``,
    e.g. refined on the Fit page; by default stray blobs of the class are dropped).

    ``shading`` 0..1.5 keeps the garment's folds and shadows; ``opacity`` < 1 lets the old
    fabric's texture show through; ``fold_warp`` (pixels) bends the pattern along the folds.
    """
    rgb = photo.convert("RGB")
    check_parse_matches(rgb, parse)
    region = garment_mask(parse, [garment]) if mask is None else np.asarray(mask, dtype=bool)
    if region.shape != parse.labels.shape:
        raise InputError("The garment mask must have the photo's size.")
    if not region.any():
        raise InputError(f"No {garment} was found in the photo; choose another garment or refine the mask.")
    for name, value, low, high in [("shading", shading, 0.0, 1.5), ("opacity", opacity, 0.0, 1.0),
                                   ("fold_warp", fold_warp, 0.0, 50.0), ("feather", feather, 0.0, 30.0)]:
        if not low <= value <= high:
            raise InputError(f"{name} must be between {low} and {high}, got {value}.")

    pixels = np.asarray(rgb, dtype=np.float32)
    layer = fabric_layer(fabric, region, scale=scale, rotation=rotation, offset=offset)
    smooth = shading_blur_radius(rgb)
    if fold_warp > 0:
        light = soften(luminance(pixels), 3 * smooth) / 255.0
        gy, gx = np.gradient(light)
        norm = max(float(np.percentile(np.hypot(gx, gy)[region], 95)), 1e-6)
        ys, xs = np.mgrid[0:rgb.height, 0:rgb.width].astype(np.float32)
        layer = _sample_bilinear(layer, ys + fold_warp * gy / norm, xs + fold_warp * gx / norm)
    shaded = layer * shading_map(pixels, region, shading, smooth)[..., None]
    alpha = (inward_feather(region, feather) * opacity)[..., None]
    return write_back(rgb, shaded * alpha + pixels * (1 - alpha), region)
