"""Full garment try-on on the CPU: cut out a garment, warp it onto the shopper, fill what it uncovers.

Engines live in a registry by name (``ENGINES``), so a learned engine can be added later
behind the same call: ``engine(photo, parse, garment_image, category=...) -> TryOnResult``.
Two ship, neither needing learned try-on weights:

* ``pose`` (the default, :mod:`studio.tryon_pose`): BlazePose landmarks guide a thin-plate
  warp of the garment onto the body; it also takes an optional ``body=`` (a
  :class:`studio.body.Body` already estimated for the photo);
* ``geometric`` (:class:`GeometricTryOn`, below), which knows no body landmarks:

1. cut-out: a product shot on a plain background is separated by its border colour; a photo of
   someone wearing the garment is parsed and the garment class is cut out;
2. target: a worn garment is scaled by the ratio of the two people's heights and keeps its
   place on the body; a product shot is scaled so its shoulders (sleeve caps included) match
   the shopper's shoulders and starts at the old garment's top; either keeps its own length
   (legs are covered when it is longer than the old one) but never reaches below the shoes;
3. warp: a per-row piecewise-linear warp stretches each garment row across the body's width;
4. occluders: hair, bags and arms (skin above the old hem) stay in front;
5. fill: old-garment pixels the new one leaves bare become skin (inside the new garment's band,
   e.g. a neckline, and leg-wide strips below its hem, shaded round) or background (mirrored
   from the nearest background in the same row, so texture continues; push-pull where there is
   none);
6. shading: the photo's normalised luminance multiplies the new garment, keeping folds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from PIL import Image

from studio.composite import check_parse_matches, inward_feather, shading_blur_radius, shading_map
from studio.errors import InputError, UnknownChoiceError
from studio.parsing import Parse, garment_mask

CATEGORIES: dict[str, tuple[str, ...]] = {
    # new garment category -> the shopper's classes it replaces
    "dress": ("dress", "top", "bottom", "outerwear"),
    "top": ("top",),
    "bottom": ("bottom",),
    "outerwear": ("outerwear",),
}
DEFAULT_SKIN = np.array([205.0, 165.0, 135.0], np.float32)
UPPER_BODY = 0.45  # share of a new garment's length, from its top, that reaches the arms


@dataclass
class TryOnResult:
    """The dressed photo and the masks that made it (all at the photo's size unless noted)."""

    image: Image.Image
    garment_mask: np.ndarray  # the cut-out, at the garment image's size
    target_mask: np.ndarray  # where the new garment was painted
    filled_mask: np.ndarray  # old-garment pixels refilled with skin or background
    source: str  # "product shot" or "worn"


class PhotoParser(Protocol):
    """What an engine needs of the garment parser (a :class:`GarmentParser`, or a wrapper that
    serialises its calls across sessions): a worn garment's photo is parsed to cut it out."""

    def predict(self, image: Image.Image) -> Parse: ...


class TryOnEngine(Protocol):
    def __call__(self, photo: Image.Image, parse: Parse, garment_image: Image.Image, *,
                 category: str = "dress") -> TryOnResult: ...


def check_category(category: str) -> tuple[str, ...]:
    if category not in CATEGORIES:
        raise UnknownChoiceError(f"Unknown garment category {category!r}; choose one of: {', '.join(CATEGORIES)}.")
    return CATEGORIES[category]


NEAR_BACKGROUND = 28.0  # colour distance from a product shot's background that still counts as it


def plain_background_colour(pixels: np.ndarray, band: float = 0.03, max_spread: float = 18.0) -> np.ndarray | None:
    """The border's median colour when the border is plain (a product shot), else None."""
    h, w = pixels.shape[:2]
    b = max(2, int(min(h, w) * band))
    border = np.concatenate([pixels[:b].reshape(-1, 3), pixels[-b:].reshape(-1, 3),
                             pixels[:, :b].reshape(-1, 3), pixels[:, -b:].reshape(-1, 3)])
    colour = np.median(border, axis=0)
    spread = np.percentile(np.linalg.norm(border - colour, axis=1), 90)
    return colour if spread <= max_spread else None


def product_foreground(pixels: np.ndarray, background: np.ndarray) -> np.ndarray:
    """What differs from a product shot's plain background (by more than NEAR_BACKGROUND), specks removed."""
    from scipy import ndimage

    return ndimage.binary_opening(np.linalg.norm(pixels - background, axis=2) > NEAR_BACKGROUND, iterations=2)


def cut_out_product(pixels: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Foreground of a product shot: far from the background colour, holes filled, largest part."""
    from scipy import ndimage

    mask = ndimage.binary_fill_holes(product_foreground(pixels, background))
    parts, count = ndimage.label(mask)
    if count == 0:
        return mask
    return parts == 1 + int(np.argmax(np.bincount(parts.ravel())[1:]))


def push_pull_fill(pixels: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Fill unknown pixels smoothly from known ones (pyramid push-pull)."""
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
        up = np.repeat(np.repeat(estimate, 2, axis=0), 2, axis=1)[: colour.shape[0], : colour.shape[1]]
        confidence = np.clip(w, 0, 1)
        estimate = colour / np.maximum(w, 1e-6) * confidence + up * (1 - confidence)
    return np.where(known[..., None], pixels, estimate[: pixels.shape[0], : pixels.shape[1]])


def row_runs(row: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each run of True in a boolean row."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], row.astype(np.int8), [0]])))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


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


def row_extents(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: has-pixels, left-most and right-most column of ``mask``."""
    present = mask.any(axis=1)
    left = np.where(present, mask.argmax(axis=1), 0)
    right = np.where(present, mask.shape[1] - 1 - mask[:, ::-1].argmax(axis=1), 0)
    return present, left.astype(np.float32), right.astype(np.float32)


def _smooth(values: np.ndarray, size: int) -> np.ndarray:
    if size <= 1 or values.size < 2:
        return values
    kernel = np.ones(size, np.float32) / size
    padded = np.pad(values, (size // 2, size - 1 - size // 2), mode="edge")
    return np.convolve(padded, kernel, mode="valid")


def _shoulder_width(mask: np.ndarray, top: int, span: int) -> float:
    """Width across the shoulders (sleeve caps included) of a garment, or of a body with its
    arms: the 75th percentile of ``mask``'s row widths in the top 15% of ``span`` below ``top``
    (a collar or a neckline narrows the first rows, a raised elbow widens a few more)."""
    present, left, right = row_extents(mask)
    rows = np.flatnonzero(present)
    band = rows[(rows >= top) & (rows <= top + 0.15 * span)]
    band = band if band.size else rows
    return float(np.percentile(right[band] - left[band] + 1, 75))


def leg_mask(bare: np.ndarray, hem: int, bottom: int, shoulder_width: float) -> np.ndarray:
    """Where legs show below a new hem inside the old garment's bare pixels.

    A trouser leg is wider than the leg inside it: each row's run keeps a centred leg as wide
    as a leg is for these shoulders (about a quarter of the shoulder width at the knee, a sixth
    at the ankle); a run wide enough for two legs (trousers pressed together) gets two.
    """
    legs = np.zeros_like(bare)
    span = max(bottom - hem, 1)
    for y in range(max(hem + 1, 0), min(bottom + 1, bare.shape[0])):
        width = shoulder_width * (0.26 - 0.10 * (y - hem) / span)
        for start, stop in row_runs(bare[y]):
            run = stop - start
            centres = [start + run / 4, stop - run / 4] if run > 1.8 * width else [(start + stop) / 2]
            for centre in centres:
                lo, hi = int(round(centre - width / 2)), int(round(centre + width / 2))
                legs[y, max(lo, start):min(hi, stop)] = True
    return legs


def _roundness(mask: np.ndarray) -> np.ndarray:
    """Per pixel 0.8-1.0: darker towards both ends of each row's runs, so filled skin reads as
    a rounded limb instead of a flat patch."""
    factor = np.ones(mask.shape, np.float32)
    for y in np.flatnonzero(mask.any(axis=1)):
        for start, stop in row_runs(mask[y]):
            half = max((stop - start) / 2, 1.0)
            u = np.abs(np.arange(start, stop) + 0.5 - (start + stop) / 2) / half
            factor[y, start:stop] = 0.8 + 0.2 * np.cos(np.clip(u, 0, 1) * np.pi / 2)
    return factor


class GeometricTryOn:
    """Garment try-on by cut-out, per-row warp, occlusion, fill and shading transfer."""

    name = "geometric"

    def __init__(self, parser: PhotoParser | None = None, shading: float = 0.8, feather: float = 1.5):
        self.parser = parser
        self.shading = shading
        self.feather = feather

    def cut_out(self, garment_image: Image.Image, category: str) -> tuple[np.ndarray, str, np.ndarray | None]:
        """The garment's mask in ``garment_image``, how it was found, and the wearer's body mask
        (None for a product shot)."""
        pixels = np.asarray(garment_image.convert("RGB"), dtype=np.float32)
        background = plain_background_colour(pixels)
        wearer = None
        if background is not None:
            mask, source = cut_out_product(pixels, background), "product shot"
        else:
            if self.parser is None:
                raise InputError("The garment image has a busy background; a garment parser is needed to cut it out.")
            worn_parse = self.parser.predict(garment_image)
            if (worn_parse.mask("skin") | worn_parse.mask("hair")).mean() < 0.02:
                raise InputError("The garment image has a busy background but no person wearing the garment; use a "
                                 "product shot on a plain background or a photo of someone wearing it.")
            mask = garment_mask(worn_parse, CATEGORIES[category])
            wearer = garment_mask(worn_parse, ["person"])
            source = "worn"
        if mask.mean() < 0.01:
            raise InputError(f"No {category} could be cut out of the garment image; use a product shot on a plain "
                             "background or a photo where the garment is clearly visible.")
        return mask, source, wearer

    def __call__(self, photo: Image.Image, parse: Parse, garment_image: Image.Image, *,
                 category: str = "dress") -> TryOnResult:
        replaces = check_category(category)
        rgb = photo.convert("RGB")
        check_parse_matches(rgb, parse)
        old = garment_mask(parse, replaces)
        if not old.any():
            raise InputError(f"No garment to replace ({', '.join(replaces)}) was found in the photo.")
        cut, source, wearer = self.cut_out(garment_image, category)
        garment = np.asarray(garment_image.convert("RGB"), dtype=np.float32)
        pixels = np.asarray(rgb, dtype=np.float32)
        height, width = old.shape

        # Target geometry. A worn garment keeps its place on the body: scale by the ratio of the
        # two people's heights, top at the same relative height. A product shot is scaled to the
        # old garment's chest width and starts at its top.
        old_present, old_left, old_right = row_extents(old)
        old_rows = np.flatnonzero(old_present)
        top, old_bottom = int(old_rows[0]), int(old_rows[-1])
        src_present, src_left, src_right = row_extents(cut)
        src_rows = np.flatnonzero(src_present)
        src_top, src_bottom = int(src_rows[0]), int(src_rows[-1])
        body = garment_mask(parse, ["person"], exclude=("hair", "accessories"))
        shopper_rows = np.flatnonzero(garment_mask(parse, ["person"]).any(axis=1))
        shoulders = _shoulder_width(body, top, old_bottom - top + 1)
        wearer_rows = np.flatnonzero(wearer.any(axis=1)) if wearer is not None else np.array([])
        if wearer_rows.size > 1 and shopper_rows.size > 1:
            scale = (shopper_rows[-1] - shopper_rows[0]) / max(wearer_rows[-1] - wearer_rows[0], 1)
            top = int(round(shopper_rows[0] + (src_top - wearer_rows[0]) * scale))
        else:
            scale = shoulders / _shoulder_width(cut, src_top, src_bottom - src_top + 1)
        # No hem below the ankles: a maxi dress ends above the shoes.
        feet = parse.mask("footwear")
        lowest = int(np.flatnonzero(feet.any(axis=1))[0]) if feet.any() else height - 1
        hem = min(lowest, top + int(round((src_bottom - src_top + 1) * scale)) - 1)

        target_rows = np.arange(top, hem + 1)
        source_rows = np.clip(src_top + (target_rows - top) / scale, src_top, src_bottom).round().astype(int)
        half_src = (src_right[source_rows] - src_left[source_rows] + 1) / 2
        centre_src = (src_right[source_rows] + src_left[source_rows]) / 2
        # The garment hangs on the body's centre line (the body with its arms, without bags or hair,
        # which a coat's open side or a shawl would pull askew), kept straight over a tenth of
        # the photo's height.
        body_present, body_left, body_right = row_extents(body)
        body_centre = np.where(body_present, (body_left + body_right) / 2, np.nan)[target_rows]
        known = np.flatnonzero(~np.isnan(body_centre))
        body_centre = np.interp(np.arange(target_rows.size), known, body_centre[known])
        body_centre = _smooth(body_centre, max(3, int(0.1 * height)))
        # Above the waist the new garment also covers the old one's full width (sleeves over the
        # arms rather than arms erased); below it the garment keeps its own silhouette.
        old_half = np.where(old_present, (old_right - old_left + 1) / 2, 0)[target_rows]
        upper = np.arange(target_rows.size) < UPPER_BODY * target_rows.size
        half_target = np.where(upper, np.maximum(half_src * scale, old_half), half_src * scale)
        half_target = _smooth(half_target, max(3, int(0.04 * height)))

        # Per-row piecewise-linear warp: each target row samples one garment row, stretched.
        xs = np.arange(width, dtype=np.float32)[None, :]
        u = (xs - body_centre[:, None]) / np.maximum(half_target[:, None], 1.0)
        source_x = centre_src[:, None] + u * half_src[:, None]
        inside = np.abs(u) <= 1.0
        sx = np.clip(source_x.round().astype(int), 0, garment.shape[1] - 1)
        sy = np.broadcast_to(source_rows[:, None], sx.shape)
        new_alpha = np.zeros((height, width), np.float32)
        new_colour = np.zeros((height, width, 3), np.float32)
        band = np.zeros((height, width), bool)
        band[top:hem + 1] = inside
        new_alpha[top:hem + 1] = (cut[sy, sx] & inside).astype(np.float32)
        new_colour[top:hem + 1] = garment[sy, sx]

        # Occluders in front: hair, bags and arms (skin above the old hem).
        rows = np.arange(height)[:, None]
        protect = parse.mask("hair") | parse.mask("accessories") | (parse.mask("skin") & (rows <= old_bottom))
        new_region = (new_alpha > 0.5) & ~protect

        # Fill old-garment pixels the new garment leaves bare: skin where the body is (inside the
        # new garment's band, e.g. a neckline, or below its hem), background where the old
        # garment stood out beyond it.
        bare = old & ~new_region
        skin_pixels = pixels[parse.mask("skin")]
        skin = np.median(skin_pixels, axis=0) if len(skin_pixels) >= 100 else DEFAULT_SKIN
        filled = pixels.copy()
        legs = leg_mask(bare, hem, old_bottom, shoulders)
        skin_fill = (bare & band) | legs
        if skin_fill.any():
            filled[skin_fill] = skin * (shading_map(pixels, skin_fill, 0.5, 2.0) * _roundness(skin_fill))[skin_fill][:, None]
        background_hole = bare & ~skin_fill
        if background_hole.any():
            known_background = ~parse.mask("person") & ~background_hole
            filled = np.where(background_hole[..., None], mirror_fill(pixels, background_hole, known_background), filled)

        # Shade the new garment with the photo's light and blend it in with a soft inner edge.
        shade = shading_map(pixels, new_region | old, self.shading, shading_blur_radius(rgb))
        alpha = inward_feather(new_region, self.feather)[..., None]
        out = filled * (1 - alpha) + new_colour * shade[..., None] * alpha
        changed = new_region | bare
        result = np.asarray(rgb).copy()
        result[changed] = np.clip(out[changed] + 0.5, 0, 255).astype(np.uint8)
        return TryOnResult(Image.fromarray(result), cut, new_region, bare, source)


def _pose_engine(**options) -> TryOnEngine:
    from studio.tryon_pose import PoseTryOn

    return PoseTryOn(**options)


ENGINES: dict[str, Callable[..., TryOnEngine]] = {"geometric": GeometricTryOn, "pose": _pose_engine}
DEFAULT_ENGINE = "pose"


def new_engine(name: str = DEFAULT_ENGINE, **options) -> TryOnEngine:
    """Build a try-on engine by name; the error lists the registered names."""
    if name not in ENGINES:
        raise UnknownChoiceError(f"Unknown try-on engine {name!r}; choose one of: {', '.join(ENGINES)}.")
    return ENGINES[name](**options)
