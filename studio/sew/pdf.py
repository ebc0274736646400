"""pattern.pdf: the pattern in vectors at true size, tiled for home printing or on one copy-shop sheet.

Home printing: a cover page (the dress, its numbers, the 10 cm test square, the page map), then
the drawing cut into pages of A4 or Letter with 1 cm margins; neighbouring pages overlap by 1 cm
(the dashed band: lay the next page's edge on it). Pages are named by grid, row letter and column
number (A1, A2, ... B1), and each names its neighbours; pages with nothing on them are left out.
The copy-shop sheet is the whole drawing on one page as wide as a 91.4 cm roll.
"""

from __future__ import annotations

import io
import math
import string

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas

from studio.errors import UnknownChoiceError
from studio.sew.draft import Pattern
from studio.sew.drawing import TEST_SQUARE, Drawing, pattern_drawing
from studio.sew.layout import Layout

PAPERS = {"a4": A4, "letter": LETTER}
KINDS = ("a4", "letter", "copyshop")
MARGIN = 1.0  # cm
OVERLAP = 1.0  # cm
TEST_FILL = (0.85, 0.9, 0.96)


def _draw(canvas: Canvas, drawing: Drawing, to_page) -> None:
    """Every shape; ``to_page`` maps drawing cm to page points."""
    for shape in drawing.shapes:
        points = [to_page(p) for p in shape.points]
        if shape.kind in ("cut", "seam"):
            path = canvas.beginPath()
            path.moveTo(*points[0])
            for p in points[1:]:
                path.lineTo(*p)
            path.close()
            canvas.setDash([4, 2] if shape.kind == "seam" else [])
            canvas.setLineWidth(0.8 if shape.kind == "cut" else 0.5)
            canvas.setStrokeColorRGB(*((0, 0, 0) if shape.kind == "cut" else (0.12, 0.3, 0.6)))
            canvas.drawPath(path, stroke=1, fill=0)
        elif shape.kind == "text":
            (x, y), size = points[0], shape.size * cm
            canvas.setFillColorRGB(0, 0, 0)
            for i, line in enumerate(shape.text):
                font = ("Helvetica-Bold", size * 1.2) if i == 0 else ("Helvetica", size * 0.8)
                canvas.setFont(*font)
                canvas.drawCentredString(x, y + (len(shape.text) / 2 - i) * size * 1.25, line)
        else:
            (x1, y1), (x2, y2) = points
            canvas.setDash([1, 2] if shape.kind == "level" else [])
            canvas.setStrokeColorRGB(*((0.5, 0.5, 0.5) if shape.kind == "level" else (0, 0, 0)))
            canvas.setLineWidth({"notch": 1.2, "level": 0.5}.get(shape.kind, 0.8))
            canvas.line(x1, y1, x2, y2)
            if shape.kind in ("grain", "fold"):
                _arrow_head(canvas, (x2, y2), (x1, y1))
                _arrow_head(canvas, (x1, y1), (x2, y2))
            if shape.text:
                canvas.saveState()
                canvas.translate((x1 + x2) / 2, (y1 + y2) / 2)
                if shape.kind == "fold":
                    canvas.rotate(90)
                canvas.setFont("Helvetica", shape.size * cm)
                canvas.setFillColorRGB(0.3, 0.3, 0.3)
                canvas.drawCentredString(0, 3, shape.text[0])
                canvas.restoreState()
    canvas.setDash([])


def _arrow_head(canvas: Canvas, tip, tail) -> None:
    angle = math.atan2(tip[1] - tail[1], tip[0] - tail[0])
    path = canvas.beginPath()
    path.moveTo(*tip)
    for turn in (2.7, -2.7):
        path.lineTo(tip[0] + 7 * math.cos(angle + turn), tip[1] + 7 * math.sin(angle + turn))
    path.close()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)


def _test_square(canvas: Canvas, x: float, y: float) -> None:
    """The 10 cm test square with its lower left corner at (x, y) points."""
    canvas.setFillColorRGB(*TEST_FILL)
    canvas.setStrokeColorRGB(0, 0, 0)
    canvas.setLineWidth(0.5)
    canvas.rect(x, y, TEST_SQUARE * cm, TEST_SQUARE * cm, stroke=1, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawCentredString(x + TEST_SQUARE * cm / 2, y + TEST_SQUARE * cm / 2 + 6, "10 cm x 10 cm")
    canvas.setFont("Helvetica", 8)
    canvas.drawCentredString(x + TEST_SQUARE * cm / 2, y + TEST_SQUARE * cm / 2 - 8, "Print at 100 % (no scaling);")
    canvas.drawCentredString(x + TEST_SQUARE * cm / 2, y + TEST_SQUARE * cm / 2 - 18, "measure this square first.")


def _summary(pattern: Pattern, layout: Layout) -> list[str]:
    m, style, ease = pattern.measurements, pattern.style, pattern.ease
    finished = pattern.finished()
    size = "own measurements" if pattern.size == "own" else f"size {pattern.size}"
    return [f"{style.silhouette} dress, {style.length} length, {style.sleeve} sleeves, {style.neckline} neckline, {size}",
            f"Body: bust {m.bust:g}, waist {m.waist:g}, hip {m.hip:g}, back waist length {m.back_waist_length:g}, "
            f"height {m.height:g} cm",
            f"Finished: bust {finished['bust']:.1f}, waist {finished['waist']:.1f}, hip {finished['hip']:.1f} cm "
            f"(ease {ease.bust:g} / {ease.waist:g} / {ease.hip:g} cm)",
            f"Seam allowance {style.seam_allowance:g} cm, hem {style.hem_allowance:g} cm: both included on the pieces.",
            f"Fabric: {layout.width:g} cm wide, order {layout.order_length:g} cm "
            f"(marker {layout.length:.1f} cm, {layout.efficiency:.0%} used).",
            "Pieces: bodice front (fold), bodice back x2, skirt front (fold), skirt back x2"
            + (", sleeve x2." if style.sleeve != "none" else "."),
            "Centre back: invisible zip of 55 cm from the neck. Notches: single at the front, double at the back."]


def _tiles(drawing: Drawing, page: tuple[float, float]) -> tuple[int, int, float, float, float, float]:
    width, height = page[0] / cm - 2 * MARGIN, page[1] / cm - 2 * MARGIN
    step_x, step_y = width - OVERLAP, height - OVERLAP
    columns = max(1, math.ceil((drawing.width - OVERLAP) / step_x))
    rows = max(1, math.ceil((drawing.height - OVERLAP) / step_y))
    return columns, rows, width, height, step_x, step_y


def _name(row: int, column: int) -> str:
    return f"{string.ascii_uppercase[row % 26]}{column + 1}"


def pattern_pdf(pattern: Pattern, layout: Layout, kind: str = "a4", *, copy_shop_sheet: bool = False) -> bytes:
    """The PDF for ``kind`` ("a4", "letter": tiled with a cover; "copyshop": one sheet);
    ``copy_shop_sheet`` adds that sheet after the tiled pages."""
    if kind not in KINDS:
        raise UnknownChoiceError(f"Unknown paper {kind!r}; choose one of: {', '.join(KINDS)}.")
    drawing = pattern_drawing(pattern)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAPERS.get(kind, A4), pageCompression=1)
    canvas.setTitle("Dress Studio sewing pattern")
    if kind != "copyshop":
        _tiled(canvas, drawing, pattern, layout, PAPERS[kind])
    if kind == "copyshop" or copy_shop_sheet:
        _sheet(canvas, drawing, pattern, layout)
    canvas.save()
    return buffer.getvalue()


def _occupied(drawing: Drawing, x0: float, y0: float, x1: float, y1: float) -> bool:
    for shape in drawing.shapes:
        if shape.kind == "cut":
            xs, ys = [p[0] for p in shape.points], [p[1] for p in shape.points]
            if min(xs) < x1 and max(xs) > x0 and min(ys) < y1 and max(ys) > y0:
                return True
    return False


def _tiled(canvas: Canvas, drawing: Drawing, pattern: Pattern, layout: Layout, page: tuple[float, float]) -> None:
    columns, rows, width, height, step_x, step_y = _tiles(drawing, page)
    used = [(r, c) for r in range(rows) for c in range(columns)
            if _occupied(drawing, c * step_x, r * step_y, c * step_x + width, r * step_y + height)]
    page_w, page_h = page
    # Cover.
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(MARGIN * cm, page_h - 2 * cm, "Dress Studio: your dress pattern")
    canvas.setFont("Helvetica", 8.5)
    for i, line in enumerate(_summary(pattern, layout)):
        canvas.drawString(MARGIN * cm, page_h - 2.8 * cm - i * 12, line)
    _test_square(canvas, MARGIN * cm, page_h - 15.5 * cm)
    canvas.setFont("Helvetica", 8.5)
    canvas.drawString(MARGIN * cm, page_h - 16.3 * cm,
                      f"Print the {len(used)} pages below at 100 %, trim the left and top margins, lay each page's")
    canvas.drawString(MARGIN * cm, page_h - 16.7 * cm, "edge on its neighbour's dashed overlap band and tape them in "
                      "grid order (A1 top left).")
    scale = min((page_w - 2 * MARGIN * cm) / (drawing.width * cm), (page_h - 19 * cm) / (drawing.height * cm))
    ox, oy = MARGIN * cm, page_h - 17.5 * cm
    _draw(canvas, _outlines_only(drawing), lambda p: (ox + p[0] * cm * scale, oy - p[1] * cm * scale))
    canvas.setLineWidth(0.3)
    canvas.setStrokeColorRGB(0.6, 0.6, 0.6)
    for r, c in used:
        x, y = ox + c * step_x * cm * scale, oy - r * step_y * cm * scale
        canvas.rect(x, y - height * cm * scale, width * cm * scale, height * cm * scale)
        canvas.setFont("Helvetica", 7)
        canvas.drawString(x + 2, y - 9, _name(r, c))
    canvas.showPage()
    # The pages.
    for number, (r, c) in enumerate(used, start=2):
        left, top = c * step_x, r * step_y
        canvas.saveState()
        path = canvas.beginPath()
        path.rect(MARGIN * cm, MARGIN * cm, width * cm, height * cm)
        canvas.clipPath(path, stroke=0, fill=0)
        _draw(canvas, drawing, lambda p, left=left, top=top: (MARGIN * cm + (p[0] - left) * cm,
                                                              page_h - MARGIN * cm - (p[1] - top) * cm))
        canvas.restoreState()
        canvas.setStrokeColorRGB(0.5, 0.5, 0.5)
        canvas.setLineWidth(0.4)
        canvas.rect(MARGIN * cm, MARGIN * cm, width * cm, height * cm)
        canvas.setDash([3, 3])
        canvas.line((MARGIN + width - OVERLAP) * cm, MARGIN * cm, (MARGIN + width - OVERLAP) * cm, page_h - MARGIN * cm)
        canvas.line(MARGIN * cm, (MARGIN + OVERLAP) * cm, page_w - MARGIN * cm, (MARGIN + OVERLAP) * cm)
        canvas.setDash([])
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont("Helvetica-Bold", 20)
        canvas.drawString((MARGIN + 0.3) * cm, page_h - (MARGIN + 0.9) * cm, _name(r, c))
        canvas.setFont("Helvetica", 8)
        canvas.drawString((MARGIN + 0.3) * cm, page_h - (MARGIN + 1.4) * cm,
                          f"row {string.ascii_uppercase[r % 26]}, column {c + 1} (page {number} of {len(used) + 1})")
        neighbours = [(r, c - 1, "left"), (r, c + 1, "right"), (r - 1, c, "above"), (r + 1, c, "below")]
        hints = [f"{_name(nr, nc)} {side}" for nr, nc, side in neighbours if (nr, nc) in used]
        canvas.drawRightString(page_w - (MARGIN + 1.2) * cm, page_h - (MARGIN + 0.6) * cm, "next to: " + ", ".join(hints))
        canvas.showPage()


def _outlines_only(drawing: Drawing) -> Drawing:
    return Drawing(drawing.width, drawing.height, tuple(s for s in drawing.shapes if s.kind == "cut"))


def _sheet(canvas: Canvas, drawing: Drawing, pattern: Pattern, layout: Layout) -> None:
    header = TEST_SQUARE + 3
    page_w, page_h = (drawing.width + 2 * MARGIN) * cm, (drawing.height + header + 2 * MARGIN) * cm
    canvas.setPageSize((page_w, page_h))
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString((MARGIN + TEST_SQUARE + 1) * cm, page_h - (MARGIN + 1) * cm, "Dress Studio: your dress pattern, full size")
    canvas.setFont("Helvetica", 9)
    for i, line in enumerate(_summary(pattern, layout)):
        canvas.drawString((MARGIN + TEST_SQUARE + 1) * cm, page_h - (MARGIN + 1.8) * cm - i * 13, line)
    _test_square(canvas, MARGIN * cm, page_h - (MARGIN + TEST_SQUARE) * cm)
    _draw(canvas, drawing, lambda p: (MARGIN * cm + p[0] * cm, page_h - (MARGIN + header) * cm - p[1] * cm))
    canvas.showPage()
