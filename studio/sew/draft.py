"""The dress drafted from measurements: bodice block with darts, skirt block and sleeve block.

The method follows the close-fitting bodice, skirt and one-piece sleeve blocks of W. Aldrich,
*Metric Pattern Cutting for Women's Wear* (the book the size table comes from), adapted to a
dress with a waist seam. Every formula is written next to the point it places; cm throughout,
x from the centre line, y downwards.

Bodice (back and front drafted on one frame; y = 0 is the neck-point line):
- nape 1.5 below the neck-point line; underarm line at nape + armscye depth + 0.5; waist line at
  nape + back waist length;
- neck width neck/5 - 0.2 (boat: the neck point moves 3 cm out along the shoulder); shoulder
  length = the shoulder measurement, sloping 18° at the back and 22° at the front;
- half back width + 0.5 and half chest width + 0.5 guide the armholes halfway down;
- side seam at (bust + ease)/4 on back and front; the waist of each quarter is (waist + ease)/4;
- back: centre back shaped 1 cm in at the waist, a waist dart midway across the back width taking
  60 % of the waist shaping (at most 4 cm), the side seam the rest;
- front: bust point 1/10 bust from the centre front; the front is longer than the back by 0.4 x
  the table's bust dart, dropped at the centre front and taken up by the waist dart under the bust
  point (60 % of the shaping, at most 6 cm); the front underarm is placed so the front side seam is
  as long as the back's.
Skirt (y = 0 at the waist): hip line at waist-to-hip, quarter hip (hip + ease)/4; waist darts on
the bodice darts' lines, the side seam through the hip; A-line flares 7° below the hip,
fit-and-flare flares from the waist (at least 10° below the hip), the hem curves to meet the side
seam square. Sleeve: bicep = top arm + 5 cm; the cap height is solved so the cap is the armhole
plus 2.5 cm of ease.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from studio.errors import InputError, UnknownChoiceError
from studio.sew.pieces import DART, FOLD, HEM, SEAM, Piece, Point, Seam, path_length, with_cut_line
from studio.sew.sizes import Measurements

SILHOUETTES = ("sheath", "a-line", "fit-and-flare")
LENGTHS = ("mini", "knee", "midi", "maxi")
SLEEVES = ("none", "cap", "short", "long")
NECKLINES = ("round", "v", "boat")

SLEEVE_EASE = 5.0  # bicep over the top arm
CAP_EASE = 2.5  # sleeve cap over the armhole
SEAM_ALLOWANCE_RANGE = (0.5, 3.0)
HEM_ALLOWANCE_RANGE = (1.0, 8.0)


@dataclass(frozen=True)
class Ease:
    """What the finished dress adds to the body, in cm of circumference."""

    bust: float
    waist: float
    hip: float


EASE = {"sheath": Ease(8, 4, 6), "a-line": Ease(8, 4, 8), "fit-and-flare": Ease(8, 4, 12)}


def _choice(kind: str, value: str, options: tuple[str, ...]) -> None:
    if value not in options:
        raise UnknownChoiceError(f"Unknown {kind} {value!r}; choose one of: {', '.join(options)}.")


@dataclass(frozen=True)
class Style:
    """The dress's style choices and its allowances (cm)."""

    silhouette: str = "a-line"
    length: str = "knee"
    sleeve: str = "short"
    neckline: str = "round"
    seam_allowance: float = 1.5
    hem_allowance: float = 3.0

    def __post_init__(self) -> None:
        _choice("silhouette", self.silhouette, SILHOUETTES)
        _choice("length", self.length, LENGTHS)
        _choice("sleeve", self.sleeve, SLEEVES)
        _choice("neckline", self.neckline, NECKLINES)
        for name, value, (low, high) in [("Seam allowance", self.seam_allowance, SEAM_ALLOWANCE_RANGE),
                                         ("Hem allowance", self.hem_allowance, HEM_ALLOWANCE_RANGE)]:
            if not low <= value <= high:
                raise InputError(f"{name} must be between {low:g} and {high:g} cm, got {value:g}.")


@dataclass(frozen=True)
class Pattern:
    """A drafted dress: its pieces, which edges are sewn together, and for whom."""

    measurements: Measurements
    size: str  # the size it started from, "own" when measurements were given
    style: Style
    ease: Ease
    pieces: tuple[Piece, ...]
    seams: tuple[Seam, ...]

    def piece(self, name: str) -> Piece:
        return next(p for p in self.pieces if p.name == name)

    def seam_lengths(self, seam: Seam) -> tuple[float, float]:
        return tuple(self.piece(piece).seam_length(start, end) for piece, start, end in (seam.a, seam.b))

    def finished(self) -> dict[str, float]:
        """The finished dress's bust, waist and hip, measured on the pieces (darts closed)."""
        front, back = self.piece("bodice front"), self.piece("bodice back")
        skirt_front, skirt_back = self.piece("skirt front"), self.piece("skirt back")

        def waist(piece: Piece) -> float:
            return (piece.seam_length("waist_dart_in", "waist_centre")
                    + piece.seam_length("waist_side", "waist_dart_out"))

        return {"bust": 2 * (front.width_at(front.levels["bust"]) + back.width_at(back.levels["bust"])),
                "waist": 2 * (waist(front) + waist(back)),
                "hip": 2 * (skirt_front.width_at(skirt_front.levels["hip"]) + skirt_back.width_at(skirt_back.levels["hip"]))}


class _Outline:
    """A seam line built point by point, with the kind of each edge and named vertices."""

    def __init__(self, start: Point):
        self.points: list[Point] = [(float(start[0]), float(start[1]))]
        self.edges: list[str] = []
        self.marks: dict[str, int] = {}

    def mark(self, name: str) -> _Outline:
        self.marks[name] = len(self.points) - 1
        return self

    def to(self, points, kind: str = SEAM) -> _Outline:
        for x, y in points:
            if math.hypot(x - self.points[-1][0], y - self.points[-1][1]) > 1e-6:
                self.points.append((float(x), float(y)))
                self.edges.append(kind)
        return self

    def piece(self, name: str, count: int, closing: str, notches: list[Point], levels: dict[str, float],
              style: Style) -> Piece:
        piece = Piece(name=name, count=count, on_fold=closing == FOLD,
                      seam_line=tuple((round(x, 4), round(y, 4)) for x, y in self.points),
                      edges=(*self.edges, closing), marks=dict(self.marks),
                      notches=tuple((round(x, 3), round(y, 3)) for x, y in notches), levels=levels,
                      seam_allowance=style.seam_allowance, hem_allowance=style.hem_allowance)
        return with_cut_line(piece)


def _cubic(p0, p1, p2, p3, n: int = 16) -> list[Point]:
    t = np.linspace(0, 1, n)[:, None]
    p0, p1, p2, p3 = (np.asarray(p, float) for p in (p0, p1, p2, p3))
    xy = (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3
    return [tuple(p) for p in xy]


def _along(points: list[Point], distance: float) -> Point:
    """The point ``distance`` along a polyline from its start."""
    xy = np.asarray(points, float)
    steps = np.hypot(*np.diff(xy, axis=0).T)
    run = np.concatenate([[0], np.cumsum(steps)])
    i = int(np.clip(np.searchsorted(run, distance) - 1, 0, len(steps) - 1))
    t = (distance - run[i]) / steps[i] if steps[i] else 0.0
    return tuple(xy[i] + t * (xy[i + 1] - xy[i]))


def _armhole(shoulder: Point, guide: Point, underarm: Point, slope: float) -> list[Point]:
    """Shoulder point -> back-width or chest guide -> underarm, leaving the shoulder square and
    meeting the side seam square."""
    sx, sy = shoulder
    gx, gy = guide
    ux, uy = underarm
    down = (-math.sin(slope), math.cos(slope))
    upper = _cubic(shoulder, (sx + down[0] * 0.4 * (gy - sy), sy + down[1] * 0.4 * (gy - sy)),
                   (gx, gy - 0.35 * (gy - sy)), guide, 10)
    lower = _cubic(guide, (gx, gy + 0.55 * (uy - gy)), (ux - 0.6 * (ux - gx), uy), underarm, 14)
    return upper + lower[1:]


def _bodice(m: Measurements, style: Style, ease: Ease) -> tuple[Piece, Piece]:
    nape, y_under = 1.5, 1.5 + m.armscye_depth + 0.5
    y_waist = nape + m.back_waist_length
    neck_width = m.neck / 5 - 0.2
    x_side = (m.bust + ease.bust) / 4
    quarter_waist = (m.waist + ease.waist) / 4
    boat = 3.0 if style.neckline == "boat" else 0.0

    # Back.
    back_slope = math.radians(18)
    along_b = np.array([math.cos(back_slope), math.sin(back_slope)])
    neck_point = np.array([neck_width, 0.0]) + boat * along_b
    shoulder_b = np.array([neck_width, 0.0]) + m.shoulder * along_b
    guide_b = (m.back_width / 2 + 0.5, (shoulder_b[1] + y_under) / 2)
    x_cb = 1.0
    shaping = x_side - x_cb - quarter_waist
    dart_b = float(np.clip(0.6 * shaping, 0, 4))
    dart_x = x_cb + (guide_b[0] - x_cb) / 2
    leg_in, leg_out = dart_x - dart_b / 2, dart_x + dart_b / 2
    waist_side_b = (leg_out + quarter_waist - (leg_in - x_cb), y_waist)
    back = _Outline(neck_point).mark("neck_point").to([shoulder_b]).mark("shoulder_point")
    armhole_b = _armhole(tuple(shoulder_b), guide_b, (x_side, y_under), back_slope)
    back.to(armhole_b).mark("underarm").to([(x_side, y_under + 3), waist_side_b]).mark("waist_side")
    _waist_dart(back, leg_out, leg_in, y_waist, y_under + 2)
    back.to([(x_cb, y_waist)]).mark("waist_centre").to([(0, y_under + 2), (0, nape)]).mark("nape")
    back.to(_cubic((0, nape), (0.55 * neck_point[0], nape), (neck_point[0], neck_point[1] + 0.5 * (nape - neck_point[1])),
                   tuple(neck_point), 10)[1:-1])
    side_b = path_length([(x_side, y_under), (x_side, y_under + 3), waist_side_b])

    # Front: the waist first, then the underarm that makes its side seam as long as the back's.
    front_slope = math.radians(22)
    along_f = np.array([math.cos(front_slope), math.sin(front_slope)])
    neck_point_f = np.array([neck_width, 0.0]) + boat * along_f
    shoulder_f = np.array([neck_width, 0.0]) + m.shoulder * along_f
    drop = 0.4 * m.bust_dart
    bust_x = 0.1 * m.bust
    dart_f = float(np.clip(0.6 * (x_side - quarter_waist), 0, 6))
    leg_in_f, leg_out_f = bust_x - dart_f / 2, bust_x + dart_f / 2
    to_side = quarter_waist - leg_in_f
    if to_side <= drop + 0.5:
        raise InputError(f"A waist of {m.waist:g} cm is too small for the bust's shaping (bust {m.bust:g} cm).")
    waist_side_f = (leg_out_f + math.sqrt(to_side ** 2 - drop ** 2), y_waist)
    run = x_side - waist_side_f[0]
    y_under_f = y_waist - 3 - math.sqrt(max((side_b - 3) ** 2 - run ** 2, 1.0))
    guide_f = (m.chest_width / 2 + 0.5, (shoulder_f[1] + y_under_f) / 2)
    depth = {"round": m.neck / 5 + 1.0, "v": 0.6 * y_under_f, "boat": 3.0}[style.neckline]
    front = _Outline(neck_point_f).mark("neck_point").to([shoulder_f]).mark("shoulder_point")
    armhole_f = _armhole(tuple(shoulder_f), guide_f, (x_side, y_under_f), front_slope)
    front.to(armhole_f).mark("underarm").to([(x_side, y_under_f + 3), waist_side_f]).mark("waist_side")
    _waist_dart(front, leg_out_f, leg_in_f, y_waist + drop, y_under_f + 4.5)
    front.to([(0, y_waist + drop)]).mark("waist_centre")
    front.to([(0, depth)], FOLD).mark("centre_neck")
    nx, ny = neck_point_f
    if style.neckline == "v":
        neckline = [(nx * t, depth + (ny - depth) * t) for t in np.linspace(0, 1, 6)]
    else:
        neckline = _cubic((0, depth), (0.6 * nx, depth), (nx, ny + 0.55 * (depth - ny)), (nx, ny), 12)
    front.to(neckline[1:-1])

    def armhole_notches(armhole: list[Point], marks: tuple[float, ...]) -> list[Point]:
        length = path_length(armhole)
        return [_along(armhole[::-1], length * 0.4 + k) for k in marks]

    notches_b = armhole_notches(armhole_b, (0.0, 1.0)) + [(leg_in, y_waist), (leg_out, y_waist)]
    notches_f = armhole_notches(armhole_f, (0.0,)) + [(leg_in_f, y_waist + drop), (leg_out_f, y_waist + drop)]
    return (front.piece("bodice front", 1, FOLD, notches_f, {"bust": y_under_f + 1, "waist": y_waist}, style),
            back.piece("bodice back", 2, SEAM, notches_b, {"bust": y_under + 1, "waist": y_waist}, style))


def _waist_dart(outline: _Outline, leg_out: float, leg_in: float, y: float, apex_y: float) -> None:
    """Along the waist towards the centre: the dart's outer leg, its point, its inner leg (one
    vertex, named both, where there is no dart)."""
    outline.to([(leg_out, y)]).mark("waist_dart_out")
    if leg_out - leg_in > 0.05:
        outline.to([((leg_in + leg_out) / 2, apex_y)], DART).to([(leg_in, y)], DART)
    outline.mark("waist_dart_in")


def skirt_length(m: Measurements, length: str) -> float:
    """Waist to hem (cm): the knee at 0.355 x height, the floor at 0.615 x height."""
    knee, floor = 0.355 * m.height, 0.615 * m.height
    return {"mini": knee - 12, "knee": knee + 2, "midi": (knee + floor) / 2, "maxi": floor - 4}[length]


def _skirt(m: Measurements, style: Style, ease: Ease, bodice: Piece, name: str) -> Piece:
    """A skirt quarter whose waist matches ``bodice``'s piece by piece (dart on the bodice dart)."""
    centre = bodice.seam_length("waist_dart_in", "waist_centre")
    side = bodice.seam_length("waist_side", "waist_dart_out")
    length, y_hip = skirt_length(m, style.length), m.waist_to_hip
    x_hip = (m.hip + ease.hip) / 4
    shaping = x_hip - (centre + side)
    dart, dart_length = {"sheath": (float(np.clip(0.45 * shaping, 0, 3.5)), 9.0),
                         "a-line": (float(np.clip(0.3 * shaping, 0, 2.5)), 9.0),
                         "fit-and-flare": (0.0, 0.0)}[style.silhouette]
    if name == "skirt back":
        dart_length += 4
    x_waist = centre + dart + side
    if style.silhouette == "fit-and-flare":
        flare = max(math.atan2(x_hip - x_waist, y_hip), math.radians(10))
        hip_curve = [(x_waist + (x_hip - x_waist) * t, y_hip * t) for t in np.linspace(0, 1, 6)]
    else:
        flare = math.radians(7 if style.silhouette == "a-line" else 0)
        down = np.array([math.sin(flare), math.cos(flare)])
        hip_curve = _cubic((x_waist, 0), (x_waist + 0.45 * (x_hip - x_waist), 0.3 * y_hip),
                           tuple(np.array([x_hip, y_hip]) - down * 0.35 * y_hip), (x_hip, y_hip), 12)
    # The hem y = length - k x^2 meets the side seam at a right angle: k = tan(flare) / (2 x).
    tan = math.tan(flare)
    t = (length - y_hip - x_hip * tan / 2) / (math.cos(flare) + math.sin(flare) * tan / 2)
    hem_side = (x_hip + t * math.sin(flare), y_hip + t * math.cos(flare))
    k = tan / (2 * hem_side[0])
    hem = [(x, length - k * x * x) for x in np.linspace(hem_side[0], 0, 14)]

    back = name == "skirt back"
    outline = _Outline((0, hem[-1][1])).mark("hem_centre").to([(0, 0)]) if back else _Outline((0, 0))
    outline.mark("waist_centre").to([(centre, 0)]).mark("waist_dart_in")
    if dart > 0.05:
        outline.to([(centre + dart / 2, dart_length)], DART).to([(centre + dart, 0)], DART)
    outline.mark("waist_dart_out").to([(x_waist, 0)]).mark("waist_side")
    outline.to(hip_curve).mark("hip").to([hem_side]).mark("hem_side")
    outline.to(hem[1:] if not back else hem[1:-1], HEM)
    if not back:
        outline.mark("hem_centre")
    notches = [(centre, 0), (centre + dart, 0), (x_hip, y_hip)] + ([(0, 20.0)] if back else [])
    return outline.piece(name, 2 if back else 1, HEM if back else FOLD, notches, {"waist": 0.0, "hip": y_hip}, style)


def _sleeve(m: Measurements, style: Style, front: Piece, back: Piece) -> Piece:
    armhole_f = front.seam_length("shoulder_point", "underarm")
    armhole_b = back.seam_length("shoulder_point", "underarm")
    target = armhole_f + armhole_b + CAP_EASE
    r = (m.top_arm + SLEEVE_EASE) / 2

    def cap(height: float) -> list[Point]:
        rear = _cubic((-r, height), (-0.55 * r, height), (-0.45 * r, 0), (0, 0), 20)
        fore = _cubic((0, 0), (0.4 * r, 0), (0.45 * r, height), (r, height), 20)
        return rear + fore[1:]

    low, high = 1.0, 30.0
    if not path_length(cap(low)) < target < path_length(cap(high)):
        raise InputError(f"A top arm of {m.top_arm:g} cm does not fit an armhole of {target - CAP_EASE:.1f} cm.")
    for _ in range(50):
        mid = (low + high) / 2
        low, high = (mid, high) if path_length(cap(mid)) < target else (low, mid)
    height = (low + high) / 2
    points = cap(height)
    crown_at = armhole_b + CAP_EASE * armhole_b / (armhole_f + armhole_b)
    run = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(np.asarray(points), axis=0).T))])
    split = int(np.searchsorted(run, crown_at))
    crown = _along(points, crown_at)
    length = {"cap": height + 3, "short": height + 10, "long": m.sleeve_length}[style.sleeve]
    hem_half = {"cap": r + 1, "short": r - 1, "long": max(11.0, 0.68 * r)}[style.sleeve]

    outline = _Outline((-hem_half, length)).mark("hem_back").to([points[0]]).mark("underarm_back")
    outline.to(points[1:split]).to([crown]).mark("crown").to(points[split:]).mark("underarm_front")
    outline.to([(hem_half, length)]).mark("hem_front")
    notch_f = _along(points[::-1], 0.4 * armhole_f)
    notches = [crown, notch_f, _along(points, 0.4 * armhole_b), _along(points, 0.4 * armhole_b + 1.0)]
    return outline.piece("sleeve", 2, HEM, notches, {}, style)


def draft(m: Measurements, style: Style = Style(), size: str = "own") -> Pattern:
    """The dress's pieces and seams for body ``m`` in ``style``."""
    ease = EASE[style.silhouette]
    front, back = _bodice(m, style, ease)
    pieces = [front, back, _skirt(m, style, ease, front, "skirt front"), _skirt(m, style, ease, back, "skirt back")]
    seams = [
        Seam("shoulder", ("bodice front", "neck_point", "shoulder_point"), ("bodice back", "neck_point", "shoulder_point")),
        Seam("bodice side", ("bodice front", "underarm", "waist_side"), ("bodice back", "underarm", "waist_side")),
        Seam("bodice centre back", ("bodice back", "waist_centre", "nape"), ("bodice back", "waist_centre", "nape")),
        Seam("skirt side", ("skirt front", "waist_side", "hem_side"), ("skirt back", "waist_side", "hem_side")),
        Seam("skirt centre back", ("skirt back", "hem_centre", "waist_centre"), ("skirt back", "hem_centre", "waist_centre")),
    ]
    for part in ("front", "back"):
        seams += [
            Seam(f"waist {part}, centre to dart", (f"bodice {part}", "waist_dart_in", "waist_centre"),
                 (f"skirt {part}", "waist_dart_in", "waist_centre")),
            Seam(f"waist {part}, dart to side", (f"bodice {part}", "waist_side", "waist_dart_out"),
                 (f"skirt {part}", "waist_side", "waist_dart_out")),
        ]
    if style.sleeve != "none":
        sleeve = _sleeve(m, style, front, back)
        pieces.append(sleeve)
        cap_f = sleeve.seam_length("crown", "underarm_front") - front.seam_length("shoulder_point", "underarm")
        cap_b = sleeve.seam_length("crown", "underarm_back") - back.seam_length("shoulder_point", "underarm")
        seams += [
            Seam("sleeve cap front", ("sleeve", "crown", "underarm_front"), ("bodice front", "shoulder_point", "underarm"),
                 round(cap_f, 3)),
            Seam("sleeve cap back", ("sleeve", "crown", "underarm_back"), ("bodice back", "shoulder_point", "underarm"),
                 round(cap_b, 3)),
            Seam("sleeve underarm", ("sleeve", "underarm_front", "hem_front"), ("sleeve", "underarm_back", "hem_back")),
        ]
    return Pattern(m, size, style, ease, tuple(pieces), tuple(seams))
