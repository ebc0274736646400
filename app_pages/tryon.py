"""Try on: your design on your garment, or any garment image on you."""

from functools import partial
from typing import Any

import streamlit as st
from PIL import Image

from studio import config
from studio.errors import StudioError
from studio.images import to_png_bytes
from studio.study import add_study_item
from studio.tryon import CATEGORIES, DEFAULT_ENGINE, ENGINES, new_engine
from ui import handoff
from ui.common import (
    GARMENT_LABELS,
    body_estimator,
    dress_prep,
    garment_parser,
    image_picker,
    shopper_sentence,
    show_error,
)
from ui.handoff import remember, remember_index

FABRIC_SOURCES = ["Fabric from the Design page", "Design from the Design page", "Upload a fabric"]


st.title("Try on")
fit = handoff.fit()
if fit is None:
    st.info("First choose your photo and garment on the **Fit** page.")
    st.page_link("app_pages/fit.py", label="Go to Fit", icon=":material/accessibility_new:")
    st.stop()
st.caption(f"Photo: **{fit.photo_name}**, designing on: **{GARMENT_LABELS.get(fit.garment, fit.garment)}** "
           "(change them on the Fit page).")

own_design, any_garment = st.tabs(["Your design", "Try on a garment"])
with own_design:
    source = st.radio("Fabric", FABRIC_SOURCES, horizontal=True,
                      **remember_index("tryon_fabric_choice", FABRIC_SOURCES, FABRIC_SOURCES[0]))
    fabric, fabric_settings = None, {}
    if source == "Upload a fabric":
        picked = image_picker("Fabric", "tryon_fabric", "artworks", camera=False)
        if picked is not None:
            fabric, fabric_settings = picked.image, {"fabric": picked.name}
    else:
        design, kept_fabric = handoff.design(), handoff.fabric()
        if source.startswith("Fabric") and kept_fabric is not None:
            fabric = kept_fabric.image
            fabric_settings = {"repeat": kept_fabric.repeat, "fabric_scale": kept_fabric.scale,
                               "fabric_rotation": kept_fabric.rotation}
        elif design is not None:
            fabric = design.image
            if source.startswith("Fabric"):
                st.caption("No fabric repeat yet: using your design as it is.")
        if design is not None:
            fabric_settings = {**design.settings(), **fabric_settings}
        if fabric is None:
            st.info("Create a design on the **Design** page first, or upload a fabric.")
    c1, c2, c3, c4, c5 = st.columns(5)
    scale = c1.slider("Pattern scale", 0.1, 3.0, step=0.05, **remember("tryon_scale", 1.0))
    rotation = c2.slider("Rotation (°)", -180, 180, step=5, **remember("tryon_rotation", 0))
    shading = c3.slider("Keep folds and shadows", 0.0, 1.5, step=0.05, **remember("tryon_shading", 0.85))
    opacity = c4.slider("Opacity", 0.0, 1.0, step=0.05, **remember("tryon_opacity", 1.0),
                        help="Below 1 the old fabric's texture shows through.")
    fold_warp = c5.slider("Bend along folds (px)", 0, 30, step=1, **remember("tryon_fold_warp", 2))
    dressed = None
    if fabric is not None:
        try:
            prep = dress_prep(fit)
            image = prep.apply(fabric, scale=scale, rotation=rotation, shading=shading, opacity=opacity,
                               fold_warp=float(fold_warp))
            dressed = handoff.TryOn(fit.photo, image, fit.photo_name, {
                "mode": "design", "photo": fit.photo_name, "garment": fit.garment, "scale": scale,
                "rotation": rotation, "shading": shading, "opacity": opacity, "fold_warp": fold_warp,
                **fabric_settings})
        except StudioError as exc:
            show_error(exc)

with any_garment:
    category = st.selectbox("The garment is a", list(CATEGORIES),
                            **remember_index("tryon_category", CATEGORIES, next(iter(CATEGORIES))))
    engine_name = st.selectbox("Try-on engine", list(ENGINES),
                               **remember_index("tryon_engine", ENGINES, DEFAULT_ENGINE),
                               help="pose: the garment follows your shoulders, hips and knees; "
                                    "geometric: fitted by the garment's outline only.")
    garment_image = image_picker("Garment image", "tryon_garment", "garments", camera=False)
    if garment_image is not None and st.button("Try it on", type="primary"):
        try:
            # Every engine takes the same call; the body Fit found is used by an engine that fits to
            # landmarks, and the shared models are each called under their lock.
            engine = new_engine(engine_name, parser=garment_parser(str(config.parser_weights())).one_call_at_a_time(),
                                estimator=body_estimator(str(config.body_models_dir())).one_call_at_a_time())
            with st.spinner("Cutting out and fitting the garment…"):
                tried = engine(fit.photo, fit.parse, garment_image.image, category=category, body=fit.body).image
            handoff.set_tryon(handoff.TryOn(fit.photo, tried, fit.photo_name, {
                "mode": "garment", "engine": engine_name, "photo": fit.photo_name,
                "garment_image": garment_image.name, "category": category}))
        except StudioError as exc:
            show_error(exc)


def add_to_study(image: Image.Image, settings: dict[str, Any], label: str) -> None:
    """Save exactly the image the shopper saw next to the button (bound when the button was drawn)."""
    try:
        outcome: str | StudioError = add_study_item(config.study_items_dir(), to_png_bytes(image), settings).item_id
    except StudioError as exc:  # shown beside the button on the run the click starts
        outcome = exc
    st.session_state[f"tryon_added_{label}"] = outcome


for tab, label, shown in [(own_design, "Your design", dressed), (any_garment, "Garment try-on", handoff.tryon())]:
    if shown is None:
        continue
    tab.subheader(label)
    before, after = tab.columns(2)
    before.image(shown.before, caption=f"Before: {shown.photo_name}", width="stretch")
    after.image(shown.after, caption="After", width="stretch")
    d1, d2 = tab.columns(2)
    d1.download_button("Download the result (PNG)", partial(to_png_bytes, shown.after), "dress-studio.png",
                       "image/png", key=f"download_{label}")
    d2.button("Add to study", key=f"study_{label}", on_click=add_to_study, args=(shown.after, shown.settings, label))
    added = st.session_state.pop(f"tryon_added_{label}", None)
    if isinstance(added, StudioError):
        d2.error(shopper_sentence(added))
    elif added:
        d2.success(f"Added to the study as {added}.")
