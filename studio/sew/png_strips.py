"""A PNG written strip by strip, its DPI in the file: the whole printed fabric is never in memory.

Rows use PNG's "up" filter (each byte minus the one above), which suits repeats, and fast zlib.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from typing import BinaryIO

import numpy as np

SIGNATURE = b"\x89PNG\r\n\x1a\n"
INCH = 0.0254  # m


def _chunk(stream: BinaryIO, kind: bytes, data: bytes) -> None:
    stream.write(struct.pack(">I", len(data)) + kind + data)
    stream.write(struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def write_png(stream: BinaryIO, width: int, height: int, dpi: float, strips: Iterable[np.ndarray], level: int = 1) -> None:
    """Write an 8-bit RGB PNG of ``width`` x ``height`` from ``strips`` (uint8 HxWx3, top to bottom)."""
    stream.write(SIGNATURE)
    _chunk(stream, b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    per_metre = round(dpi / INCH)
    _chunk(stream, b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1))
    packer = zlib.compressobj(level)
    above = np.zeros((1, width * 3), np.uint8)
    written = 0
    for strip in strips:
        rows = np.ascontiguousarray(strip, np.uint8).reshape(len(strip), width * 3)
        previous = np.concatenate([above, rows[:-1]])
        filtered = np.empty((len(rows), width * 3 + 1), np.uint8)
        filtered[:, 0] = 2  # "up"
        np.subtract(rows, previous, out=filtered[:, 1:])
        data = packer.compress(filtered.tobytes())
        if data:
            _chunk(stream, b"IDAT", data)
        above = rows[-1:]
        written += len(rows)
    if written != height:
        raise ValueError(f"the strips held {written} rows, not {height}")
    _chunk(stream, b"IDAT", packer.flush())
    _chunk(stream, b"IEND", b"")
