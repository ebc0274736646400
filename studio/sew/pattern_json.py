"""pattern.json: the pattern for tools and tests (cm; polygons closed, first point repeated)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from studio.sew.draft import Pattern
from studio.sew.layout import Layout


def _closed(points) -> list[list[float]]:
    return [[round(x, 3), round(y, 3)] for x, y in (*points, points[0])]


def pattern_dict(pattern: Pattern, layout: Layout, dpi: int) -> dict[str, Any]:
    """The pattern, its seams, its layout and its finished sizes as plain values."""
    pieces = []
    for piece in pattern.pieces:
        pieces.append({"name": piece.name, "count": piece.count, "on_fold": piece.on_fold,
                       "seam_line": _closed(piece.seam_line), "cut_line": _closed(piece.cut_line),
                       "grain": [[round(x, 3), round(y, 3)] for x, y in piece.grain()],
                       "notches": [[x, y] for x, y in piece.notches],
                       "levels": {k: round(v, 3) for k, v in piece.levels.items()}})
    seams = []
    for seam in pattern.seams:
        ends = {}
        for side, (name, start, end) in (("a", seam.a), ("b", seam.b)):
            piece = pattern.piece(name)
            ends[side] = {"piece": name, "from": piece.marks[start], "to": piece.marks[end]}
        seams.append({**ends, "ease_cm": round(seam.ease, 3)})
    return {
        "units": "cm",
        "measurements": pattern.measurements.to_dict(),
        "ease": asdict(pattern.ease),
        "pieces": pieces,
        "seams": seams,
        "layout": [{"piece": p.piece, "copy": p.copy, "x": p.x, "y": p.y, "rotation": p.rotation}
                   for p in layout.placements],
        "fabric": {"width_cm": layout.width, "length_cm": layout.order_length, "dpi": dpi},
        "finished": {k: round(v, 2) for k, v in pattern.finished().items()},
    }


def pattern_json(pattern: Pattern, layout: Layout, dpi: int) -> bytes:
    return (json.dumps(pattern_dict(pattern, layout, dpi), indent=1) + "\n").encode()
