"""Streamlit helpers shared by the pages: cached models behind locks, image pickers, PNG hand-over.

The studio library (``studio/``) never imports Streamlit; this module is the app's side.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import streamlit as st
from PIL import Image

from studio import config
from studio.errors import StudioError
from studio.images import load_image, to_png_bytes

UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "gif", "bmp", "tif", "tiff"]


@dataclass
class Guarded:
    """A model shared by every session, with a lock so one inference runs at a time."""

    model: Any
    lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def use(self) -> Iterator[Any]:
        with self.lock:
            yield self.model


@st.cache_resource(show_spinner="Loading the style model (first time only)…")
def style_engine(handle: str) -> Guarded:
    from studio.style import Stylizer

    return Guarded(Stylizer.load(handle))


@st.cache_resource(show_spinner="Loading the garment parser (first time only)…")
def garment_parser(weights: str) -> Guarded:
    from studio.parsing import GarmentParser

    return Guarded(GarmentParser.load(weights))


def current_style_handle() -> str:
    return st.session_state.get("style_handle") or config.style_handle()


def sample_files(kind: str) -> dict[str, Path]:
    """Sample images of one kind (``content``, ``artworks``, ``photos``) by display name."""
    folder = config.sample_images_dir() / kind
    return {p.stem.replace("_", " "): p for p in sorted(folder.glob("*.png"))}


def _decode(data: bytes, name: str) -> Image.Image | None:
    try:
        return load_image(data, name=name)
    except StudioError as exc:
        st.error(str(exc))
        return None


def image_picker(label: str, key: str, samples: str, *, camera: bool = True) -> Image.Image | None:
    """One image from a sample, an upload or the camera; refusals are shown as one sentence."""
    sources = ["Sample", "Upload"] + (["Camera"] if camera else [])
    source = st.radio(f"{label} from", sources, horizontal=True, key=f"{key}_source")
    if source == "Sample":
        files = sample_files(samples)
        name = st.selectbox(label, list(files), key=f"{key}_sample")
        return _decode(files[name].read_bytes(), name) if name else None
    if source == "Upload":
        upload = st.file_uploader(label, type=UPLOAD_TYPES, key=f"{key}_upload")
        return _decode(upload.getvalue(), upload.name) if upload else None
    shot = st.camera_input(label, key=f"{key}_camera")
    return _decode(shot.getvalue(), "The camera picture") if shot else None


def artwork_picker(key: str) -> tuple[list[Image.Image], list[str]]:
    """Artworks from samples and uploads, with their names (for weights)."""
    files = sample_files("artworks")
    chosen = st.multiselect("Sample artworks", list(files), default=list(files)[:1], key=f"{key}_samples")
    uploads = st.file_uploader("…or upload artworks", type=UPLOAD_TYPES, accept_multiple_files=True,
                               key=f"{key}_uploads") or []
    images, names = [], []
    for name in chosen:
        image = _decode(files[name].read_bytes(), name)
        if image is not None:
            images.append(image)
            names.append(name)
    for upload in uploads:
        image = _decode(upload.getvalue(), upload.name)
        if image is not None:
            images.append(image)
            names.append(upload.name)
    return images, names


def keep_png(key: str, image: Image.Image) -> bytes:
    """Store ``image`` as PNG bytes in the session for other pages; returns the bytes."""
    data = to_png_bytes(image)
    st.session_state[key] = data
    return data


def kept_image(key: str) -> Image.Image | None:
    """An image another page stored with :func:`keep_png`, or None."""
    data = st.session_state.get(key)
    return load_image(data, name="The stored image") if data else None


ADD_COLOUR, REMOVE_COLOUR = "#00c853", "#ff1744"


def brush_strokes(canvas_rgba, size: tuple[int, int]) -> tuple["np.ndarray", "np.ndarray"]:
    """(add, remove) boolean masks at ``size`` from the canvas' RGBA pixels: only pixels close to
    the two brush colours count, so a background image in the canvas data is ignored."""
    import numpy as np

    if canvas_rgba is None:
        empty = np.zeros(size[::-1], bool)
        return empty, empty
    strokes = np.asarray(Image.fromarray(canvas_rgba.astype("uint8"), "RGBA").resize(size, Image.NEAREST), np.float32)
    painted = strokes[..., 3] > 0

    def near(colour: str) -> np.ndarray:
        rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], np.float32)
        return painted & (np.linalg.norm(strokes[..., :3] - rgb, axis=2) < 60)

    return near(ADD_COLOUR), near(REMOVE_COLOUR)
