"""The flat sketch: the front of the sewn dress with its print, on white, like a product shot.

The bodice and skirt fronts are opened out about the centre front with their darts closed (the
print meets itself along each dart, as sewn), the skirt hangs from the bodice's waist, the back
bodice shows inside the neckline (shaded), and the sleeves hang from the armholes.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from studio.sew.draft import Pattern
from studio.sew.fabric_print import FabricPrint, _Sampler
from studio.sew.pieces import DART, FOLD, Piece

OUTLINE = (70, 70, 70)


def _dart(piece: Piece) -> tuple[float, float, float, float] | None:
    """(inner leg x, width, waist y, point y) of the piece's waist dart, or None."""
    marks = piece.marks
    if marks["waist_dart_in"] == marks["waist_dart_out"]:
        return None
    inner, outer = piece.seam_line[marks["waist_dart_in"]], piece.seam_line[marks["waist_dart_out"]]
    apex = piece.seam_line[min(marks["waist_dart_in"], marks["waist_dart_out"]) + 1]
    return inner[0], outer[0] - inner[0], inner[1], apex[1]


def _opening(dart, y: np.ndarray) -> np.ndarray:
    """How wide the dart is open at each y (0 beyond its point)."""
    if dart is None:
        return np.zeros_like(y)
    _, width, waist, point = dart
    return width * np.clip((y - point) / (waist - point), 0, 1)


def _closed_outline(piece: Piece) -> list[tuple[float, float]]:
    """The piece's half outline with its dart sewn shut (no point vertex, the outer side moved in)."""
    dart = _dart(piece)
    out = []
    for i, (x, y) in enumerate(piece.seam_line):
        if piece.edges[i - 1] == DART and piece.edges[i] == DART:
            continue  # the dart's point
        if dart is not None and x > dart[0] + 1e-6:
            x -= float(_opening(dart, np.array([y]))[0])
        out.append((x, y))
    if FOLD in piece.edges:  # start just after the fold, so the opened-out outline does not run along it twice
        start = piece.edges.index(FOLD) + 1
        kept = [i for i in range(len(piece.seam_line)) if not (piece.edges[i - 1] == DART and piece.edges[i] == DART)]
        at = next((k for k, i in enumerate(kept) if i >= start), 0)
        out = out[at:] + out[:at]
    return out


def _full(outline: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A half outline opened out about x = 0."""
    return outline + [(-x, y) for x, y in reversed(outline)]


def flat_sketch(pattern: Pattern, fabric: FabricPrint, height: int = 1100) -> Image.Image:
    """The front view of the dress, ``height`` pixels tall, on white."""
    front, back, skirt = pattern.piece("bodice front"), pattern.piece("bodice back"), pattern.piece("skirt front")
    waist_y = front.levels["waist"]
    skirt_length = skirt.seam_line[skirt.marks["hem_centre"]][1]
    sleeve = next((p for p in pattern.pieces if p.name == "sleeve"), None)
    total = waist_y + skirt_length + 4
    scale = height * 0.92 / total
    sampler = _Sampler(fabric, pattern, scale * 2.54)
    regions = []  # (outline in dress cm, piece, inverse map dress cm -> piece cm, shade)

    def darted(piece: Piece, dy: float):
        dart = _dart(piece)

        def inverse(x, y):
            px, py = np.abs(x), y - dy
            if dart is not None:
                px = np.where(px > dart[0], px + _opening(dart, py), px)
            return px, py
        return inverse

    back_outline = [(x, y) for x, y in _closed_outline(back)]
    regions.append((_full(back_outline), back, darted(back, 0.0), 0.72))
    if sleeve is not None:
        for side in (1, -1):
            regions.append(_sleeve_region(pattern, sleeve, side))
    regions.append((_full([(x, y + waist_y) for x, y in _closed_outline(skirt)]), skirt, darted(skirt, waist_y), 1.0))
    regions.append((_full(_closed_outline(front)), front, darted(front, 0.0), 1.0))

    xs = [x for outline, *_ in regions for x, _ in outline]
    ys = [y for outline, *_ in regions for _, y in outline]
    width_cm = max(xs) - min(xs)
    width = int(width_cm * scale / 0.8) + 1
    ox, oy = width / 2, (height - (max(ys) - min(ys)) * scale) / 2 - min(ys) * scale

    def to_px(points):
        return [(ox + x * scale, oy + y * scale) for x, y in points]

    canvas = np.full((height, width, 3), 255, np.uint8)
    shadow = Image.new("L", (width, height), 0)
    for outline, *_ in regions:
        ImageDraw.Draw(shadow).polygon([(x + 0.6 * scale, y + 0.9 * scale) for x, y in to_px(outline)], fill=70)
    shadow = np.asarray(shadow.filter(ImageFilter.GaussianBlur(scale * 1.2)), np.float32)[..., None] / 255
    canvas = (canvas * (1 - shadow * 0.6)).astype(np.uint8)
    image = Image.fromarray(canvas)
    draw = ImageDraw.Draw(image)
    for outline, piece, inverse, shade in regions:
        mask = Image.new("L", (width, height), 0)
        ImageDraw.Draw(mask).polygon(to_px(outline), fill=1)
        rr, cc = np.nonzero(np.asarray(mask))
        x, y = (cc + 0.5 - ox) / scale, (rr + 0.5 - oy) / scale
        px, py = inverse(x, y)
        u, v, zone = sampler.garment_uv(piece, px, py)
        pixels = np.asarray(image)
        pixels = pixels.copy()
        pixels[rr, cc] = (sampler.colours(u, v, zone) * shade).astype(np.uint8)
        image = Image.fromarray(pixels)
        draw = ImageDraw.Draw(image)
        draw.line(to_px(outline + outline[:1]), fill=OUTLINE, width=max(1, round(scale * 0.25)))
    # The waist seam and the sewn darts.
    half = front.seam_line[front.marks["waist_side"]][0] - (_dart(front) or (0, 0))[1]
    draw.line(to_px([(-half, waist_y), (half, waist_y)]), fill=OUTLINE, width=max(1, round(scale * 0.2)))
    for piece, dy in ((front, 0.0), (skirt, waist_y)):
        dart = _dart(piece)
        if dart is not None:
            for side in (1, -1):
                draw.line(to_px([(side * dart[0], dart[2] + dy), (side * dart[0], dart[3] + dy)]), fill=OUTLINE,
                          width=1)
    return image


def _sleeve_region(pattern: Pattern, sleeve: Piece, side: int):
    """A sleeve hanging from the bodice front's armhole, seen from the front (its front half)."""
    front = pattern.piece("bodice front")
    sx, sy = front.seam_line[front.marks["shoulder_point"]]
    ux, uy = front.seam_line[front.marks["underarm"]]
    underarm = sleeve.seam_length("underarm_front", "hem_front")
    hem_front = sleeve.seam_line[sleeve.marks["hem_front"]]
    cap = sleeve.seam_line[sleeve.marks["underarm_front"]]
    angle = math.radians(18)
    down = np.array([math.sin(angle), math.cos(angle)])
    across = np.array([math.cos(angle), -math.sin(angle)])
    top, inner = np.array([sx, sy]), np.array([ux, uy])
    hem_width = max(hem_front[0], 4.0)
    inner_hem = inner + down * underarm
    outer_hem = inner_hem + across * hem_width
    armhole = front.seam_path("shoulder_point", "underarm")
    outline = [tuple(top), tuple(outer_hem), tuple(inner_hem)] + armhole[::-1][:-1]  # fills the armhole's scoop
    outline = [(side * x, y) for x, y in outline]
    cap_height = cap[1]

    def inverse(x, y):
        local = np.stack([side * x - top[0], y - top[1]], axis=-1)
        along = local @ down
        sideways = local @ across
        return sideways, along + cap_height * 0.2
    return outline, sleeve, inverse, 0.93
