"""Fast arbitrary style transfer (Magenta, Ghiasi et al. 2017) through TensorFlow Hub.

An engine is any module ``tensorflow_hub.load`` can open that has the Magenta call
``module(content [1,H,W,3], style [1,256,256,3]) -> [image]``: the SavedModel shipped in
models/ (no network needed), a local SavedModel folder, or the online TF-Hub model. The shipped
model also exposes ``style_vector`` and ``transform``, which strength and blending need.
TensorFlow is imported only when an engine is loaded.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from studio import config
from studio.errors import InputError, StudioError
from studio.images import fit_long_side

STYLE_INPUT_SIZE = 256
MIN_OUTPUT_SIDE = 64
MAX_OUTPUT_SIDE = 2048
DESIGN_LONG_SIDE = 1024  # a design's default long side, in the app and the CLI
CONVERT_COMMAND = "python -m tools.convert_magenta"


class StyleEngineError(StudioError, RuntimeError):
    """A style engine is missing, unreadable or cannot do what was asked."""


def _import_tensorflow_hub():
    # TensorFlow and triton (imported by torch._dynamo, e.g. through torchvision) bundle clashing
    # LLVM builds: importing triton after TensorFlow kills the process with a segfault. On the CPU
    # torch never needs triton, so keep it out unless something already loaded it.
    sys.modules.setdefault("triton", None)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="pkg_resources is deprecated")
        import tensorflow as tf
        import tensorflow_hub as hub
    return tf, hub


def prepare_style_image(artwork: Image.Image) -> np.ndarray:
    """Centre square crop resized to 256x256, float32 [1,256,256,3] in [0, 1] (Magenta's recipe)."""
    rgb = artwork.convert("RGB")
    side = min(rgb.size)
    left, top = (rgb.width - side) // 2, (rgb.height - side) // 2
    square = rgb.crop((left, top, left + side, top + side))
    square = square.resize((STYLE_INPUT_SIZE, STYLE_INPUT_SIZE), Image.LANCZOS)
    return (np.asarray(square, dtype=np.float32) / 255.0)[None]


def _pad_to_multiple(pixels: np.ndarray, multiple: int) -> np.ndarray:
    height, width = pixels.shape[:2]
    pad_h, pad_w = -height % multiple, -width % multiple
    if not (pad_h or pad_w):
        return pixels
    mode = "reflect" if min(height, width) > max(pad_h, pad_w) else "edge"
    return np.pad(pixels, ((0, pad_h), (0, pad_w), (0, 0)), mode=mode)


def keep_original_colours(stylized: Image.Image, original: Image.Image) -> Image.Image:
    """Luminance from the stylized image, colour (Cb, Cr) from the original."""
    luminance = stylized.convert("YCbCr").getchannel("Y")
    _, cb, cr = original.resize(stylized.size, Image.LANCZOS).convert("YCbCr").split()
    return Image.merge("YCbCr", (luminance, cb, cr)).convert("RGB")


def normalised_weights(count: int, weights: Sequence[float] | None) -> np.ndarray:
    """Blend weights that sum to one; refuses wrong lengths and negative or all-zero weights."""
    if weights is None:
        return np.full(count, 1.0 / count)
    values = np.asarray(list(weights), dtype=np.float64)
    if values.shape != (count,):
        raise InputError(f"Got {values.size} weights for {count} artworks; give one weight per artwork.")
    if not np.all(np.isfinite(values)) or np.any(values < 0) or values.sum() <= 0:
        raise InputError("Artwork weights must be non-negative numbers with a positive sum.")
    return values / values.sum()


@dataclass
class Stylizer:
    """A loaded style engine; ``stylize`` is its one inference door."""

    module: Any
    handle: str
    name: str  # what messages call the engine: its configured name in the app, the handle on the CLI

    @classmethod
    def load(cls, handle: str | None = None, *, name: str | None = None) -> Stylizer:
        """Open ``handle`` (default: the shipped SavedModel, or ``STUDIO_STYLE_HANDLE``); error
        sentences call it ``name`` when given (the app names engines, never shows their handles)."""
        handle = str(handle or config.style_handle())
        name = name or handle
        if "://" not in handle and not (Path(handle) / "saved_model.pb").is_file():
            raise StyleEngineError(
                f"Style model {name} is missing (no saved_model.pb); rebuild it with "
                f"`{CONVERT_COMMAND}` or point STUDIO_STYLE_HANDLE at a Magenta SavedModel."
            )
        _, hub = _import_tensorflow_hub()
        try:
            module = hub.load(handle)
        except Exception as exc:  # TensorFlow raises many unrelated types for unreadable models
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StyleEngineError(f"Style model {name} could not be loaded: {reason}") from exc
        if not callable(module):
            raise StyleEngineError(f"Style model {name} has no Magenta call signature module(content, style).")
        return cls(module, handle, name)

    @property
    def blends_style_vectors(self) -> bool:
        """True when the engine exposes style vectors (strength and multi-artwork blending)."""
        return hasattr(self.module, "style_vector") and hasattr(self.module, "transform")

    def stylize(
        self,
        content: Image.Image,
        artworks: Image.Image | Sequence[Image.Image],
        *,
        weights: Sequence[float] | None = None,
        strength: float = 1.0,
        preserve_colors: bool = False,
        size: int | None = None,
    ) -> Image.Image:
        """Paint ``content`` in the style of ``artworks``.

        ``strength`` (0..1) interpolates the artwork's style vector with the content's own, as
        in Magenta; ``size`` is the output's long side (default: the content's, at most 2048).
        """
        artworks = [artworks] if isinstance(artworks, Image.Image) else list(artworks)
        if not artworks:
            raise InputError("Give at least one artwork.")
        blend = normalised_weights(len(artworks), weights)
        if not 0.0 <= float(strength) <= 1.0:
            raise InputError(f"Strength must be between 0 and 1, got {strength}.")
        long_side = size if size is not None else min(max(content.size), MAX_OUTPUT_SIDE)
        if not MIN_OUTPUT_SIDE <= int(long_side) <= MAX_OUTPUT_SIDE:
            raise InputError(f"Output size must be between {MIN_OUTPUT_SIDE} and {MAX_OUTPUT_SIDE} pixels, got {long_side}.")

        rgb = fit_long_side(content.convert("RGB"), int(long_side))
        pixels = np.asarray(rgb, dtype=np.float32) / 255.0
        padded = _pad_to_multiple(pixels, 4)[None]
        if self.blends_style_vectors:
            styles = np.concatenate([prepare_style_image(a) for a in artworks])
            vectors = self.module.style_vector(styles).numpy()
            vector = np.tensordot(blend.astype(np.float32), vectors, axes=1)[None]
            if strength < 1.0:
                own = self.module.style_vector(prepare_style_image(rgb)).numpy()
                vector = strength * vector + (1.0 - strength) * own
            output = self.module.transform(padded, vector.astype(np.float32)).numpy()
        else:
            if len(artworks) > 1 or strength < 1.0:
                raise StyleEngineError(
                    f"Style model {self.name} offers only the combined Magenta call; blending artworks "
                    "and strength below 1 need an engine with style_vector/transform, like the shipped one."
                )
            output = np.asarray(self.module(padded, prepare_style_image(artworks[0]))[0])
        image = np.clip(output[0, : rgb.height, : rgb.width] * 255.0 + 0.5, 0, 255).astype(np.uint8)
        result = Image.fromarray(image)
        if result.size != rgb.size:
            result = result.resize(rgb.size, Image.LANCZOS)
        return keep_original_colours(result, rgb) if preserve_colors else result


MAX_SHEET_ARTWORKS = 24


def explore(
    stylizer: Stylizer,
    content: Image.Image,
    artworks: Sequence[Image.Image],
    *,
    size: int = 384,
    on_progress: Callable[[int, int], None] | None = None,
    **settings: Any,
) -> list[Image.Image]:
    """One design per artwork for the same content; ``on_progress(done, total)`` after each."""
    if not artworks:
        raise InputError("Give at least one artwork.")
    if len(artworks) > MAX_SHEET_ARTWORKS:
        raise InputError(f"A contact sheet holds at most {MAX_SHEET_ARTWORKS} artworks, got {len(artworks)}.")
    designs = []
    for done, artwork in enumerate(artworks, start=1):
        designs.append(stylizer.stylize(content, [artwork], size=size, **settings))
        if on_progress:
            on_progress(done, len(artworks))
    return designs


def _fitted(draw: Any, text: str, font: Any, width: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` pixels in ``font``."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def contact_sheet(designs: Sequence[Image.Image], artworks: Sequence[Image.Image], names: Sequence[str],
                  *, columns: int = 4, tile: int = 256, gap: int = 12) -> Image.Image:
    """Designs in a grid, each with its artwork as a small swatch and its name underneath."""
    from PIL import ImageDraw, ImageFont

    if not (len(designs) == len(artworks) == len(names)) or not designs:
        raise InputError("Give one artwork and one name per design.")
    if columns < 1:
        raise InputError("A contact sheet needs at least one column.")
    columns = min(columns, len(designs))
    rows = -(-len(designs) // columns)
    thumbs = []
    for design in designs:
        thumb = design.convert("RGB").copy()
        thumb.thumbnail((tile, tile), Image.LANCZOS)
        thumbs.append(thumb)
    swatch, picture_h = tile // 4, max(t.height for t in thumbs)
    cell_w, cell_h = tile, picture_h + 4 + swatch
    sheet = Image.new("RGB", (gap + columns * (cell_w + gap), gap + rows * (cell_h + gap)), "white")
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=max(12, tile // 12))  # about 21 px on a 256 px tile: readable at 1:1
    room = cell_w - swatch - 8
    for index, (thumb, artwork, name) in enumerate(zip(thumbs, artworks, names)):
        x = gap + (index % columns) * (cell_w + gap)
        y = gap + (index // columns) * (cell_h + gap)
        sheet.paste(thumb, (x + (tile - thumb.width) // 2, y + (picture_h - thumb.height) // 2))
        small = artwork.convert("RGB").copy()
        small.thumbnail((swatch, swatch), Image.LANCZOS)
        sheet.paste(small, (x, y + picture_h + 4))
        draw.text((x + swatch + 8, y + picture_h + 4 + (swatch - font.size) // 2),
                  _fitted(draw, f"{index + 1}. {name}", font, room), fill="black", font=font)
    return sheet
