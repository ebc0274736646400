"""The cutting layout: every piece to cut, nested on the fabric width, grain along the length.

The printed fabric is cut single-ply, so a fold piece is laid opened out and a pair is laid as a
piece and its mirror image. Pieces turn by 0° or 180° only (the grain stays along the length).
Nesting is bottom-left fill on a 5 mm grid: each piece goes where its lowest edge is highest up
the fabric (then leftmost), found for every position at once by one FFT correlation of the
occupied cells with the piece; the exact outlines keep a 4 mm cutting gap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw
from scipy.signal import fftconvolve
from shapely import affinity
from shapely.geometry import Polygon

from studio.errors import InputError
from studio.sew.draft import Pattern

FABRIC_WIDTHS = (112, 137, 150)
DEFAULT_FABRIC_WIDTH = 137
WIDTH_RANGE = (40.0, 330.0)
COPY_SHOP_WIDTH = 91.4  # a 36-inch plotter roll
GRID = 0.5  # cm
GAP = 0.4  # cm between two cut lines


@dataclass(frozen=True)
class Placement:
    """Where one copy of a piece lies: copy 1 of a pair is mirrored (x -> -x) first, then the
    piece turns by ``rotation`` about its own origin and its origin moves to (x, y) cm."""

    piece: str
    copy: int
    x: float
    y: float
    rotation: int


@dataclass(frozen=True)
class Layout:
    """The pieces on the fabric: ``length`` is the marker's, ``order_length`` rounded up to 10 cm."""

    width: float
    placements: tuple[Placement, ...]
    length: float
    order_length: float
    efficiency: float  # pieces' area over the used fabric's (width x marker length)


def cut_outline(pattern: Pattern, name: str, copy: int, *, unfold: bool = True) -> Polygon:
    """A copy's cut line in its piece's frame: opened out for a fold piece, mirrored for copy 1."""
    piece = pattern.piece(name)
    outline = piece.unfolded() if unfold else piece.cut_polygon()
    return affinity.scale(outline, -1, 1, origin=(0, 0)) if copy == 1 else outline


def place(outline: Polygon, placement: Placement) -> Polygon:
    """``outline`` (already mirrored for its copy) where the placement puts it."""
    turned = affinity.rotate(outline, placement.rotation, origin=(0, 0)) if placement.rotation else outline
    return affinity.translate(turned, placement.x, placement.y)


def place_point(point: tuple[float, float], placement: Placement) -> tuple[float, float]:
    """A point of a copy's piece frame where the placement puts it (mirror, turn, move)."""
    x, y = point
    if placement.copy == 1:
        x = -x
    if placement.rotation == 180:
        x, y = -x, -y
    return x + placement.x, y + placement.y


def copies(pattern: Pattern) -> list[tuple[str, int]]:
    """(piece, copy) for everything cut from single-ply fabric."""
    return [(p.name, c) for p in pattern.pieces for c in range(1 if p.on_fold else p.count)]


def _mask(outline: Polygon) -> tuple[np.ndarray, float, float]:
    """The outline grown by half the gap and by as much as a filled cell can miss of it, as grid
    cells, and its grid origin in cm."""
    grown = outline.buffer(GAP / 2 + 0.75 * GRID, join_style="mitre")
    x0, y0, x1, y1 = grown.bounds
    size = (max(1, math.ceil((x1 - x0) / GRID)), max(1, math.ceil((y1 - y0) / GRID)))
    image = Image.new("L", size, 0)
    ImageDraw.Draw(image).polygon([((x - x0) / GRID, (y - y0) / GRID) for x, y in grown.exterior.coords], fill=1)
    return np.asarray(image, np.float32), x0, y0


def nest(items: list[tuple[str, int, Polygon]], width: float) -> tuple[list[Placement], float]:
    """Bottom-left fill of (piece, copy, outline) on ``width``; the placements and the used length.
    The widest item wider than the fabric is one sentence."""
    for name, _, outline in items:
        x0, _, x1, _ = outline.bounds
        if x1 - x0 > width:
            raise InputError(f"The {name} is {x1 - x0:.1f} cm wide with its seam allowances, wider than the "
                             f"{width:g} cm fabric; choose a fabric at least {math.ceil(x1 - x0)} cm wide.")
    best: tuple[float, list[Placement]] | None = None
    orders = [lambda it: -it[2].area, lambda it: -(it[2].bounds[3] - it[2].bounds[1])]
    for order in orders:
        placements, length = _fill(sorted(items, key=order), width)
        if best is None or length < best[0] - 1e-6:
            best = (length, placements)
    return best[1], best[0]


def _fill(items: list[tuple[str, int, Polygon]], width: float) -> tuple[list[Placement], float]:
    columns = int(width / GRID)
    rows = int(sum(o.bounds[3] - o.bounds[1] for _, _, o in items) / GRID) + 64
    occupied = np.zeros((rows, columns), np.float32)
    placements, used, filled = [], 0.0, 0
    for name, copy, outline in items:
        choice = None
        for rotation in (0, 180):
            turned = affinity.rotate(outline, rotation, origin=(0, 0)) if rotation else outline
            mask, x0, y0 = _mask(turned)
            h, w = mask.shape
            if w > columns:
                continue
            window = occupied[:min(rows, filled + h + 1)]  # nothing lies below the lowest piece yet
            overlap = fftconvolve(window, mask[::-1, ::-1], mode="valid")
            free = np.argwhere(overlap < 0.5)
            bottoms = free[:, 0] + h
            first = free[np.lexsort((free[:, 1], bottoms))[0]]
            key = (int(first[0]) + h, int(first[1]))
            if choice is None or key < choice[0]:
                choice = (key, rotation, int(first[0]), int(first[1]), mask, x0, y0)
        if choice is None:
            raise InputError(f"The {name} does not fit on the {width:g} cm fabric.")
        _, rotation, row, column, mask, x0, y0 = choice
        occupied[row:row + mask.shape[0], column:column + mask.shape[1]] += mask
        filled = max(filled, row + mask.shape[0])
        placement = Placement(name, copy, round(column * GRID - x0, 3), round(row * GRID - y0, 3), rotation)
        placements.append(placement)
        used = max(used, place(outline, placement).bounds[3])
    return placements, used


def lay_out(pattern: Pattern, width: float = DEFAULT_FABRIC_WIDTH) -> Layout:
    """Every copy to cut nested on a fabric ``width`` cm wide."""
    low, high = WIDTH_RANGE
    if not low <= width <= high:
        raise InputError(f"Fabric width must be between {low:g} and {high:g} cm, got {width:g}.")
    items = [(name, copy, cut_outline(pattern, name, copy)) for name, copy in copies(pattern)]
    placements, length = nest(items, width)
    area = sum(outline.area for _, _, outline in items)
    return Layout(width, tuple(placements), length, math.ceil(length / 10 - 1e-9) * 10,
                  area / (width * length))


def paper_layout(pattern: Pattern, width: float = COPY_SHOP_WIDTH) -> tuple[list[Placement], float]:
    """One of each piece (a fold piece as its half) for the printed pattern, on paper ``width`` wide."""
    items = [(p.name, 0, p.cut_polygon()) for p in pattern.pieces]
    return nest(items, width)
