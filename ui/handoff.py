"""The hand-over between pages: the one module that names ``st.session_state`` keys for data that
outlives a page — the design, the fabric, the fit, the try-on, Explore's sheet, each page's
remembered choices and uploads.

Within a session images stay PIL images and numpy arrays: nothing here is encoded to PNG.
Streamlit forgets a widget's value (and an uploaded file) once its page is left, so page widgets
take their key and default from :func:`remember` (or ``remember_index``/``remember_list``), which
put the value back when the page is shown again, and pickers keep their uploads with
:func:`keep_uploads`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar

import numpy as np
import streamlit as st
from PIL import Image

from studio import config
from studio.body import Body
from studio.parsing import Parse

T = TypeVar("T")

CHOICES_KEY = "handoff.choices"
UPLOADS_KEY = "handoff.uploads"
DESIGN_KEY = "handoff.design"
FABRIC_KEY = "handoff.fabric"
SHEET_KEY = "handoff.explore"
FIT_KEY = "handoff.fit"
PER_PHOTO_KEY = "handoff.per_photo"
TRYON_KEY = "handoff.tryon"
CANVAS_START_KEY = "handoff.canvas_start"
DESIGNS_KEY = "handoff.designs"  # My designs: id -> Design, oldest first
SHOPPER_KEY = "handoff.shopper"  # the anonymous id the saved work is kept under (None in study mode)
SAVED_KEY = "handoff.saved"  # what was last written to the work store, per item
NOTICES_KEY = "handoff.notices"  # sentences about the saved work still to show
SEND_NOTE_KEY = "handoff.sent_note"  # what Explore's "Send to Design" did, for the Design page to say
STYLE_ENGINE_KEY = "style_engine"  # the sidebar's "Style engine" choice, a configured name

CHOICE_PREFIXES = ("design_", "explore_", "fit_", "tryon_", STYLE_ENGINE_KEY)  # choices the work store keeps
PHOTOS_KEPT = 3  # photos whose parse (with probabilities, about 28 MB at 1024 px) and body stay cached


def _slot(key: str, make: Callable[[], T]) -> T:
    if key not in st.session_state:
        st.session_state[key] = make()
    return st.session_state[key]


def image_digest(image: Image.Image) -> str:
    """A content hash of the pixels: the same picture gives the same digest, whatever its file."""
    digest = hashlib.sha256(f"{image.mode}{image.size}".encode())
    digest.update(image.tobytes())
    return digest.hexdigest()[:16]


# --- Pickers and remembered choices ------------------------------------------------------------

@dataclass(frozen=True)
class Picked:
    """An image a picker chose: the image, what it is called and where it came from."""

    image: Image.Image
    label: str  # the sample's name or the uploaded file's name
    source: str  # "Sample", "Upload" or "Camera"
    digest: str
    upload_id: str | None = None  # the uploader's file id, so one upload is decoded once

    @property
    def name(self) -> str:
        """What a page calls the picture: the file name, or "sample: NAME"."""
        return f"sample: {self.label}" if self.source == "Sample" else self.label


def _recall(key: str, default: Any, options: Sequence[Any] | None, scope: Any) -> tuple[Any, bool]:
    """The value widget ``key`` should show (its live value, else the remembered one, else
    ``default``), and whether it was put into ``st.session_state`` for a live widget.

    A value remembered under another ``scope`` (e.g. another photo's digest) gives way to
    ``default``, also in a live widget: that one is reset through ``st.session_state``, so the
    widget must then be made without a default of its own (Streamlit warns about both).
    ``options`` drops a remembered value no longer offered.
    """
    kept: dict[str, tuple[Any, Any]] = _slot(CHOICES_KEY, dict)
    live = key in st.session_state
    reset = False
    if key in kept and kept[key][0] != scope:
        value = default
        if live:
            st.session_state[key] = default
            reset = True
    elif live:
        value = st.session_state[key]
    else:
        value = kept[key][1] if key in kept else default
    if options is not None:
        if isinstance(value, list):
            value = [v for v in value if v in options]
        elif value not in options:
            value = default
    kept[key] = (scope, list(value) if isinstance(value, list) else value)
    return value, reset


# The widget arguments that make a page's widget remember its value when the page is left and
# shown again (Streamlit forgets it). The value goes in as the widget's own default, never only
# through st.session_state, so the browser cannot fall back to the widget's built-in default;
# only a live widget reset to its default takes the value from st.session_state alone.

def remember(key: str, default: Any, *, options: Sequence[Any] | None = None, scope: Any = None) -> dict[str, Any]:
    """``key`` and ``value`` for st.slider, select_slider, checkbox and number_input."""
    value, reset = _recall(key, default, options, scope)
    return {"key": key} if reset else {"key": key, "value": value}


def remember_index(key: str, options: Sequence[Any], default: Any, *, scope: Any = None) -> dict[str, Any]:
    """``key`` and ``index`` for st.selectbox and st.radio."""
    options = list(options)
    value, reset = _recall(key, default, options, scope)
    return {"key": key} if reset else {"key": key, "index": options.index(value) if value in options else None}


def remember_list(key: str, options: Sequence[Any], default: list[Any], *, scope: Any = None) -> dict[str, Any]:
    """``key`` and ``default`` for st.multiselect."""
    value, reset = _recall(key, default, list(options), scope)
    return {"key": key} if reset else {"key": key, "default": value}


def set_choice(key: str, value: Any) -> None:
    """Set a widget's remembered value from another page (the widget must not be on this run's page)."""
    _slot(CHOICES_KEY, dict)[key] = (None, value)
    st.session_state.pop(key, None)


def saved_choices() -> dict[str, list[Any]]:
    """The remembered choices the work store keeps, as ``key -> [scope, value]`` plain values."""
    kept: dict[str, tuple[Any, Any]] = _slot(CHOICES_KEY, dict)
    return {key: [list(scope) if isinstance(scope, tuple) else scope, value] for key, (scope, value) in kept.items()
            if key.startswith(CHOICE_PREFIXES)}


def restore_choices(choices: dict[str, Any]) -> None:
    """Put back choices from :func:`saved_choices` (a list scope was a tuple)."""
    kept: dict[str, tuple[Any, Any]] = _slot(CHOICES_KEY, dict)
    for key, entry in choices.items():
        if key.startswith(CHOICE_PREFIXES) and isinstance(entry, list) and len(entry) == 2:
            scope, value = entry
            kept[key] = (tuple(scope) if isinstance(scope, list) else scope, value)


def all_uploads() -> dict[str, list[Picked]]:
    """Every picker's kept uploads, by picker key."""
    return dict(_slot(UPLOADS_KEY, dict))


def kept_uploads(key: str) -> list[Picked]:
    """The images last uploaded (or photographed) into picker ``key``, kept across page visits."""
    return list(_slot(UPLOADS_KEY, dict).get(key, []))


def keep_uploads(key: str, picked: Sequence[Picked]) -> None:
    _slot(UPLOADS_KEY, dict)[key] = list(picked)


def offer(picker_key: str, picked: Picked) -> None:
    """Make a single-image picker on another page show ``picked`` (its source, sample or upload)."""
    set_choice(f"{picker_key}_source", picked.source)
    if picked.source == "Sample":
        set_choice(f"{picker_key}_sample", picked.label)
    else:
        keep_uploads(f"{picker_key}_{picked.source.lower()}", [picked])


def offer_artworks(picker_key: str, artworks: Sequence[Picked]) -> None:
    """Make an artwork picker on another page hold exactly ``artworks``."""
    set_choice(f"{picker_key}_samples", [a.label for a in artworks if a.source == "Sample"])
    keep_uploads(f"{picker_key}_uploads", [a for a in artworks if a.source != "Sample"])


def style_engine_name() -> str:
    """The configured style engine the sidebar chose (by name), else the first configured one."""
    names = list(config.style_engines())
    chosen = st.session_state.get(STYLE_ENGINE_KEY, _slot(CHOICES_KEY, dict).get(STYLE_ENGINE_KEY, (None, None))[1])
    return chosen if chosen in names else names[0]


# --- Design and fabric ---------------------------------------------------------------------------

# Widget keys of the Design page that Explore's "Send to Design" sets.
DESIGN_CONTENT = "design_content"
DESIGN_ARTWORKS = "design_art"
DESIGN_STRENGTH = "design_strength"
DESIGN_PRESERVE = "design_preserve"
DESIGN_SIZE = "design_size"


@dataclass(frozen=True)
class Design:
    """A stylized design and the choices that made it."""

    image: Image.Image
    content: str
    artworks: tuple[str, ...]
    weights: tuple[float, ...] | None
    strength: float
    preserve_colors: bool
    size: int
    engine: str
    source: str = "design"  # "design" or "explore"

    def settings(self) -> dict[str, Any]:
        """The choices as plain values, for a study item's sidecar."""
        return {k: v for k, v in asdict(self).items() if k != "image"}


@dataclass(frozen=True)
class Fabric:
    """A design laid out as repeating fabric, with its repeat settings."""

    image: Image.Image
    repeat: str
    scale: float
    rotation: float
    seamless: bool
    size: tuple[int, int]
    dpi: int


def design() -> Design | None:
    return st.session_state.get(DESIGN_KEY)


def designs() -> dict[str, Design]:
    """My designs: every design made or sent in this session (and restored from the work store), by id."""
    return _slot(DESIGNS_KEY, dict)


def design_id(value: Design | None) -> str | None:
    """The id of ``value`` among My designs (None: not one of them)."""
    return next((key for key, kept in designs().items() if kept is value), None)


def set_design(value: Design, key: str | None = None) -> str:
    """Keep a new design as the current one and among My designs (under ``key``, else a new id);
    the fabric of the previous one is dropped."""
    key = key or f"design-{secrets.token_hex(6)}"
    designs()[key] = value
    use_design(key)
    return key


def use_design(key: str) -> None:
    """Make design ``key`` of My designs the current one."""
    if st.session_state.get(DESIGN_KEY) is not designs()[key]:
        st.session_state[DESIGN_KEY] = designs()[key]
        st.session_state.pop(FABRIC_KEY, None)


def forget_design(key: str) -> None:
    """Delete design ``key`` from My designs (and as the current design, with its fabric)."""
    gone = designs().pop(key, None)
    if gone is not None and st.session_state.get(DESIGN_KEY) is gone:
        st.session_state.pop(DESIGN_KEY, None)
        st.session_state.pop(FABRIC_KEY, None)


def fabric() -> Fabric | None:
    return st.session_state.get(FABRIC_KEY)


def set_fabric(value: Fabric) -> None:
    st.session_state[FABRIC_KEY] = value


@dataclass(frozen=True)
class Sheet:
    """Explore's contact sheet: one design per artwork for the same content."""

    image: Image.Image
    content: Picked
    artworks: tuple[Picked, ...]
    designs: tuple[Image.Image, ...]
    size: int


def sheet() -> Sheet | None:
    return st.session_state.get(SHEET_KEY)


def set_sheet(value: Sheet) -> None:
    st.session_state[SHEET_KEY] = value


def send_to_design(from_sheet: Sheet, index: int, engine: str, image: Image.Image) -> Design:
    """Make design ``index`` of the sheet, re-rendered as ``image`` at the Design page's size, the
    current design, and set the Design page's controls to the content, artwork and size that made it."""
    artwork = from_sheet.artworks[index]
    size = max(image.size)
    sent = Design(image=image, content=from_sheet.content.name, artworks=(artwork.label,),
                  weights=None, strength=1.0, preserve_colors=False, size=size, engine=engine, source="explore")
    set_design(sent)
    offer(DESIGN_CONTENT, from_sheet.content)
    offer_artworks(DESIGN_ARTWORKS, [artwork])
    set_choice(DESIGN_STRENGTH, 1.0)
    set_choice(DESIGN_PRESERVE, False)
    set_choice(DESIGN_SIZE, size)
    st.session_state[SEND_NOTE_KEY] = (f"Sent from Explore and painted again at the Design page's {size} px "
                                       f"(the sheet's tile was {from_sheet.size} px).")
    return sent


def design_size(default: int) -> int:
    """The size the Design page's size control shows (its remembered value, else ``default``)."""
    return st.session_state.get(DESIGN_SIZE, _slot(CHOICES_KEY, dict).get(DESIGN_SIZE, (None, default))[1])


def sent_note() -> str | None:
    """Once: what the last "Send to Design" did (for the Design page to say)."""
    return st.session_state.pop(SEND_NOTE_KEY, None)


# --- Fit and try-on ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Fit:
    """The shopper's photo at the working size, its parse and the chosen garment area."""

    photo: Image.Image
    photo_name: str
    digest: str
    parse: Parse
    mask: np.ndarray  # bool HxW
    garment: str
    settings: dict[str, Any] = field(default_factory=dict)
    body: Body | None = None  # landmarks and person mask, when a body was found


@dataclass(frozen=True)
class TryOn:
    """A try-on as shown: the photo that made it ("Before") and the result ("After")."""

    before: Image.Image
    after: Image.Image
    photo_name: str
    settings: dict[str, Any]


def fit() -> Fit | None:
    return st.session_state.get(FIT_KEY)


def set_fit(value: Fit | None) -> None:
    """Keep the fit for the Try-on page (None: there is no usable garment area)."""
    if value is None:
        st.session_state.pop(FIT_KEY, None)
    else:
        st.session_state[FIT_KEY] = value


def per_photo(kind: str, digest: str) -> Any:
    """What this session last worked out of kind ``kind`` ("parse", "body") for the photo with
    this content digest, or None."""
    return _slot(PER_PHOTO_KEY, dict).get((kind, digest))


def keep_per_photo(kind: str, digest: str, value: Any) -> None:
    """Keep ``value`` for the photo; only the last few photos' results stay (parses are large)."""
    kept: dict[tuple[str, str], Any] = _slot(PER_PHOTO_KEY, dict)
    kept.pop((kind, digest), None)
    kept[(kind, digest)] = value
    while sum(k == kind for k, _ in kept) > PHOTOS_KEPT:
        kept.pop(next(key for key in kept if key[0] == kind))


@dataclass(frozen=True)
class Brushwork:
    """The Fit page's brush corrections on one photo: the canvas drawing, to show the strokes
    again, and the areas they add to and remove from the garment."""

    drawing: dict[str, Any] | None
    add: np.ndarray  # bool HxW at the working size
    remove: np.ndarray


def brushwork(digest: str) -> Brushwork | None:
    """The brush corrections last made on the photo with this content digest, or None."""
    return per_photo("brush", digest)


def keep_brushwork(digest: str, value: Brushwork) -> None:
    keep_per_photo("brush", digest, value)


def canvas_start(widget_key: str, digest: str) -> dict[str, Any] | None:
    """The drawing canvas ``widget_key`` starts from: the photo's kept strokes when the canvas
    first shows on this visit to the page, then the same drawing while it stays on screen (a
    changed starting drawing would redraw the canvas and lose its undo history)."""
    started: dict[str, dict[str, Any] | None] = _slot(CANVAS_START_KEY, dict)
    if widget_key not in st.session_state or widget_key not in started:
        kept = brushwork(digest)
        started.clear()  # one canvas on screen at a time: other photos' starting drawings go
        started[widget_key] = kept.drawing if kept is not None else None
    return started[widget_key]


def tryon() -> TryOn | None:
    return st.session_state.get(TRYON_KEY)


def set_tryon(value: TryOn) -> None:
    st.session_state[TRYON_KEY] = value


# --- Sew -------------------------------------------------------------------------------------------

TRYON_GARMENT = "tryon_garment"  # the Try-on page's garment picker
TRYON_CATEGORY = "tryon_category"
SEW_FLAT_NAME = "dress-flat.png (from Sew)"


def send_flat_to_tryon(flat: Image.Image) -> None:
    """Make the Try-on page's garment picker hold the Sew page's flat sketch, tried on as a dress."""
    offer(TRYON_GARMENT, Picked(flat, SEW_FLAT_NAME, "Upload", image_digest(flat)))
    set_choice(TRYON_CATEGORY, "dress")


# --- The shopper's saved work (the Streamlit side is ui/saved.py) --------------------------------

def shopper() -> str | None:
    """The anonymous id this session's work is saved under; None before it is opened and in study mode."""
    return st.session_state.get(SHOPPER_KEY)


def set_shopper(value: str) -> None:
    st.session_state[SHOPPER_KEY] = value


def saved_marks() -> dict[str, Any]:
    """Per work-store item, a mark of what was last written (to write only what changed)."""
    return _slot(SAVED_KEY, dict)


def notices() -> list[str]:
    """Sentences about the saved work (left-out items, a save over the cap) not yet shown."""
    return _slot(NOTICES_KEY, list)


def brushworks() -> dict[str, Brushwork]:
    """The brush corrections kept for each photo, by the photo's digest."""
    return {digest: value for (kind, digest), value in _slot(PER_PHOTO_KEY, dict).items() if kind == "brush"}
