"""Fit: parse the shopper's photo and choose (and refine) the garment to design on."""

import numpy as np
import streamlit as st
from PIL import Image

from studio import config
from studio.errors import StudioError
from studio.parsing import CLASS_NAMES, GARMENT_CLASSES, PALETTE, garment_mask, main_garment
from studio.images import fit_long_side
from ui.common import ADD_COLOUR, REMOVE_COLOUR, brush_strokes, garment_parser, image_picker, keep_png

GARMENTS = [*GARMENT_CLASSES, "clothing"]
WORK_SIZE = 1024  # long side the photo is parsed and composited at

st.title("Fit: find your garment")
st.caption("Upload a full-length photo; the studio finds skin, hair and each garment.")

photo = image_picker("Your photo", "fit_photo", "photos")
if photo is None:
    st.info("Choose a photo to start.")
    st.stop()
photo = fit_long_side(photo, WORK_SIZE) if max(photo.size) > WORK_SIZE else photo

try:
    parser = garment_parser(str(config.parser_weights()))
except StudioError as exc:
    st.error(str(exc))
    st.stop()
with st.spinner("Finding your clothes…"), parser.use() as model:
    parse = model.predict(photo)

left, right = st.columns(2)
with left:
    st.image(parse.overlay(photo), caption="What the studio sees", width="stretch")
    present = parse.present_classes()
    legend = " ".join(
        f"<span style='display:inline-block;width:0.9em;height:0.9em;background:#{bytes(PALETTE[i]).hex()};"
        f"border:1px solid #999;margin:0 0.2em 0 0.6em'></span>{name}"
        for i, name in enumerate(CLASS_NAMES) if name in present and name != "background"
    )
    st.markdown(legend, unsafe_allow_html=True)

with right:
    garment = st.selectbox("Design on", GARMENTS, index=GARMENTS.index(main_garment(parse)),
                           help="Preselected: the garment covering most of the photo.")
    extra = st.multiselect("Also include", [c for c in CLASS_NAMES if c != "background"], key="fit_include")
    exclude = st.multiselect("Leave out", [c for c in CLASS_NAMES if c != "background"], key="fit_exclude")
    grow = st.slider("Grow (+) or shrink (−) the edge, px", -15, 15, 0)
    keep_main = st.checkbox("Drop stray specks", value=True)
    mask = garment_mask(parse, [garment, *extra], exclude=tuple(exclude), grow=grow, keep_main_parts=keep_main)


def highlighted(area: np.ndarray) -> Image.Image:
    shown = np.asarray(photo, dtype=np.float32) * 0.35
    shown[area] = np.asarray(photo, dtype=np.float32)[area]
    return Image.fromarray(shown.astype(np.uint8))


with st.expander("Paint corrections with a brush"):
    from streamlit_drawable_canvas import st_canvas

    b1, b2 = st.columns(2)
    adding = b1.radio("Brush", ["Add to the garment", "Remove from the garment"], horizontal=True) == "Add to the garment"
    brush = b2.slider("Brush size", 4, 60, 18)
    canvas_width = min(640, photo.width)
    canvas = st_canvas(stroke_width=brush, stroke_color=ADD_COLOUR if adding else REMOVE_COLOUR,
                       background_image=highlighted(mask), width=canvas_width,
                       height=round(photo.height * canvas_width / photo.width), drawing_mode="freedraw",
                       return_image_data=True, key="fit_brush")
    add, remove = brush_strokes(canvas.image_data if canvas is not None else None, photo.size)
    mask = (mask | add) & ~remove

with right:
    st.image(highlighted(mask), caption=f"Chosen area: {mask.mean():.0%} of the photo", width="stretch")

if not mask.any():
    st.warning(f"No {garment} found in this photo; choose another garment or include more classes.")
else:
    keep_png("fit_photo_png", photo)
    keep_png("fit_labels_png", parse.label_image())
    keep_png("fit_mask_png", Image.fromarray(mask.astype(np.uint8) * 255))
    st.session_state["fit_garment"] = garment
    st.success("Saved for the Try-on page.")
