"""Turn a design into printable fabric: repeat layouts, scale, rotation, seamless edges.

The layouts are the ones fabric printers offer: ``basic`` (grid), ``half-drop`` (every other
column shifted down half a tile), ``half-brick`` (every other row shifted right half a tile),
``mirror`` (neighbours mirrored, so edges always meet) and ``centre`` (one motif, no repeat).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from studio.errors import InputError, UnknownChoiceError

REPEATS: tuple[str, ...] = ("basic", "half-drop", "half-brick", "mirror", "centre")
MAX_FABRIC_PIXELS = 64_000_000
MIN_TILE_SIDE = 8


def make_seamless(tile: Image.Image, border: float = 0.25) -> Image.Image:
    """Blend the tile with its half-offset copy near the edges so opposite edges match.

    The offset copy is continuous across the tile's wrap-around; it takes over within
    ``border`` (fraction of the side) of each edge, and the original keeps the middle.
    """
    pixels = np.asarray(tile.convert("RGB"), dtype=np.float32)
    height, width = pixels.shape[:2]
    shifted = np.roll(pixels, (height // 2, width // 2), axis=(0, 1))

    def ramp(n: int) -> np.ndarray:
        distance = np.minimum(np.arange(n) + 0.5, n - np.arange(n) - 0.5) / n  # 0 at edges, .5 middle
        return np.clip(distance / border, 0.0, 1.0)

    weight = np.minimum.outer(ramp(height), ramp(width))[..., None]
    blended = pixels * weight + shifted * (1.0 - weight)
    return Image.fromarray(np.clip(blended + 0.5, 0, 255).astype(np.uint8))


def _check_repeat(repeat: str) -> str:
    if repeat not in REPEATS:
        raise UnknownChoiceError(f"Unknown repeat {repeat!r}; choose one of: {', '.join(REPEATS)}.")
    return repeat


@dataclass(frozen=True)
class FabricPattern:
    """A design laid out as fabric. ``scale`` multiplies the design's size; ``rotation`` in degrees."""

    design: Image.Image
    repeat: str = "basic"
    scale: float = 1.0
    rotation: float = 0.0
    seamless: bool = False
    background: tuple[int, int, int] = (255, 255, 255)

    def __post_init__(self) -> None:
        _check_repeat(self.repeat)
        if not 0.01 <= self.scale <= 20:
            raise InputError(f"Scale must be between 0.01 and 20, got {self.scale}.")
        side = min(self.design.size) * self.scale
        if side < MIN_TILE_SIDE:
            raise InputError(f"At scale {self.scale} the design's short side is {side:.0f} px; "
                             f"it must be at least {MIN_TILE_SIDE}.")

    def motif(self) -> Image.Image:
        """The design at the chosen scale (made seamless when asked)."""
        size = (max(1, round(self.design.width * self.scale)), max(1, round(self.design.height * self.scale)))
        tile = self.design.convert("RGB").resize(size, Image.LANCZOS)
        return make_seamless(tile) if self.seamless else tile

    def repeat_unit(self) -> Image.Image:
        """The smallest block that tiles the fabric in a plain grid (what a printer asks for)."""
        return self._unit_from(self.motif())

    def _unit_from(self, motif: Image.Image) -> Image.Image:
        tile = np.asarray(motif)
        h, w = tile.shape[:2]
        if self.repeat in ("basic", "centre"):
            unit = tile
        elif self.repeat == "half-drop":
            unit = np.concatenate([tile, np.roll(tile, h // 2, axis=0)], axis=1)
        elif self.repeat == "half-brick":
            unit = np.concatenate([tile, np.roll(tile, w // 2, axis=1)], axis=0)
        else:  # mirror
            top = np.concatenate([tile, tile[:, ::-1]], axis=1)
            unit = np.concatenate([top, top[::-1]], axis=0)
        return Image.fromarray(np.ascontiguousarray(unit))

    def render(self, size: tuple[int, int]) -> Image.Image:
        """Fabric of ``size`` (width, height) pixels."""
        width, height = (int(v) for v in size)
        if width < 1 or height < 1 or width * height > MAX_FABRIC_PIXELS:
            raise InputError(f"Fabric size {width}x{height} is outside 1 px to {MAX_FABRIC_PIXELS:,} pixels.")
        if self.rotation % 360 == 0:
            return self._render_upright(width, height)
        diagonal = int(np.ceil(np.hypot(width, height))) + 2
        big = self._render_upright(diagonal, diagonal)
        turned = big.rotate(self.rotation, resample=Image.BICUBIC)
        left, top = (diagonal - width) // 2, (diagonal - height) // 2
        return turned.crop((left, top, left + width, top + height))

    def _render_upright(self, width: int, height: int) -> Image.Image:
        motif = self.motif()
        if self.repeat == "centre":
            canvas = Image.new("RGB", (width, height), self.background)
            canvas.paste(motif, ((width - motif.width) // 2, (height - motif.height) // 2))
            return canvas
        unit = np.asarray(self._unit_from(motif))
        uh, uw = unit.shape[:2]
        # A motif sits in the middle of the fabric, as printers centre a repeat.
        oy, ox = (motif.height - height) // 2 % uh, (motif.width - width) // 2 % uw
        reps = ((height + oy) // uh + 2, (width + ox) // uw + 2, 1)
        tiled = np.tile(unit, reps)
        return Image.fromarray(np.ascontiguousarray(tiled[oy:oy + height, ox:ox + width]))
