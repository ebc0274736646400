"""One cut-out for every engine: the garment out of its photo, with its silhouette and holes.

A product shot on a plain background is separated by its border colour; a photo of someone
wearing the garment is parsed and the garment class is cut out, and the wearer's body is kept
(the parse's person, and BlazePose's landmarks when the engine asks for them). Either way the
answer is cropped to the garment, and ``holes`` are where an arm, a hand or a bag covered it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from studio.body import Body, NoPersonError
from studio.composite import InkMatch
from studio.errors import InputError
from studio.masks import close, grow, largest_parts, row_extents
from studio.parsing import CLASS_NAMES, Parse, garment_mask
from studio.tryon.base import CATEGORIES, PhotoParser
from studio.tryon.skin import missed_skin

MIN_GARMENT_PIXELS = 1500  # a cut-out smaller than this has too little to warp
MIN_GARMENT_HEIGHT = 40
LARGEST_PART_SHARE = 0.05  # parts of the garment this share of its largest part stay (a dress cut in two by an arm)
# Finds the wearer's body in a worn garment's photo, given the parse's person mask.
WearerFinder = Callable[[Image.Image, np.ndarray], Body]


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
    box: tuple[slice, slice]  # where the crop lies in the garment image (rows, columns)
    wearer: Body | None = None  # the person wearing it (worn garments, when landmarks were asked for)
    wearer_mask: np.ndarray | None = None  # the parse's person wearing it (worn garments), in the crop


NEAR_BACKGROUND = 28.0  # colour distance from a product shot's background that still counts as it


PLAIN_SHARE = 0.55  # a border is plain when at least this share of it lies near its commonest colour


def plain_background_colour(pixels: np.ndarray, band: float = 0.03, max_spread: float = 18.0) -> np.ndarray | None:
    """The background colour when the border is plain (a product shot), else None.

    The border's commonest colour (its pixels binned by 16 levels a channel) stands for the
    background; the border is plain when at least ``PLAIN_SHARE`` of it lies within ``max_spread``
    of that colour. So a garment cropped tightly enough to touch the border on several sides, or a
    few stray pixels, still leave a product shot, while a street scene's border never agrees on one
    colour.
    """
    h, w = pixels.shape[:2]
    b = max(2, int(min(h, w) * band))
    border = np.concatenate([pixels[:b].reshape(-1, 3), pixels[-b:].reshape(-1, 3),
                             pixels[:, :b].reshape(-1, 3), pixels[:, -b:].reshape(-1, 3)])
    bins = np.clip(border // 16, 0, 15).astype(np.int64) @ np.array([256, 16, 1])
    commonest = border[bins == np.bincount(bins).argmax()]
    colour = np.median(commonest, axis=0)
    near = np.linalg.norm(border - colour, axis=1) <= max_spread
    return np.median(border[near], axis=0) if near.mean() >= PLAIN_SHARE else None


def product_foreground(pixels: np.ndarray, background: np.ndarray) -> np.ndarray:
    """What differs from a product shot's plain background (by more than NEAR_BACKGROUND), specks removed."""
    from scipy import ndimage

    return ndimage.binary_opening(np.linalg.norm(pixels - background, axis=2) > NEAR_BACKGROUND, iterations=2)



def crop_box(mask: np.ndarray) -> tuple[tuple[slice, slice], int]:
    """(box around ``mask`` with room for closing its outline, that closing radius: 3.5 % of its height)."""
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    radius = max(2, int(0.035 * (rows[-1] - rows[0] + 1)))
    margin = radius + 2
    return (slice(max(rows[0] - margin, 0), rows[-1] + margin + 1),
            slice(max(cols[0] - margin, 0), cols[-1] + margin + 1)), radius


def check_size(found: np.ndarray, what: str) -> None:
    """Refuse a garment too small to warp, naming the limits."""
    rows = np.flatnonzero(found.any(axis=1))
    if found.sum() < MIN_GARMENT_PIXELS or rows.size < MIN_GARMENT_HEIGHT:
        raise GarmentTooSmallError(
            f"The {what} in the garment image is too small to use ({int(found.sum())} px; at least "
            f"{MIN_GARMENT_PIXELS} px and {MIN_GARMENT_HEIGHT} px tall); use a larger or closer photo.")


EDGE_RING = 0.004  # the cut-out's outermost pixels (this share of its long side) take the fabric's colour
TEXTURE_HOLE = 30  # holes at least this big (px) are filled with the fabric's own texture, smaller ones diffused
FRINGE_BAND = 0.008  # within this share of the long side of the outline (about the parse's resolution step),
# background carried along is repainted
STRAND_REACH = 0.08  # the first wearer's hair may hang this share of the photo's long side past the parse's hair
STRAND_HAIR = 0.02  # ... where the parser still gives it at least this much hair
IN_FRONT_SHARE = 0.3  # hair or an accessory at least this likely is the first wearer's, not the garment


def wearer_in_front(worn: Parse, pixels: np.ndarray) -> np.ndarray:
    """What of the first wearer lies over the garment in its photo and must not come along: hair and
    accessories (scarf, bag, strap) by the parser's probability even where the garment won the
    argmax, and hands or arms that look like the wearer's own skin and touch it (``missed_skin``).
    These become holes of the cut-out, filled from the garment's own fabric."""
    front = worn.mask("hair") | worn.mask("accessories")
    if worn.probabilities is not None:
        for name in ("hair", "accessories"):
            front |= worn.probabilities[CLASS_NAMES.index(name)] >= IN_FRONT_SHARE
    skin = worn.mask("skin")
    hair_probability = None if worn.probabilities is None else worn.probabilities[CLASS_NAMES.index("hair")]
    front |= hair_strands(pixels, front & ~worn.mask("accessories"), garment_mask(worn, ["clothing"]), hair_probability)
    return front | skin | missed_skin(pixels, skin, ~skin)


def hair_strands(pixels: np.ndarray, hair: np.ndarray, garment: np.ndarray,
                 hair_probability: np.ndarray | None = None) -> np.ndarray:
    """Long hair hanging over the garment below where the parser's hair ends: garment pixels within
    STRAND_REACH of the photo's long side of the hair that show the hair's colour rather than the
    garment's own further away (:meth:`composite.InkMatch.nearer`), that the parser gives at least
    STRAND_HAIR of hair (so a strap in the hair's colour is no strand), in strands joined to the hair."""
    from scipy import ndimage

    if not hair.any() or not garment.any():
        return np.zeros_like(hair)
    near = garment & ~hair & (ndimage.distance_transform_edt(~hair) <= STRAND_REACH * max(hair.shape))
    if hair_probability is not None:
        near &= hair_probability >= STRAND_HAIR
    strands = InkMatch(pixels).nearer(near, hair, garment & ~near & ~hair)
    parts, _ = ndimage.label(strands | hair)
    return strands & np.isin(parts, np.unique(parts[hair]))


def cut_out(garment_image: Image.Image, category: str, parser: PhotoParser | None,
            find_wearer: WearerFinder | None = None) -> GarmentCutOut:
    """The garment, cropped out of its photo, with its silhouette and holes; ``find_wearer`` adds
    the wearer's landmarks to a worn garment."""
    rgb = garment_image.convert("RGB")
    pixels = np.asarray(rgb, dtype=np.float32)
    background = plain_background_colour(pixels)
    if background is not None:
        return _cut_out_product(pixels, background)
    return _cut_out_worn(rgb, pixels, category, parser, find_wearer)


def _cut_out_product(pixels: np.ndarray, background: np.ndarray) -> GarmentCutOut:
    found = product_foreground(pixels, background)
    check_size(found, "product shot")
    found = largest_parts(found, LARGEST_PART_SHARE)
    box, radius = crop_box(found)
    found = found[box]
    silhouette = close(found, radius)
    return GarmentCutOut(pixels[box], silhouette, silhouette & ~found, "product shot", box)


def _cut_out_worn(rgb: Image.Image, pixels: np.ndarray, category: str, parser: PhotoParser | None,
                  find_wearer: WearerFinder | None) -> GarmentCutOut:
    if parser is None:
        raise BusyBackgroundError("The garment image has a busy background; a garment parser is needed to cut it out.")
    worn = parser.predict(rgb)
    person = garment_mask(worn, ["person"])
    if (worn.mask("skin") | worn.mask("hair")).mean() < 0.02:
        raise BusyBackgroundError("The garment image has a busy background but no person wearing the garment; "
                                  "use a product shot on a plain background or a photo of someone wearing it.")
    wearer = None
    if find_wearer is not None:
        try:
            wearer = find_wearer(rgb, person)
        except NoPersonError:
            raise NoPersonError("No person was found wearing the garment in the garment photo; use a product shot "
                                "on a plain background or a photo of someone wearing it.") from None
    front = wearer_in_front(worn, pixels)
    found = largest_parts(garment_mask(worn, CATEGORIES[category]) & ~front, LARGEST_PART_SHARE)
    check_size(found, category)
    box, radius = crop_box(found)
    found, in_front = found[box], person[box] & ~found[box]
    # What lay in front of the garment belongs to it where the garment's outline (closed, or its
    # sides carried over the rows a scarf or an arm hides at the edge) runs round it.
    covered = in_front & front[box]
    silhouette = found | (close(found, radius) & in_front) | (outline_span(found, covered) & covered)
    if wearer is not None:
        landmarks = wearer.landmarks.copy()
        landmarks[:, 0] -= box[1].start
        landmarks[:, 1] -= box[0].start
        wearer = Body(landmarks, wearer.person_mask[box])
    return GarmentCutOut(pixels[box], silhouette, silhouette & ~found, "worn", box, wearer, person[box])


def outline_span(mask: np.ndarray, cover: np.ndarray) -> np.ndarray:
    """What lies past a row's own sides up to where its sides would be if ``cover`` did not hide them
    (the pixel just past a side is covered: a scarf or an arm over the garment's edge): those sides
    come from the nearest rows above and below whose side shows, so a notch bitten out of the
    outline is spanned again, while the inside of a row (a neckline, the gap between straps) is not."""
    present, left, right = row_extents(mask)
    rows = np.flatnonzero(present)
    if rows.size == 0:
        return mask
    width = mask.shape[1]
    all_rows = np.arange(mask.shape[0])
    sides = []
    for side, step in ((left, -1), (right, 1)):
        beyond = np.clip(side.astype(int) + step, 0, width - 1)
        shows = present & ~cover[all_rows, beyond]
        known = np.flatnonzero(shows) if shows.any() else rows
        sides.append(np.interp(all_rows, known, side[known]))
    columns = np.arange(width)[None, :]
    inside = np.zeros(mask.shape[0], bool)
    inside[rows[0]:rows[-1] + 1] = True
    own_left, own_right = np.where(present, left, width)[:, None], np.where(present, right, -1)[:, None]
    beyond = ((columns >= sides[0][:, None]) & (columns < own_left)) | \
             ((columns > own_right) & (columns <= sides[1][:, None]))
    return inside[:, None] & beyond


def fill_holes(cut: GarmentCutOut) -> np.ndarray:
    """The garment's colours with its holes painted from the fabric inside, and its edge cleaned.

    The outermost ring (EDGE_RING of the long side) is mixed with the white of a product shot or
    the first wearer's background, a light halo once worn, and is always repainted; so is the
    background a worn garment's cut-out carried along (:func:`carried_background`). Painting is
    OpenCV's Telea inpainting from the garment only (everything outside the silhouette is unknown
    as well, so background never bleeds in), and holes of TEXTURE_HOLE px or more then take the
    fabric's own texture (:func:`texture_fill`); only the repainted pixels are taken from it."""
    import cv2

    long_side = max(cut.silhouette.shape)
    core = _eroded(cut.silhouette, max(1, round(EDGE_RING * long_side)))
    if not core.any():
        return cut.pixels
    source = np.clip(cut.pixels + 0.5, 0, 255).astype(np.uint8)
    repaint = cut.holes | (cut.silhouette & ~core)
    if cut.source == "worn":
        repaint |= carried_background(cut, source)
    if not repaint.any():
        return cut.pixels
    keep = cut.silhouette & ~repaint
    painted = cv2.inpaint(source, (~keep).astype(np.uint8), 5, cv2.INPAINT_TELEA).astype(np.float32)
    painted = texture_fill(cut.pixels, painted, repaint & core, keep)
    return np.where(repaint[..., None], painted, cut.pixels)


def texture_fill(pixels: np.ndarray, smooth: np.ndarray, holes: np.ndarray, known: np.ndarray) -> np.ndarray:
    """``smooth`` (a diffusion fill of the holes, which smears a print) with the fabric's own texture
    in every hole of at least TEXTURE_HOLE px: the hole's pixels are copied from the garment at the
    offset whose surroundings best match the hole's own ring (sum of squared differences over a grid
    of offsets, the copied patch wholly on known fabric), and shifted by the diffused difference
    between the ring and the copy's ring, so the patch carries the print's detail while meeting its
    surroundings without a seam (a guided fill: texture from the copy, broad colour from around)."""
    import cv2
    from scipy import ndimage

    out = smooth.copy()
    parts, _ = ndimage.label(holes)
    height, width = holes.shape
    for index, (rows, cols) in enumerate(ndimage.find_objects(parts), start=1):
        hole = parts[rows, cols] == index
        if hole.sum() < TEXTURE_HOLE:
            continue
        ring_width = max(2, round(0.15 * max(hole.shape)))
        y0, y1 = max(rows.start - ring_width, 0), min(rows.stop + ring_width, height)
        x0, x1 = max(cols.start - ring_width, 0), min(cols.stop + ring_width, width)
        box_hole = parts[y0:y1, x0:x1] == index
        ring = grow(box_hole, ring_width) & ~box_hole & known[y0:y1, x0:x1]
        if ring.sum() < 20:
            continue
        patch = box_hole | ring
        ys, xs = np.nonzero(patch)
        ry, rx = np.nonzero(ring)
        reach = 3 * max(y1 - y0, x1 - x0)
        step = max(1, reach // 12)
        best, best_cost = None, np.inf
        for dy in range(-reach, reach + 1, step):
            for dx in range(-reach, reach + 1, step):
                if abs(dy) < (y1 - y0) and abs(dx) < (x1 - x0):
                    continue  # the copy would overlap the hole itself
                if y0 + dy < 0 or x0 + dx < 0 or y1 + dy > height or x1 + dx > width:
                    continue  # the copy's whole box must lie in the image
                sy, sx = ys + y0 + dy, xs + x0 + dx
                if not known[sy, sx].all():
                    continue
                cost = float(((pixels[ry + y0 + dy, rx + x0 + dx] - pixels[ry + y0, rx + x0]) ** 2).mean())
                if cost < best_cost:
                    best, best_cost = (dy, dx), cost
        if best is None:
            continue
        dy, dx = best
        copy = pixels[y0 + dy:y1 + dy, x0 + dx:x1 + dx]
        difference = np.clip(pixels[y0:y1, x0:x1] - copy + 128.0, 0, 255).astype(np.uint8)
        unknown = (~ring).astype(np.uint8)
        correction = cv2.inpaint(difference, unknown, 3, cv2.INPAINT_TELEA).astype(np.float32) - 128.0
        region = out[y0:y1, x0:x1]
        region[box_hole] = (copy + correction)[box_hole]
    return out


def carried_background(cut: GarmentCutOut, source: np.ndarray) -> np.ndarray:
    """Pixels within FRINGE_BAND of a worn garment's outline whose colour is nearer to what lies just
    outside it than to the fabric further in: the parse's outline is drawn at a fraction of the
    photo's resolution and runs a few pixels onto the background. (A product shot's own outline is
    exact, and a white trim at its edge must stay, so only its anti-aliased ring is repainted.)"""
    import cv2

    inner = _eroded(cut.silhouette, max(1, round(FRINGE_BAND * max(cut.silhouette.shape))))
    if not inner.any():
        return np.zeros_like(cut.silhouette)
    inside = cv2.inpaint(source, (~inner | cut.holes).astype(np.uint8), 5, cv2.INPAINT_TELEA).astype(np.float32)
    outside = cv2.inpaint(source, cut.silhouette.astype(np.uint8), 5, cv2.INPAINT_TELEA).astype(np.float32)
    nearer_outside = np.linalg.norm(cut.pixels - outside, axis=2) < np.linalg.norm(cut.pixels - inside, axis=2)
    return cut.silhouette & ~inner & ~cut.holes & nearer_outside


def _eroded(mask: np.ndarray, radius: int) -> np.ndarray:
    import cv2

    return cv2.erode(mask.astype(np.uint8), np.ones((2 * radius + 1,) * 2, np.uint8)) > 0
