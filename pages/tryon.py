"""Try on: your design on your garment, or any garment image on you."""

import numpy as np
import streamlit as st

from studio import config
from studio.composite import dress_up
from studio.images import to_png_bytes
from studio.errors import StudioError
from studio.parsing import Parse
from studio.study import add_study_item
from studio.tryon import CATEGORIES, new_engine
from ui.common import garment_parser, image_picker, kept_image

st.title("Try on")
photo, labels, mask = kept_image("fit_photo_png"), kept_image("fit_labels_png"), kept_image("fit_mask_png")
if photo is None or labels is None:
    st.info("First choose your photo and garment on the **Fit** page.")
    st.page_link("pages/fit.py", label="Go to Fit", icon=":material/accessibility_new:")
    st.stop()
parse = Parse.from_label_image(labels)
garment_area = np.asarray(mask.convert("L")) > 127

own_design, any_garment = st.tabs(["Your design", "Try on a garment"])
with own_design:
    source = st.radio("Fabric", ["Fabric from the Design page", "Design from the Design page", "Upload a fabric"],
                      horizontal=True, key="tryon_fabric_choice")
    if source == "Upload a fabric":
        fabric = image_picker("Fabric", "tryon_fabric", "artworks", camera=False)
    else:
        fabric = kept_image("fabric_png") if source.startswith("Fabric") else None
        if fabric is None:
            fabric = kept_image("design_png")
            if fabric is not None and source.startswith("Fabric"):
                st.caption("No fabric repeat yet: using your design as it is.")
        if fabric is None:
            st.info("Create a design on the **Design** page first, or upload a fabric.")
    c1, c2, c3, c4, c5 = st.columns(5)
    scale = c1.slider("Pattern scale", 0.1, 3.0, 1.0, 0.05)
    rotation = c2.slider("Rotation (°)", -180, 180, 0, 5)
    shading = c3.slider("Keep folds and shadows", 0.0, 1.5, 0.85, 0.05)
    opacity = c4.slider("Opacity", 0.0, 1.0, 1.0, 0.05, help="Below 1 the old fabric's texture shows through.")
    fold_warp = c5.slider("Bend along folds (px)", 0, 30, 0, 1)
    result = None
    if fabric is not None:
        try:
            result = dress_up(photo, parse, fabric, st.session_state.get("fit_garment", "dress"), mask=garment_area,
                              scale=scale, rotation=rotation, shading=shading, opacity=opacity, fold_warp=float(fold_warp))
        except StudioError as exc:
            st.error(str(exc))
    settings = {"mode": "design", "scale": scale, "rotation": rotation, "shading": shading, "opacity": opacity,
                "fold_warp": fold_warp, **st.session_state.get("design_settings", {})}

with any_garment:
    category = st.selectbox("The garment is a", list(CATEGORIES), key="tryon_category")
    garment_image = image_picker("Garment image", "tryon_garment", "garments", camera=False)
    tried = None
    if garment_image is not None and st.button("Try it on", type="primary"):
        try:
            parser = garment_parser(str(config.parser_weights()))
            with st.spinner("Cutting out and fitting the garment…"), parser.use() as model:
                tried = new_engine("geometric", parser=model)(photo, parse, garment_image, category=category).image
            st.session_state["tryon_png"] = to_png_bytes(tried)
        except StudioError as exc:
            st.error(str(exc))
    if tried is None and st.session_state.get("tryon_png"):
        tried = kept_image("tryon_png")

for label, image, extra in [("Your design", result, settings), ("Garment try-on", tried, {"mode": "garment"})]:
    if image is None:
        continue
    st.subheader(label)
    before, after = st.columns(2)
    before.image(photo, caption="Before", width="stretch")
    after.image(image, caption="After", width="stretch")
    png = to_png_bytes(image)
    d1, d2 = st.columns(2)
    d1.download_button("Download the result (PNG)", png, "dress-studio.png", "image/png", key=f"download_{label}")
    if d2.button("Add to study", key=f"study_{label}"):
        item = add_study_item(config.study_items_dir(), png, extra)
        d2.success(f"Added to the study as {item.item_id}.")
