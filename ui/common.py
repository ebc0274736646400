"""Streamlit helpers shared by the pages: cached models behind locks, image pickers, the cached parse.

The studio library (``studio/``) never imports Streamlit; this module is the app's side.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st
from PIL import Image

from studio import config
from studio.body import Body
from studio.composite import DressPrep
from studio.errors import StudioError
from studio.images import IMAGE_SUFFIXES, load_image
from studio.parsing import Parse
from ui import handoff
from ui.handoff import Picked, image_digest

logger = logging.getLogger(__name__)

UPLOAD_TYPES = [suffix[1:] for suffix in IMAGE_SUFFIXES]
GARMENT_LABELS = {"separates": "top + bottom", "clothing": "all clothing"}  # how the pages name the garment groups


@dataclass
class Guarded:
    """A model shared by every session, with a lock so one inference runs at a time."""

    model: Any
    lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def use(self) -> Iterator[Any]:
        with self.lock:
            yield self.model

    def one_call_at_a_time(self) -> _LockedPredict:
        """The model for a long procedure that calls it now and then (a try-on parses the garment's
        photo once): each ``predict`` takes the lock, so other sessions wait for that call only."""
        return _LockedPredict(self)


class _LockedPredict:
    def __init__(self, guarded: Guarded):
        self._guarded = guarded

    def predict(self, *args: Any, **kwargs: Any) -> Any:
        with self._guarded.use() as model:
            return model.predict(*args, **kwargs)


def style_engine(name: str) -> Guarded:
    """The configured style engine ``name`` (``config.style_engines``); a name that is not
    configured is refused before anything is opened, so no shopper's text ever reaches the loader."""
    return _style_engine(name, config.style_engine_handle(name))


@st.cache_resource(show_spinner="Loading the style model (first time only)…")
def _style_engine(name: str, handle: str) -> Guarded:
    from studio.style import Stylizer

    return Guarded(Stylizer.load(handle, name=name))


_ABSOLUTE_PATH = re.compile(r"(?<![\w:/.~-])/(?:[^\s/'\"`]+/)+([^\s/'\"`]+)")


def shopper_sentence(error: StudioError) -> str:
    """The error's sentence as a shopper may see it: each absolute server path shortened to its
    last part (the library's sentences name paths for the operator's command line). The full
    sentence goes to the server log."""
    text = str(error)
    shown = _ABSOLUTE_PATH.sub(r"\1", text)
    if shown != text:
        logger.warning("%s", text)
    return shown


def show_error(error: StudioError) -> None:
    """``st.error`` with the error's shopper-safe sentence."""
    st.error(shopper_sentence(error))


@st.cache_resource(show_spinner="Loading the body model (first time only)…")
def body_estimator(models: str) -> Guarded:
    from studio.body import BodyEstimator

    return Guarded(BodyEstimator.load(models))


@st.cache_resource(show_spinner="Loading the garment parser (first time only)…")
def garment_parser(weights: str) -> Guarded:
    from studio.parsing import GarmentParser

    return Guarded(GarmentParser.load(weights))


def sample_files(kind: str) -> dict[str, Path]:
    """Sample images of one kind (``content``, ``artworks``, ``photos``) by display name."""
    folder = config.sample_images_dir() / kind
    return {p.stem.replace("_", " "): p for p in sorted(folder.glob("*.png"))}


@st.cache_resource(show_spinner=False, max_entries=64)
def _sample(path: str, name: str) -> Picked:
    image = load_image(Path(path), name=name)
    return Picked(image, name, "Sample", image_digest(image))


def _decode(data: bytes, name: str, source: str, upload_id: str | None = None) -> Picked | None:
    try:
        image = load_image(data, name=name)
    except StudioError as exc:
        show_error(exc)
        return None
    return Picked(image, name, source, image_digest(image), upload_id)


def _sample_picked(files: dict[str, Path], name: str) -> Picked | None:
    try:
        return _sample(str(files[name]), name)
    except StudioError as exc:
        show_error(exc)
        return None


def _kept_or_new(kept_key: str, files: list, source: str = "Upload", name: str | None = None) -> list[Picked]:
    """Decoded uploads; an uploader left empty (the page was left and shown again) keeps the
    images it held before, and so does a new file that cannot be used (its refusal is shown):
    nothing the shopper had is lost to a bad upload. Each file is decoded once."""
    kept = handoff.kept_uploads(kept_key)
    if not files:
        return kept
    by_id = {p.upload_id: p for p in kept}
    picked = []
    for file in files:
        image = by_id.get(file.file_id) or _decode(file.getvalue(), name or file.name, source, file.file_id)
        if image is not None:
            picked.append(image)
    if not picked and kept:
        st.caption("Still using " + ", ".join(f"**{p.name}**" for p in kept) + " from before.")
        return kept
    handoff.keep_uploads(kept_key, picked)
    return picked


def image_picker(label: str, key: str, samples: str, *, camera: bool = True) -> Picked | None:
    """One image from a sample, an upload or the camera; refusals are shown as one sentence.

    The source, the sample and the uploaded picture are remembered when the page is left."""
    sources = ["Sample", "Upload"] + (["Camera"] if camera else [])
    source = st.radio(f"{label} from", sources, horizontal=True,
                      **handoff.remember_index(f"{key}_source", sources, "Sample"))
    if source == "Sample":
        files = sample_files(samples)
        first = next(iter(files), None)
        name = st.selectbox(label, list(files), **handoff.remember_index(f"{key}_sample", files, first))
        return _sample_picked(files, name) if name else None
    if source == "Upload":
        new = st.file_uploader(label, type=UPLOAD_TYPES, key=f"{key}_upload")
        picked = _kept_or_new(f"{key}_upload", [new] if new else [])
    else:
        new = st.camera_input(label, key=f"{key}_camera")
        picked = _kept_or_new(f"{key}_camera", [new] if new else [], "Camera", name="The camera picture")
    if picked and new is None:
        st.caption(f"Still using **{picked[0].name}** from before; {source.lower()} another to replace it.")
    return picked[0] if picked else None


def artwork_picker(key: str) -> list[Picked]:
    """Artworks from samples and uploads; both are remembered when the page is left."""
    files = sample_files("artworks")
    chosen = st.multiselect("Sample artworks", list(files),
                            **handoff.remember_list(f"{key}_samples", files, list(files)[:1]))
    uploads = st.file_uploader("…or upload artworks", type=UPLOAD_TYPES, accept_multiple_files=True,
                               key=f"{key}_uploads") or []
    uploaded = _kept_or_new(f"{key}_uploads", uploads)
    if uploaded and not uploads:
        st.caption("Still using " + ", ".join(f"**{p.name}**" for p in uploaded) + " uploaded before.")
    samples = [p for p in (_sample_picked(files, name) for name in chosen) if p is not None]
    return samples + uploaded


def parse_photo(photo: Image.Image, digest: str) -> Parse:
    """The garment parse of ``photo``, made once per photo content (``digest``) in this session."""
    parse = handoff.per_photo("parse", digest)
    if parse is None:
        parser = garment_parser(str(config.parser_weights()))
        with st.spinner("Finding your clothes…"), parser.use() as model:
            parse = model.predict(photo)
        handoff.keep_per_photo("parse", digest, parse)
    return parse


def body_of(photo: Image.Image, digest: str, parse: Parse) -> Body | str:
    """The body in ``photo`` (the parse's person pixels say which person), once per photo; or the
    sentence saying why there is none."""
    body = handoff.per_photo("body", digest)
    if body is None:
        try:
            estimator = body_estimator(str(config.body_models_dir()))
            with st.spinner("Finding your shoulders, hips and knees…"), estimator.use() as model:
                body = model.predict(photo, person_mask=parse.labels > 0)
        except StudioError as exc:
            body = shopper_sentence(exc)
        handoff.keep_per_photo("body", digest, body)
    return body


ADD_COLOUR, REMOVE_COLOUR = "#00c853", "#ff1744"


def brush_corrections(canvas: Any, digest: str, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(add, remove) masks at ``size`` from the Fit page's brush canvas for the photo ``digest``:
    the canvas's own strokes once it has sent them (kept in the hand-over for the next visit), else
    the strokes kept from an earlier visit (the canvas redraws them a moment after it shows), else none."""
    if canvas.image_data is not None:
        add, remove = brush_strokes(canvas.image_data, size)
        handoff.keep_brushwork(digest, handoff.Brushwork(canvas.json_data, add, remove))
        return add, remove
    kept = handoff.brushwork(digest)
    if kept is not None:
        return kept.add, kept.remove
    return brush_strokes(None, size)


def brush_strokes(canvas_rgba, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(add, remove) boolean masks at ``size`` from the canvas' RGBA pixels: only pixels close to
    the two brush colours count, so a background image in the canvas data is ignored."""
    if canvas_rgba is None:
        empty = np.zeros(size[::-1], bool)
        return empty, empty
    strokes = np.asarray(Image.fromarray(canvas_rgba.astype("uint8"), "RGBA").resize(size, Image.NEAREST), np.float32)
    painted = strokes[..., 3] > 0

    def near(colour: str) -> np.ndarray:
        rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], np.float32)
        return painted & (np.linalg.norm(strokes[..., :3] - rgb, axis=2) < 60)

    return near(ADD_COLOUR), near(REMOVE_COLOUR)


def on_a_phone() -> bool:
    """Whether the browser says it is a phone (``Mobi`` in its User-Agent, as phone browsers send):
    widgets that cannot shrink with the page (the brush canvas) are made narrow for it."""
    return "Mobi" in (st.context.headers.get("User-Agent") or "")


MOBILE_WIDTH = 768  # Streamlit's breakpoint: below it the sidebar lies over the page

# Runs in the page itself (st.html with JavaScript): a fixed script, no shopper input in it.
_CLOSE_SIDEBAR = """<script>
if (window.dressStudioShown !== "{page}") {{  // once per page shown, not each time the element redraws
  window.dressStudioShown = "{page}";
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
  if (window.innerWidth < {width} && sidebar && close && sidebar.dataset.collapsed === "false") close.click();
}}
</script>"""


def close_sidebar_on_phones(page: str) -> None:
    """On a phone the open sidebar covers the page, and Streamlit leaves it open after a page is
    chosen: close it whenever the page shown changes (``page`` makes the script new each time)."""
    st.html(_CLOSE_SIDEBAR.format(page=re.sub(r"[^A-Za-z ]", "", page), width=MOBILE_WIDTH),
            unsafe_allow_javascript=True)


def dress_prep(fit: handoff.Fit) -> DressPrep:
    """The per-photo work of dressing the chosen area (alpha, surface), once per photo, garment and area
    in this session: a slider move on Try on then only lays the fabric again. Kept with the session's
    other per-photo results, so one shopper's preps never push out another's."""
    from studio.composite import prepare_dress

    key = f"{fit.digest}:{fit.garment}:{hashlib.sha256(np.packbits(fit.mask).tobytes()).hexdigest()[:16]}"
    prep = handoff.per_photo("dress_prep", key)
    if prep is None:
        prep = prepare_dress(fit.photo, fit.parse, fit.garment, body=fit.body, mask=fit.mask)
        handoff.keep_per_photo("dress_prep", key, prep)
    return prep
