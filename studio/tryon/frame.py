"""Landmarks that a garment and a body share: shoulders, armpits, waist, hips, hem, limbs.

A try-on bends the garment so that its frame lands on the shopper's frame (``studio.tryon.warp``).
Both frames name the same points, with "left" and "right" meaning the image's left and right:

* ``body_frame`` reads them off BlazePose landmarks and a person mask: the shoulder points are
  the shoulder landmarks moved out to the shoulder's edge; the armpit, waist and hip points are
  the torso's sides (the person mask with the arms taken out) at fixed fractions of the
  neck-to-hip length; elbows, wrists, knees and ankles are the landmarks themselves.
* ``silhouette_frame`` finds them on a product shot's silhouette (see its docstring).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from studio.body import VISIBLE, Body, PartialBodyError
from studio.errors import InputError
from studio.masks import row_extents, row_runs

# Body proportions in units of the shoulder landmarks' distance (about the shoulder joints),
# used where the photo does not show the part and to size a product shot.
TORSO_PER_SHOULDER = 1.55  # neck (mid-shoulder) to mid-hip (median of 59 CCP training photos)
THIGH_PER_TORSO = 0.85  # mid-hip to mid-knee, and knee to ankle, per torso length
SHOULDER_EDGE = 0.12  # the shoulder's outer edge lies this far beyond its landmark
CHEST_MEDIAN_PER_SHOULDER = 1.11  # a worn garment's chest width per the wearer's shoulder width (median)
CHEST_MAX_PER_SHOULDER = 1.27  # ... and its widest chest row per shoulder width
LEVELS = {"armpit": 0.3, "waist": 0.62, "hip": 1.0}  # fractions of neck -> mid-hip
# Fallback half widths of the torso at those levels (shoulder widths) when the mask has no side.
HALF_WIDTHS = {"armpit": 0.5, "waist": 0.42, "hip": 0.55}
# Limb radii (shoulder widths): upper arm, forearm, hand; thigh at the hip, knee, ankle.
ARM_RADII = (0.14, 0.11, 0.12)
LEG_RADII = (0.25, 0.15, 0.09)
LEG_SPREAD = (0.3, 0.2, 0.17)  # hip, knee and ankle joints beside the centre line, where not seen


@dataclass
class Frame:
    """Named points in pixels plus the body's scale and its centre line (neck, hip, knee, ankle)."""

    points: dict[str, np.ndarray]
    shoulder_width: float  # distance of the shoulder joints (landmarks), or its silhouette equivalent
    spine: np.ndarray  # (4, 2): neck, mid-hip, mid-knee, mid-ankle
    limbs: dict[str, tuple[np.ndarray, ...]] = field(default_factory=dict)  # name -> joint chain

    @property
    def torso(self) -> float:
        return float(np.linalg.norm(self.spine[1] - self.spine[0]))

    def along_spine(self, distance: float) -> np.ndarray:
        """The point ``distance`` px down the centre line from the neck (straight on past the ankle)."""
        last = len(self.spine) - 2
        for i, (start, stop) in enumerate(zip(self.spine[:-1], self.spine[1:])):
            length = float(np.linalg.norm(stop - start))
            if distance <= length or i == last:
                direction = (stop - start) / max(length, 1e-6)
                return start + direction * distance
            distance -= length
        return self.spine[-1]

    def spine_distance(self, point: np.ndarray) -> float:
        """How far down the centre line (from the neck) ``point`` lies, by its nearest spine point."""
        best, walked, answer = np.inf, 0.0, 0.0
        for i, (start, stop) in enumerate(zip(self.spine[:-1], self.spine[1:])):
            segment = stop - start
            length = float(np.linalg.norm(segment))
            t = float(np.dot(point - start, segment) / max(length ** 2, 1e-6))
            t = max(t, 0.0) if i == len(self.spine) - 2 else float(np.clip(t, 0.0, 1.0))
            gap = float(np.linalg.norm(start + t * segment - point))
            if gap < best:
                best, answer = gap, walked + t * length
            walked += length
        return answer

    def legs(self) -> list[tuple[np.ndarray, ...]]:
        """Hip-knee-ankle chains: the landmarks' where seen, else placed beside the centre line."""
        seen = [chain for name, chain in self.limbs.items() if name.endswith("leg")]
        if len(seen) == 2:
            return seen
        placed = []
        for sign in (-1.0, 1.0):
            chain = []
            for joint, offset in ((1, LEG_SPREAD[0]), (2, LEG_SPREAD[1]), (3, LEG_SPREAD[2])):
                distance = self.spine_distance(self.spine[joint])
                chain.append(self.spine[joint] + sign * self.across(distance) * offset * self.shoulder_width)
            placed.append(tuple(chain))
        return placed

    def across(self, distance: float) -> np.ndarray:
        """Unit vector to the image's right, square to the centre line at ``distance``."""
        ahead = self.along_spine(distance + 1.0) - self.along_spine(distance - 1.0)
        down = ahead / max(float(np.linalg.norm(ahead)), 1e-6)
        return np.array([down[1], -down[0]])


def _both_seen(body: Body, joint: str) -> bool:
    """Both sides' ``joint`` (e.g. "shoulder") seen by the network and inside the photo."""
    return body.visible(f"left_{joint}") and body.visible(f"right_{joint}")


def _by_image_side(body: Body, joint: str) -> tuple[np.ndarray, np.ndarray]:
    """The left and right ``joint`` as (image-left, image-right) points."""
    a, b = (np.array(body.point(f"{side}_{joint}"), np.float64) for side in ("left", "right"))
    return (a, b) if a[0] <= b[0] else (b, a)


def _mean_point(body: Body, joint: str) -> np.ndarray:
    return np.mean([np.array(body.point(f"{side}_{joint}"), np.float64) for side in ("left", "right")], axis=0)


def capsule_depth(shape: tuple[int, int], chain: tuple[np.ndarray, ...], radii: tuple[float, ...]) -> np.ndarray:
    """A tapered tube along the joint ``chain`` (radius ``radii[i]`` at joint i) as a depth map:
    sqrt(1 - (distance from the axis / radius)²), i.e. 1 on the axis, falling like a round limb's
    cross-section to 0 at its edge and outside."""
    depth = np.zeros(shape, np.float32)
    height, width = shape
    for (a, b), (ra, rb) in zip(zip(chain[:-1], chain[1:]), zip(radii[:-1], radii[1:])):
        a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
        reach = max(ra, rb)
        x0, x1 = int(max(min(a[0], b[0]) - reach, 0)), int(min(max(a[0], b[0]) + reach + 1, width))
        y0, y1 = int(max(min(a[1], b[1]) - reach, 0)), int(min(max(a[1], b[1]) + reach + 1, height))
        if x0 >= x1 or y0 >= y1:
            continue
        ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float64)
        segment = b - a
        t = np.clip(((xs - a[0]) * segment[0] + (ys - a[1]) * segment[1]) / max(float(segment @ segment), 1e-6), 0, 1)
        gap = np.hypot(xs - (a[0] + t * segment[0]), ys - (a[1] + t * segment[1]))
        u = gap / np.maximum(ra + (rb - ra) * t, 1e-6)
        here = np.sqrt(np.clip(1 - u ** 2, 0, 1)).astype(np.float32)
        depth[y0:y1, x0:x1] = np.maximum(depth[y0:y1, x0:x1], here)
    return depth


def _march(mask: np.ndarray, start: np.ndarray, step: np.ndarray, limit: float) -> float | None:
    """Distance from ``start`` along ``step`` to the last pixel of ``mask``'s run there, or None."""
    height, width = mask.shape
    distances = np.arange(0.0, limit)
    xs = np.round(start[0] + step[0] * distances).astype(int)
    ys = np.round(start[1] + step[1] * distances).astype(int)
    inside = (xs >= 0) & (xs < width) & (ys >= 0) & (ys < height)
    hits = np.zeros(distances.size, bool)
    hits[inside] = mask[ys[inside], xs[inside]]
    if not hits[:3].any():
        return None
    gaps = np.flatnonzero(~hits[1:] & hits[:-1])
    return float(distances[gaps[0]]) if gaps.size else float(distances[-1])


def body_frame(body: Body, *, who: str = "the shopper's photo") -> Frame:
    """The frame of a person from their BlazePose landmarks and person mask.

    Shoulders must be seen; hips, knees and ankles not seen are placed by body proportions below
    the shoulders, so a half-length portrait still gets a frame.
    """
    person_mask = body.person_mask
    if not _both_seen(body, "shoulder"):
        raise PartialBodyError(f"Both shoulders must be visible in {who} to fit a garment; use a photo that "
                               "shows the person from the shoulders down, facing the camera.")
    left, right = _by_image_side(body, "shoulder")
    shoulder_width = float(np.linalg.norm(right - left))
    if shoulder_width < 8:
        raise PartialBodyError(f"The person in {who} is too small (shoulders {shoulder_width:.0f} px apart); "
                               "use a photo where the person fills more of the frame.")
    neck = (left + right) / 2
    across = (right - left) / shoulder_width
    down = np.array([-across[1], across[0]])
    if _both_seen(body, "hip"):
        hip = _mean_point(body, "hip")
    else:
        hip = neck + down * TORSO_PER_SHOULDER * shoulder_width
    torso = float(np.linalg.norm(hip - neck))
    if torso < 0.5 * shoulder_width:
        raise PartialBodyError(f"The body in {who} is bent too far for a garment to fit (hips level with the "
                               "shoulders); use a standing photo.")
    knee = _mean_point(body, "knee") if _both_seen(body, "knee") else \
        hip + (hip - neck) / torso * THIGH_PER_TORSO * torso
    ankle = _mean_point(body, "ankle") if _both_seen(body, "ankle") else \
        knee + (knee - hip) / max(float(np.linalg.norm(knee - hip)), 1e-6) * THIGH_PER_TORSO * torso
    frame = Frame({}, shoulder_width, np.stack([neck, hip, knee, ankle]))

    # Limbs as joint chains; what the photo does not show is left out.
    for side in ("left", "right"):
        arm = [f"{side}_{joint}" for joint in ("shoulder", "elbow", "wrist")]
        chain = [np.array(body.point(name), np.float64) for name in arm if body.visibility(name) >= VISIBLE]
        if len(chain) >= 2 and body.visibility(arm[0]) >= VISIBLE:
            frame.limbs[f"{side}_arm"] = tuple(chain)
        leg = [f"{side}_{joint}" for joint in ("hip", "knee", "ankle")]
        if body.visibility(leg[0]) >= VISIBLE and body.visibility(leg[1]) >= VISIBLE:
            frame.limbs[f"{side}_leg"] = tuple(np.array(body.point(name), np.float64) for name in leg
                                               if body.visibility(name) >= VISIBLE)

    arms = np.zeros(person_mask.shape, bool)
    for name, chain in frame.limbs.items():
        if name.endswith("arm"):
            radii = tuple(r * shoulder_width for r in ARM_RADII[:len(chain)])
            arms |= capsule_depth(person_mask.shape, chain, radii) > 0
    torso_mask = person_mask & ~arms
    edge = (0.5 + SHOULDER_EDGE) * shoulder_width
    frame.points = {"shoulder_l": neck - across * edge, "shoulder_r": neck + across * edge, "neck": neck,
                    "hip": hip}
    for level, fraction in LEVELS.items():
        centre = neck + (hip - neck) * fraction
        square = frame.across(fraction * torso)
        for name, sign in (("l", -1.0), ("r", 1.0)):
            reach = _march(torso_mask, centre, sign * square, 1.2 * shoulder_width)
            fallback = HALF_WIDTHS[level] * shoulder_width
            if reach is None or not 0.5 * fallback <= reach <= 2.0 * fallback:
                reach = fallback
            frame.points[f"{level}_{name}"] = centre + sign * square * reach
    for joint in ("elbow", "wrist", "knee", "ankle"):
        if _both_seen(body, joint):
            frame.points[f"{joint}_l"], frame.points[f"{joint}_r"] = _by_image_side(body, joint)
    return frame


def _torso_run_ends(row: np.ndarray, centre: int) -> tuple[int, int] | None:
    """(start, stop) of the run of ``row`` under ``centre``, or of the run nearest to it."""
    runs = row_runs(row)
    if not runs:
        return None
    return min(runs, key=lambda r: 0 if r[0] <= centre < r[1] else min(abs(r[0] - centre), abs(r[1] - centre)))


def _torso_run(row: np.ndarray, centre: int) -> int:
    ends = _torso_run_ends(row, centre)
    return 0 if ends is None else ends[1] - ends[0]


def silhouette_frame(mask: np.ndarray) -> Frame:
    """The frame of a garment laid flat or worn, found from its silhouette alone (an upright front view).

    1. **Shoulders**: the garment's outer left and right edge on the row a tenth of its top
       width below its top (past collar tips and strap ends), where a sleeve cap or strap sits.
       The top width is the 75th percentile of the row widths in the top 15 % of the rows.
    2. **Neck** is the middle of the two; the garment hangs straight down from it.
    3. **Scale**: the body's shoulder width that the garment was made for, from the width of
       its torso part (the run under the neck, so a sleeve hanging apart does not count) over
       5-35 % of its length: the median of (median width / 1.11, widest / 1.27), the ratios
       measured on 59 CCP training photos' dresses against BlazePose on their wearers. Straps or
       a sleeveless top say little about the shoulders; the chest says more.
    4. **Armpits, waist, hips**: the sides of the torso part of the row at the same fractions of
       the neck-to-hip length as on a body, with that length 1.55 shoulder widths.
    5. **Hem**: the lowest row's left and right end (2 % of the length above the bottom, past a
       ragged edge) and its middle.
    """
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size < 8:
        raise InputError("The garment's silhouette is too small to find its shoulders and hem.")
    top, bottom = int(rows[0]), int(rows[-1])
    length = bottom - top + 1
    present, left, right = row_extents(mask)
    band = rows[rows <= top + 0.15 * length]
    garment_shoulders = float(np.percentile((right[band] - left[band] + 1).astype(np.int64), 75))
    shoulder_row = min(int(round(top + 0.1 * garment_shoulders)), bottom)
    while not present[shoulder_row]:
        shoulder_row += 1
    shoulder_l = np.array([left[shoulder_row], shoulder_row], np.float64)
    shoulder_r = np.array([right[shoulder_row], shoulder_row], np.float64)
    neck = (shoulder_l + shoulder_r) / 2
    centre = int(round(neck[0]))
    chest = np.array([_torso_run(mask[y], centre) for y in range(top + int(0.05 * length), top + int(0.35 * length) + 1)])
    chest = chest[chest > 0]
    if chest.size == 0:
        raise InputError("The garment's silhouette has no body part below its shoulders to fit.")
    shoulder_width = float(np.median([np.median(chest) / CHEST_MEDIAN_PER_SHOULDER, chest.max() / CHEST_MAX_PER_SHOULDER]))
    torso = TORSO_PER_SHOULDER * shoulder_width
    down = np.array([0.0, 1.0])
    hip = neck + down * torso
    knee = hip + down * THIGH_PER_TORSO * torso
    frame = Frame({"shoulder_l": shoulder_l, "shoulder_r": shoulder_r, "neck": neck, "hip": hip},
                  shoulder_width, np.stack([neck, hip, knee, knee + down * THIGH_PER_TORSO * torso]))
    for level, fraction in LEVELS.items():
        y = int(round(neck[1] + fraction * torso))
        if y > bottom - 0.04 * length:
            break  # a short top: no waist or hips to find
        run = _torso_run_ends(mask[y], centre)
        if run is None:
            continue
        start, stop = run
        frame.points[f"{level}_l"] = np.array([start, y], np.float64)
        frame.points[f"{level}_r"] = np.array([stop - 1, y], np.float64)
    frame.points.update(hem_points(mask))
    return frame


def hem_points(silhouette: np.ndarray) -> dict[str, np.ndarray]:
    """The hem's left and right end and its middle: the garment's lowest row that has garment in
    it, 2 % of its length above the bottom (past a ragged or shadowed last row)."""
    rows = np.flatnonzero(silhouette.any(axis=1))
    top, bottom = int(rows[0]), int(rows[-1])
    row = int(round(bottom - 0.02 * (bottom - top + 1)))
    while not silhouette[row].any():
        row -= 1
    cols = np.flatnonzero(silhouette[row])
    ends = {"hem_l": np.array([cols[0], row], np.float64), "hem_r": np.array([cols[-1], row], np.float64)}
    return {**ends, "hem": (ends["hem_l"] + ends["hem_r"]) / 2}
