"""The ``pose`` try-on engine: a garment bent onto the shopper's body by landmarks.

``PoseTryOn()(photo, parse, garment_image)`` runs seven numbered steps, each a method that can
be called (and tested) on its own:

1. ``cut_out``: the garment's pixels and silhouette (product shot on a plain background, or the
   garment class of someone wearing it, found by the parser), and its holes: where an arm or a
   bag covered the garment in its photo;
2. ``fill_holes``: holes painted from the garment's own texture (OpenCV's Telea inpainting), so
   they never show as background;
3. ``garment_landmarks``: the garment's frame (``studio.tryon.frame``): BlazePose on a worn
   garment's photo, the silhouette method on a product shot; paired with the shopper's frame;
4. ``warp``: a thin-plate spline sends the garment's frame onto the shopper's (``studio.tryon.warp``),
   so the sides follow the torso, the hem follows hips and knees, and worn sleeves follow the arms;
5. ``layer``: what stays in front of the new garment (hair, the face and neck, arms and hands,
   bags, shoes) and where the garment may be painted (on the person, never the background);
6. ``refill``: what the new garment uncovers becomes the shopper's own skin where a limb or the
   torso is (two shaded legs with the gap between them) and background continued by inpainting
   elsewhere, both with the photo's own grain so nothing reads as a flat block;
7. ``shade``: the photo's light and folds multiply the new garment, blended with a soft edge.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from studio.body import Body, BodyEstimator
from studio.composite import InkMatch, garment_pieces, ink_free_light, shaded_cloth, shading_blur_radius
from studio.masks import background_fill, grow, inward_feather, normalised_blur, row_spans, soften, write_back
from studio.parsing import Parse, garment_mask
from studio.tryon.base import PhotoParser, TryOnResult, check_inputs
from studio.tryon.cutout import GarmentCutOut, cut_out, fill_holes
from studio.tryon.frame import LEVELS, Frame, body_frame, hem_points, silhouette_frame
from studio.tryon.regions import (
    HEM_BLEND,
    above_neckline,
    body_regions,
    leg_width_scale,
    legs_met_at_hem,
    limb_areas,
    neck_width,
    shoes,
)
from studio.tryon.skin import (
    looks_like_skin,
    missed_skin,
    photo_grain,
    sensor_grain,
    skin_colour,
    skin_colour_map,
    skin_detail,
    tone_met_at_hem,
)
from studio.tryon.warp import warp_to

HEM_DEPTH = (0.8, 3.4)  # a hem lies between these many torso lengths below the neck (crop top to gown)
SKIN_LIGHT, SKIN_LIGHT_BLUR, SKIN_LIGHT_RANGE = 0.4, 0.15, (0.6, 1.4)  # refilled skin keeps this share of the
# scene's broad light (blurred by 15 % of a shoulder width, ratio to its median kept in range)
SKIN_EDGE, SKIN_CREST = 0.72, 1.06  # refilled skin's light at a limb's (or the torso's) edge and along its crest
SKIN_COLOUR_REACH = 0.4  # refilled skin takes the colour of visible skin within about this many shoulder widths
SKIN_TORSO_CURVE = 0.3  # the torso rounds off over this many shoulder widths from its outline
SKIN_MOTTLE, SKIN_MOTTLE_SIZE = 0.025, 0.05  # refilled skin's broad unevenness (share of light) and its size
CONTACT_SHADOW, CONTACT_SHADOW_REACH = 0.22, 0.04  # the new garment's shadow on skin beside it, and its reach
PATCH_SHARE, PATCH_SURROUNDED = 0.03, 0.75  # an "accessory" this small beside the old garment and this much
# surrounded by it is a patch on it
OLD_CLOTH_REACH = 0.08  # a bag's pixels within this many shoulder widths of the old garment may be its cloth
OUTLINE_FADE = 0.04  # the background fill fades into the photo over this many shoulder widths past the old outline
GRAIN = (2.6, 4.0)  # refilled areas carry the photo's own grain, kept within these (8-bit levels)


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
        rgb, replaces = check_inputs(photo, parse, category, body)
        if body is None:
            body = self.estimator.predict(rgb)
        shopper = body_frame(body, who="the shopper's photo")
        pixels = np.asarray(rgb, dtype=np.float32)
        old = self.old_garment(pixels, parse, replaces, body, shopper)

        cut = self.cut_out(garment_image, category)  # 1
        texture = self.fill_holes(cut)  # 2
        garment_points, shopper_points = self.garment_landmarks(cut, shopper, parse)  # 3
        colour, coverage = self.warp(texture, cut.silhouette, garment_points, shopper_points, old.shape)  # 4
        front, allowed = self.layer(pixels, parse, body, shopper, old)  # 5
        new_region = (coverage > 0.5) & allowed & ~front
        # the scene's light without the old print, each old garment with its own inks
        old_light = ink_free_light(pixels, old, old, garment_pieces(parse.labels, old)) if old.any() else None
        refilled, bare = self.refill(pixels, parse, body, shopper, old, new_region, front, old_light)  # 6
        image = self.shade(pixels, refilled, colour, new_region, old, bare, rgb, shopper.shoulder_width, old_light)  # 7
        return TryOnResult(image, cut.silhouette, new_region, bare, cut.source)

    @staticmethod
    def old_garment(pixels: np.ndarray, parse: Parse, replaces: tuple[str, ...], body: Body,
                    shopper: Frame) -> np.ndarray:
        """The shopper's garment that the new one replaces: the parse's garment classes, plus
        what the parser calls an accessory but is a patch or badge on it (small, surrounded by
        it), and, when the new garment is a dress, pieces joined to it that the parser got wrong:

        * "legwear" touching it but lying beside the legs, not on them (the parser often calls
          the bottom of a long dress legwear; tights on the legs stay tights);
        * what the parser calls background although the body's person mask covers it and it
          lies on the torso or an arm below the shoulders (a sleeve the parser missed);

        and the old garment's own cloth at the edge of a bag the parser drew too big
        (``old_cloth_beside``).
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
                touching = np.unique(parts[grow(old, 2) & (parts > 0)])
                old = old | np.isin(parts, touching[touching > 0])
        # A badge, patch or button that the parser calls an accessory is part of the old garment
        # when the garment surrounds it and it is small beside it (a bag held in front is neither).
        parts, _ = ndimage.label(parse.mask("accessories"))
        for index, (rows, cols) in enumerate(ndimage.find_objects(parts), start=1):
            box = (slice(max(rows.start - 3, 0), rows.stop + 3), slice(max(cols.start - 3, 0), cols.stop + 3))
            part = parts[box] == index
            rim = grow(part, 2) & ~part
            if part.sum() <= PATCH_SHARE * old.sum() and old[box][rim].mean() >= PATCH_SURROUNDED:
                old[box] |= part
        return old | old_cloth_beside(pixels, parse.mask("accessories"), old, OLD_CLOTH_REACH * shopper.shoulder_width)

    # 1 ---------------------------------------------------------------------------------------
    def cut_out(self, garment_image: Image.Image, category: str = "dress") -> GarmentCutOut:
        """The garment, cropped out of its photo, with its silhouette and holes; a worn garment's
        wearer with their landmarks (``studio.tryon.cutout``)."""
        return cut_out(garment_image, category, self.parser,
                       lambda rgb, person: self.estimator.predict(rgb, person_mask=person))

    # 2 ---------------------------------------------------------------------------------------
    fill_holes = staticmethod(fill_holes)

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
            garment = body_frame(cut.wearer, who="the garment photo")
            garment.points.update(hem_points(cut.silhouette))
            covered = grow(cut.silhouette, max(3, int(0.05 * garment.shoulder_width)))
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
        allowed = grow(person, max(2, int(0.03 * width_unit))) | row_spans(legs & person)
        return front, allowed

    # 6 ---------------------------------------------------------------------------------------
    def refill(self, pixels: np.ndarray, parse: Parse, body: Body, shopper: Frame, old: np.ndarray,
               new_region: np.ndarray, front: np.ndarray,
               old_light: tuple[np.ndarray, np.ndarray] | None) -> tuple[np.ndarray, np.ndarray]:
        """(pixels with the uncovered old garment refilled, the refilled mask: that and the background just
        past it, which the fill fades into; the old garment under the new one's soft edge is refilled too, but
        left out of the mask, which the new garment covers).

        Background is continued by inpainting from the background alone (the person is unknown
        too, so no garment colour bleeds in). Skin goes where a limb (capsules along the arm and
        leg landmarks) or the torso is: the shopper's own limb skin colour, shaded round across
        each limb and lit by ``old_light`` (the old garment's ``ink_free_light``), its edge blended
        into the background fill.
        """

        from scipy import ndimage

        height, width = old.shape
        unit = shopper.shoulder_width
        # The parse's outline is a little tight: its last pixels of old garment go too.
        bare = grow(old, max(2, int(0.02 * unit))) & ~front & ~new_region
        skin = parse.mask("skin")
        skin_like = looks_like_skin(pixels, skin)
        bare &= old | ~(skin & skin_like)  # "skin" in the old garment's colour is its hem
        # ... and is a few pixels off against bare skin: what there already looks like the
        # shopper's skin stays as it is (real skin beats a repainted one).
        real_skin = grow(skin, max(2, int(0.03 * unit))) & skin_like
        bare &= ~real_skin
        # The new garment's soft edge mixes with what lies under it: there the old garment is refilled too
        # (a red line of the old dress ran along a new coat's hem), though the new garment still covers it.
        under_edge = new_region & grow(~new_region, max(2, int(np.ceil(2 * self.feather)))) & old & ~front
        bare |= under_edge
        out = pixels.copy()
        if not bare.any():
            return out, bare

        person = parse.mask("person") | body.person_mask
        known = ~person & ~bare
        # The fill runs on a few pixels into the background and fades out there, so the old outline's mixed
        # pixels leave no contour round it (blind judges saw a wide skirt's outline as a pale line).
        reach = max(3, round(OUTLINE_FADE * unit))
        outline = grow(bare, reach) & known & ~new_region & ~front
        hole = bare | outline
        painted = background_fill(pixels, hole, known & ~outline)
        painted = np.where(hole[..., None], soften(painted, 0.8), painted)
        grain = float(np.clip(photo_grain(pixels, known), *GRAIN))
        painted += sensor_grain((height, width), grain, seed=2)[..., None]
        fade = np.clip(1.0 - ndimage.distance_transform_edt(~bare) / (reach + 1), 0.0, 1.0)[..., None]
        out[hole] = (painted * fade + pixels * (1 - fade))[hole]

        legs_scale = leg_width_scale(skin | parse.mask("legwear"), shopper, old)
        depth, torso = body_regions(shopper, (height, width), legs_scale, neck_width(skin, shopper))
        below_hips = np.arange(height)[:, None] > shopper.spine[1][1]
        legs_showing = (skin | parse.mask("legwear")) & ~bare & below_hips
        depth = legs_met_at_hem(depth, bare, legs_showing, HEM_BLEND * unit)  # thighs that meet the shins below
        skin_zone = bare & ((depth > 0) | torso)
        if skin_zone.any():
            colour = skin_colour(pixels, skin, depth > 0, torso)
            roundness = self.skin_form(depth, torso, new_region, unit)
            # The scene's broad light where the old garment was, without the old garment's print
            # (a dark-printed skirt would otherwise darken the legs refilled where it was).
            ink_free, trust = old_light  # there is an old garment here: something of it is bare
            light = normalised_blur(np.where(old, ink_free, 1.0), np.where(old, trust, 0.0) + 1e-4, SKIN_LIGHT_BLUR * unit)
            ratio = np.clip(light / max(float(np.median(light[skin_zone])), 1e-3), *SKIN_LIGHT_RANGE)
            roundness = roundness * (1.0 + SKIN_LIGHT * (ratio - 1.0))
            # Texture from the shopper's own visible skin where enough of it shows; else the photo's grain.
            # (over the photo's own grain, so skin smoother than the camera's noise still has it).
            grain = sensor_grain((height, width), float(np.clip(photo_grain(pixels, skin), *GRAIN)), seed=1)[..., None]
            detail = skin_detail(pixels, skin, (height, width), unit, seed=1)
            texture = grain if detail is None else grain + detail
            tone = skin_colour_map(pixels, skin, colour, SKIN_COLOUR_REACH * unit) * roundness[..., None] + texture
            tone = tone_met_at_hem(tone, pixels, skin_zone & (depth > 0), legs_showing & skin, HEM_BLEND * unit)
            alpha = np.where(torso, 1.0, np.clip(depth * 3.0, 0.0, 1.0)) * skin_zone
            # The real skin it joins at the old hem counts as skin too, so the soft edge does not fade the
            # refill into the background fill there (a pale line across the leg), labelled skin or not.
            alpha = soften(np.where((legs_showing & skin) | (real_skin & ~bare), 1.0, alpha), 1.0)[..., None]
            out[bare] = (tone * alpha + out * (1 - alpha))[bare]
        return out, hole & ~under_edge

    @staticmethod
    def skin_form(depth: np.ndarray, torso: np.ndarray, new_region: np.ndarray, unit: float) -> np.ndarray:
        """How much light refilled skin gets from its shape alone (about 1 on a limb's or the
        torso's crest): darker towards each edge like a lit cylinder, a faint mottle so it is not
        one flat tone, and a soft shadow where the new garment lies on it."""
        import cv2

        inside = cv2.distanceTransform(torso.astype(np.uint8), cv2.DIST_L2, 5)
        torso_depth = 1.0 - (1.0 - np.clip(inside / (SKIN_TORSO_CURVE * unit), 0.0, 1.0)) ** 2
        form = np.maximum(depth, torso_depth)
        roundness = soften(SKIN_EDGE + (SKIN_CREST - SKIN_EDGE) * form, 1.5)  # Lambert: light ~ the surface's facing
        mottle = soften(sensor_grain(form.shape, 1.0, seed=3), SKIN_MOTTLE_SIZE * unit)
        roundness *= 1.0 + SKIN_MOTTLE * mottle / max(float(mottle.std()), 1e-6)
        gap = cv2.distanceTransform((~new_region).astype(np.uint8), cv2.DIST_L2, 5)
        return roundness * (1.0 - CONTACT_SHADOW * np.exp(-gap / (CONTACT_SHADOW_REACH * unit)))

    # 7 ---------------------------------------------------------------------------------------
    def shade(self, pixels: np.ndarray, refilled: np.ndarray, colour: np.ndarray, new_region: np.ndarray,
              old: np.ndarray, bare: np.ndarray, rgb: Image.Image, unit: float,
              old_light: tuple[np.ndarray, np.ndarray] | None) -> Image.Image:
        """The new garment lit by the photo: the old garment's light and folds (its luminance over its
        inks, ``ink_free_light``, blurred by 6 % of a shoulder width) light it as ``composite.shaded_cloth`` lights a
        print: darker in shadows, lifted part of the way towards white in highlights, so a dark garment
        keeps its colour and shading makes no new pure white."""
        radius = max(shading_blur_radius(rgb), 0.06 * unit)
        if old_light is not None:  # the old garment's light without its inks: a red skirt under a black top is no highlight
            ink_free, trust = old_light
            light = normalised_blur(ink_free, trust, radius)
            ratio = np.clip(light / max(float(np.median(light[old])), 1e-3), 0.3, 1.8)
        else:
            ratio = np.ones(old.shape, np.float32)
        weight = soften(old.astype(np.float32), 4.0)  # fold light only where the old garment was
        shade = 1.0 + self.shading * weight * (ratio - 1.0)
        alpha = inward_feather(new_region, self.feather)[..., None]
        return write_back(rgb, refilled * (1 - alpha) + shaded_cloth(colour, shade) * alpha, new_region | bare)


def old_cloth_beside(pixels: np.ndarray, accessories: np.ndarray, old: np.ndarray, reach: float) -> np.ndarray:
    """Pixels of an accessory within ``reach`` px of the old garment that show the old garment's own
    inks rather than the accessory's further away (``composite.InkMatch.nearer``): the parser draws a bag a
    few pixels into the skirt beside it, and that strip of old skirt would stay in front of the new
    garment."""
    from scipy import ndimage

    if not accessories.any() or not old.any():
        return np.zeros_like(old)
    near = accessories & (ndimage.distance_transform_edt(~old) <= reach)
    return InkMatch(pixels).nearer(near, old, accessories & ~near)
