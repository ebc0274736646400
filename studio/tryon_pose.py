"""The ``pose`` try-on engine: a garment bent onto the shopper's body by landmarks.

``PoseTryOn()(photo, parse, garment_image)`` runs seven numbered steps, each a method that can
be called (and tested) on its own:

1. ``cut_out``: the garment's pixels and silhouette (product shot on a plain background, or the
   garment class of someone wearing it, found by the parser), and its holes: where an arm or a
   bag covered the garment in its photo;
2. ``fill_holes``: holes painted from the garment's own texture (OpenCV's Telea inpainting), so
   they never show as background;
3. ``garment_landmarks``: the garment's frame (``studio.garment_frame``): BlazePose on a worn
   garment's photo, the silhouette method on a product shot; paired with the shopper's frame;
4. ``warp``: a thin-plate spline sends the garment's frame onto the shopper's (``studio.warp``),
   so the sides follow the torso, the hem follows hips and knees, and worn sleeves follow the arms;
5. ``layer``: what stays in front of the new garment (hair, the face and neck, arms and hands,
   bags, shoes) and where the garment may be painted (on the person, never the background);
6. ``refill``: what the new garment uncovers becomes the shopper's own skin where a limb or the
   torso is (two shaded legs with the gap between them) and background continued by inpainting
   elsewhere, both with the photo's own grain so nothing reads as a flat block;
7. ``shade``: the photo's light and folds multiply the new garment, blended with a soft edge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from studio.body import Body, BodyEstimator, NoPersonError
from studio.composite import check_parse_matches, inward_feather, luminance, shading_blur_radius
from studio.errors import InputError
from studio.garment_frame import (
    ARM_RADII,
    LEG_RADII,
    LEVELS,
    Frame,
    body_frame,
    capsule_depth,
    hem_points,
    silhouette_frame,
)
from studio.parsing import Parse, garment_mask
from studio.tryon import (
    CATEGORIES,
    DEFAULT_SKIN,
    PhotoParser,
    TryOnResult,
    check_category,
    mirror_fill,
    plain_background_colour,
    product_foreground,
    row_extents,
    row_runs,
)
from studio.warp import warp_to

MIN_GARMENT_PIXELS = 1500  # a cut-out smaller than this has too little to warp
MIN_GARMENT_HEIGHT = 40
HEM_DEPTH = (0.8, 3.4)  # a hem lies between these many torso lengths below the neck (crop top to gown)
HIGHLIGHT_LIFT = 0.5  # highlights lift the garment this share of the way a screen blend would (never to white)
SHOULDER_TOP, NECK_BASE = (0.6, 0.06), (0.2, 0.16)  # (across, up) in shoulder widths from the neck point
NECK_HEIGHT, NECK_RADII = 0.45, (0.2, 0.24)  # the neck (shoulder widths): chin above the shoulders' line, radii
SKIN_LIGHT, SKIN_LIGHT_BLUR, SKIN_LIGHT_RANGE = 0.4, 0.15, (0.6, 1.4)  # refilled skin keeps this share of the
# scene's broad light (blurred by 15 % of a shoulder width, ratio to its median kept in range)
SKIN_EDGE, SKIN_CREST = 0.72, 1.06  # refilled skin's light at a limb's (or the torso's) edge and along its crest
SKIN_TORSO_CURVE = 0.3  # the torso rounds off over this many shoulder widths from its outline
SKIN_MOTTLE, SKIN_MOTTLE_SIZE = 0.025, 0.05  # refilled skin's broad unevenness (share of light) and its size
CONTACT_SHADOW, CONTACT_SHADOW_REACH = 0.22, 0.04  # the new garment's shadow on skin beside it, and its reach
PATCH_SHARE, PATCH_SURROUNDED = 0.03, 0.75  # an "accessory" this small beside the old garment and this much
# surrounded by it is a patch on it
LEG_SCALE_RANGE = (0.7, 1.8)  # refilled legs are drawn this much thinner or wider than bare-leg capsules at most
SKIN_MISMATCH = 40.0  # RGB distance between limb skin and all skin beyond which the limbs are not trusted
GRAIN = (2.6, 4.0)  # refilled areas carry the photo's own grain, kept within these (8-bit levels)
SKIN_CHROMA_DISTANCE = 6.0  # squared Mahalanobis distance in (Cr, Cb) from the parse's skin that still looks like it
SKIN_CHROMA_VARIANCE = (4.0, 36.0)  # the skin's chroma spread taken as 2 to 6 levels (std) along each axis
SKIN_LIGHT_MARGIN = 20.0  # ... with a luma (Y) at most this far outside the parse's skin's 10th-90th percentile


class BusyBackgroundError(InputError):
    """A garment photo that is neither a product shot on a plain background nor worn by someone."""


class GarmentTooSmallError(InputError):
    """The garment in its photo is too small to use."""


@dataclass
class GarmentCutOut:
    """A garment cut out of its photo (cropped to it): colours, silhouette, holes, how it was found."""

    pixels: np.ndarray  # float32 H×W×3
    silhouette: np.ndarray  # bool: the garment with its holes closed
    holes: np.ndarray  # bool: inside the silhouette but covered (arm, bag) or missing in the photo
    source: str  # "product shot" or "worn"
    wearer: Body | None = None  # the person wearing it (worn garments), in the crop's pixels


def _largest_parts(mask: np.ndarray, share: float = 0.05) -> np.ndarray:
    """The largest connected part and any other at least ``share`` of its size (a dress cut in two
    by an arm stays whole)."""
    from scipy import ndimage

    parts, count = ndimage.label(mask)
    if count <= 1:
        return mask
    sizes = np.bincount(parts.ravel())[1:]
    keep = np.flatnonzero(sizes >= share * sizes.max()) + 1
    return np.isin(parts, keep)


def _close(mask: np.ndarray, radius: int) -> np.ndarray:
    """Morphological closing with a disc, then holes filled: the garment's outline without gaps."""
    import cv2
    from scipy import ndimage

    size = 2 * radius + 1
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    padded = np.pad(mask.astype(np.uint8), radius + 1)
    closed = cv2.morphologyEx(padded, cv2.MORPH_CLOSE, disc)[radius + 1:-radius - 1, radius + 1:-radius - 1]
    return ndimage.binary_fill_holes(closed.astype(bool) | mask)


def _grow(mask: np.ndarray, radius: int) -> np.ndarray:
    import cv2

    if radius <= 0:
        return mask
    size = 2 * radius + 1
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    return cv2.dilate(mask.astype(np.uint8), disc).astype(bool)


def _row_spans(mask: np.ndarray) -> np.ndarray:
    """Each row filled from its first to its last set pixel (the span across two legs)."""
    present, left, right = row_extents(mask)
    columns = np.arange(mask.shape[1])[None, :]
    return present[:, None] & (columns >= left[:, None]) & (columns <= right[:, None])


def _crop_box(mask: np.ndarray) -> tuple[tuple[slice, slice], int]:
    """(box around ``mask`` with room for closing its outline, that closing radius: 3.5 % of its height)."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    radius = max(2, int(0.035 * (rows[-1] - rows[0] + 1)))
    margin = radius + 2
    return (slice(max(rows[0] - margin, 0), rows[-1] + margin + 1),
            slice(max(cols[0] - margin, 0), cols[-1] + margin + 1)), radius


def _soften(values: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur of a float map (OpenCV, float precision)."""
    import cv2

    return cv2.GaussianBlur(np.asarray(values, np.float32), (0, 0), sigma)


def photo_grain(pixels: np.ndarray, region: np.ndarray) -> float:
    """The photo's own fine-grain noise in ``region``: median std of the 8×8 blocks' detail (the
    luminance minus its 2 px blur), so refilled areas can carry the same grain."""
    light = luminance(pixels)
    detail = light - _soften(light, 2.0)
    h, w = (region.shape[0] // 8) * 8, (region.shape[1] // 8) * 8
    blocks = region[:h, :w].reshape(h // 8, 8, w // 8, 8).all(axis=(1, 3))
    if not blocks.any():
        return 2.5
    stds = detail[:h, :w].reshape(h // 8, 8, w // 8, 8).std(axis=(1, 3))[blocks]
    return float(np.clip(np.median(stds), 1.5, 8.0))


def _grain(shape: tuple[int, int], sigma: float, seed: int = 0) -> np.ndarray:
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
    touching = np.unique(parts[_grow(skin, 2) & (parts > 0)])
    keep = touching[sizes[touching] >= 0.005 * skin.sum()]
    return np.isin(parts, keep)


def shoes(parse: Parse, shopper: Frame) -> np.ndarray:
    """What the parser calls footwear below the shopper's knees: anything higher up (a glove, a
    helmet) is no shoe, so it neither stays in front nor pulls the hem up."""
    found = parse.mask("footwear")
    found[: max(int(shopper.spine[2][1]), 0)] = False
    return found


def above_neckline(old: np.ndarray) -> np.ndarray:
    """Pixels above the old garment's top edge in their own column (all of a column it does not reach)."""
    reaches = old.any(axis=0)
    top = np.where(reaches, old.argmax(axis=0), old.shape[0])
    return np.arange(old.shape[0])[:, None] < top[None, :]


def limb_areas(shopper: Frame, shape: tuple[int, int], limb: str, widen: float) -> np.ndarray:
    """Where the shopper's legs (``limb="leg"``) or arms (``"arm"``) are: capsules along their
    landmarks, ``widen`` times a bare limb's radii (so trousers or sleeves on them count too)."""
    if limb == "leg":
        chains, unit_radii = shopper.legs(), LEG_RADII
    else:
        chains, unit_radii = [c for name, c in shopper.limbs.items() if name.endswith("arm")], ARM_RADII
    areas = np.zeros(shape, bool)
    for chain in chains:
        radii = tuple(widen * r * shopper.shoulder_width for r in unit_radii[:len(chain)])
        areas |= capsule_depth(shape, chain, radii) > 0
    return areas


def leg_width_scale(visible: np.ndarray, shopper: Frame, old: np.ndarray) -> float:
    """How much wider than the bare-leg capsules the shopper's legs are where they show just below
    the old garment (``visible``: skin or legwear), so refilled thighs join the real shins without
    a step: the median ratio of visible to capsule width over the rows of half a shoulder width
    below its hem, kept within LEG_SCALE_RANGE; 1 where no leg shows there. Legs that touch are
    split half-way between their axes."""
    rows = np.flatnonzero(old.any(axis=1))
    if rows.size == 0:
        return 1.0
    unit = shopper.shoulder_width
    legs = [capsule_depth(old.shape, chain, tuple(r * unit for r in LEG_RADII[:len(chain)])) > 0
            for chain in shopper.legs()]
    ratios = []
    for y in range(rows[-1] + 1, min(rows[-1] + 1 + int(0.5 * unit), old.shape[0])):
        spans = [runs[0] for runs in (row_runs(leg[y]) for leg in legs) if len(runs) == 1]
        centres = sorted((start + stop) / 2 for start, stop in spans)
        for start, stop in spans:
            centre = (start + stop) / 2
            others = [c for c in centres if c != centre]
            low = max([(c + centre) / 2 for c in others if c < centre], default=-np.inf)
            high = min([(c + centre) / 2 for c in others if c > centre], default=np.inf)
            ratios += [(min(end, high) - max(begin, low)) / (stop - start)
                       for begin, end in row_runs(visible[y]) if begin <= centre < end]
    if len(ratios) < 5:
        return 1.0
    return float(np.clip(np.median(ratios), *LEG_SCALE_RANGE))


def body_regions(shopper: Frame, shape: tuple[int, int], leg_scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(limb depth, torso mask) of the shopper drawn from the landmarks: depth is 1 on each
    arm's, leg's and the neck's axis falling to 0 at its edge (round cross-section); the torso
    runs from the base of the neck over the shoulders' tops through the armpit, waist and hip
    points; the neck is a limb from the chin down to the shoulders' line. ``leg_scale`` widens
    the legs (``leg_width_scale``)."""
    import cv2

    unit = shopper.shoulder_width
    depth = np.zeros(shape, np.float32)
    limbs = [(chain, tuple(leg_scale * r for r in LEG_RADII)) for chain in shopper.legs()]
    limbs += [(chain, ARM_RADII) for name, chain in shopper.limbs.items() if name.endswith("arm")]
    for chain, unit_radii in limbs:
        radii = tuple(r * unit for r in unit_radii[:len(chain)])
        depth = np.maximum(depth, capsule_depth(shape, chain, radii))
    torso = np.zeros(shape, np.uint8)
    neck, across = shopper.points["neck"], shopper.across(0.0)
    up = np.array([across[1], -across[0]])
    # The outline climbs from each shoulder's top over the trapezius to the base of the neck.
    shoulder_l, shoulder_r = (neck + side * across * SHOULDER_TOP[0] * unit + up * SHOULDER_TOP[1] * unit
                              for side in (-1.0, 1.0))
    base_l, base_r = (neck + side * across * NECK_BASE[0] * unit + up * NECK_BASE[1] * unit for side in (-1.0, 1.0))
    outline = [base_l, shoulder_l] + [shopper.points[f"{n}_l"] for n in ("armpit", "waist", "hip")] + \
              [shopper.points[f"{n}_r"] for n in ("hip", "waist", "armpit")] + [shoulder_r, base_r]
    cv2.fillPoly(torso, [np.round(np.stack(outline)).astype(np.int32)], 1)
    throat = (neck + up * NECK_HEIGHT * unit, neck)
    depth = np.maximum(depth, capsule_depth(shape, throat, (NECK_RADII[0] * unit, NECK_RADII[1] * unit)))
    return depth, torso.astype(bool)


class PoseTryOn:
    """Garment try-on guided by body landmarks (see the module docstring for the seven steps)."""

    name = "pose"

    def __init__(self, parser: PhotoParser | None = None, estimator: BodyEstimator | None = None,
                 shading: float = 0.6, feather: float = 1.5):
        self.parser = parser
        self._estimator = estimator
        self.shading = shading
        self.feather = feather

    @property
    def estimator(self) -> BodyEstimator:
        if self._estimator is None:
            self._estimator = BodyEstimator.load()
        return self._estimator

    def __call__(self, photo: Image.Image, parse: Parse, garment_image: Image.Image, *,
                 category: str = "dress", body: Body | None = None) -> TryOnResult:
        replaces = check_category(category)
        rgb = photo.convert("RGB")
        check_parse_matches(rgb, parse)
        if not garment_mask(parse, replaces).any():
            raise InputError(f"No garment to replace ({', '.join(replaces)}) was found in the photo.")
        if body is None:
            body = self.estimator.predict(rgb)
        elif body.size != rgb.size:
            raise InputError(f"The body was found on a {body.size[0]}x{body.size[1]} photo but this photo is "
                             f"{rgb.width}x{rgb.height}; estimate the body on this photo.")
        shopper = body_frame(body.landmarks, body.person_mask, who="the shopper's photo")
        old = self.old_garment(parse, replaces, body, shopper)
        pixels = np.asarray(rgb, dtype=np.float32)

        cut = self.cut_out(garment_image, category)  # 1
        texture = self.fill_holes(cut)  # 2
        garment_points, shopper_points = self.garment_landmarks(cut, shopper, parse)  # 3
        colour, coverage = self.warp(texture, cut.silhouette, garment_points, shopper_points, old.shape)  # 4
        front, allowed = self.layer(pixels, parse, body, shopper, old)  # 5
        new_region = (coverage > 0.5) & allowed & ~front
        refilled, bare = self.refill(pixels, parse, body, shopper, old, new_region, front)  # 6
        image = self.shade(pixels, refilled, colour, new_region, old, bare, rgb, shopper.shoulder_width)  # 7
        return TryOnResult(image, cut.silhouette, new_region, bare, cut.source)

    @staticmethod
    def old_garment(parse: Parse, replaces: tuple[str, ...], body: Body, shopper: Frame) -> np.ndarray:
        """The shopper's garment that the new one replaces: the parse's garment classes, plus
        what the parser calls an accessory but is a patch or badge on it (small, surrounded by
        it), and, when the new garment is a dress, pieces joined to it that the parser got wrong:

        * "legwear" touching it but lying beside the legs, not on them (the parser often calls
          the bottom of a long dress legwear; tights on the legs stay tights);
        * what the parser calls background although the body's person mask covers it and it
          lies on the torso or an arm below the shoulders (a sleeve the parser missed).
        """
        from scipy import ndimage

        old = garment_mask(parse, replaces)
        if not old.any():
            return old
        if "bottom" in replaces:
            depth, torso = body_regions(shopper, old.shape)
            beside_legs = parse.mask("legwear") & ~limb_areas(shopper, old.shape, "leg", 1.2)
            missed = parse.mask("background") & body.person_mask & ((depth > 0) | torso)
            missed[: max(int(shopper.points["neck"][1]), 0)] = False
            for candidates in (beside_legs, missed):
                parts, _ = ndimage.label(candidates)
                touching = np.unique(parts[_grow(old, 2) & (parts > 0)])
                old = old | np.isin(parts, touching[touching > 0])
        # A badge, patch or button that the parser calls an accessory is part of the old garment
        # when the garment surrounds it and it is small beside it (a bag held in front is neither).
        parts, _ = ndimage.label(parse.mask("accessories"))
        for index, (rows, cols) in enumerate(ndimage.find_objects(parts), start=1):
            box = (slice(max(rows.start - 3, 0), rows.stop + 3), slice(max(cols.start - 3, 0), cols.stop + 3))
            part = parts[box] == index
            rim = _grow(part, 2) & ~part
            if part.sum() <= PATCH_SHARE * old.sum() and old[box][rim].mean() >= PATCH_SURROUNDED:
                old[box] |= part
        return old

    # 1 ---------------------------------------------------------------------------------------
    def cut_out(self, garment_image: Image.Image, category: str = "dress") -> GarmentCutOut:
        """The garment, cropped out of its photo, with its silhouette and holes."""
        rgb = garment_image.convert("RGB")
        pixels = np.asarray(rgb, dtype=np.float32)
        background = plain_background_colour(pixels)
        if background is not None:
            return self._cut_out_product(pixels, background)
        return self._cut_out_worn(rgb, pixels, category)

    def _cut_out_product(self, pixels: np.ndarray, background: np.ndarray) -> GarmentCutOut:
        found = product_foreground(pixels, background)
        self._check_size(found, "product shot")
        found = _largest_parts(found)
        box, radius = _crop_box(found)
        found = found[box]
        silhouette = _close(found, radius)
        return GarmentCutOut(pixels[box], silhouette, silhouette & ~found, "product shot")

    def _cut_out_worn(self, rgb: Image.Image, pixels: np.ndarray, category: str) -> GarmentCutOut:
        if self.parser is None:
            raise BusyBackgroundError("The garment image has a busy background; a garment parser is needed to "
                                      "cut it out.")
        worn = self.parser.predict(rgb)
        person = garment_mask(worn, ["person"])
        if (worn.mask("skin") | worn.mask("hair")).mean() < 0.02:
            raise BusyBackgroundError("The garment image has a busy background but no person wearing the garment; "
                                      "use a product shot on a plain background or a photo of someone wearing it.")
        try:
            wearer = self.estimator.predict(rgb, person_mask=person)
        except NoPersonError:
            raise NoPersonError("No person was found wearing the garment in the garment photo; use a product shot "
                                "on a plain background or a photo of someone wearing it.") from None
        found = _largest_parts(garment_mask(worn, CATEGORIES[category]))
        self._check_size(found, category)
        box, radius = _crop_box(found)
        found, in_front = found[box], person[box] & ~found[box]
        silhouette = found | (_close(found, radius) & in_front)
        landmarks = wearer.landmarks.copy()
        landmarks[:, 0] -= box[1].start
        landmarks[:, 1] -= box[0].start
        return GarmentCutOut(pixels[box], silhouette, silhouette & ~found, "worn",
                             Body(landmarks, wearer.person_mask[box]))

    @staticmethod
    def _check_size(found: np.ndarray, what: str) -> None:
        rows = np.flatnonzero(found.any(axis=1))
        if found.sum() < MIN_GARMENT_PIXELS or rows.size < MIN_GARMENT_HEIGHT:
            raise GarmentTooSmallError(
                f"The {what} in the garment image is too small to use ({int(found.sum())} px; at least "
                f"{MIN_GARMENT_PIXELS} px and {MIN_GARMENT_HEIGHT} px tall); use a larger or closer photo.")

    # 2 ---------------------------------------------------------------------------------------
    @staticmethod
    def fill_holes(cut: GarmentCutOut) -> np.ndarray:
        """The garment's colours with its holes painted from the surrounding fabric."""
        import cv2

        if not cut.holes.any():
            return cut.pixels
        # Inpaint from the garment only: everything outside the silhouette is unknown as well,
        # so background never bleeds in; only the holes are taken from the answer.
        unknown = (cut.holes | ~cut.silhouette).astype(np.uint8)
        source = np.clip(cut.pixels + 0.5, 0, 255).astype(np.uint8)
        painted = cv2.inpaint(source, unknown, 5, cv2.INPAINT_TELEA).astype(np.float32)
        return np.where(cut.holes[..., None], painted, cut.pixels)

    # 3 ---------------------------------------------------------------------------------------
    @staticmethod
    def garment_landmarks(cut: GarmentCutOut, shopper: Frame, parse: Parse) -> tuple[np.ndarray, np.ndarray]:
        """Paired points: where each landmark is on the garment, and where it goes on the shopper.

        Torso points pair by name. The hem keeps its distance down the body's centre line (in
        torso lengths) and its width (in shoulder widths), so it follows the shopper's hips and
        knees; it never reaches below the ankles or the shoes. A worn garment's sleeves pair
        elbows and wrists they cover, and a skirt the knees it covers.
        """
        if cut.wearer is None:
            garment = silhouette_frame(cut.silhouette)
        else:
            garment = body_frame(cut.wearer.landmarks, cut.wearer.person_mask, who="the garment photo")
            garment.points.update(hem_points(cut.silhouette))
            covered = _grow(cut.silhouette, max(3, int(0.05 * garment.shoulder_width)))
            for name in ("elbow", "wrist", "knee"):
                for side in "lr":
                    key = f"{name}_{side}"
                    if key in garment.points and key in shopper.points:
                        x, y = np.round(garment.points[key]).astype(int)
                        inside = 0 <= y < covered.shape[0] and 0 <= x < covered.shape[1] and covered[y, x]
                        if not inside:
                            del garment.points[key]
        torso_ratio = shopper.torso / max(garment.torso, 1e-6)
        width_ratio = shopper.shoulder_width / garment.shoulder_width
        targets = dict(shopper.points)
        if cut.wearer is None:
            # A product shot's shoulder points are wherever its straps or sleeve caps end: they keep
            # their distance from the neck (in shoulder widths) instead of going to the shoulders' edge.
            for name in ("shoulder_l", "shoulder_r"):
                offset = (garment.points[name][0] - garment.points["neck"][0]) * width_ratio
                targets[name] = shopper.points["neck"] + shopper.across(0.0) * offset
        depth = garment.spine_distance(garment.points["hem"]) * torso_ratio
        depth = float(np.clip(depth, HEM_DEPTH[0] * shopper.torso, HEM_DEPTH[1] * shopper.torso))
        lowest = shopper.spine_distance(shopper.spine[3]) - 0.1 * shopper.torso
        feet = shoes(parse, shopper)  # a "shoe" above the knees would fold the garment over itself
        if feet.any():
            top_of_feet = np.array([shopper.spine[0][0], float(np.flatnonzero(feet.any(axis=1))[0])])
            lowest = min(lowest, shopper.spine_distance(top_of_feet))
        depth = float(min(depth, max(lowest, 0.3 * shopper.torso)))
        hem = shopper.along_spine(depth)
        half = np.linalg.norm(garment.points["hem_r"] - garment.points["hem_l"]) / 2 * width_ratio
        targets["hem"] = hem
        targets["hem_l"] = hem - shopper.across(depth) * half
        targets["hem_r"] = hem + shopper.across(depth) * half
        # Hip points below the hem (a short top) would fold the garment over: pair only what the
        # garment reaches.
        names = [n for n in garment.points if n in targets
                 and garment.spine_distance(garment.points[n]) <= garment.spine_distance(garment.points["hem"]) + 1]
        return np.stack([garment.points[n] for n in names]), np.stack([targets[n] for n in names])

    # 4 ---------------------------------------------------------------------------------------
    @staticmethod
    def warp(texture: np.ndarray, silhouette: np.ndarray, garment_points: np.ndarray, shopper_points: np.ndarray,
             size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """The garment's colours and coverage (0-1) bent onto the shopper's photo of ``size``."""
        stacked = np.dstack([texture, silhouette.astype(np.float32)]).astype(np.float32)
        warped = warp_to(stacked, garment_points, shopper_points, size)
        return warped[..., :3], warped[..., 3]

    # 5 ---------------------------------------------------------------------------------------
    @staticmethod
    def layer(pixels: np.ndarray, parse: Parse, body: Body, shopper: Frame,
              old: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(in front, allowed): what stays in front of the new garment, and where it may be painted.

        In front: hair, bags and accessories (not patches on the old garment), shoes (below the
        knees), and skin of the face and neck (above the shoulders' line, or within a neck's width
        of the centre line just below it), of the arms and hands (along the arm landmarks), and of
        the chest and shoulders above the old garment's neckline (the new garment takes the
        shopper's neckline: a strapless shopper keeps her bare shoulders), including skin there
        that the parser called something else (``missed_skin``).
        The garment may be painted on the person (parse or body mask) and a few pixels around,
        never out on the background, except across the gap between the legs: a skirt or long dress
        hangs over it rather than splitting into trouser legs.
        """
        height, width = parse.labels.shape
        skin = parse.mask("skin")
        front = (parse.mask("hair") | parse.mask("accessories") | shoes(parse, shopper)) & ~old  # not a patch on it
        ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
        neck = shopper.points["neck"]
        down = shopper.spine[1] - shopper.spine[0]
        down = down / max(float(np.linalg.norm(down)), 1e-6)
        below = (xs - neck[0]) * down[0] + (ys - neck[1]) * down[1]
        aside = np.abs((xs - neck[0]) * down[1] - (ys - neck[1]) * down[0])
        width_unit = shopper.shoulder_width
        above_shoulders = below < -0.12 * width_unit
        neck_column = (below < 0.05 * width_unit) & (aside < 0.3 * width_unit)
        arms = limb_areas(shopper, (height, width), "arm", 1.3)
        person = parse.mask("person") | body.person_mask
        neckline = above_neckline(old) & (below < LEVELS["waist"] * shopper.torso)
        skin_zone = (above_shoulders | neck_column | arms | neckline) & person
        front |= (skin | missed_skin(pixels, skin, skin_zone)) & skin_zone
        legs = limb_areas(shopper, (height, width), "leg", 1.2)
        allowed = _grow(person, max(2, int(0.03 * width_unit))) | _row_spans(legs & person)
        return front, allowed

    # 6 ---------------------------------------------------------------------------------------
    def refill(self, pixels: np.ndarray, parse: Parse, body: Body, shopper: Frame, old: np.ndarray,
               new_region: np.ndarray, front: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(pixels with the uncovered old garment refilled, the refilled mask).

        Background is continued by inpainting from the background alone (the person is unknown
        too, so no garment colour bleeds in). Skin goes where a limb (capsules along the arm and
        leg landmarks) or the torso is: the shopper's own limb skin colour, shaded round across
        each limb, its edge blended into the background fill.
        """
        import cv2

        height, width = old.shape
        unit = shopper.shoulder_width
        # The parse's outline is a little tight: its last pixels of old garment go too.
        bare = _grow(old, max(2, int(0.02 * unit))) & ~front & ~new_region
        skin = parse.mask("skin")
        bare &= old | ~skin
        # ... and is a few pixels off against bare skin: what there already looks like the
        # shopper's skin stays as it is (real skin beats a repainted one).
        bare &= ~(_grow(skin, max(2, int(0.03 * unit))) & looks_like_skin(pixels, skin))
        out = pixels.copy()
        if not bare.any():
            return out, bare

        person = parse.mask("person") | body.person_mask
        known = ~person & ~bare
        painted = mirror_fill(pixels, bare, known)
        painted = np.where(bare[..., None], cv2.GaussianBlur(painted, (0, 0), 0.8), painted)
        grain = float(np.clip(photo_grain(pixels, known), *GRAIN))
        painted += _grain((height, width), grain, seed=2)[..., None]
        out[bare] = painted[bare]

        legs_scale = leg_width_scale(skin | parse.mask("legwear"), shopper, old)
        depth, torso = body_regions(shopper, (height, width), legs_scale)
        skin_zone = bare & ((depth > 0) | torso)
        if skin_zone.any():
            colour = skin_colour(pixels, skin, depth > 0, torso)
            roundness = self.skin_form(depth, torso, new_region, unit)
            # The scene's light where the old garment was (broad shadows, not its print or folds).
            light = _soften(luminance(pixels), SKIN_LIGHT_BLUR * unit)
            ratio = np.clip(light / max(float(np.median(light[skin_zone])), 1e-3), *SKIN_LIGHT_RANGE)
            roundness = roundness * (1.0 + SKIN_LIGHT * (ratio - 1.0))
            grain = _grain((height, width), float(np.clip(photo_grain(pixels, skin), *GRAIN)), seed=1)
            tone = colour[None, None, :] * roundness[..., None] + grain[..., None]
            alpha = np.where(torso, 1.0, np.clip(depth * 3.0, 0.0, 1.0))
            alpha = _soften(alpha * skin_zone, 1.0)[..., None]
            out[bare] = (tone * alpha + out * (1 - alpha))[bare]
        return out, bare

    @staticmethod
    def skin_form(depth: np.ndarray, torso: np.ndarray, new_region: np.ndarray, unit: float) -> np.ndarray:
        """How much light refilled skin gets from its shape alone (about 1 on a limb's or the
        torso's crest): darker towards each edge like a lit cylinder, a faint mottle so it is not
        one flat tone, and a soft shadow where the new garment lies on it."""
        import cv2

        inside = cv2.distanceTransform(torso.astype(np.uint8), cv2.DIST_L2, 5)
        torso_depth = 1.0 - (1.0 - np.clip(inside / (SKIN_TORSO_CURVE * unit), 0.0, 1.0)) ** 2
        form = np.maximum(depth, torso_depth)
        roundness = _soften(SKIN_EDGE + (SKIN_CREST - SKIN_EDGE) * form, 1.5)  # Lambert: light ~ the surface's facing
        mottle = _soften(_grain(form.shape, 1.0, seed=3), SKIN_MOTTLE_SIZE * unit)
        roundness *= 1.0 + SKIN_MOTTLE * mottle / max(float(mottle.std()), 1e-6)
        gap = cv2.distanceTransform((~new_region).astype(np.uint8), cv2.DIST_L2, 5)
        return roundness * (1.0 - CONTACT_SHADOW * np.exp(-gap / (CONTACT_SHADOW_REACH * unit)))

    # 7 ---------------------------------------------------------------------------------------
    def shade(self, pixels: np.ndarray, refilled: np.ndarray, colour: np.ndarray, new_region: np.ndarray,
              old: np.ndarray, bare: np.ndarray, rgb: Image.Image, unit: float) -> Image.Image:
        """The new garment lit by the photo: the old garment's light and folds (blurred by 6 % of a
        shoulder width, so its print does not carry over) darken it in shadows; in highlights
        it is lifted part of the way towards white (half a screen blend), so a dark garment keeps
        its colour and shading makes no new pure white."""
        light = _soften(luminance(pixels), max(shading_blur_radius(rgb), 0.06 * unit))
        reference = float(np.median(light[old])) if old.any() else 128.0
        ratio = np.clip(light / max(reference, 1e-3), 0.3, 1.8)
        weight = _soften(old.astype(np.float32), 4.0)  # fold light only where the old garment was
        shade = (1.0 + self.shading * weight * (ratio - 1.0))[..., None]
        lift = HIGHLIGHT_LIFT * (255.0 - colour) * (1.0 - 1.0 / np.maximum(shade, 1.0))
        lit = np.where(shade <= 1.0, colour * shade, colour + lift)
        alpha = inward_feather(new_region, self.feather)[..., None]
        out = refilled * (1 - alpha) + lit * alpha
        changed = new_region | bare
        result = np.asarray(rgb).copy()
        result[changed] = np.clip(out[changed] + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(result)
