"""Put a fabric onto a garment in a photo so that it looks worn, not pasted.

:func:`prepare_dress` does the work that depends only on the photo and the garment, once:

* the chosen area: the garment (widened to pixels where the parser leans to it) less what is in
  front of it: hair, skin and hands (the parse's skin near the body's wrists), bags, straps and
  belts (the parse's accessory *probability*, even where it is not the argmax), and garment pixels
  next to hair or a bag that show its inks, not the garment's; nothing outside the body's person
  mask, save the parse's own person pixels joined to it (a loose coat's flap the mask misses);
* a soft alpha at its outline, by closed-form matting (Levin et al. 2008, ``pymatting``) of a
  trimap around it, and what lies just past the outline, so that each edge pixel is remade from that
  and the new cloth and keeps no fringe of the old colour;
* the garment's light: its luminance divided by the ink under each pixel (:func:`garment_inks`, each
  garment of the choice with its own inks, so the old print does not shade the new one), over its
  median; of its fine detail only what runs one way like a fold (:func:`fold_likeness`), so what the
  division left of a busy print does not mottle the new one; its fine texture (a high-pass of that
  light, held faint), and the fold field that bends the print;
* the surface coordinates (``studio.surface``): the print follows the body's cross-section, lean
  and flare.

:meth:`DressPrep.apply` then lays a fabric on it at a scale and rotation in a fraction of that
time. Pixels outside the chosen area and its soft edge are left byte-identical.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from studio import masks
from studio.body import Body
from studio.errors import InputError
from studio.masks import grow, luminance, normalised_blur, push_pull_fill, soften
from studio.parsing import CLASS_NAMES, MAIN_PART_SHARE, Parse, class_ids, garment_mask, near_person
from studio.pattern import make_seamless
from studio.surface import Surface, TorsoAxis, stretch, surface_coordinates, with_sleeves


def shading_map(pixels: np.ndarray, mask: np.ndarray, strength: float, smooth: float) -> np.ndarray:
    """Garment luminance divided by its median inside ``mask``: >1 in highlights, <1 in folds.

    ``smooth`` blurs away the old fabric's print while keeping folds; ``strength`` 0 gives a flat 1.
    """
    light = soften(luminance(pixels), smooth)
    reference = float(np.median(light[mask])) if mask.any() else 1.0
    ratio = np.clip(light / max(reference, 1e-3), 0.15, 2.0)
    return 1.0 + strength * (ratio - 1.0)


def shaded_cloth(colour: np.ndarray, light: np.ndarray) -> np.ndarray:
    """Cloth of ``colour`` (float RGB, N x 3 or H x W x 3) under ``light`` (1 = the garment's median):
    darkened in proportion in shadows; in highlights lifted HIGHLIGHT_LIFT of the way a screen blend
    would, so a dark print catches a sheen instead of staying as dark, and a pale one is not burnt
    to pure white."""
    shade = np.asarray(light, np.float32)[..., None]
    lift = HIGHLIGHT_LIFT * (255.0 - colour) * (1.0 - 1.0 / np.maximum(shade, 1.0))
    return np.where(shade <= 1.0, colour * shade, colour + lift)


def check_parse_matches(photo: Image.Image, parse: Parse) -> None:
    """Refuse a parse made for another photo (a different size)."""
    if parse.labels.shape != (photo.height, photo.width):
        raise InputError(f"The parse is {parse.labels.shape[1]}x{parse.labels.shape[0]} but the photo is "
                         f"{photo.width}x{photo.height}; parse this photo first.")


def shading_blur_radius(photo: Image.Image) -> float:
    """Blur that removes an old fabric's fine print but keeps folds, scaled with the photo."""
    return max(1.0, min(photo.size) / 300)



# What is in front of the garment: a pixel stays untouched where the parser gives its class at least
# the first probability, or at least the second in one piece with such a pixel (a strap running to
# its bag, a strand to the hair; tools/dress_measures.py on CCP validation photos).
IN_FRONT = {"hair": (0.4, 0.25), "accessories": (0.4, 0.25), "skin": (0.5, 0.5)}
MIN_INK_PIXELS = 50  # a region's inks are read from at least this many pixels
FRONT_BLUR = 1.0  # px: hair's and bags' inks are told from the garment's on the photo blurred this much
BESIDE_REACH = 0.02  # pixels within this share of the photo's long side of the garment may be its cloth
HAND_SKIN = 0.15  # near a wrist, skin this likely is the hand
HAND_REACH = 1.5  # a hand lies within this many wrist-to-knuckle lengths of its centre
WIDEN = 0.35  # pixels next to the garment where its classes reach this probability join it
BEHIND_ALPHA = 0.1  # edge pixels covered less than this show what lies behind the garment as it is
EDGE_MAYBE = 0.1  # pixels past the outline the parser gives the garment this much join the matting's unknown band
EDGE_BAND = 0.005  # the trimap's unknown band: this share of the photo's long side either side of the outline
SMALL_HOLE = 0.02  # holes in the garment smaller than this share of it are the garment (parse specks)
LIGHT_SMOOTHING = 1.0  # the light is the ink-free luminance blurred by this many shading_blur_radius
INK_MAX, INK_GAP, INK_SPLIT = 4, 0.25, 0.6  # a print has at most this many inks, this far apart (ink_features),
# each split leaving at most this share of the squared spread
INK_LIGHTNESS = 0.3  # weight of log-luminance beside the log-chromaticities (a fold's shadow is no ink of its own)
CORE_SHARE = 0.3  # the network's own dress pixels must be this share of a decided dress to be its core
SAME_CLOTH = 0.7  # a touching piece of another garment class is the dress's own cloth with this share of its inks
INK_MIN_SHARE = 0.03  # an ink covers at least this share of the garment
PIECE_SHARE = 0.1  # a garment class with this share of the chosen area has its own inks (garment_pieces)
INK_SAMPLE = 20000  # garment pixels the inks are found from
INK_STEADY = 0.02  # an ink's lightness wanders at least this much (median deviation over median): camera noise
DARK_INK = 0.5  # an ink darker than this share of the brightest tells less of the light (weighted down)
LIT_RANGE = (0.2, 2.5)  # luminance over ink beyond these is a misread ink, not light
TEXTURE_CLIP = 0.12  # the old garment's fine texture, as a share of its median luminance, at most
BROAD_LIGHT = 6.0  # the light blurred by this many shading_blur_radius is the scene's, without any fold's detail
FOLD_SCALE = 4.0  # ... and whether the detail over it runs one way (a fold) is judged over this many
FOLD_COHERENCE = (0.3, 0.7)  # light detail this one-directional (structure-tensor coherence) is a fold: 0 to 1
TEXTURE_FAINT = 0.03  # ... and its robust spread over the garment at most this (a busy print's leftovers are no weave)
HIGHLIGHT_LIFT = 0.5  # highlights lift cloth this share of the way a screen blend would (never to white)
FOLD_WARP = 0.003  # default fold bend: this share of the photo's long side (pixels at the steepest folds)
FORM_SHADING = 0.3  # cloth turning away from the camera darkens by this share at the outline (Lambert, cos 72°)
PRINT_SOFTNESS = 0.15  # the print is read at least this much from its 1-px blur (half was softer than the photo)
CHROMA_PERCENTILE = 95  # the print is no more colourful than the photo at this percentile of their pixels,
MIN_CHROMA_KEPT = 0.6  # ... but keeps at least this share of its own chroma (a grey street is no grey dress)
SEAM_RATIO = 1.5  # a fabric whose wrap-around edges differ this much more than neighbouring pixels is made seamless
SEAM_SMOOTHING = 0.01  # a seam between garments is smoothed over this share of the long side
SEAM_JUMP = 3.0  # cloth px: coordinates read between two pixels this far apart straddle a seam between panels
GARMENT_SHIFT = (0.37, 0.23)  # a second garment's print starts this share of the area's width and height on
TORSO_LANDMARKS = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
SEEN = 0.3  # landmarks this visible place the torso axis and the hands
MAX_LEAN = 35.0  # degrees; a steeper "torso" is a misread pose, and the print stays upright


def _probabilities(parse: Parse) -> np.ndarray:
    """The parse's class probabilities (C, H, W), or its labels one-hot when it has none."""
    if parse.probabilities is not None:
        return parse.probabilities
    return (parse.labels[None] == np.arange(len(CLASS_NAMES))[:, None, None]).astype(np.float32)


def _share(probabilities: np.ndarray, name: str) -> np.ndarray:
    return probabilities[list(class_ids(name))].sum(axis=0)


def hands(probabilities: np.ndarray, body: Body) -> np.ndarray:
    """The shopper's hands: likely skin near the body's wrists and knuckles (a colour test would take
    a beige dress for a hand)."""
    import cv2

    height, width = probabilities.shape[1:]
    likely = probabilities[CLASS_NAMES.index("skin")] >= HAND_SKIN
    near = np.zeros((height, width), np.uint8)
    for side in ("left", "right"):
        names = [f"{side}_{part}" for part in ("wrist", "index", "pinky", "thumb")]
        if body.visibility(names[0]) < SEEN:
            continue
        points = np.array([body.point(name) for name in names])
        centre = points.mean(axis=0)
        reach = max(HAND_REACH * float(np.hypot(*(points[1] - points[0]))), 0.02 * max(height, width))
        cv2.circle(near, (round(centre[0]), round(centre[1])), round(reach), 1, -1)
    return likely & near.astype(bool)


def in_front(parse: Parse, body: Body | None, garment: np.ndarray | None = None) -> np.ndarray:
    """Pixels never to paint: hair, skin, hands and accessories over the garment (see IN_FRONT).
    Given the ``garment``, a small patch of "skin" that it wholly encloses, away from the hands,
    is a parse error on the garment (a blouse's pale fold), not skin showing through."""
    from scipy import ndimage

    probabilities = _probabilities(parse)
    front = np.zeros(parse.labels.shape, bool)
    for name, (sure, likely) in IN_FRONT.items():
        probability = probabilities[CLASS_NAMES.index(name)]
        parts, _ = ndimage.label(probability >= likely)
        found = np.isin(parts, np.unique(parts[probability >= sure])) & (parts > 0)
        if name == "skin" and garment is not None:
            found &= ~_enclosed_islands(found, garment)
        front |= found
    if body is not None:
        front |= hands(probabilities, body)
    return front


def garment_beside(match: InkMatch, parse: Parse, body: Body | None, front: np.ndarray, region: np.ndarray,
                   allowed: np.ndarray, reach: float) -> np.ndarray:
    """Old garment the parse left out at its edge: pixels within ``reach`` px of the garment that show
    the garment's own inks rather than those of what the parse calls them (``match``'s :meth:`InkMatch.nearer`,
    against that class's pixels further away): a bag or strap in front (``front`` where the parse leans
    to accessories), the surroundings of the body's hands (against the skin) and, on the body's person
    mask, background. Pixels the parse finds likely hair or skin are never taken. The parser draws a bag
    a few pixels into the skirt beside it and misses a strip of a patterned dress beside the hips; that
    old cloth would show beside the new print. Other garments, legwear and shoes are never taken: a
    twin set's cardigan, or shoes, in the garment's own colour cannot be told from it by colour (blind
    judges saw the print swallow shoes and toes). Without a person mask neither can a wall."""
    from scipy import ndimage

    probabilities = _probabilities(parse)
    hair_or_skin = (probabilities[CLASS_NAMES.index("hair")] >= IN_FRONT["hair"][1]) | \
        (probabilities[CLASS_NAMES.index("skin")] >= IN_FRONT["skin"][1])
    near = (ndimage.distance_transform_edt(~region) <= reach) & allowed & ~hair_or_skin
    garment = region & ~front
    if garment.sum() < MIN_INK_PIXELS:
        return np.zeros_like(region)
    inks = match.inks(garment)
    bags = front & (probabilities[CLASS_NAMES.index("accessories")] >= IN_FRONT["accessories"][1])
    found = match.nearer(bags & near, inks, bags & ~near)
    if body is not None:
        around_hands = hands(probabilities, body) & ~parse.mask("skin")
        found |= match.nearer(around_hands & near, inks, parse.mask("skin"))
        background = parse.mask("background") & ~front & body.person_mask
        found |= match.nearer(background & near, inks, background & ~near)
    return found


def in_front_beside(pixels: np.ndarray, parse: Parse, front: np.ndarray, region: np.ndarray, reach: float) -> np.ndarray:
    """Garment pixels within ``reach`` px of hair or a bag in front of it that show that hair's or bag's own
    inks rather than those of the garment class the parser gave them, further away (:meth:`InkMatch.nearer`
    on the photo blurred by a pixel, so a mesh clutch's black and silver read as its grey), joined to it:
    the parser draws jeans a few pixels into a silver clutch held against them. An ink that garment also
    shows is never taken."""
    import cv2
    from scipy import ndimage

    probabilities = _probabilities(parse)
    match = InkMatch(cv2.GaussianBlur(pixels.astype(np.float32), (0, 0), FRONT_BLUR))
    found = np.zeros_like(region)
    garment = region & ~front
    for name in ("hair", "accessories"):
        piece = front & (probabilities[CLASS_NAMES.index(name)] >= IN_FRONT[name][0])
        if piece.sum() < MIN_INK_PIXELS:
            continue
        near = garment & (ndimage.distance_transform_edt(~piece) <= reach)
        taken = np.zeros_like(region)
        for label in np.unique(parse.labels[near]):
            cloth = parse.labels == label
            taken |= match.nearer(near & cloth, piece, garment & cloth & ~near)
        parts, _ = ndimage.label(taken | piece)
        found |= taken & np.isin(parts, np.unique(parts[piece]))
    return found


def _held_in_front(parse: Parse, front: np.ndarray, region: np.ndarray) -> np.ndarray:
    """Hands and bags in front of the garment, whole (not hair, which may hang far beside it): the
    garment goes on behind them, so its cross-section spans them."""
    from scipy import ndimage

    parts, count = ndimage.label(front & ~parse.mask("hair"))
    if count == 0:
        return np.zeros_like(front)
    touching = np.unique(parts[grow(region, 1) & (parts > 0)])
    return np.isin(parts, touching)


def _enclosed_islands(mask: np.ndarray, garment: np.ndarray) -> np.ndarray:
    """Parts of ``mask`` inside ``garment``'s outline that touch nothing outside it, each smaller
    than SMALL_HOLE of the garment."""
    from scipy import ndimage

    outside = ~ndimage.binary_fill_holes(garment)
    parts, count = ndimage.label(mask)
    if count == 0:
        return np.zeros_like(mask)
    reaching_out = np.unique(parts[grow(outside, 1)])
    sizes = np.bincount(parts.ravel(), minlength=count + 1)
    islands = np.setdiff1d(np.flatnonzero(sizes < SMALL_HOLE * garment.sum()), reaching_out)
    return np.isin(parts, islands[islands > 0])


def torso_axis(body: Body | None, silhouette: np.ndarray) -> TorsoAxis:
    """Shoulders' midpoint toward the hips' midpoint, or upright when the body does not show them."""
    if body is None or min(body.visibility(name) for name in TORSO_LANDMARKS) < SEEN:
        return TorsoAxis.upright(silhouette)
    shoulders, hips = (np.mean([body.point(f"{side}_{part}") for side in ("left", "right")], axis=0)
                       for part in ("shoulder", "hip"))
    down = hips - shoulders
    length = float(np.hypot(*down))
    if length < 1 or abs(np.degrees(np.arctan2(down[0], down[1]))) > MAX_LEAN:
        return TorsoAxis.upright(silhouette)
    return TorsoAxis((float(shoulders[0]), float(shoulders[1])), (float(down[0] / length), float(down[1] / length)),
                     length)


def _sleeves_bent(surface: Surface, garment: np.ndarray, body: Body | None) -> Surface:
    """The surface with the print bent down the sleeves (``surface.with_sleeves``) where the body shows its
    shoulders, hips and elbows. An arm's sleeve lies beyond the line from its hip through its shoulder (the
    torso's side), above the hips (below them hang the skirt and the trousers)."""
    if body is None or min(body.visibility(name) for name in TORSO_LANDMARKS) < SEEN:
        return surface
    height, width = garment.shape
    ys, xs = np.mgrid[:height, :width].astype(np.float32)
    hips = np.mean([body.point("left_hip"), body.point("right_hip")], axis=0)
    centre = np.mean([body.point(f"{s}_{p}") for s in ("left", "right") for p in ("shoulder", "hip")], axis=0)
    shoulders = np.array([body.point("left_shoulder"), body.point("right_shoulder")])
    down = hips - shoulders.mean(axis=0)
    down /= max(float(np.hypot(*down)), 1e-6)
    above_hips = (xs - hips[0]) * down[0] + (ys - hips[1]) * down[1] < 0
    arms, outside, side_lines = [], [], []
    for side in ("left", "right"):
        joints = [f"{side}_{joint}" for joint in ("shoulder", "elbow", "wrist")]
        if body.visibility(joints[0]) < SEEN or body.visibility(joints[1]) < SEEN:
            continue
        named = joints if body.visibility(joints[2]) >= SEEN else joints[:2]
        arms.append(np.array([body.point(name) for name in named], np.float32))
        hip, shoulder = np.array(body.point(f"{side}_hip")), np.array(body.point(f"{side}_shoulder"))
        line = shoulder - hip
        normal = np.array([-line[1], line[0]])
        if normal @ (centre - hip) > 0:
            normal = -normal
        outside.append(above_hips & ((xs - hip[0]) * normal[0] + (ys - hip[1]) * normal[1] > 0))
        side_lines.append((hip, line / max(float(np.hypot(*line)), 1e-6)))
    if not arms:
        return surface
    return with_sleeves(surface, garment, arms, outside, side_lines, float(np.hypot(*(shoulders[0] - shoulders[1]))))


def _garments_cut_apart(surface: Surface, pieces: np.ndarray, box: tuple[int, int], match: InkMatch) -> Surface:
    """The surface with each garment piece (:func:`garment_pieces`) after the first started GARMENT_SHIFT of
    the area's ``box`` (width, height) on from the one before, unless the photo shows the two in the same
    inks (one dress the parser split into a top and a skirt): each garment is cut from its own length of
    cloth, so a top's print does not run on into the trousers as one sheet."""
    from scipy import ndimage

    if not (pieces > 0).any():
        return surface
    _, (rows, cols) = ndimage.distance_transform_edt(pieces == 0, return_indices=True)
    nearest = pieces[rows, cols]  # past the outline the coordinates go on as the nearest garment's
    ids = np.unique(pieces[pieces > 0])
    # The seam runs smoothly where the parse's class boundary wanders (a hem is cut straight).
    sigma = SEAM_SMOOTHING * max(pieces.shape)
    nearest = ids[np.argmax([soften((nearest == piece).astype(np.float32), sigma) for piece in ids], axis=0)]
    first = match.inks(pieces == ids[0])
    u, v = surface.u.copy(), surface.v.copy()
    for k, piece in enumerate(ids[1:], start=1):
        inks = match.inks(pieces == piece)
        if _same_inks(inks, first) or _same_inks(first, inks):  # one cloth, if a piece shows only the other's inks
            continue
        here = nearest == piece
        u[here] += k * GARMENT_SHIFT[0] * box[0]
        v[here] += k * GARMENT_SHIFT[1] * box[1]
    return Surface(u, v, surface.compression, surface.facing)


def ink_features(colour: np.ndarray) -> np.ndarray:
    """(H, W, 3): log-chromaticities log(R/G), log(B/G), which light does not change, and a little
    of the log-luminance, which tells black from white ink (8 added to every channel against the noise
    of dark pixels)."""
    rgb = colour.astype(np.float32) + 8.0
    return np.stack([np.log(rgb[..., 0] / rgb[..., 1]), np.log(rgb[..., 2] / rgb[..., 1]),
                     INK_LIGHTNESS * np.log(luminance(rgb))], axis=-1)


def ink_centres(features: np.ndarray) -> np.ndarray:
    """(K, 3): the inks of a garment, from its pixels' :func:`ink_features` (N x 3): k-means clusters,
    a split kept only while it explains much more of the spread and its inks are far apart."""
    from scipy.cluster.vq import kmeans2

    rng = np.random.default_rng(0)
    sample = features
    if len(sample) > INK_SAMPLE:
        sample = sample[rng.choice(len(sample), INK_SAMPLE, replace=False)]
    inks = sample.mean(axis=0, keepdims=True)
    spread = float(((sample - inks) ** 2).sum())
    for count in range(2, INK_MAX + 1):
        with warnings.catch_warnings():  # fewer inks than clusters leaves one empty: the shares test below drops it
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.filterwarnings("ignore", "One of the clusters is empty", UserWarning)
            centres, labels = kmeans2(sample, count, minit="++", seed=rng)
        split = float(((sample - centres[labels]) ** 2).sum())
        apart = np.linalg.norm(centres[:, None] - centres[None], axis=2) + np.eye(count) * 1e9
        shares = np.bincount(labels, minlength=count) / len(sample)
        if split > INK_SPLIT * spread or apart.min() < INK_GAP or shares.min() < INK_MIN_SHARE:
            break
        inks, spread = centres, split
    return inks


class InkMatch:
    """A photo's :func:`ink_features`, computed once, for telling which of two regions' inks a pixel shows."""

    def __init__(self, pixels: np.ndarray):
        self.features = ink_features(pixels)

    def inks(self, region: np.ndarray) -> np.ndarray:
        """(K, 3) the inks of ``region`` (:func:`ink_centres`)."""
        return ink_centres(self.features[region])

    def distance(self, where: np.ndarray, inks: np.ndarray) -> np.ndarray:
        """Each pixel of ``where``'s distance to the nearest of ``inks``."""
        return np.linalg.norm(self.features[where][:, None] - inks[None], axis=2).min(axis=1)

    def nearer(self, candidates: np.ndarray, toward: np.ndarray, away: np.ndarray) -> np.ndarray:
        """The ``candidates`` that show one of ``toward``'s inks (within an ink gap) and lie at most half
        as far from ``toward``'s inks as from ``away``'s (``toward`` a region, or its inks): e.g. the old
        skirt's cloth at the edge of a bag drawn too big, or the first wearer's hair strands over a dress."""
        found = np.zeros_like(candidates)
        toward_inks = toward if toward.dtype != bool else (self.inks(toward) if toward.sum() >= MIN_INK_PIXELS else None)
        if not candidates.any() or toward_inks is None or away.sum() < MIN_INK_PIXELS:
            return found
        to_toward, to_away = self.distance(candidates, toward_inks), self.distance(candidates, self.inks(away))
        found[candidates] = (to_toward < 0.5 * to_away) & (to_toward < INK_GAP)
        return found


def same_cloth(pixels: np.ndarray, parse: Parse, dress: np.ndarray, decided: np.ndarray | None = None) -> np.ndarray:
    """Pieces the parser calls another garment (top, bottom, outerwear; each class on its own) that
    touch the ``dress`` and show its own inks over at least SAME_CLOTH of their pixels, or, where the
    outfit decision had made them dress (``decided``), show only its inks (:func:`_same_inks`): a dress
    is one cloth, and the parser often splits it into a top and a skirt, or takes a panel of it for a coat."""
    from scipy import ndimage

    joined = np.zeros_like(dress)
    if dress.sum() < MIN_INK_PIXELS:
        return joined
    match = InkMatch(pixels)
    inks = match.inks(dress)
    for name in ("top", "bottom", "outerwear"):
        parts, count = ndimage.label(parse.mask(name) & ~dress)
        touching = np.unique(parts[grow(dress, 2) & (parts > 0)]) if count else np.array([], int)
        if touching.size == 0:
            continue
        candidates = np.isin(parts, touching)
        near = np.zeros_like(dress)
        near[candidates] = match.distance(candidates, inks) < INK_GAP / 2
        shares = ndimage.mean(near, parts, touching)
        for part, share in zip(touching, np.atleast_1d(shares)):
            piece = parts == part
            made_dress = decided is not None and piece.sum() >= MIN_INK_PIXELS and (piece & decided).sum() >= 0.5 * piece.sum()
            if share >= SAME_CLOTH or (made_dress and _same_inks(match.inks(piece), inks)):
                joined |= piece
    return joined


def _same_inks(inks: np.ndarray, of: np.ndarray) -> bool:
    """Each of ``inks`` lies within INK_GAP of one of ``of``: a busy print's piece, whose pixels between its
    inks match neither, is still that print."""
    return bool((np.linalg.norm(inks[:, None] - of[None], axis=2).min(axis=1) < INK_GAP).all())


def garment_area(photo: Image.Image, parse: Parse, include: list[str], *, exclude: tuple[str, ...] = (),
                 grow: int = 0, keep_main_parts: bool = True, inside: np.ndarray | None = None) -> np.ndarray:
    """The area a shopper's choice names (``parsing.garment_mask`` with the same refinements), and,
    when it includes the dress, the pieces of it the parser called another garment (:func:`same_cloth`),
    unless the shopper left their class out; grown (or shrunk) by ``grow`` px once that is settled. What
    the Fit page shows and Try on then dresses."""
    allowed = None if inside is None else near_person(inside, parse)  # as garment_mask's ``inside``, found once
    area = garment_mask(parse, include, exclude=exclude, keep_main_parts=keep_main_parts)
    if allowed is not None:
        area &= allowed
    if "dress" in include and area.any():
        area = _dress_pieces(photo, parse, area, include, exclude, allowed)
    if grow:
        area = masks.grow(area, grow) & (True if allowed is None else allowed)
    return area


def _dress_pieces(photo: Image.Image, parse: Parse, area: np.ndarray, include: list[str], exclude: tuple[str, ...],
                  allowed: np.ndarray | None) -> np.ndarray:
    """The dress ``area`` less the pieces the outfit decision made dress that do not show its inks, and with
    the pieces of it the parser called another garment that do (:func:`same_cloth`), within ``allowed``."""
    decided = None
    if parse.probabilities is not None and not set(include) & {"top", "bottom", "clothing"}:
        # The outfit decision made the whole outfit dress; a piece the network itself called top or bottom
        # (a black sweater over a yellow skirt) stays dress only if it shows the dress's inks (same_cloth).
        network = parse.probabilities.argmax(axis=0)
        decided = area & np.isin(network, [CLASS_NAMES.index("top"), CLASS_NAMES.index("bottom")])
        if decided.any() and (area & ~decided).sum() >= CORE_SHARE * area.sum():
            # what the sweater's removal cuts off (a speck of it the network called dress) goes as a stray part
            area = masks.largest_parts(area & ~decided, MAIN_PART_SHARE, diagonal=True,
                                       joined_by=parse.mask("accessories"))
            parse = replace(parse, labels=np.where(decided, network, parse.labels).astype(np.uint8))
        else:  # nothing made dress, or too little of the network's own dress to judge the rest by
            decided = None
    pieces = same_cloth(np.asarray(photo.convert("RGB")), parse, area, decided)
    for name in exclude:
        pieces &= ~parse.mask(name)
    if allowed is not None:
        pieces &= allowed
    return area | pieces


def garment_inks(lab: np.ndarray, grey: np.ndarray, mask: np.ndarray, where: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ink luminance, how sure) at the pixels ``where`` (bool, H x W) of a garment seen in ``mask``,
    from the photo's :func:`ink_features` ``lab`` and luminance ``grey``.

    A printed garment's luminance is its inks times the light; dividing by the ink leaves the
    light, at full resolution, without the old print. The inks are k-means clusters of
    :func:`ink_features`; a split is kept only while it explains much more of the spread and its
    inks are far apart. Pixels between two inks (a print's soft edges) are unsure, and so, in
    proportion, are those of an ink whose lightness wanders more than the steadiest ink's."""
    inks = ink_centres(lab[mask])
    distances = np.linalg.norm(lab[where][:, None] - inks[None], axis=2)
    nearest = distances.argmin(axis=1)
    greys = [grey[where][nearest == k] for k in range(len(inks))]
    ink_grey = np.array([np.median(g) if len(g) else 1.0 for g in greys])
    if len(inks) == 1:
        sure = np.ones(len(nearest), np.float32)
    else:
        first, second = np.sort(distances, axis=1)[:, :2].T
        sure = np.clip(4 * (second - first) / (second + first + 1e-6), 0, 1)
        # An ink whose own lightness wanders more than the steadiest ink's (a paisley's pale to deep purple)
        # tells less of the light: its wandering is print, not shade.
        wander = np.array([max(float(np.median(np.abs(g - np.median(g)))) / max(float(np.median(g)), 1.0), INK_STEADY)
                           if len(g) else 1.0 for g in greys])
        sure = sure * (wander.min() / wander)[nearest]
    albedo, certainty = np.ones(mask.shape, np.float32), np.zeros(mask.shape, np.float32)
    albedo[where], certainty[where] = np.maximum(ink_grey[nearest], 1.0), sure
    return albedo, certainty


def ink_free_light(colour: np.ndarray, mask: np.ndarray, where: np.ndarray,
                   pieces: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(light, weight) at the pixels ``where`` of a garment seen in ``mask``: its luminance over
    its ink (:func:`garment_inks`), clipped to LIT_RANGE, and how far that light is to be trusted
    (for :func:`normalised_blur`): dark inks amplify noise and a print's soft edges mislead, so the
    light there comes from the neighbours. Given ``pieces`` (an id per pixel of ``where``, e.g. from
    :func:`garment_pieces`), each piece's inks are its own: jeans' navy is not a top's dark maze ink."""
    light, weight = np.ones(mask.shape, np.float32), np.zeros(mask.shape, np.float32)
    lab, grey = ink_features(colour), luminance(colour)
    for piece in [None] if pieces is None else np.unique(pieces[where]):
        inside = np.ones(mask.shape, bool) if piece is None else pieces == piece
        if not (mask & inside).any():
            continue
        ink, sure = garment_inks(lab, grey, mask & inside, where & inside)
        here = where & inside
        light[here] = np.clip(grey[here] / ink[here], *LIT_RANGE)
        weight[here] = (sure ** 2 * np.clip(ink / (DARK_INK * float(ink[here].max())), 0.05, 1.0))[here]
    return light, weight


def garment_pieces(labels: np.ndarray, where: np.ndarray) -> np.ndarray:
    """A piece id per pixel of ``where``: the parse's class, those with less than PIECE_SHARE of it (and
    the soft edge's other classes) joining the nearest larger piece. Garments of one choice ("clothing":
    a top over jeans) are printed with their own inks."""
    from scipy import ndimage

    counts = np.bincount(labels[where], minlength=len(CLASS_NAMES))
    big = where & (counts[labels] >= PIECE_SHARE * where.sum())
    if not big.any():
        return np.where(where, 1, 0).astype(np.int32)
    _, (near_rows, near_cols) = ndimage.distance_transform_edt(~big, return_indices=True)
    return np.where(where, labels[near_rows, near_cols].astype(np.int32) + 1, 0)


def fold_likeness(light: np.ndarray, sigma: float) -> np.ndarray:
    """0..1 per pixel: how much the light's detail around it runs one way (the coherence of its structure
    tensor, smoothed by ``sigma``). A fold or crease is long and runs one way; what the ink division left
    of a busy old print is blotches, which would mottle the new print. Weighted by this, the sharp light
    keeps the folds crisp and lets the blotches go."""
    gy, gx = np.gradient(light)
    xx, yy, xy = soften(gx * gx, sigma), soften(gy * gy, sigma), soften(gx * gy, sigma)
    coherence = np.sqrt((xx - yy) ** 2 + 4 * xy ** 2) / np.maximum(xx + yy, 1e-9)
    return np.clip((coherence - FOLD_COHERENCE[0]) / (FOLD_COHERENCE[1] - FOLD_COHERENCE[0]), 0, 1)


def faint(fine: np.ndarray, where: np.ndarray) -> np.ndarray:
    """The fine texture ``fine`` scaled down, if need be, so that its robust spread over ``where`` is at
    most TEXTURE_FAINT: weave and creases show faintly, and what the ink division left of a busy old
    print (blind judges and our own eyes saw its speckle on the new one) does not."""
    values = fine[where]
    if values.size == 0:
        return fine
    spread = 1.4826 * float(np.median(np.abs(values - np.median(values))))
    return fine * min(1.0, TEXTURE_FAINT / spread) if spread > 0 else fine


def _fill_small_holes(mask: np.ndarray) -> np.ndarray:
    from scipy import ndimage

    holes = ndimage.binary_fill_holes(mask) & ~mask
    parts, count = ndimage.label(holes)
    if count == 0:
        return mask
    sizes = np.bincount(parts.ravel())
    small = np.flatnonzero(sizes < SMALL_HOLE * mask.sum())
    return mask | (np.isin(parts, small[small > 0]))


def edge_alpha(pixels: np.ndarray, chosen: np.ndarray, allowed: np.ndarray, band: int,
               maybe: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(alpha, garment colour, what lies behind): closed-form matting of the trimap ``chosen`` eroded
    (sure garment), ``band`` px either side of its outline and the pixels that ``maybe`` are garment
    (unknown, within ``allowed``) and the rest (not garment); the colours are the matting's foreground (the
    old garment's colour without what shows through it) and what lies behind the edge's mixed pixels (the
    skin or street just past it)."""
    from pymatting import estimate_alpha_cf, estimate_foreground_ml

    sure = ~grow(~chosen, band)
    unknown = (grow(chosen, band) | (False if maybe is None else maybe)) & allowed & ~sure
    rows, cols = np.nonzero(sure | unknown)
    margin = band + 2
    y0, y1 = max(rows.min() - margin, 0), min(rows.max() + margin + 1, chosen.shape[0])
    x0, x1 = max(cols.min() - margin, 0), min(cols.max() + margin + 1, chosen.shape[1])
    image = pixels[y0:y1, x0:x1].astype(np.float64) / 255.0
    trimap = np.where(sure[y0:y1, x0:x1], 1.0, np.where(unknown[y0:y1, x0:x1], 0.5, 0.0))
    alpha = np.zeros(chosen.shape, np.float32)
    colour, behind = pixels.astype(np.float32).copy(), pixels.astype(np.float32).copy()
    if sure.any() and unknown.any():
        matte = np.clip(estimate_alpha_cf(image, trimap), 0, 1)
        colour[y0:y1, x0:x1] = estimate_foreground_ml(image, matte) * 255.0
        # behind the edge: the nearest pixels past it (those barely covered, as they are), smoothly; the
        # matting's own background estimate took up the print's inks there
        past = (trimap == 0.0) | (matte < BEHIND_ALPHA)
        behind[y0:y1, x0:x1] = push_pull_fill(pixels[y0:y1, x0:x1].astype(np.float32), past)
    else:  # a garment thinner than the band: hard edges
        matte = trimap >= 0.5
    alpha[y0:y1, x0:x1] = np.where(trimap == 1.0, 1.0, np.where(trimap == 0.5, matte, 0.0))
    return alpha, colour, behind


def _read_at(image: np.ndarray, xs: np.ndarray, ys: np.ndarray, border: int, nearest: bool = False) -> np.ndarray:
    """``image`` read bilinearly (or at the ``nearest`` pixel) at the points (xs, ys), one value (or pixel)
    per point."""
    import cv2

    count, width = len(xs), 1024  # OpenCV's remap takes at most 32767 rows: lay the points out in rows
    padded = -(-count // width) * width
    maps = [np.pad(np.asarray(c, np.float32), (0, padded - count)).reshape(-1, width) for c in (xs, ys)]
    read = cv2.remap(image, maps[0], maps[1], cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR, borderMode=border)
    return read.reshape(padded, *image.shape[2:])[:count]


@dataclass(frozen=True, eq=False)
class DressPrep:
    """The per-photo work of dressing one garment, kept to lay many fabrics on it.

    Per painted pixel (``rows``, ``cols``: alpha > 0): ``alpha`` (1 inside, soft at the outline), what lies
    ``behind`` its soft edge (skin or street), the garment's ``light`` (1 = the garment's median luminance)
    and fine ``texture``, the surface coordinates ``u``, ``v`` (and ``compression``), their ``stretch``
    (cloth px per photo px, ``surface.stretch``) and the unit fold field ``folds`` (x, y). ``centre`` is
    (u, v) of the garment's middle, ``box`` its (width, height) in photo pixels, ``photo_chroma`` how
    colourful the rest of the photo gets (``chroma_reach``).
    """

    photo: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    alpha: np.ndarray
    behind: np.ndarray
    light: np.ndarray
    texture: np.ndarray
    surface: Surface
    stretch: np.ndarray
    folds: np.ndarray
    centre: tuple[float, float]
    box: tuple[int, int]
    photo_chroma: float

    @property
    def painted(self) -> np.ndarray:
        """Bool (H, W): the pixels :meth:`apply` may change."""
        mask = np.zeros(self.photo.shape[:2], bool)
        mask[self.rows, self.cols] = True
        return mask

    def _coordinates(self, fold_warp: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(u, v, compression) per painted pixel, read ``fold_warp`` cloth px along the folds (fewer
        image px where the cloth turns away, so the bend does not swirl at the outline)."""
        import cv2

        here = self.surface.compression[self.rows, self.cols]
        xs = self.cols + fold_warp * here * self.folds[:, 0]
        ys = self.rows + fold_warp * here * self.folds[:, 1]
        u, v, compression = (_read_at(plane, xs, ys, cv2.BORDER_REPLICATE)
                             for plane in (self.surface.u, self.surface.v, self.surface.compression))
        # Across a seam between panels, reading between two panels' coordinates would print a line of
        # cloth from neither (a dotted "selection" seam, blind judges said): take the nearer panel's.
        nearest_u, nearest_v = (_read_at(plane, xs, ys, cv2.BORDER_REPLICATE, nearest=True)
                                for plane in (self.surface.u, self.surface.v))
        seam = (np.abs(u - nearest_u) > SEAM_JUMP) | (np.abs(v - nearest_v) > SEAM_JUMP)
        u[seam], v[seam] = nearest_u[seam], nearest_v[seam]
        return u, v, compression

    def apply(self, fabric: Image.Image, *, scale: float = 1.0, rotation: float = 0.0,
              offset: tuple[float, float] = (0.0, 0.0), shading: float = 0.85, opacity: float = 1.0,
              fold_warp: float | None = None, texture: float = 0.5) -> Image.Image:
        """The photo wearing ``fabric``: at ``scale`` 1 one copy spans the garment's width, turned by
        ``rotation`` degrees and shifted by ``offset`` (fractions of the garment's width and height).

        ``shading`` 0..1.5 keeps the garment's folds and shadows (and darkens the cloth where it turns
        away from the camera, FORM_SHADING at the outline); ``opacity`` < 1 lets the old fabric
        show through; ``fold_warp`` (pixels, default FOLD_WARP of the long side) bends the print along
        the folds; ``texture`` 0..1 lets the old garment's fine texture (weave, creases) through.
        """
        import cv2

        long_side = max(self.photo.shape[:2])
        fold_warp = FOLD_WARP * long_side if fold_warp is None else fold_warp
        for name, value, low, high in [("shading", shading, 0.0, 1.5), ("opacity", opacity, 0.0, 1.0),
                                       ("fold_warp", fold_warp, 0.0, 50.0), ("texture", texture, 0.0, 1.0),
                                       ("scale", scale, 0.05, 10.0)]:
            if not low <= value <= high:
                raise InputError(f"{name} must be between {low} and {high}, got {value}.")
        cloth = np.asarray(fabric.convert("RGB"), np.float32)
        factor = max(scale * self.box[0] / cloth.shape[1], 8 / min(cloth.shape[:2]))
        size = (max(2, round(cloth.shape[1] * factor)), max(2, round(cloth.shape[0] * factor)))
        tile = seamless_tile(cv2.resize(cloth, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR))
        # wrapped by three of the widest blur's sigmas, so each blurred tile repeats as the tile does
        wrapped = np.pad(tile, ((16, 16), (16, 16), (0, 0)), mode="wrap")
        soft, softer, softest = (soften(wrapped, sigma)[16:-16, 16:-16] for sigma in (1.0, 2.5, 5.0))
        u, v, compression = self._coordinates(fold_warp)
        u = u - self.centre[0] + offset[0] * self.box[0]
        v = v - self.centre[1] + offset[1] * self.box[1]
        turn = np.radians(rotation)
        across = (np.cos(turn) * u - np.sin(turn) * v + size[0] / 2) % size[0]
        along = (np.sin(turn) * u + np.cos(turn) * v + size[1] / 2) % size[1]
        sharp, blurred, smoother, smoothest = (_read_at(level, across, along, cv2.BORDER_WRAP)
                                               for level in (tile, soft, softer, softest))
        # Where the cloth turns away or its coordinates shear a pixel covers several cloth pixels: read a
        # tile blurred to match (1-2 cloth pixels a pixel: up to sigma 1; 2-4: up to 2.5; 4-8: up to 5),
        # so the print does not alias into streaks at the outline or stripes at a hem.
        spread = np.maximum(1 / np.maximum(compression, 1e-3), self.stretch)
        first, second = np.clip(spread - 1, PRINT_SOFTNESS, 1)[:, None], np.clip((spread - 2) / 2, 0, 1)[:, None]
        third = np.clip((spread - 4) / 4, 0, 1)[:, None]
        printed = (sharp * (1 - first) + blurred * first) * (1 - second) + smoother * second
        printed = printed * (1 - third) + smoothest * third
        printed = muted(printed, self.photo_chroma)
        facing = self.surface.facing[self.rows, self.cols]
        form = 1.0 - min(shading, 1.0) * FORM_SHADING * (1.0 - facing) / (1.0 - np.cos(np.radians(72.0)))
        light = (1.0 + shading * (self.light - 1.0) + texture * self.texture) * form
        # The edge's mixed pixels are remade from what lies behind them, not corrected by the old garment's
        # estimated colour: a busy print's estimate misses its own inks there and left a fringe of them.
        alpha = self.alpha[:, None]
        base = self.photo[self.rows, self.cols].astype(np.float32)
        worn = (1 - alpha) * self.behind + alpha * shaded_cloth(printed, light)
        blended = base + opacity * (worn - base)
        result = self.photo.copy()
        result[self.rows, self.cols] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(result)


def chroma_reach(pixels: np.ndarray, where: np.ndarray | None = None) -> float:
    """How colourful the photo gets (at the pixels ``where``, e.g. all but the garment about to be
    replaced): the CHROMA_PERCENTILE of its pixels' distance from their own grey."""
    rgb = (pixels if where is None else pixels[where]).reshape(-1, 3).astype(np.float32)
    if len(rgb) == 0:
        return 255.0
    return float(np.percentile(np.linalg.norm(rgb - rgb.mean(axis=1, keepdims=True), axis=1), CHROMA_PERCENTILE))


def muted(colours: np.ndarray, reach: float) -> np.ndarray:
    """``colours`` (N x 3) with their chroma scaled down, if need be, so that they get no more colourful
    than the photo does (:func:`chroma_reach`), keeping at least MIN_CHROMA_KEPT of it: a camera's street
    photo never shows an artwork's pure saturated colours, and a print that does looks pasted on."""
    grey = colours.mean(axis=1, keepdims=True)
    chroma = colours - grey
    own = float(np.percentile(np.linalg.norm(chroma, axis=1), CHROMA_PERCENTILE)) if len(colours) else 0.0
    return grey + chroma * max(MIN_CHROMA_KEPT, min(1.0, reach / own)) if own > 0 else colours


def seamless_tile(tile: np.ndarray) -> np.ndarray:
    """``tile`` (float RGB) made to repeat without seams when its wrap-around shows one (the jump
    across opposite edges is SEAM_RATIO times the steps between the columns, or rows, beside them):
    its edges are blended with its half-offset copy, as the Design page's "seamless edges" does
    (``pattern.make_seamless``). Mirroring it instead was seen at once as a kaleidoscope. A fabric
    that already repeats seamlessly is kept as it is."""
    def jump(a: np.ndarray) -> float:
        beside = max(np.abs(a[:, 1] - a[:, 0]).mean(), np.abs(a[:, -1] - a[:, -2]).mean(), 2.0)
        return float(np.abs(a[:, 0] - a[:, -1]).mean() / beside)

    if min(tile.shape[:2]) < 8 or max(jump(tile), jump(tile.transpose(1, 0, 2))) < SEAM_RATIO:
        return tile
    return np.asarray(make_seamless(Image.fromarray(np.clip(tile + 0.5, 0, 255).astype(np.uint8))), np.float32)


def prepare_dress(photo: Image.Image, parse: Parse, garment: str = "dress", *, body: Body | None = None,
                  mask: np.ndarray | None = None) -> DressPrep:
    """The per-photo work for ``garment`` (a class or group name, or an explicit ``mask``, e.g.
    refined on the Fit page); ``body`` places the torso axis and the hands and bounds the painting
    by its person mask. By default stray blobs of the class are dropped."""
    from scipy import ndimage

    rgb = photo.convert("RGB")
    check_parse_matches(rgb, parse)
    pixels = np.asarray(rgb)
    long_side = max(pixels.shape[:2])
    if body is not None and body.person_mask.shape != parse.labels.shape:
        raise InputError("The body was found in another photo (its person mask has another size).")
    if mask is None:  # the class, with the pieces of a dress the parser called another garment
        region = garment_area(rgb, parse, [garment], inside=None if body is None else body.person_mask)
    else:
        region = np.asarray(mask, dtype=bool)
    if region.shape != parse.labels.shape:
        raise InputError("The garment mask must have the photo's size.")
    allowed = np.ones(region.shape, bool) if body is None else near_person(body.person_mask, parse)
    region &= allowed
    if not region.any():
        raise InputError(f"No {garment} was found in the photo; choose another garment or refine the mask.")
    band = max(2, round(EDGE_BAND * long_side))
    leaning = None if mask is not None or parse.probabilities is None else _share(parse.probabilities, garment)
    if leaning is not None:  # pixels the parser leans to the garment, next to it
        region |= (leaning >= WIDEN) & grow(region, 3 * band) & allowed
    region = _fill_small_holes(region)
    front = in_front(parse, body, garment=region)
    # With an explicit mask (the shopper's own word on the area) only what lies inside it is reclaimed.
    reclaimable = allowed if mask is None else allowed & region
    match = InkMatch(pixels)  # the photo's inks, read once for the old cloth beside and the garments' cut
    left_out = garment_beside(match, parse, body, front, region, reclaimable, BESIDE_REACH * long_side)
    region, front = region | left_out, front & ~left_out
    front |= in_front_beside(pixels, parse, front, region, BESIDE_REACH * long_side)
    chosen = region & ~front
    if not chosen.any():
        raise InputError(f"All of the {garment} is covered by hair, hands or bags; choose another garment.")
    # Past the outline, pixels the parser gives the garment some chance are the matting's to decide: the
    # parser draws a printed kaftan's side a few pixels inside her outline (CCP 0780), a strip of it left over.
    # Only what it calls background or skin: other garments, legwear and shoes are never taken (garment_beside).
    maybe = None
    if leaning is not None:
        maybe = (leaning >= EDGE_MAYBE) & grow(chosen, 3 * band) & \
            np.isin(parse.labels, [CLASS_NAMES.index("background"), CLASS_NAMES.index("skin")])
    alpha, colour, behind = edge_alpha(pixels, chosen, allowed & ~front | chosen, band, maybe)
    rows, cols = np.nonzero(alpha > 0)

    pieces = garment_pieces(parse.labels, alpha > 0)
    ink_free, sure = ink_free_light(colour, chosen & (alpha >= 0.99), alpha > 0, pieces)
    weight = alpha.astype(np.float32) * sure
    smooth = shading_blur_radius(rgb)
    sharp_light = normalised_blur(ink_free, weight, LIGHT_SMOOTHING * smooth)
    folds_light = normalised_blur(ink_free, weight, 3 * smooth)
    broad_light = normalised_blur(ink_free, weight, BROAD_LIGHT * smooth)
    light = broad_light + fold_likeness(sharp_light, FOLD_SCALE * smooth) * (sharp_light - broad_light)
    reference = max(float(np.median(light[chosen])), 1e-3)
    fine = faint(np.clip(sure * (ink_free - sharp_light) / reference, -TEXTURE_CLIP, TEXTURE_CLIP), chosen)
    gy, gx = np.gradient(folds_light)
    norm = max(float(np.percentile(np.hypot(gx, gy)[chosen], 95)), 1e-6)
    folds = np.stack([gx[rows, cols], gy[rows, cols]], axis=1) / norm
    folds /= np.maximum(np.hypot(folds[:, 0], folds[:, 1]), 1.0)[:, None]  # an edge in front bends no more than a fold

    silhouette = ndimage.binary_fill_holes(region | (front & grow(region, band)) | _held_in_front(parse, front, region))
    surface = surface_coordinates(silhouette, torso_axis(body, silhouette))
    surface = _sleeves_bent(surface, grow(silhouette, band), body)
    box_rows, box_cols = np.nonzero(region)
    box = (int(np.ptp(box_cols)) + 1, int(np.ptp(box_rows)) + 1)
    if garment != "dress":  # a top and trousers are two garments, their prints cut apart
        surface = _garments_cut_apart(surface, pieces, box, match)
    middle = (int(np.median(box_rows)), int(np.median(box_cols)))
    return DressPrep(
        photo=pixels, rows=rows, cols=cols, alpha=alpha[rows, cols], behind=behind[rows, cols],
        light=np.clip(light[rows, cols] / reference, 0.15, 2.0), texture=fine[rows, cols], surface=surface,
        stretch=stretch(surface)[rows, cols],
        folds=folds.astype(np.float32),
        centre=(float(surface.u[middle]), float(surface.v[middle])),
        box=box, photo_chroma=chroma_reach(pixels, alpha == 0))


def dress_up(photo: Image.Image, parse: Parse, fabric: Image.Image, garment: str = "dress", *,
             body: Body | None = None, mask: np.ndarray | None = None, scale: float = 1.0, rotation: float = 0.0,
             offset: tuple[float, float] = (0.0, 0.0), shading: float = 0.85, opacity: float = 1.0,
             fold_warp: float | None = None, texture: float = 0.5) -> Image.Image:
    """The photo with ``fabric`` on ``garment``: :func:`prepare_dress`, then :meth:`DressPrep.apply`
    (keep the prep to try several fabrics, scales or rotations on one photo)."""
    return prepare_dress(photo, parse, garment, body=body, mask=mask).apply(
        fabric, scale=scale, rotation=rotation, offset=offset, shading=shading, opacity=opacity,
        fold_warp=fold_warp, texture=texture)
