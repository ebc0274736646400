"""The one door for bytes -> image: every picture the app and CLI accept comes through here.

Checks run before decoding (byte cap, format allow-list, pixel cap, minimum size), so a
decompression bomb or a hostile file is refused without being decoded. Every refusal is an
:class:`ImageError` whose message is one sentence naming the limit or the problem.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from studio.errors import StudioError

MEGABYTE = 1024 * 1024
# File name endings of the formats load_image accepts (ImageLimits.formats), for folders and upload widgets.
IMAGE_SUFFIXES: tuple[str, ...] = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff")
MAX_UPLOAD_MEGABYTES = 20  # keep equal to server.maxUploadSize in .streamlit/config.toml

ImageSource = bytes | bytearray | str | Path | BinaryIO


class ImageError(StudioError, ValueError):
    """An image was refused; the message says why in one sentence."""


@dataclass(frozen=True)
class ImageLimits:
    """What the studio accepts."""

    max_bytes: int = MAX_UPLOAD_MEGABYTES * MEGABYTE
    max_pixels: int = 40_000_000
    min_side: int = 32
    formats: tuple[str, ...] = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF")


DEFAULT_LIMITS = ImageLimits()


def _read_bytes(source: ImageSource, limits: ImageLimits, name: str) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ImageError(f"{name} does not exist or is not a file.")
        if path.stat().st_size > limits.max_bytes:
            raise ImageError(f"{name} is {path.stat().st_size / MEGABYTE:.1f} MB; the limit is "
                             f"{limits.max_bytes / MEGABYTE:.0f} MB.")
        data = path.read_bytes()
    else:
        data = source.read(limits.max_bytes + 1)
    if not data:
        raise ImageError(f"{name} is empty.")
    if len(data) > limits.max_bytes:
        raise ImageError(f"{name} is larger than the {limits.max_bytes / MEGABYTE:.0f} MB limit.")
    return data


def to_rgb(image: Image.Image, background: tuple[int, int, int] = (255, 255, 255)) -> Image.Image:
    """Any Pillow mode -> RGB; transparency is flattened onto ``background``."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") else max(float(values.max()), 1.0)
        grey = np.clip(values / top * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("LA", "PA", "La"):
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "RGBa"):
        flat = Image.new("RGB", image.size, background)
        flat.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        return flat
    return image.convert("RGB")


def load_image(source: ImageSource, *, limits: ImageLimits = DEFAULT_LIMITS, name: str = "The image") -> Image.Image:
    """Decode ``source`` safely into an RGB image with EXIF orientation applied.

    Animated images give their first frame. Raises :class:`ImageError` on anything refused.
    """
    data = _read_bytes(source, limits, name)
    allowed = ", ".join(limits.formats)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(limits.formats))
        except UnidentifiedImageError:
            raise ImageError(f"{name} is not a readable image; accepted formats are {allowed}.") from None
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageError(f"{name} declares too many pixels; the limit is {limits.max_pixels:,} pixels.") from None
        except (OSError, ValueError, SyntaxError) as exc:
            raise ImageError(f"{name} is truncated or corrupt ({exc}).") from None
        width, height = image.size
        if width * height > limits.max_pixels:
            raise ImageError(f"{name} is {width}x{height} pixels; the limit is {limits.max_pixels:,} pixels.")
        if min(width, height) < limits.min_side:
            raise ImageError(f"{name} is {width}x{height} pixels; each side must be at least {limits.min_side} pixels.")
        try:
            image.seek(0)
            image.load()
            image = ImageOps.exif_transpose(image)
            return to_rgb(image)
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageError(f"{name} is truncated or corrupt ({type(exc).__name__}).") from None


def fit_long_side(image: Image.Image, long_side: int) -> Image.Image:
    """Scale so the longer side is ``long_side`` (up or down), keeping the aspect ratio."""
    scale = long_side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image if size == image.size else image.resize(size, Image.LANCZOS)


WORK_SIZE = 1024  # long side a shopper's photo is parsed and composited at (app and CLI alike)


def working_copy(photo: Image.Image) -> Image.Image:
    """The photo at most ``WORK_SIZE`` on its long side (smaller photos as they are)."""
    return fit_long_side(photo, WORK_SIZE) if max(photo.size) > WORK_SIZE else photo


def to_png_bytes(image: Image.Image, dpi: int | None = None) -> bytes:
    """PNG bytes of ``image`` (with a DPI tag when given): the currency between app pages."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **({"dpi": (dpi, dpi)} if dpi else {}))
    return buffer.getvalue()
