"""One call from a design and a body to everything the Sew page and the CLI show and write."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from studio.sew.draft import Pattern, Style, draft
from studio.sew.fabric_print import BLEED, CM_PER_INCH, FabricPrint, check_dpi, render, render_strips
from studio.sew.flat import flat_sketch
from studio.sew.layout import DEFAULT_FABRIC_WIDTH, Layout, lay_out, paper_layout, place_point
from studio.sew.pattern_json import pattern_json
from studio.sew.pdf import pattern_pdf
from studio.sew.png_strips import write_png
from studio.sew.sizes import Measurements
from studio.sew.svg import pattern_svg


@dataclass(frozen=True)
class SewnDress:
    """A drafted dress, its layout on the fabric and its print; the files come from here."""

    pattern: Pattern
    layout: Layout
    fabric: FabricPrint
    dpi: int

    def fabric_size(self) -> tuple[int, int]:
        px = self.dpi / CM_PER_INCH
        return round(self.layout.width * px), round(self.layout.order_length * px)

    def write_fabric_png(self, stream: BinaryIO) -> None:
        """fabric.png: the printed layout at the dress's DPI, written strip by strip."""
        width, height = self.fabric_size()
        write_png(stream, width, height, self.dpi,
                  render_strips(self.pattern, self.fabric, self.layout.placements, self.layout.width,
                                self.layout.order_length, self.dpi))

    def fabric_preview(self, dpi: float = 20) -> Image.Image:
        """The printed layout at screen resolution."""
        return render(self.pattern, self.fabric, self.layout, dpi)

    def pieces_preview(self, dpi: float = 24) -> Image.Image:
        """One of each piece with its print, cut line, grain line and name, as on the paper pattern."""
        laid, length = paper_layout(self.pattern, 120)
        margin = BLEED + 0.5
        placements = [replace(p, x=p.x + margin, y=p.y + margin) for p in laid]
        strips = render_strips(self.pattern, self.fabric, placements, 120 + 2 * margin, length + 2 * margin, dpi,
                               unfold=False)
        image = Image.fromarray(np.concatenate(list(strips), axis=0))
        draw = ImageDraw.Draw(image)
        px = dpi / CM_PER_INCH
        font = ImageFont.load_default(size=max(11, round(px * 1.1)))
        for placement in placements:
            piece = self.pattern.piece(placement.piece)
            top, bottom = (place_point(p, placement) for p in piece.grain())
            draw.line([(top[0] * px, top[1] * px), (bottom[0] * px, bottom[1] * px)], fill=(0, 0, 0), width=3)
            x, y = place_point(piece.label_point(), placement)
            label = piece.name + (" (fold)" if piece.on_fold else f" x{piece.count}")
            draw.text((x * px, y * px), label, fill=(0, 0, 0), font=font, anchor="mm", stroke_width=3,
                      stroke_fill=(255, 255, 255))
        return image

    def pdf(self, kind: str = "a4", *, copy_shop_sheet: bool = False) -> bytes:
        return pattern_pdf(self.pattern, self.layout, kind, copy_shop_sheet=copy_shop_sheet)

    def svg(self) -> bytes:
        return pattern_svg(self.pattern)

    def json(self) -> bytes:
        return pattern_json(self.pattern, self.layout, self.dpi)

    def flat(self, height: int = 1100) -> Image.Image:
        return flat_sketch(self.pattern, self.fabric, height)

    def numbers(self) -> dict[str, float]:
        """The dress's checks: the worst plain-seam difference, the sleeve cap's ease, the
        finished sizes, the fabric to order and the marker efficiency."""
        plain = [abs(a - b) for s in self.pattern.seams if not s.ease for a, b in [self.pattern.seam_lengths(s)]]
        caps = [a - b for s in self.pattern.seams if s.ease for a, b in [self.pattern.seam_lengths(s)]]
        finished = self.pattern.finished()
        return {"worst_seam_difference_cm": max(plain), "sleeve_cap_ease_cm": sum(caps),
                "bust_cm": finished["bust"], "waist_cm": finished["waist"], "hip_cm": finished["hip"],
                "fabric_length_cm": self.layout.order_length, "marker_length_cm": self.layout.length,
                "marker_efficiency": self.layout.efficiency}


def sew(design: Image.Image, body: Measurements, style: Style | None = None, *, size: str = "own",
        fabric_width: float = DEFAULT_FABRIC_WIDTH, dpi: float = 150, repeat: str = "half-drop", scale: float = 1.0,
        rotation: float = 0.0, design_dpi: float = 150, engineered: tuple[float, float] | None = None) -> SewnDress:
    """Draft the dress for ``body``, lay it on the fabric and print ``design`` on it. Everything
    is checked here, so nothing is written for input that cannot be sewn."""
    dpi = check_dpi(dpi)
    fabric = FabricPrint(design, repeat=repeat, scale=scale, rotation=rotation, design_dpi=design_dpi,
                         engineered=engineered)
    pattern = draft(body, style or Style(), size)
    return SewnDress(pattern, lay_out(pattern, fabric_width), fabric, dpi)
