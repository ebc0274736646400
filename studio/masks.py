"""The shared layer under every stage: boolean masks and float maps, no models.

Row runs and extents, largest parts, growing and closing, one blur, luminance, feathering,
hole fills and the final write-back of a blended layer. Every stage that needs one of these
calls it here, so each rule is written once.
"""

from __future__ import annotations

import numpy as np
from PIL import Image


def row_runs(row: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True in a boolean row."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], row.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def row_extents(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: has-pixels, left-most and right-most column of ``mask``."""
    present = mask.any(axis=1)
    left = np.where(present, mask.argmax(axis=1), 0)
    right = np.where(present, mask.shape[1] - 1 - mask[:, ::-1].argmax(axis=1), 0)
    return present, left.astype(np.float32), right.astype(np.float32)


def row_spans(mask: np.ndarray) -> np.ndarray:
    """Each row filled from its first to its last set pixel (the span across two legs)."""
    present, left, right = row_extents(mask)
    columns = np.arange(mask.shape[1])[None, :]
    return present[:, None] & (columns >= left[:, None]) & (columns <= right[:, None])


def smooth_1d(values: np.ndarray, size: int) -> np.ndarray:
    """Moving average over ``size`` samples, the ends held."""
    if size <= 1 or values.size < 2:
        return values
    kernel = np.ones(size, np.float32) / size
    padded = np.pad(values, (size // 2, size - 1 - size // 2), mode="edge")
    return np.convolve(padded, kernel, mode="valid")


def largest_parts(mask: np.ndarray, min_share: float, *, diagonal: bool = False,
                  joined_by: np.ndarray | None = None) -> np.ndarray:
    """The largest connected part of ``mask`` and every other at least ``min_share`` of its size
    (1.0: the largest alone; a dress cut in two by an arm stays whole at 0.05). ``diagonal``
    joins pixels that touch at a corner too; pixels of ``joined_by`` (a strap across a garment) join the
    parts they touch, though only ``mask``'s own pixels count toward a part's size."""
    from scipy import ndimage

    structure = np.ones((3, 3), bool) if diagonal else None
    parts, count = ndimage.label(mask if joined_by is None else mask | joined_by, structure=structure)
    if count <= 1:
        return mask
    sizes = np.bincount(parts[mask], minlength=count + 1)[1:]
    return mask & np.isin(parts, np.flatnonzero(sizes >= min_share * sizes.max()) + 1)


def _disc(radius: int) -> np.ndarray:
    import cv2

    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def grow(mask: np.ndarray, radius: int) -> np.ndarray:
    """``mask`` grown by a disc of ``radius`` px (``radius`` < 0 shrinks it; 0 leaves it)."""
    import cv2

    if radius == 0:
        return mask
    operation = cv2.dilate if radius > 0 else cv2.erode
    return operation(mask.astype(np.uint8), _disc(abs(radius))).astype(bool)


def close(mask: np.ndarray, radius: int) -> np.ndarray:
    """Morphological closing with a disc, then holes filled: an outline without gaps."""
    import cv2
    from scipy import ndimage

    padded = np.pad(mask.astype(np.uint8), radius + 1)
    closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, _disc(radius))[radius + 1:-radius - 1, radius + 1:-radius - 1]
    return ndimage.binary_fill_holes(closed.astype(bool) | mask)


def soften(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of a float map (OpenCV, float precision); ``sigma`` <= 0 returns it as float32."""
    import cv2

    values = np.asarray(values, np.float32)
    if sigma <= 0:
        return values
    return cv2.GaussianBlur(values, (0, 0), sigma)


def normalised_blur(values: np.ndarray, weight: np.ndarray, radius: float) -> np.ndarray:
    """Blur of a map ``values`` counting each pixel by its ``weight`` (0: not at all), e.g. a
    garment's light without the background's; at least half a pixel."""
    sigma = max(radius, 0.5)
    return soften(values * weight, sigma) / np.maximum(soften(weight, sigma), 1e-4)


def luminance(pixels: np.ndarray) -> np.ndarray:
    """Rec. 601 luma of float RGB pixels."""
    return pixels[..., 0] * 0.299 + pixels[..., 1] * 0.587 + pixels[..., 2] * 0.114


def inward_feather(mask: np.ndarray, radius: float) -> np.ndarray:
    """Alpha that is 0 outside ``mask`` and ramps to 1 within about ``radius`` px inside it."""
    inside = mask.astype(np.float32)
    if radius <= 0:
        return inside
    return inside * np.clip((soften(inside, radius) - 0.25) / 0.5, 0.0, 1.0)


def push_pull_fill(pixels: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Fill unknown pixels smoothly from known ones (pyramid push-pull)."""
    import cv2

    if known.all() or not known.any():
        return pixels
    weight = known.astype(np.float32)[..., None]
    levels = [(pixels * weight, weight)]
    while min(levels[-1][1].shape[:2]) > 2:
        colour, w = levels[-1]
        h2, w2 = (colour.shape[0] + 1) // 2 * 2, (colour.shape[1] + 1) // 2 * 2
        colour = np.pad(colour, ((0, h2 - colour.shape[0]), (0, w2 - colour.shape[1]), (0, 0)))
        w = np.pad(w, ((0, h2 - w.shape[0]), (0, w2 - w.shape[1]), (0, 0)))
        levels.append((colour.reshape(h2 // 2, 2, w2 // 2, 2, 3).sum((1, 3)), w.reshape(h2 // 2, 2, w2 // 2, 2, 1).sum((1, 3))))
    colour, w = levels[-1]
    estimate = colour / np.maximum(w, 1e-6)
    for colour, w in reversed(levels[:-1]):
        # bilinear, not repeated pixels: each coarse level's blocks would show as squares in a wide hole
        up = cv2.resize(estimate, (2 * estimate.shape[1], 2 * estimate.shape[0]), interpolation=cv2.INTER_LINEAR)
        up = up.reshape(up.shape[0], up.shape[1], -1)[: colour.shape[0], : colour.shape[1]]
        confidence = np.clip(w, 0, 1)
        estimate = colour / np.maximum(w, 1e-6) * confidence + up * (1 - confidence)
    return np.where(known[..., None], pixels, estimate[: pixels.shape[0], : pixels.shape[1]])


def mirror_fill(pixels: np.ndarray, hole: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Fill each row's run of hole pixels with the known pixels mirrored from its nearer side,
    so wall and street texture continues; pixels with no known mirror use push-pull."""
    smooth = push_pull_fill(pixels, known)
    out = pixels.copy()
    width = hole.shape[1]
    for y in np.flatnonzero(hole.any(axis=1)):
        for start, stop in row_runs(hole[y]):
            xs = np.arange(start, stop)
            from_left = start - 1 - (xs - start)
            from_right = stop + (stop - 1 - xs)
            source = np.where(xs - start < stop - xs, from_left, from_right)
            other = np.where(source == from_left, from_right, from_left)
            usable = (source >= 0) & (source < width)
            source = np.where(usable & known[y, np.clip(source, 0, width - 1)], source, other)
            valid = (source >= 0) & (source < width)
            valid[valid] &= known[y, source[valid]]
            out[y, xs] = np.where(valid[:, None], pixels[y, np.clip(source, 0, width - 1)], smooth[y, xs])
    return out


FILL_FRINGE = 3  # px: a hole's edge colours are read this far from it, past what is left of an outline's fringe
FILL_ROWS = 2.0  # ... smoothed over this many rows, so one row's noise does not streak across the hole
FILL_DETAIL = 1.5  # px (a Gaussian sigma): the mirrored texture over the fill keeps only its detail finer than this,
FILL_DETAIL_SPREAD = 2.0  # ... and no stronger than this many robust spreads of the background's own


def _nearest_stops(stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per pixel: the column of the nearest ``stops`` pixel on its left and on its right in its row (-1: none)."""
    width = stops.shape[1]
    columns = np.arange(width)[None, :]
    left = np.maximum.accumulate(np.where(stops, columns, -1), axis=1)
    flipped = np.maximum.accumulate(np.where(stops[:, ::-1], columns, -1), axis=1)[:, ::-1]
    right = np.where(flipped < 0, -1, width - 1 - flipped)
    return left, right


def background_fill(pixels: np.ndarray, hole: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Fill a ``hole`` in the background (float RGB ``pixels``) from the ``known`` background: across each row the colour runs
    linearly from the nearest known pixel on its left to the one on its right, within the same stretch of
    background (never across the person), so steps, kerbs and horizons go on through it; over that, the
    fine texture of :func:`mirror_fill`, so pavement keeps its grain without a doorway or a post mirrored
    into the hole (a ghost of the old outline, blind judges said). Push-pull where a row finds none."""
    from scipy import ndimage

    far = known & (ndimage.distance_transform_edt(~hole) > FILL_FRINGE)
    passable = hole | (known & ~far)
    height, width = hole.shape
    weight = far.astype(np.float32)
    edge = soften_vertically(pixels * weight[..., None], FILL_ROWS) / \
        np.maximum(soften_vertically(weight, FILL_ROWS), 1e-4)[..., None]
    left, right = _nearest_stops(~passable)
    rows = np.arange(height)[:, None]
    columns = np.arange(width)[None, :]
    sides = []
    for stop in (left, right):
        at = np.clip(stop, 0, width - 1)
        usable = (stop >= 0) & far[rows, at]
        sides.append((np.where(usable, 1.0 / np.maximum(np.abs(columns - stop), 1), 0.0), edge[rows, at]))
    (w_left, c_left), (w_right, c_right) = sides
    total = w_left + w_right
    across = (c_left * w_left[..., None] + c_right * w_right[..., None]) / np.maximum(total, 1e-9)[..., None]
    base = across
    if (hole & (total == 0)).any():  # rows with no background on either side: push-pull
        base = np.where((total > 0)[..., None], across, push_pull_fill(pixels, far))
    inside = np.repeat(hole[..., None], 3, axis=2).astype(np.float32)
    base = np.where(hole[..., None], normalised_blur(base, inside, 1.0), base)  # no row streaks
    mirrored = mirror_fill(pixels, hole, known)
    background = np.repeat((hole | known)[..., None], 3, axis=2).astype(np.float32)
    detail = mirrored - normalised_blur(mirrored, background, FILL_DETAIL)  # not the person's edge beside it
    # ... held to the size of the background's own fine texture: a mirrored post's edges are no grain
    spread = 1.4826 * float(np.median(np.abs(detail[far]))) if far.any() else 0.0
    detail = np.clip(detail, -FILL_DETAIL_SPREAD * spread, FILL_DETAIL_SPREAD * spread)
    out = pixels.copy()
    out[hole] = (base + detail)[hole]
    return out


def soften_vertically(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of a float map down its columns only (each pixel over ``sigma`` rows above and below)."""
    import cv2

    values = np.asarray(values, np.float32)
    return cv2.GaussianBlur(values, (1, 0), sigmaX=0, sigmaY=sigma) if sigma > 0 else values


def write_back(photo: Image.Image, values: np.ndarray, where: np.ndarray) -> Image.Image:
    """The photo with the float RGB ``values`` written (rounded, clipped) where ``where`` is set;
    every other pixel stays byte-identical."""
    result = np.asarray(photo.convert("RGB")).copy()
    result[where] = np.clip(values[where] + 0.5, 0, 255).astype(np.uint8)
    return Image.fromarray(result)
