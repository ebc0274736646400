"""Pattern pieces: the seam line, its seam allowance, grain line, notches and label; seams between pieces.

Coordinates are cm in the piece's own frame: x from the centre front or back (the fold or the
centre-back seam), y downwards. Every seam line runs the same way round (clockwise as drawn), so a
seam is walked from vertex ``from`` to vertex ``to`` by steps of +1 or -1, never past vertex 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
from shapely import affinity
from shapely.geometry import LineString, Polygon, box
from shapely.geometry.polygon import orient
from shapely.ops import polylabel, unary_union

Point = tuple[float, float]

SEAM, FOLD, HEM, DART = "seam", "fold", "hem", "dart"


@dataclass(frozen=True)
class Piece:
    """One pattern piece. ``edges[i]`` is the kind of the edge from vertex i to i+1 (seam, fold,
    hem, dart); ``marks`` names the vertices that seams and notches refer to."""

    name: str
    count: int
    on_fold: bool
    seam_line: tuple[Point, ...]
    edges: tuple[str, ...]
    marks: dict[str, int]
    notches: tuple[Point, ...]
    levels: dict[str, float]
    seam_allowance: float
    hem_allowance: float
    cut_line: tuple[Point, ...] = field(default=())

    @property
    def label(self) -> str:
        cut = "Cut 1 on fold" if self.on_fold else f"Cut {self.count}" + (" (a pair)" if self.count == 2 else "")
        return f"{self.name.upper()} · {cut}"

    def polygon(self) -> Polygon:
        return Polygon(self.seam_line)

    def cut_polygon(self) -> Polygon:
        return Polygon(self.cut_line)

    def grain(self) -> tuple[Point, Point]:
        """The grain line: parallel to the centre line, through the middle of the piece."""
        x0, y0, x1, y1 = self.cut_polygon().bounds
        x = (x0 + x1) / 2 if not self.on_fold else x0 + (x1 - x0) * 0.45
        inside = self.polygon().intersection(LineString([(x, y0 - 1), (x, y1 + 1)]))
        top, bottom = inside.bounds[1], inside.bounds[3]
        span = bottom - top
        return (x, top + 0.15 * span), (x, bottom - 0.15 * span)

    def label_point(self) -> Point:
        """Where the label fits best: the point of the piece farthest from its edges."""
        point = polylabel(self.polygon(), tolerance=0.5)
        return point.x, point.y

    def seam_path(self, start: str | int, end: str | int) -> list[Point]:
        """The seam line's vertices from mark (or index) ``start`` to ``end``."""
        i, j = (self.marks[m] if isinstance(m, str) else m for m in (start, end))
        step = 1 if j >= i else -1
        return [self.seam_line[k] for k in range(i, j + step, step)]

    def seam_length(self, start: str | int, end: str | int) -> float:
        return path_length(self.seam_path(start, end))

    def width_at(self, y: float) -> float:
        """The piece's width along the horizontal line at ``y`` (open darts left out)."""
        x0, _, x1, _ = self.polygon().bounds
        return self.polygon().intersection(LineString([(x0 - 1, y), (x1 + 1, y)])).length

    def unfolded(self) -> Polygon:
        """The cut outline as cut from single fabric: a fold piece opened out about x = 0."""
        cut = self.cut_polygon()
        if not self.on_fold:
            return cut
        return unary_union([cut, affinity.scale(cut, -1, 1, origin=(0, 0))]).buffer(0)


def path_length(points: list[Point]) -> float:
    xy = np.asarray(points, float)
    return float(np.hypot(*np.diff(xy, axis=0).T).sum())


def with_cut_line(piece: Piece) -> Piece:
    """The piece with its cut line: the seam line (darts closed over) pushed out by the seam
    allowance, by the hem allowance along the hem, and nothing along a fold."""
    vertices = [p for i, p in enumerate(piece.seam_line) if piece.edges[i - 1] != DART or piece.edges[i] != DART]
    filled = Polygon(vertices).buffer(0)
    cut = filled.buffer(piece.seam_allowance, join_style="mitre", mitre_limit=3.0)
    hem = [i for i, kind in enumerate(piece.edges) if kind == HEM]
    if hem:
        line = [piece.seam_line[i] for i in hem] + [piece.seam_line[(hem[-1] + 1) % len(piece.seam_line)]]
        cut = unary_union([cut, _hem_strip(line, piece.hem_allowance, piece.seam_allowance, filled)])
    if piece.on_fold:
        x0, y0, x1, y1 = cut.bounds
        cut = cut.intersection(box(0, y0 - 1, x1 + 1, y1 + 1))
    cut = cut.simplify(0.01)
    outline = _clockwise(cut).exterior.coords[:-1]
    return replace(piece, cut_line=tuple((round(x, 3), round(y, 3)) for x, y in outline))


def _hem_strip(line: list[Point], depth: float, side: float, piece: Polygon) -> Polygon:
    """The hem allowance: a band ``depth`` deep outside the hem, its ends carried ``side`` past
    the side seams so the corners come out square with the seam allowance."""
    xy = np.asarray(line, float)
    start = xy[0] + (xy[0] - xy[1]) / np.linalg.norm(xy[0] - xy[1]) * side
    end = xy[-1] + (xy[-1] - xy[-2]) / np.linalg.norm(xy[-1] - xy[-2]) * side
    extended = LineString([tuple(start), *map(tuple, xy), tuple(end)])
    strips = [extended.buffer(sign * depth, single_sided=True, cap_style="flat") for sign in (1, -1)]
    return min(strips, key=lambda strip: strip.intersection(piece).area)


def _clockwise(polygon: Polygon) -> Polygon:
    """Clockwise as drawn with y downwards, which is counter-clockwise in shapely's y-up sense."""
    if polygon.geom_type != "Polygon":
        polygon = max(polygon.geoms, key=lambda g: g.area)
    return orient(polygon, sign=1.0)


@dataclass(frozen=True)
class Seam:
    """Two edges sewn together: ``a``'s from meets ``b``'s from, to meets to. ``ease`` is how much
    longer a is than b by design (a sleeve cap over its armhole); 0 for a plain seam."""

    name: str
    a: tuple[str, str, str]  # (piece name, from mark, to mark)
    b: tuple[str, str, str]
    ease: float = 0.0
