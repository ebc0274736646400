"""pattern.svg: the printed pattern at true size, in millimetres."""

from __future__ import annotations

from xml.sax.saxutils import escape

from studio.sew.draft import Pattern
from studio.sew.drawing import TEST_SQUARE, pattern_drawing

MM = 10.0  # mm per cm
STYLE = {"cut": 'fill="none" stroke="#000" stroke-width="0.5"',
         "seam": 'fill="none" stroke="#1f4e9c" stroke-width="0.3" stroke-dasharray="3 1.5"',
         "grain": 'stroke="#000" stroke-width="0.4" marker-start="url(#arrow)" marker-end="url(#arrow)"',
         "notch": 'stroke="#000" stroke-width="0.6"',
         "level": 'stroke="#888" stroke-width="0.3" stroke-dasharray="1 1.5"',
         "fold": 'stroke="#000" stroke-width="0.4" marker-start="url(#arrow)" marker-end="url(#arrow)"'}


def _points(points) -> str:
    return " ".join(f"{x * MM:.2f},{y * MM:.2f}" for x, y in points)


def pattern_svg(pattern: Pattern) -> bytes:
    """Every piece (cut and seam lines, grain, notches, labels) and a 10 cm test square."""
    drawing = pattern_drawing(pattern)
    top = TEST_SQUARE + 3  # the test square and its caption above the pieces
    width, height = drawing.width * MM, (drawing.height + top) * MM
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.1f}mm" height="{height:.1f}mm" '
           f'viewBox="0 0 {width:.1f} {height:.1f}">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="4" markerHeight="4" '
           'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>',
           f'<rect x="10" y="10" width="{TEST_SQUARE * MM:.1f}" height="{TEST_SQUARE * MM:.1f}" fill="#dde6f5" '
           'stroke="#000" stroke-width="0.3"/>',
           f'<text x="{TEST_SQUARE * MM + 20:.1f}" y="60" font-family="sans-serif" font-size="6">'
           '10 cm test square: measure it before you cut</text>',
           f'<g transform="translate(0 {top * MM:.1f})">']
    for shape in drawing.shapes:
        if shape.kind in ("cut", "seam"):
            out.append(f'<polygon points="{_points(shape.points)}" {STYLE[shape.kind]}/>')
        elif shape.kind == "text":
            (x, y), size = shape.points[0], shape.size * MM
            y -= (len(shape.text) - 1) * shape.size * 0.65
            for i, line in enumerate(shape.text):
                weight = ' font-weight="bold"' if i == 0 else ""
                out.append(f'<text x="{x * MM:.1f}" y="{(y + i * shape.size * 1.3) * MM:.1f}" font-family="sans-serif" '
                           f'font-size="{size * (1.2 if i == 0 else 0.8):.1f}" text-anchor="middle"{weight}>'
                           f'{escape(line)}</text>')
        else:
            (x1, y1), (x2, y2) = shape.points
            out.append(f'<line x1="{x1 * MM:.2f}" y1="{y1 * MM:.2f}" x2="{x2 * MM:.2f}" y2="{y2 * MM:.2f}" '
                       f'{STYLE[shape.kind]}/>')
            if shape.text:
                out.append(f'<text x="{(x1 + x2) / 2 * MM + 3:.1f}" y="{(y1 + y2) / 2 * MM - 1.5:.1f}" '
                           f'font-family="sans-serif" font-size="{shape.size * MM:.1f}">{escape(shape.text[0])}</text>')
    out.append("</g></svg>")
    return ("\n".join(out) + "\n").encode()
