"""The design on the pieces: the repeat of Design, at its true size, on every copy in the layout.

Each piece samples the repeat in garment coordinates (cm): the bodice from its neck-point line, the
skirt from the waist (continuing below the bodice), the sleeve from its crown, x from the centre
line. The grain follows the piece (the repeat's vertical is the piece's), the back continues the
front across the side seam (it is reflected about the seam, row by row), and the left pieces are
the mirror images of the right ones, print and all, so the dress is symmetric about the centre
front and back. With an engineered point, that point of the design sits on the centre front of
the bodice (halfway down) and of the skirt (halfway down).

The fabric is rendered in strips of rows, so the whole marker never has to be in memory.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import Polygon

from studio.errors import InputError
from studio.pattern import FabricPattern
from studio.sew.draft import Pattern
from studio.sew.layout import Layout, Placement, cut_outline, place, place_point
from studio.sew.pieces import Piece

DPI_RANGE = (72, 600)
BLEED = 1.0  # cm of design past the cut line
CM_PER_INCH = 2.54
CUT_LINE = (40, 40, 40)


def check_dpi(dpi: float) -> int:
    low, high = DPI_RANGE
    if not low <= dpi <= high:
        raise InputError(f"DPI must be between {low} and {high}, got {dpi:g}.")
    return int(dpi)


@dataclass(frozen=True)
class FabricPrint:
    """The design as Design made it into fabric: ``scale`` times its pixels at ``design_dpi``
    (Design's DPI), the repeat and its rotation; ``engineered`` is a point of the design as
    fractions of its width and height, or None."""

    design: Image.Image
    repeat: str = "half-drop"
    scale: float = 1.0
    rotation: float = 0.0
    design_dpi: float = 150.0
    engineered: tuple[float, float] | None = None

    def __post_init__(self) -> None:
        FabricPattern(self.design, repeat=self.repeat, scale=self.scale)  # checks the repeat and the scale
        if self.engineered is not None and not all(0 <= v <= 1 for v in self.engineered):
            raise InputError(f"The engineered point must be two fractions between 0 and 1, got {self.engineered}.")

    def motif_cm(self) -> tuple[float, float]:
        """The printed size of one motif, in cm."""
        factor = self.scale / self.design_dpi * CM_PER_INCH
        return self.design.width * factor, self.design.height * factor

    def unit(self, dpi: float) -> tuple[np.ndarray, tuple[int, int]]:
        """The repeat unit at ``dpi`` and the motif's size in its pixels (w, h)."""
        width, height = (max(8, round(v / CM_PER_INCH * dpi)) for v in self.motif_cm())
        motif = self.design.convert("RGB").resize((width, height), Image.LANCZOS)
        return np.asarray(FabricPattern(motif, repeat=self.repeat).repeat_unit()), (width, height)


class _Sampler:
    """Garment coordinates (cm) -> RGB of the repeat at one DPI."""

    def __init__(self, fabric: FabricPrint, pattern: Pattern, dpi: float):
        self.unit, (self.motif_w, self.motif_h) = fabric.unit(dpi)
        self.px = dpi / CM_PER_INCH
        self.centre_only = fabric.repeat == "centre"
        angle = math.radians(fabric.rotation)
        self.cos, self.sin = math.cos(angle), math.sin(angle)
        self.anchors = _anchors(fabric, pattern)
        self.point = (0.0, 0.0) if fabric.engineered is None else (fabric.engineered[0] * self.motif_w,
                                                                    fabric.engineered[1] * self.motif_h)
        self.sides = {name: _side_seam(pattern.piece(name)) for name in ("bodice front", "bodice back",
                                                                          "skirt front", "skirt back")}
        self.bodice_waist = pattern.piece("bodice front").levels["waist"]

    def garment_uv(self, piece: Piece, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
        """Piece-frame cm -> garment cm and the zone ("bodice", "skirt", "sleeve") they belong to."""
        name = piece.name
        if name == "sleeve":
            return x, y, "sleeve"
        zone = "bodice" if name.startswith("bodice") else "skirt"
        v = y if zone == "bodice" else y + self.bodice_waist
        if name.endswith("front"):
            return np.abs(x), v, zone
        ys_f, xs_f = self.sides[f"{zone} front"]
        ys_b, xs_b = self.sides[f"{zone} back"]
        return np.interp(y, ys_f, xs_f) + (np.interp(y, ys_b, xs_b) - x), v, zone

    def colours(self, u: np.ndarray, v: np.ndarray, zone: str) -> np.ndarray:
        au, av = self.anchors[zone]
        du, dv = (u - au) * self.px, (v - av) * self.px
        tx = self.cos * du + self.sin * dv + self.point[0]
        ty = -self.sin * du + self.cos * dv + self.point[1]
        if self.centre_only:
            out = np.full((len(tx), 3), 255, np.uint8)
            inside = (tx >= 0) & (ty >= 0) & (tx < self.motif_w) & (ty < self.motif_h)
            out[inside] = self.unit[ty[inside].astype(int), tx[inside].astype(int)]
            return out
        h, w = self.unit.shape[:2]
        return self.unit[np.floor(ty).astype(np.int64) % h, np.floor(tx).astype(np.int64) % w]


def _anchors(fabric: FabricPrint, pattern: Pattern) -> dict[str, tuple[float, float]]:
    """Where each zone's repeat starts (cm): the engineered point's place, else the origin."""
    if fabric.engineered is None:
        return {"bodice": (0.0, 0.0), "skirt": (0.0, 0.0), "sleeve": (0.0, 0.0)}
    front = pattern.piece("bodice front")
    skirt = pattern.piece("skirt front")
    bodice_v = (front.seam_line[front.marks["centre_neck"]][1] + front.levels["waist"]) / 2
    skirt_v = front.levels["waist"] + skirt.seam_line[skirt.marks["hem_centre"]][1] / 2
    return {"bodice": (0.0, bodice_v), "skirt": (0.0, skirt_v), "sleeve": (0.0, 0.0)}


def _side_seam(piece: Piece) -> tuple[np.ndarray, np.ndarray]:
    """The side seam's (y, x) from top to bottom, for interpolation."""
    start, end = ("underarm", "waist_side") if piece.name.startswith("bodice") else ("waist_side", "hem_side")
    xy = np.asarray(piece.seam_path(start, end))
    order = np.argsort(xy[:, 1], kind="stable")
    return xy[order, 1], xy[order, 0]


def notch_ticks(piece: Piece, length: float = 0.6) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """Each notch as a short tick across the seam allowance, from the cut line inwards."""
    seam = piece.polygon()
    ticks = []
    for nx, ny in piece.notches:
        near = seam.exterior.interpolate(seam.exterior.project(ShapelyPoint(nx, ny)))
        ahead = seam.exterior.interpolate(seam.exterior.project(near) + 0.05)
        behind = seam.exterior.interpolate(max(seam.exterior.project(near) - 0.05, 0))
        dx, dy = ahead.x - behind.x, ahead.y - behind.y
        norm = math.hypot(dx, dy) or 1.0
        normal = (dy / norm, -dx / norm)
        if seam.contains(ShapelyPoint(nx + normal[0] * 0.1, ny + normal[1] * 0.1)):
            normal = (-normal[0], -normal[1])
        outer = (nx + normal[0] * piece.seam_allowance, ny + normal[1] * piece.seam_allowance)
        ticks.append((outer, (outer[0] - normal[0] * length, outer[1] - normal[1] * length)))
    return ticks


@dataclass(frozen=True)
class _Placed:
    piece: Piece
    placement: Placement
    cut: Polygon  # on the fabric, cm
    bleed: Polygon
    unfold: bool


def _placed(pattern: Pattern, placements: tuple[Placement, ...] | list[Placement], unfold: bool) -> list[_Placed]:
    out = []
    for p in placements:
        outline = cut_outline(pattern, p.piece, p.copy, unfold=unfold)
        cut = place(outline, p)
        out.append(_Placed(pattern.piece(p.piece), p, cut, cut.buffer(BLEED, join_style="mitre"), unfold))
    return out


def _to_piece(placed: _Placed, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fabric cm -> the piece's own frame (undo the move, the turn and the mirror)."""
    px, py = x - placed.placement.x, y - placed.placement.y
    if placed.placement.rotation == 180:
        px, py = -px, -py
    if placed.placement.copy == 1:
        px = -px
    return px, py


def render_strips(pattern: Pattern, fabric: FabricPrint, placements, width_cm: float, length_cm: float, dpi: float,
                  *, unfold: bool = True, rows: int = 256, lines: bool = True) -> Iterator[np.ndarray]:
    """The printed fabric, ``rows`` pixel rows at a time (uint8 HxWx3): each piece's design runs
    BLEED past its cut line, the cut lines and notches are thin dark lines, the rest is white."""
    sampler = _Sampler(fabric, pattern, dpi)
    px = dpi / CM_PER_INCH
    width, height = round(width_cm * px), round(length_cm * px)
    pieces = _placed(pattern, placements, unfold)
    line_width = max(1, round(dpi / 150))
    for top in range(0, height, rows):
        bottom = min(height, top + rows)
        strip = np.full((bottom - top, width, 3), 255, np.uint8)
        for placed in pieces:
            x0, y0, x1, y1 = placed.bleed.bounds
            if y1 * px < top or y0 * px >= bottom:
                continue
            c0, c1 = max(0, int(x0 * px)), min(width, int(math.ceil(x1 * px)) + 1)
            mask_image = Image.new("L", (c1 - c0, bottom - top), 0)
            ImageDraw.Draw(mask_image).polygon([(x * px - c0, y * px - top) for x, y in placed.bleed.exterior.coords],
                                               fill=1)
            rr, cc = np.nonzero(np.asarray(mask_image))
            if not len(rr):
                continue
            fx, fy = (cc + c0 + 0.5) / px, (rr + top + 0.5) / px
            x, y = _to_piece(placed, fx, fy)
            u, v, zone = sampler.garment_uv(placed.piece, x, y)
            strip[rr, cc + c0] = sampler.colours(u, v, zone)
        if lines:
            _draw_lines(strip, pieces, px, top, line_width)
        yield strip


def _draw_lines(strip: np.ndarray, pieces: list[_Placed], px: float, top: int, width: int) -> None:
    image = Image.fromarray(strip)
    draw = ImageDraw.Draw(image)
    height = strip.shape[0]
    for placed in pieces:
        x0, y0, x1, y1 = placed.cut.bounds
        if y1 * px < top - 2 or y0 * px > top + height + 2:
            continue
        draw.line([(x * px, y * px - top) for x, y in placed.cut.exterior.coords], fill=CUT_LINE, width=width)
        for outer, inner in notch_ticks(placed.piece):
            for mirror in ((1, -1) if placed.unfold and placed.piece.on_fold else (1,)):
                ends = [place_point((mirror * p[0], p[1]), placed.placement) for p in (outer, inner)]
                draw.line([(x * px, y * px - top) for x, y in ends], fill=CUT_LINE, width=width + 1)
    strip[:] = np.asarray(image)


def render(pattern: Pattern, fabric: FabricPrint, layout: Layout, dpi: float) -> Image.Image:
    """The whole printed layout as one image (for previews at screen resolution)."""
    strips = render_strips(pattern, fabric, layout.placements, layout.width, layout.order_length, dpi)
    return Image.fromarray(np.concatenate(list(strips), axis=0))
