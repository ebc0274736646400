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
)

__all__ = [
    "CAP_EASE", "DEFAULT_SIZE", "EASE", "HEM_ALLOWANCE_RANGE", "LABELS", "LENGTHS", "NECKLINES", "PRIMARY", "RANGES",
    "SEAM_ALLOWANCE_RANGE", "SILHOUETTES", "SIZES", "SLEEVES", "SOURCE", "Ease", "Measurements", "Pattern", "Piece",
    "Seam", "Style", "draft", "measurements", "parse_measurements", "size_measurements", "skirt_length",
]
