"""The shopper's skin: its colour, what looks like it, and the grain of the photo.

Used to refill skin that a new garment uncovers, and to keep real skin in front of it.
"""

from __future__ import annotations

import numpy as np

from studio.masks import grow, luminance, row_extents, soften

DEFAULT_SKIN = np.array([205.0, 165.0, 135.0], np.float32)  # when the photo shows under 100 px of skin
SKIN_MISMATCH = 40.0  # RGB distance between limb skin and all skin beyond which the limbs are not trusted
SKIN_CHROMA_DISTANCE = 6.0  # squared Mahalanobis distance in (Cr, Cb) from the parse's skin that still looks like it
SKIN_CHROMA_VARIANCE = (4.0, 36.0)  # the skin's chroma spread taken as 2 to 6 levels (std) along each axis
HEM_GAIN = (0.7, 1.4)  # refilled skin is matched to the real skin at an old hem by at most these channel gains
SKIN_LIGHT_MARGIN = 20.0  # ... with a luma (Y) at most this far outside the parse's skin's 10th-90th percentile


def photo_grain(pixels: np.ndarray, region: np.ndarray) -> float:
    """The photo's own fine-grain noise in ``region``: median std of the 8×8 blocks' detail (the
    luminance minus its 2 px blur), so refilled areas can carry the same grain."""
    light = luminance(pixels)
    detail = light - soften(light, 2.0)
    h, w = (region.shape[0] // 8) * 8, (region.shape[1] // 8) * 8
    blocks = region[:h, :w].reshape(h // 8, 8, w // 8, 8).all(axis=(1, 3))
    if not blocks.any():
        return 2.5
    stds = detail[:h, :w].reshape(h // 8, 8, w // 8, 8).std(axis=(1, 3))[blocks]
    return float(np.clip(np.median(stds), 1.5, 8.0))


def sensor_grain(shape: tuple[int, int], sigma: float, seed: int = 0) -> np.ndarray:
    """Per-pixel noise like a camera sensor's, standard deviation ``sigma`` (seeded: repeatable)."""
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32) * sigma


def skin_colour(pixels: np.ndarray, skin: np.ndarray, limbs: np.ndarray, torso: np.ndarray) -> np.ndarray:
    """The shopper's skin colour for refilling: the median of the parse's skin on the limbs (legs
    and arms are often darker than a face), unless that is far from the median of all the skin
    (the parser took some of a garment for skin): then all the skin; DEFAULT_SKIN without any."""
    everywhere = pixels[skin]
    if len(everywhere) < 100:
        return DEFAULT_SKIN
    overall = np.median(everywhere, axis=0)
    on_limbs = pixels[skin & limbs & ~torso]
    if len(on_limbs) >= 200:
        limb_colour = np.median(on_limbs, axis=0)
        if np.linalg.norm(limb_colour - overall) <= SKIN_MISMATCH:
            return limb_colour
    return overall


def skin_colour_map(pixels: np.ndarray, skin: np.ndarray, fallback: np.ndarray, reach: float) -> np.ndarray:
    """(H, W, 3) skin colour for refilling, varying like the shopper's own: the visible skin's colour
    blurred over ``reach`` px (so refilled shoulders take the neck's tone, thighs the shins'), blending
    into ``fallback`` (:func:`skin_colour`) where no skin is within reach."""
    weight = soften(skin.astype(np.float32), reach)
    local = soften(pixels * skin[..., None], reach) / np.maximum(weight, 1e-6)[..., None]
    near = np.clip(weight / NEAR_SKIN, 0.0, 1.0)[..., None]
    return local * near + fallback[None, None, :] * (1.0 - near)


def looks_like_skin(pixels: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """Pixels whose chroma is close to the parse's own skin (Mahalanobis distance in YCrCb's Cr,
    Cb, so a shaded arm matches a lit face) and whose luma lies near the skin's usual range
    (10th-90th percentile, so eyes and brows do not widen it); none without 100 px of skin."""
    import cv2

    if skin.sum() < 100:
        return np.zeros_like(skin)
    ycc = cv2.cvtColor(np.clip(pixels, 0, 255).astype(np.uint8), cv2.COLOR_RGB2YCrCb).astype(np.float32)
    reference = ycc[skin]
    low, high = np.percentile(reference[:, 0], [10, 90])  # the skin's own light, without eyes, brows, stray hair
    reference = reference[(reference[:, 0] >= low) & (reference[:, 0] <= high)]
    # One person's skin under one light varies little in chroma; a face with rosy cheeks or a
    # colour cast would otherwise stretch the model out to an orange garment.
    variances, axes = np.linalg.eigh(np.cov(reference[:, 1:].T))
    spread = axes @ np.diag(np.clip(variances, *SKIN_CHROMA_VARIANCE)) @ axes.T
    offset = ycc[..., 1:] - reference[:, 1:].mean(axis=0)
    distance = np.einsum("...i,ij,...j->...", offset, np.linalg.inv(spread), offset)
    return (distance < SKIN_CHROMA_DISTANCE) & (ycc[..., 0] > low - SKIN_LIGHT_MARGIN) & \
        (ycc[..., 0] < high + SKIN_LIGHT_MARGIN)


def missed_skin(pixels: np.ndarray, skin: np.ndarray, zone: np.ndarray) -> np.ndarray:
    """Skin the parser called something else (bare shoulders under a scarf called "outerwear", an
    arm called "top"): pixels in ``zone`` that ``looks_like_skin``, in parts of at least 0.5 % of
    the skin's area that touch the parse's skin."""
    import cv2
    from scipy import ndimage

    if skin.sum() < 100 or not zone.any():
        return np.zeros_like(skin)
    looks = looks_like_skin(pixels, skin)
    opened = cv2.morphologyEx((looks & zone & ~skin).astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    parts, count = ndimage.label(opened)
    if count == 0:
        return np.zeros_like(skin)
    sizes = np.bincount(parts.ravel())
    touching = np.unique(parts[grow(skin, 2) & (parts > 0)])
    keep = touching[sizes[touching] >= 0.005 * skin.sum()]
    return np.isin(parts, keep)



SKIN_PATCH = 0.06  # patches of the shopper's own skin detail, this share of a shoulder width a side
MIN_SKIN_PATCHES = 4  # fewer whole patches of visible skin than this: no texture to copy, the grain stands
NEAR_SKIN = 0.1  # blurred skin cover from which the local skin colour is used whole (below: mixed with the median)
PLAIN_SKIN = 0.5  # patches come from the calmer half of the visible skin (not eyes, lips, nostrils or strands)


def skin_detail(pixels: np.ndarray, skin: np.ndarray, shape: tuple[int, int], unit: float,
                seed: int = 0) -> np.ndarray | None:
    """A detail layer (float RGB, zero mean) for refilled skin, quilted from the shopper's own visible
    skin: its pores, freckles and fine shading (the photo minus its blur) in square patches
    taken at random from the calmer half of where the parse's skin covers a whole patch (not the
    eyes or lips of a face), laid edge to edge with soft seams. None
    when too little skin shows (a fully dressed shopper): the caller keeps its sensor grain."""
    import cv2

    side = max(4, int(round(SKIN_PATCH * unit)))
    inside = cv2.erode(skin.astype(np.uint8), np.ones((side, side), np.uint8)) > 0  # a whole patch fits
    centres = np.argwhere(inside)
    if len(centres) < MIN_SKIN_PATCHES * side:
        return None
    detail = pixels - soften(pixels, side / 3)
    energy = soften(np.abs(detail).sum(axis=2), side / 2)[centres[:, 0], centres[:, 1]]
    centres = centres[energy <= np.quantile(energy, PLAIN_SKIN)]
    rng = np.random.default_rng(seed)
    half = side // 2
    height, width = shape
    out = np.zeros((height + 4 * half, width + 4 * half, 3), np.float32)
    weight = np.zeros((height + 4 * half, width + 4 * half, 1), np.float32)
    ramp = np.minimum(np.arange(2 * half) + 0.5, 2 * half - np.arange(2 * half) - 0.5) / half
    window = np.minimum.outer(ramp, ramp)[..., None].astype(np.float32)  # soft seams where patches overlap
    for y in range(0, height + half, half):
        for x in range(0, width + half, half):
            cy, cx = centres[rng.integers(len(centres))]
            patch = detail[cy - half:cy + half, cx - half:cx + half]
            if patch.shape[:2] != (2 * half, 2 * half):
                continue
            out[y:y + 2 * half, x:x + 2 * half] += patch * window
            weight[y:y + 2 * half, x:x + 2 * half] += window
    layer = out[half:half + height, half:half + width] / np.maximum(weight[half:half + height, half:half + width], 1e-3)
    return layer - layer.mean(axis=(0, 1))


def tone_met_at_hem(tone: np.ndarray, pixels: np.ndarray, zone: np.ndarray, real: np.ndarray,
                    reach: float, band: int = 6) -> np.ndarray:
    """Refilled skin ``tone`` (float RGB) whose colour meets the ``real`` skin just below the bottom of
    its ``zone``: each channel scaled so that the ``band`` rows at the zone's bottom average what the band
    below it shows, fully there and fading to none over ``reach`` px above. A refilled thigh drawn from
    the photo's skin as a whole was a different tan from the shin it joins at the old hem."""
    height, width = zone.shape
    reaches, _, last = row_extents(zone.T)  # per column: the zone's last row, -1 where none
    bottom = np.where(reaches, last, -1).astype(int)
    rows = np.arange(height)[:, None]
    above = bottom[None, :] - rows
    under = (above < 0) & (above >= -band) & (bottom[None, :] >= 0) & real
    over_real = under.any(axis=0)
    meets = zone & (above >= 0) & (above < band) & over_real[None, :]
    if under.sum() < 20 or meets.sum() < 20:
        return tone
    gain = np.clip(pixels[under].mean(axis=0) / np.maximum(tone[meets].mean(axis=0), 1.0), *HEM_GAIN)
    # Only above the real skin it was measured on (an arm's refill elsewhere keeps its tone), in the zone,
    # and reckoned from that hem's own row: a refilled neck in a column between the legs, whose bottom is the
    # neck's, took the legs' gain beside it as a streak down the chest.
    spread = soften(over_real[None, :].astype(np.float32), band)[0]
    columns = np.clip(spread * 2.0, 0.0, 1.0)
    hem_row = soften(np.where(over_real, bottom, 0)[None, :].astype(np.float32), band)[0] / np.maximum(spread, 1e-6)
    above_hem = hem_row[None, :] - rows
    weight = np.clip(1.0 - above_hem / reach, 0.0, 1.0) * (above_hem >= 0) * columns[None, :] * zone
    return tone * (1.0 + (gain - 1.0) * weight[..., None])
