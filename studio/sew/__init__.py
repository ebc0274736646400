"""Sew: the design on made-to-measure dress pattern pieces, laid out on the fabric, as files.

``measurements`` (a size of the table, own measurements over it) -> ``draft`` (pieces and seams)
-> ``lay_out`` (the pieces on a fabric width) -> the print on the pieces, the files and the flat.
"""

from studio.sew.draft import (
    CAP_EASE,
    EASE,
    HEM_ALLOWANCE_RANGE,
    LENGTHS,
    NECKLINES,
    SEAM_ALLOWANCE_RANGE,
    SILHOUETTES,
    SLEEVES,
    Ease,
    Pattern,
    Style,
    draft,
    skirt_length,
)
from studio.sew.dress import SewnDress, sew
from studio.sew.fabric_print import DPI_RANGE, FabricPrint
from studio.sew.layout import COPY_SHOP_WIDTH, DEFAULT_FABRIC_WIDTH, FABRIC_WIDTHS, WIDTH_RANGE, Layout, Placement, lay_out
from studio.sew.pdf import KINDS as PAPERS
from studio.sew.pieces import Piece, Seam
from studio.sew.sizes import (
    DEFAULT_SIZE,
    LABELS,
    PRIMARY,
    RANGES,
    SIZES,
    SOURCE,
    Measurements,
    measurements,
    parse_measurements,
    size_measurements,
    size_name,
)

__all__ = [
    "COPY_SHOP_WIDTH", "DEFAULT_FABRIC_WIDTH", "DPI_RANGE", "FABRIC_WIDTHS", "PAPERS", "WIDTH_RANGE", "FabricPrint",
    "Layout", "Placement", "SewnDress", "lay_out", "sew",
    "CAP_EASE", "DEFAULT_SIZE", "EASE", "HEM_ALLOWANCE_RANGE", "LABELS", "LENGTHS", "NECKLINES", "PRIMARY", "RANGES",
    "SEAM_ALLOWANCE_RANGE", "SILHOUETTES", "SIZES", "SLEEVES", "SOURCE", "Ease", "Measurements", "Pattern", "Piece",
    "Seam", "Style", "draft", "measurements", "parse_measurements", "size_measurements", "size_name", "skirt_length",
]
