"""Texture coordinates on a worn garment: where on the cloth each pixel of the photo lies.

A print on a body is not the image grid. Seen from the front, a torso is a rounded cross-section
per height, so cloth turning away from the camera is foreshortened: across the body, ``u`` is the
arc length on that cross-section (an arc of ``VISIBLE_ARC`` on either side of the centre, fitted to
the silhouette's left and right edges), and a stripe's image period shrinks by cos(angle) toward the
outline. Along the body, ``v`` follows the torso axis from the shoulders' to the hips' midpoint, so a
leaning body leans its print. Below the waist ``u`` is measured in the waist's units between the
skirt's own edges, so a flared skirt fans the print out as a cut skirt does; below the hips a row's
outer edges bound it, so both legs of trousers carry the print.

The work is done in a frame turned so that the torso axis is vertical: one silhouette row there is
one cross-section.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

VISIBLE_ARC = math.radians(72)  # half of the cross-section seen from the front, from the centre line
EDGE_SMOOTHING = 0.04  # silhouette edges are smoothed along the body over this share of the photo's long side
WAIST_SEARCH = (0.45, 1.05)  # the waist is the narrowest row between these shares of shoulder-to-hip
MIN_WAIST_SHARE = 0.6  # a waist is at least this share of the search range's median width
MAX_FLARE = 2.6  # a skirt fans its print out at most this much (a wide A-line's hem is about 2.5 waists)
LEGS_SHARE = 0.6  # without a body, trouser legs may part below this share of the garment's height


@dataclass(frozen=True)
class TorsoAxis:
    """The body's line in photo pixels: ``origin`` (shoulders' midpoint) and unit ``down`` (toward the
    hips' midpoint); ``length`` is shoulder-to-hip, 0 when not known."""

    origin: tuple[float, float]
    down: tuple[float, float]
    length: float

    @classmethod
    def upright(cls, silhouette: np.ndarray) -> TorsoAxis:
        """No body: a vertical axis through the silhouette's top centre, torso length unknown."""
        rows, cols = np.nonzero(silhouette)
        return cls((float(cols.mean()), float(rows.min())), (0.0, 1.0), 0.0)

    @property
    def angle(self) -> float:
        """Degrees the axis leans from vertical (positive: the hips lie to the right of the shoulders)."""
        return math.degrees(math.atan2(self.down[0], self.down[1]))


@dataclass(frozen=True, eq=False)
class Surface:
    """Cloth coordinates per photo pixel: ``u`` across and ``v`` along the body, in pixels of cloth
    (1:1 with the photo at the body's centre line), and ``compression``, image pixels per cloth pixel
    across (1 at the centre, smaller toward the outline), and ``facing``, the cosine of the angle
    between the cloth and the camera on the rounded cross-section (1 at the centre line, cos 72° at
    the outline), all float32 (H, W)."""

    u: np.ndarray
    v: np.ndarray
    compression: np.ndarray
    facing: np.ndarray


def _row_edges(silhouette: np.ndarray, centre: float, legs_from: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: left and right edge of the run holding column ``centre`` (a sleeve beside the torso is
    left out), and whether the row has any run at all. Where no run holds it (the centre falls in a
    neckline or between trouser legs), and from row ``legs_from`` down, the row's outer edges: the two
    sides are one garment across, so the print runs on over both instead of being squeezed into the
    side off the axis."""
    height, width = silhouette.shape
    padded = np.zeros((height, width + 2), np.int8)
    padded[:, 1:-1] = silhouette
    steps = np.diff(padded, axis=1)
    left, right = np.full(height, np.nan), np.full(height, np.nan)
    for y in np.flatnonzero(silhouette.any(axis=1)):
        starts, ends = np.flatnonzero(steps[y] == 1), np.flatnonzero(steps[y] == -1)
        holding = (starts <= centre) & (centre < ends)
        if y >= legs_from or not holding.any():  # trouser legs, or a neckline's two sides: one garment across
            left[y], right[y] = starts[0], ends[-1]
            continue
        best = int(np.argmax(holding))
        left[y], right[y] = starts[best], ends[best]
    return left, right, ~np.isnan(left)


def _smooth_edges(values: np.ndarray, known: np.ndarray, size: int) -> np.ndarray:
    """Fill rows without a run from their neighbours, then a median and a Gaussian along the body."""
    from scipy import ndimage

    rows = np.arange(len(values))
    filled = np.interp(rows, rows[known], values[known])
    filled = ndimage.median_filter(filled, size=max(3, size | 1), mode="nearest")
    return ndimage.gaussian_filter1d(filled, sigma=max(1.0, size / 2), mode="nearest")


def _waist_row(width: np.ndarray, known: np.ndarray, top: int, axis_length: float) -> int | None:
    """The narrowest row of the torso when the garment goes on below it (else no flare to follow),
    among rows at least MIN_WAIST_SHARE of the search range's median width (a hand or bag over the
    bodice leaves slivers of the garment that are no waist)."""
    rows = np.flatnonzero(known)
    if axis_length > 0:
        low, high = (round(top + share * axis_length) for share in WAIST_SEARCH)
    else:  # no body: look between a quarter and 60% of the garment's height
        span = rows.max() - rows.min()
        low, high = round(rows.min() + 0.25 * span), round(rows.min() + 0.6 * span)
    low, high = max(low, int(rows.min())), min(high, int(rows.max()))
    if high - low < 2 or rows.max() <= high:
        return None
    span = width[low:high]
    plausible = np.where(span >= MIN_WAIST_SHARE * np.median(span), span, np.inf)  # not a sliver beside a bag
    return low + int(np.argmin(plausible))


def surface_coordinates(silhouette: np.ndarray, axis: TorsoAxis) -> Surface:
    """Cloth coordinates over the whole photo for a garment whose outline (occluders in front of it
    included) is ``silhouette``; pixels outside it carry the coordinates continued past the edge."""
    import cv2

    height, width = silhouette.shape
    # Turn the photo about the axis origin so that the axis points straight down, shifted so that
    # every turned pixel lands on the canvas.
    turn = cv2.getRotationMatrix2D(axis.origin, -axis.angle, 1.0)
    corners = np.array([[0, 0, 1], [width, 0, 1], [0, height, 1], [width, height, 1]], np.float64) @ turn.T
    turn[:, 2] -= corners.min(axis=0)
    canvas_w, canvas_h = (int(math.ceil(v)) + 1 for v in np.ptp(corners, axis=0))
    upright = cv2.warpAffine(silhouette.astype(np.uint8), turn, (canvas_w, canvas_h), flags=cv2.INTER_NEAREST) > 0
    centre_x, top = turn @ np.array([*axis.origin, 1.0])
    rows = np.flatnonzero(upright.any(axis=1))
    if rows.size == 0:
        raise ValueError("surface_coordinates needs a non-empty silhouette.")
    legs_from = round(top + axis.length) if axis.length > 0 else round(rows[0] + LEGS_SHARE * (rows[-1] - rows[0]))
    left, right, known = _row_edges(upright, centre_x, legs_from)
    size = round(EDGE_SMOOTHING * max(height, width))
    left, right = _smooth_edges(left, known, size), _smooth_edges(right, known, size)
    # The centre line is the body's axis, kept within the middle of each row's run (a garment
    # beside the axis, a sleeve, has its own middle); each side turns away over its own half.
    middle = _smooth_edges(np.clip(centre_x, left + 0.3 * (right - left), right - 0.3 * (right - left)),
                           known, size)
    halves = np.maximum(middle - left, 2.0), np.maximum(right - middle, 2.0)
    waist = _waist_row(halves[0] + halves[1], known, round(top), axis.length)
    sine = math.sin(VISIBLE_ARC)
    offset = np.arange(canvas_w, dtype=np.float64)[None, :] - middle[:, None]
    half = np.where(offset < 0, halves[0][:, None], halves[1][:, None])
    radius = half / sine  # the cross-section's radius per row and side
    if waist is not None:  # below the waist the skirt keeps the waist's cloth width and fans out
        own = radius[waist:]  # a row narrower than the waist (a pencil skirt's hem) keeps its own cloth width
        radius[waist:] = np.clip(radius[waist], own / MAX_FLARE, own)
    row_scale = radius * sine / half  # 1 above the waist, < 1 where a skirt has flared
    t = offset / half  # -1 .. 1 from edge to edge
    inside = np.clip(t, -1, 1) * sine
    # Past the outline (the soft edge's band) the coordinates go on at the edge's rate.
    beyond = (np.abs(t) - 1).clip(0) * np.sign(t) * half * row_scale / math.cos(VISIBLE_ARC)
    u = (radius * np.arcsin(inside) + beyond).astype(np.float32)
    facing = np.sqrt(1 - inside ** 2).astype(np.float32)
    compression = (facing / row_scale).astype(np.float32)
    v = np.broadcast_to((np.arange(canvas_h, dtype=np.float32) - np.float32(top))[:, None], u.shape)
    back = cv2.invertAffineTransform(turn)
    planes = [cv2.warpAffine(np.ascontiguousarray(plane), back, (width, height), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_REPLICATE) for plane in (u, v, compression, facing)]
    return Surface(*planes)


SLEEVE_REACH = 0.45  # a sleeve's pixel lies within this many shoulder widths of its arm's line
SLEEVE_RADIUS = 0.2  # a sleeve's cross-section radius, in shoulder widths
SLEEVE_COVER = 0.4  # a sleeve covers at least this share of its upper arm's line
SLEEVE_BEND = 0.12  # the print bends from the bodice's into a sleeve's over this many shoulder widths


def with_sleeves(surface: Surface, garment: np.ndarray, arms: list[np.ndarray], outside: list[np.ndarray],
                 sides: list[tuple[np.ndarray, np.ndarray]], shoulder_width: float) -> Surface:
    """``surface`` with the print turning down each sleeve: the ``garment`` pixels on an arm's side of the
    torso (``outside``, a bool mask per arm) within SLEEVE_REACH of that arm (``arms``: polylines, shoulder
    first, (N, 2) x/y), nearer it than the torso's side (``sides``: a point and a unit direction per arm)
    and over a stretch of arm the garment covers (it covers SLEEVE_COVER of the upper arm's line at least: a
    bare arm beside a sleeveless bodice has no sleeve) take
    coordinates along and around it, on a round cross-section of SLEEVE_RADIUS as the bodice's. They start
    from the bodice's at the shoulder and take over from them within SLEEVE_BEND of the bodice, so the print
    bends from the bodice into the sleeve instead of carrying on sideways (blind judges took a hard seam
    there for a tiling edge)."""
    import cv2

    height, width = garment.shape
    ys, xs = np.mgrid[:height, :width].astype(np.float32)
    u, v, compression, facing = (plane.copy() for plane in (surface.u, surface.v, surface.compression, surface.facing))
    sleeves = np.zeros_like(garment)
    half = max(SLEEVE_RADIUS * shoulder_width, 2.0)  # the sleeve's half-width seen from the front
    sine, cosine = math.sin(VISIBLE_ARC), math.cos(VISIBLE_ARC)
    for arm, beside, (point, direction) in zip(arms, outside, sides):
        samples = arm[0] + np.linspace(0, 1, 21)[:, None] * (arm[1] - arm[0])  # along the upper arm
        rows, cols = (np.clip(np.round(samples[:, k]), 0, n - 1).astype(int) for k, n in ((1, height), (0, width)))
        if garment[rows, cols].mean() < SLEEVE_COVER:  # a bare arm beside the garment: no sleeve
            continue
        to_side = np.abs((xs - point[0]) * direction[1] - (ys - point[1]) * direction[0])
        best = np.full((height, width), np.inf, np.float32)
        along, across, axis_x, axis_y = (np.zeros((height, width), np.float32) for _ in range(4))
        start = 0.0
        first = arm[1] - arm[0]
        past_shoulder = (xs - arm[0][0]) * first[0] + (ys - arm[0][1]) * first[1] > 0  # the shoulder's top is the bodice's
        segments = list(zip(arm[:-1], arm[1:]))
        for k, (a, b) in enumerate(segments):
            length = float(np.hypot(*(b - a)))
            if length < 1:
                continue
            d = (b - a) / length
            # The arm goes on past its last landmark seen (a forearm whose wrist is not).
            t = np.clip((xs - a[0]) * d[0] + (ys - a[1]) * d[1], 0, length if k < len(segments) - 1 else np.inf)
            normal = (xs - a[0]) * d[1] - (ys - a[1]) * d[0]  # to the image's right for an arm hanging down, as u
            nearest_x, nearest_y = a[0] + t * d[0], a[1] + t * d[1]
            distance = np.hypot(xs - nearest_x, ys - nearest_y)
            closer = distance < best
            best[closer], along[closer], across[closer] = distance[closer], start + t[closer], normal[closer]
            axis_x[closer], axis_y[closer] = nearest_x[closer], nearest_y[closer]
            start += length
        covered = garment[np.clip(np.round(axis_y), 0, height - 1).astype(int),
                          np.clip(np.round(axis_x), 0, width - 1).astype(int)]
        sleeve = (garment & beside & past_shoulder & covered & (best <= SLEEVE_REACH * shoulder_width)
                  & (best < to_side) & ~sleeves)
        if not sleeve.any():
            continue
        x0, y0 = (int(np.clip(round(c), 0, n - 1)) for c, n in zip(arm[0], (width, height)))
        t = across[sleeve] / half
        inside = np.clip(t, -1, 1) * sine
        sleeve_u = surface.u[y0, x0] + half / sine * np.arcsin(inside) + \
            (np.abs(t) - 1).clip(0) * np.sign(t) * half / cosine
        sleeve_v = surface.v[y0, x0] + along[sleeve]
        sleeve_facing = np.sqrt(1 - inside ** 2)
        from_bodice = cv2.distanceTransform((~(garment & ~sleeve)).astype(np.uint8), cv2.DIST_L2, 5)[sleeve]
        bend = np.clip(from_bodice / max(SLEEVE_BEND * shoulder_width, 1.0), 0, 1)
        u[sleeve] += bend * (sleeve_u - u[sleeve])
        v[sleeve] += bend * (sleeve_v - v[sleeve])
        facing[sleeve] += bend * (sleeve_facing - facing[sleeve])
        compression[sleeve] += bend * (sleeve_facing - compression[sleeve])
        sleeves |= sleeve
    return Surface(u, v, compression, facing)


def _smooth_slope(values: np.ndarray, axis: int) -> np.ndarray:
    """The slope of ``values`` along ``axis`` from the neighbour on the side where it changes less: a seam
    between panels (their coordinates jump) shows on one side of a pixel only, a shear on both."""
    forward = np.diff(values, axis=axis, append=np.take(values, [-1], axis=axis))
    backward = np.diff(values, axis=axis, prepend=np.take(values, [0], axis=axis))
    return np.where(np.abs(forward) <= np.abs(backward), forward, backward)


def stretch(surface: Surface) -> np.ndarray:
    """(H, W) cloth pixels per photo pixel in the direction the coordinates change fastest: the largest
    singular value of their Jacobian. Where the cloth turns away it is the arc's 1 / compression; where the
    coordinates shear (a skirt's hem, whose edges jump from row to row) it is more, and the print must be read
    blurred there too or it aliases into stripes. The slopes come from the smoother side of each pixel, so
    a seam between panels, where the coordinates jump, reads as the cloth on either side of it."""
    u_x, u_y = _smooth_slope(surface.u, 1), _smooth_slope(surface.u, 0)
    v_x, v_y = _smooth_slope(surface.v, 1), _smooth_slope(surface.v, 0)
    a, b, c = u_x ** 2 + v_x ** 2, u_x * u_y + v_x * v_y, u_y ** 2 + v_y ** 2
    largest = np.sqrt((a + c) / 2 + np.sqrt(((a - c) / 2) ** 2 + b ** 2))
    return np.maximum(largest, 1.0 / np.maximum(surface.compression, 1e-3)).astype(np.float32)
