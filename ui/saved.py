"""The Streamlit side of the shoppers' saved work (``studio.workstore``): the anonymous id in the
URL (``?work=ID``), the work restored when a session starts, written back when it changes, and
the "My designs" strip.

What is kept: the pickers' uploads, the pages' choices, My designs and which one is current, the
fabric's settings (the fabric is painted again from them), the fit (photo, garment area, choices;
the parse and the body are worked out again from the photo), its brush corrections and the last
garment try-on. Study mode opens no work at all, so it keeps nothing.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import streamlit as st
from PIL import Image

from studio import config
from studio.errors import StudioError
from studio.pattern import FabricPattern
from studio.workstore import SavedItem, WorkStore, WorkStoreError, is_shopper_id, new_shopper_id
from ui import handoff
from ui.common import body_of, parse_photo, shopper_sentence
from ui.handoff import Design, Picked, image_digest

QUERY_KEY = "work"
PURGE_EVERY_SECONDS = 3600
THUMBNAIL_SIDE = 256

_purge_lock = threading.Lock()
_last_purge = [0.0]


def work_store() -> WorkStore:
    """The configured store (``STUDIO_WORK_DIR``, ``STUDIO_WORK_CAP_MB``, ``STUDIO_WORK_EXPIRY_DAYS``)."""
    return WorkStore(config.work_dir(), cap_bytes=config.work_cap_bytes(), expiry_seconds=config.work_expiry_seconds())


def open_work() -> None:
    """On every run of the studio app: the first run of a session takes the id from the URL (a
    new one when there is none or it is malformed) and restores its work; every run keeps the id
    in the URL, so a reload or the same link finds the work again."""
    shopper = handoff.shopper()
    if shopper is None:
        given = st.query_params.get(QUERY_KEY)
        shopper = given if is_shopper_id(given) else new_shopper_id()
        store = work_store()
        _purge_now_and_then(store)
        with st.spinner("Restoring your work…"):
            _restore(store.load(shopper))  # before the id is taken: a failed restore is tried again next run
        store.touch(shopper)  # after loading, so an expired folder is not kept alive by the visit
        handoff.set_shopper(shopper)
    if st.query_params.get(QUERY_KEY) != shopper:
        st.query_params[QUERY_KEY] = shopper


def show_notices() -> None:
    """Each sentence about the saved work (an item left out, a save over the cap) once."""
    notices = handoff.notices()
    for sentence in notices:
        st.warning(sentence)
    notices.clear()


def _purge_now_and_then(store: WorkStore) -> None:
    with _purge_lock:
        if time.time() - _last_purge[0] < PURGE_EVERY_SECONDS:
            return
        _last_purge[0] = time.time()
    store.purge_expired()


# --- Restoring ----------------------------------------------------------------------------------

def _restore(work: Any) -> None:
    handoff.notices().extend(work.problems)
    items: dict[str, SavedItem] = work.items
    steps: list[tuple[str, Callable[[SavedItem], None]]] = [
        *[(name, _restore_upload) for name in items if name.startswith("upload-")],
        ("choices", _restore_choices),
        *[(name, _restore_design) for name in sorted((n for n in items if n.startswith("design-")),
                                                      key=lambda n: items[n].saved_at)],
        ("current", _restore_current),
        ("fit", _restore_fit),
        ("brush", _restore_brush),
        ("tryon", _restore_tryon),
    ]
    for name, restore in steps:
        if name not in items:
            continue
        try:
            restore(items[name])
        except (KeyError, TypeError, ValueError, AttributeError, StudioError) as exc:
            handoff.notices().append(f"Your saved {items[name].title} could not be used ({_why(exc)}) and was left out.")


def _why(exc: Exception) -> str:
    return shopper_sentence(exc).rstrip(".") if isinstance(exc, StudioError) else f"{type(exc).__name__} in its settings"


def _restore_upload(item: SavedItem) -> None:
    key = item.name[len("upload-"):]
    picked = []
    for index, entry in enumerate(item.meta["files"]):
        image = item.images[str(index)]
        picked.append(Picked(image, str(entry["label"]), str(entry["source"]), image_digest(image)))
    handoff.keep_uploads(key, picked)
    handoff.saved_marks()[item.name] = tuple(p.digest for p in picked)


def _restore_choices(item: SavedItem) -> None:
    handoff.restore_choices(dict(item.meta))
    handoff.saved_marks()["choices"] = _json(handoff.saved_choices())


def _design_from(item: SavedItem) -> Design:
    meta = item.meta
    weights = meta["weights"]
    return Design(image=item.images["image"], content=str(meta["content"]), artworks=tuple(map(str, meta["artworks"])),
                  weights=tuple(map(float, weights)) if weights is not None else None, strength=float(meta["strength"]),
                  preserve_colors=bool(meta["preserve_colors"]), size=int(meta["size"]), engine=str(meta["engine"]),
                  source=str(meta["source"]))


def _restore_design(item: SavedItem) -> None:
    handoff.designs()[item.name] = _design_from(item)
    handoff.saved_marks()[item.name] = True


def _restore_current(item: SavedItem) -> None:
    key, fabric = item.meta.get("design"), item.meta.get("fabric")
    if key in handoff.designs():
        handoff.use_design(key)
        if fabric is not None:
            design = handoff.designs()[key]
            size = (int(fabric["size"][0]), int(fabric["size"][1]))
            pattern = FabricPattern(design.image, repeat=str(fabric["repeat"]), scale=float(fabric["scale"]),
                                    rotation=float(fabric["rotation"]), seamless=bool(fabric["seamless"]))
            handoff.set_fabric(handoff.Fabric(pattern.render(size), pattern.repeat, pattern.scale, pattern.rotation,
                                              pattern.seamless, size, int(fabric["dpi"])))
    handoff.saved_marks()["current"] = _json(_current_meta())


def _mask(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("L")) > 127


def _restore_fit(item: SavedItem) -> None:
    photo, meta = item.images["photo"], item.meta
    # The Fit page keys a photo by the upload's digest (before the working copy is made): keep that key,
    # or the brush corrections saved under it would not be found (and be dropped) after a reload.
    digest = str(meta.get("digest") or image_digest(photo))
    mask = _mask(item.images["mask"])
    parse = parse_photo(photo, digest)
    if meta.get("outfit") in ("dress", "separates"):  # the shopper's own answer on the Fit page
        handoff.keep_per_photo("outfit", digest, meta["outfit"])
        parse = parse.with_outfit(meta["outfit"])
    if mask.shape != parse.labels.shape:
        raise ValueError("its garment area does not fit its photo")
    body = body_of(photo, digest, parse)
    fit = handoff.Fit(photo, str(meta["photo_name"]), digest, parse, mask, str(meta["garment"]), dict(meta["settings"]),
                      None if isinstance(body, str) else body)
    handoff.set_fit(fit)
    handoff.saved_marks()["fit"] = _fit_mark(fit)


def _restore_brush(item: SavedItem) -> None:
    brush = handoff.Brushwork(item.meta["drawing"], _mask(item.images["add"]), _mask(item.images["remove"]))
    handoff.keep_brushwork(str(item.meta["digest"]), brush)
    handoff.saved_marks()["brush"] = _brush_mark(brush)


def _restore_tryon(item: SavedItem) -> None:
    tried = handoff.TryOn(item.images["before"], item.images["after"], str(item.meta["photo_name"]),
                          dict(item.meta["settings"]))
    handoff.set_tryon(tried)
    handoff.saved_marks()["tryon"] = tried


# --- Saving -------------------------------------------------------------------------------------

def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _current_meta() -> dict[str, Any]:
    fabric = handoff.fabric()
    return {"design": handoff.design_id(handoff.design()),
            "fabric": None if fabric is None else {"repeat": fabric.repeat, "scale": fabric.scale,
                                                   "rotation": fabric.rotation, "seamless": fabric.seamless,
                                                   "size": list(fabric.size), "dpi": fabric.dpi}}


def _fit_mark(fit: handoff.Fit) -> tuple:
    return (fit.digest, fit.garment, fit.photo_name, _json(fit.settings), handoff.per_photo("outfit", fit.digest),
            hashlib.sha256(np.packbits(fit.mask)).hexdigest())


def _brush_mark(brush: handoff.Brushwork) -> tuple:
    """What the brush corrections are, by content: the page makes a new Brushwork on every rerun."""
    return (_json(brush.drawing), hashlib.sha256(np.packbits(brush.add)).hexdigest(),
            hashlib.sha256(np.packbits(brush.remove)).hexdigest())


def _unchanged(old: Any, new: Any) -> bool:
    return old is new or (isinstance(new, (str, tuple, bool)) and old == new)


def save_work() -> None:
    """Write what changed in this session's work since it was last written (nothing in study mode).

    The app calls it before and after each page: a page that ends with ``st.stop`` or
    ``st.switch_page`` cannot reach the session state afterwards, so its changes go at the start
    of the next run."""
    shopper = handoff.shopper()
    if shopper is None:
        return
    store, marks = work_store(), handoff.saved_marks()

    def put(name: str, mark: Any, title: str, meta: dict[str, Any], images: dict[str, Image.Image]) -> None:
        if name in marks and _unchanged(marks[name], mark):
            return
        marks[name] = mark  # also after a refusal: it is said once, not on every rerun
        try:
            store.save(shopper, name, title=title, meta=meta, images=images)
        except WorkStoreError as exc:
            handoff.notices().append(str(exc))

    def drop(name: str) -> None:
        if marks.pop(name, None) is not None:
            store.delete(shopper, name)

    uploads = {f"upload-{key}": picked for key, picked in handoff.all_uploads().items()}
    for name, picked in uploads.items():
        if picked:
            put(name, tuple(p.digest for p in picked), "upload " + ", ".join(p.name for p in picked),
                {"files": [{"label": p.label, "source": p.source} for p in picked]},
                {str(i): p.image for i, p in enumerate(picked)})
    for name in [n for n in marks if n.startswith("upload-") and not uploads.get(n)]:
        drop(name)

    choices = handoff.saved_choices()
    put("choices", _json(choices), "page choices", choices, {})

    designs = handoff.designs()
    for key, design in designs.items():
        put(key, True, f"design {' + '.join(design.artworks)} on {design.content}", design.settings(),
            {"image": design.image})
    for name in [n for n in marks if n.startswith("design-") and n not in designs]:
        drop(name)
    current = _current_meta()
    put("current", _json(current), "current design", current, {})

    fit = handoff.fit()
    if fit is None:
        drop("fit")
    else:
        put("fit", _fit_mark(fit), f"fit of {fit.photo_name}",
            {"photo_name": fit.photo_name, "garment": fit.garment, "settings": fit.settings, "digest": fit.digest,
             "outfit": handoff.per_photo("outfit", fit.digest)},
            {"photo": fit.photo, "mask": Image.fromarray(fit.mask.astype(np.uint8) * 255)})
    brush = handoff.brushwork(fit.digest) if fit is not None else None
    if brush is None:
        drop("brush")
    else:
        put("brush", _brush_mark(brush), f"brush corrections on {fit.photo_name}",
            {"digest": fit.digest, "drawing": brush.drawing},
            {"add": Image.fromarray(brush.add.astype(np.uint8) * 255),
             "remove": Image.fromarray(brush.remove.astype(np.uint8) * 255)})
    tried = handoff.tryon()
    if tried is not None:
        put("tryon", tried, f"try-on of {tried.photo_name}", {"photo_name": tried.photo_name, "settings": tried.settings},
            {"before": tried.before, "after": tried.after})


# --- My designs ---------------------------------------------------------------------------------

def my_designs() -> None:
    """The "My designs" strip: every saved design, newest first, each with Use and Delete."""
    kept = list(handoff.designs().items())
    if not kept:
        return
    st.subheader("My designs")
    st.caption("Kept on this server under the link in your address bar: a reload or the same link brings them back.")
    current = handoff.design()
    columns = st.columns(4)
    for index, (key, design) in enumerate(reversed(kept)):
        with columns[index % len(columns)]:
            thumb = design.image.copy()
            thumb.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
            st.image(thumb, caption=f"{' + '.join(design.artworks)} on {design.content}, {design.size} px"
                                    + (" (in use)" if design is current else ""), width="stretch")
            use, delete = st.columns(2)
            use.button("Use", key=f"use_{key}", disabled=design is current, on_click=handoff.use_design, args=(key,),
                       width="stretch")
            delete.button("Delete", key=f"delete_{key}", on_click=handoff.forget_design, args=(key,), width="stretch")
