"""The printed pattern as drawing primitives in cm (y down), shared by the PDF and the SVG.

One of each piece (a fold piece as its half) is arranged on a copy-shop roll's width. Each piece
gets its cut line (solid), seam line (dashed, darts included), grain line with arrows, notches,
its bust/waist/hip lines, "PLACE ON FOLD" along a fold, and its label.
"""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import LineString

from studio.sew.draft import Pattern
from studio.sew.fabric_print import notch_ticks
from studio.sew.layout import COPY_SHOP_WIDTH, paper_layout, place_point
from studio.sew.pieces import FOLD

Point = tuple[float, float]
TEST_SQUARE = 10.0  # cm


@dataclass(frozen=True)
class Shape:
    """``kind``: cut, seam (closed polylines), grain, notch, level, fold (segments), text."""

    kind: str
    points: tuple[Point, ...]
    text: tuple[str, ...] = ()
    size: float = 0.0  # text height, cm


@dataclass(frozen=True)
class Drawing:
    width: float
    height: float
    shapes: tuple[Shape, ...]


def pattern_drawing(pattern: Pattern, width: float = COPY_SHOP_WIDTH) -> Drawing:
    """Every piece on paper ``width`` cm wide, as shapes."""
    placements, length = paper_layout(pattern, width)
    shapes: list[Shape] = []
    size_text = "own measurements" if pattern.size == "own" else f"size {pattern.size}"
    for placement in placements:
        piece = pattern.piece(placement.piece)

        def at(point: Point, placement=placement) -> Point:
            return place_point(point, placement)

        shapes.append(Shape("cut", tuple(at(p) for p in piece.cut_line)))
        shapes.append(Shape("seam", tuple(at(p) for p in piece.seam_line)))
        top, bottom = piece.grain()
        shapes.append(Shape("grain", (at(top), at(bottom))))
        shapes.extend(Shape("notch", (at(a), at(b))) for a, b in notch_ticks(piece))
        for name, y in piece.levels.items():
            x0, _, x1, _ = piece.polygon().bounds
            inside = piece.polygon().intersection(_horizontal(x0, x1, y))
            if not inside.is_empty:
                a, b = inside.bounds[0], inside.bounds[2]
                shapes.append(Shape("level", (at((a + 0.5, y)), at((b - 0.5, y))), (f"{name} line",), 0.35))
        fold = [piece.seam_line[i] for i, kind in enumerate(piece.edges) if kind == FOLD]
        if fold:
            ys = [p[1] for p in fold] + [piece.seam_line[(piece.edges.index(FOLD) + 1) % len(piece.seam_line)][1]]
            shapes.append(Shape("fold", (at((0.4, min(ys) + 3)), at((0.4, max(ys) - 3))), ("PLACE ON FOLD",), 0.45))
        count = "Cut 1 on the fold" if piece.on_fold else f"Cut {piece.count} (a mirrored pair)"
        lines = (piece.name.upper(), f"Dress Studio, {size_text}", count,
                 f"{pattern.style.silhouette}, {pattern.style.length}, {pattern.style.sleeve} sleeve",
                 f"seam allowance {pattern.style.seam_allowance:g} cm, hem {pattern.style.hem_allowance:g} cm")
        shapes.append(Shape("text", (at(piece.label_point()),), lines, 0.55))
    return Drawing(width, length, tuple(shapes))


def _horizontal(x0: float, x1: float, y: float) -> LineString:
    return LineString([(x0 - 1, y), (x1 + 1, y)])
