"""The ``geometric`` try-on engine: no body landmarks, only the parse and per-row geometry.

``GeometricTryOn()(photo, parse, garment_image)`` runs six numbered steps:

1. ``cut_out``: the shared cut-out (``studio.tryon.cutout``), its holes painted from the garment;
2. ``place``: a worn garment is scaled by the ratio of the two people's heights and keeps its
   place on the body; a product shot is scaled so its shoulders (sleeve caps included) match
   the shopper's shoulders and starts at the old garment's top; either keeps its own length
   (legs are covered when it is longer than the old one) but never reaches below the shoes;
3. ``warp``: a per-row piecewise-linear warp stretches each garment row across the body's width;
4. ``layer``: hair, bags and arms (skin above the old hem) stay in front;
5. ``refill``: old-garment pixels the new one leaves bare become skin (inside the new garment's
   band, e.g. a neckline, and leg-wide strips below its hem, shaded round) or background
   (mirrored from the nearest background in the same row, so texture continues);
6. ``shade``: the photo's normalised luminance multiplies the new garment, keeping folds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from studio.body import Body, BodyEstimator
from studio.composite import shading_blur_radius, shading_map
from studio.masks import background_fill, inward_feather, row_extents, row_runs, smooth_1d, write_back
from studio.parsing import Parse, garment_mask
from studio.tryon.base import PhotoParser, TryOnResult, check_inputs
from studio.tryon.cutout import GarmentCutOut, cut_out, fill_holes
from studio.tryon.skin import skin_colour

UPPER_BODY = 0.45  # share of a new garment's length, from its top, that reaches the arms


@dataclass
class Placement:
    """Where the garment goes: target rows ``top``..``hem``, for each the garment row it samples,
    and the body's centre and the garment's half width there."""

    top: int
    hem: int
    source_rows: np.ndarray
    centre: np.ndarray
    half_width: np.ndarray
    shoulders: float  # the shopper's width across the shoulders


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

    def __init__(self, parser: PhotoParser | None = None, estimator: BodyEstimator | None = None,
                 shading: float = 0.8, feather: float = 1.5):
        """``estimator`` is taken so that every engine is built alike; this one uses no landmarks."""
        self.parser = parser
        self.shading = shading
        self.feather = feather

    def __call__(self, photo: Image.Image, parse: Parse, garment_image: Image.Image, *,
                 category: str = "dress", body: Body | None = None) -> TryOnResult:
        """The photo wearing the garment; ``body`` is taken for the common call and not needed."""
        rgb, replaces = check_inputs(photo, parse, category, body)
        old = garment_mask(parse, replaces)
        pixels = np.asarray(rgb, dtype=np.float32)
        cut = self.cut_out(garment_image, category)  # 1
        placement = self.place(cut, parse, old)  # 2
        colour, coverage, band = self.warp(cut, placement, old.shape)  # 3
        new_region = coverage & ~self.layer(parse, old)  # 4
        filled, bare = self.refill(pixels, parse, old, new_region, band, placement)  # 5
        shade = shading_map(pixels, new_region | old, self.shading, shading_blur_radius(rgb))  # 6
        alpha = inward_feather(new_region, self.feather)[..., None]
        image = write_back(rgb, filled * (1 - alpha) + colour * shade[..., None] * alpha, new_region | bare)
        return TryOnResult(image, cut.silhouette, new_region, bare, cut.source)

    # 1 ---------------------------------------------------------------------------------------
    def cut_out(self, garment_image: Image.Image, category: str = "dress") -> GarmentCutOut:
        """The shared cut-out (no landmarks), its holes painted from the garment's own fabric."""
        cut = cut_out(garment_image, category, self.parser)
        cut.pixels = fill_holes(cut)
        return cut

    # 2 ---------------------------------------------------------------------------------------
    @staticmethod
    def place(cut: GarmentCutOut, parse: Parse, old: np.ndarray) -> Placement:
        """Scale and place the garment (see the module docstring): a worn garment keeps its place on
        the body, a product shot fits the shoulders; no hem below the ankles."""
        height = old.shape[0]
        old_present, old_left, old_right = row_extents(old)
        old_rows = np.flatnonzero(old_present)
        top, old_bottom = int(old_rows[0]), int(old_rows[-1])
        src_present, src_left, src_right = row_extents(cut.silhouette)
        src_rows = np.flatnonzero(src_present)
        src_top, src_bottom = int(src_rows[0]), int(src_rows[-1])
        body = garment_mask(parse, ["person"], exclude=("hair", "accessories"))
        shopper_rows = np.flatnonzero(garment_mask(parse, ["person"]).any(axis=1))
        shoulders = _shoulder_width(body, top, old_bottom - top + 1)
        wearer_rows = np.flatnonzero(cut.wearer_mask.any(axis=1)) if cut.wearer_mask is not None else np.array([])
        if wearer_rows.size > 1 and shopper_rows.size > 1:
            scale = (shopper_rows[-1] - shopper_rows[0]) / max(wearer_rows[-1] - wearer_rows[0], 1)
            top = int(round(shopper_rows[0] + (src_top - wearer_rows[0]) * scale))
        else:
            scale = shoulders / _shoulder_width(cut.silhouette, src_top, src_bottom - src_top + 1)
        feet = parse.mask("footwear")  # a maxi dress ends above the shoes
        lowest = int(np.flatnonzero(feet.any(axis=1))[0]) if feet.any() else height - 1
        hem = min(lowest, top + int(round((src_bottom - src_top + 1) * scale)) - 1)

        target_rows = np.arange(top, hem + 1)
        source_rows = np.clip(src_top + (target_rows - top) / scale, src_top, src_bottom).round().astype(int)
        half_src = (src_right[source_rows] - src_left[source_rows] + 1) / 2
        # The garment hangs on the body's centre line (the body with its arms, without bags or hair,
        # which a coat's open side or a shawl would pull askew), kept straight over a tenth of
        # the photo's height.
        body_present, body_left, body_right = row_extents(body)
        body_centre = np.where(body_present, (body_left + body_right) / 2, np.nan)[target_rows]
        known = np.flatnonzero(~np.isnan(body_centre))
        body_centre = np.interp(np.arange(target_rows.size), known, body_centre[known])
        body_centre = smooth_1d(body_centre, max(3, int(0.1 * height)))
        # Above the waist the new garment also covers the old one's full width (sleeves over the
        # arms rather than arms erased); below it the garment keeps its own silhouette.
        old_half = np.where(old_present, (old_right - old_left + 1) / 2, 0)[target_rows]
        upper = np.arange(target_rows.size) < UPPER_BODY * target_rows.size
        half_target = np.where(upper, np.maximum(half_src * scale, old_half), half_src * scale)
        half_target = smooth_1d(half_target, max(3, int(0.04 * height)))
        return Placement(top, hem, source_rows, body_centre, half_target, shoulders)

    # 3 ---------------------------------------------------------------------------------------
    @staticmethod
    def warp(cut: GarmentCutOut, placement: Placement,
             shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(colours, coverage, band): each target row samples one garment row, stretched across the
        body; ``band`` is every pixel within the garment's width on its rows."""
        height, width = shape
        src_present, src_left, src_right = row_extents(cut.silhouette)
        rows = placement.source_rows
        half_src = (src_right[rows] - src_left[rows] + 1) / 2
        centre_src = (src_right[rows] + src_left[rows]) / 2
        xs = np.arange(width, dtype=np.float32)[None, :]
        u = (xs - placement.centre[:, None]) / np.maximum(placement.half_width[:, None], 1.0)
        source_x = centre_src[:, None] + u * half_src[:, None]
        inside = np.abs(u) <= 1.0
        sx = np.clip(source_x.round().astype(int), 0, cut.pixels.shape[1] - 1)
        sy = np.broadcast_to(rows[:, None], sx.shape)
        coverage = np.zeros((height, width), bool)
        colour = np.zeros((height, width, 3), np.float32)
        band = np.zeros((height, width), bool)
        span = slice(placement.top, placement.hem + 1)
        band[span] = inside
        coverage[span] = cut.silhouette[sy, sx] & inside
        colour[span] = cut.pixels[sy, sx]
        return colour, coverage, band

    # 4 ---------------------------------------------------------------------------------------
    @staticmethod
    def layer(parse: Parse, old: np.ndarray) -> np.ndarray:
        """What stays in front: hair, bags and arms (skin above the old hem)."""
        old_bottom = int(np.flatnonzero(old.any(axis=1))[-1])
        rows = np.arange(old.shape[0])[:, None]
        return parse.mask("hair") | parse.mask("accessories") | (parse.mask("skin") & (rows <= old_bottom))

    # 5 ---------------------------------------------------------------------------------------
    @staticmethod
    def refill(pixels: np.ndarray, parse: Parse, old: np.ndarray, new_region: np.ndarray, band: np.ndarray,
               placement: Placement) -> tuple[np.ndarray, np.ndarray]:
        """(pixels refilled, the refilled mask): old-garment pixels left bare become skin where the
        body is (inside the new garment's band, e.g. a neckline, or legs below its hem), background
        where the old garment stood out beyond it."""
        bare = old & ~new_region
        skin = parse.mask("skin")
        no_limbs = np.zeros_like(skin)
        colour = skin_colour(pixels, skin, no_limbs, no_limbs)
        filled = pixels.copy()
        legs = leg_mask(bare, placement.hem, int(np.flatnonzero(old.any(axis=1))[-1]), placement.shoulders)
        skin_fill = (bare & band) | legs
        if skin_fill.any():
            shade = shading_map(pixels, skin_fill, 0.5, 2.0) * _roundness(skin_fill)
            filled[skin_fill] = colour * shade[skin_fill][:, None]
        background_hole = bare & ~skin_fill
        if background_hole.any():
            known_background = ~parse.mask("person") & ~background_hole
            filled = np.where(background_hole[..., None], background_fill(pixels, background_hole, known_background), filled)
        return filled, bare
