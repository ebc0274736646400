"""Fit: parse the shopper's photo and choose (and refine) the garment to design on."""

import numpy as np
import streamlit as st
from PIL import Image

from studio.body import draw_skeleton
from studio.composite import garment_area
from studio.errors import StudioError
from studio.images import working_copy
from studio.parsing import CLASS_NAMES, GARMENT_CLASSES, PALETTE, main_garment
from ui import handoff
from ui.common import (
    ADD_COLOUR,
    GARMENT_LABELS,
    REMOVE_COLOUR,
    body_of,
    brush_corrections,
    image_picker,
    on_a_phone,
    parse_photo,
    show_error,
)
from ui.handoff import remember, remember_index, remember_list

GARMENTS = [*GARMENT_CLASSES, "separates", "clothing"]
OUTFITS = {"dress": "It's a dress", "separates": "It's a top + bottom"}
CLASSES = [c for c in CLASS_NAMES if c != "background"]
BRUSHES = ["Add to the garment", "Remove from the garment"]
PHONE_CANVAS_WIDTH = 320  # fits a 360 px phone screen inside the expander

st.title("Fit: find your garment")
st.caption("Upload a full-length photo; the studio finds skin, hair and each garment.")

picked = image_picker("Your photo", "fit_photo", "photos")
if picked is None:
    handoff.set_fit(None)
    st.info("Choose a photo to start.")
    st.stop()
photo = working_copy(picked.image)
st.markdown(f"Photo in use: **{picked.name}** ({picked.image.width}x{picked.image.height})")

try:
    parse = parse_photo(photo, picked.digest)
except StudioError as exc:
    show_error(exc)
    st.stop()
said = handoff.per_photo("outfit", picked.digest)  # the shopper's own word on dress or separates
if said is not None:
    parse = parse.with_outfit(said)
elif parse.outfit_unsure:
    question, *answers = st.columns([3, 1, 1], vertical_alignment="center")
    question.info("The studio is not sure whether this is one dress or a top and a bottom: which is it?")
    for column, (outfit, label) in zip(answers, OUTFITS.items()):
        column.button(label, key=f"fit_outfit_{outfit}", on_click=handoff.keep_per_photo,
                      args=("outfit", picked.digest, outfit), width="stretch")
body = body_of(photo, picked.digest, parse)
if isinstance(body, str):
    st.caption(f"{body} The garment area comes from the parse alone.")
    body = None

left, right = st.columns(2)
with left:
    skeleton = st.toggle("Show the body's skeleton", disabled=body is None, **remember("fit_skeleton", False))
    seen = parse.overlay(photo)
    st.image(draw_skeleton(seen, body) if skeleton and body is not None else seen, caption="What the studio sees",
             width="stretch")
    present = parse.present_classes()
    legend = " ".join(  # each swatch and its label wrap as one (nowrap), never apart
        f"<span style='white-space:nowrap;margin-right:0.8em'><span style='display:inline-block;width:0.9em;"
        f"height:0.9em;background:#{bytes(PALETTE[i]).hex()};border:1px solid #999;margin-right:0.3em;"
        f"vertical-align:-0.1em'></span>{name}</span>"
        for i, name in enumerate(CLASS_NAMES) if name in present and name != "background"
    )
    st.markdown(legend, unsafe_allow_html=True)

with right:
    # The garment and its refinements belong to one photo: another photo starts from its own main garment.
    garment = st.selectbox("Design on", GARMENTS, format_func=lambda name: GARMENT_LABELS.get(name, name),
                           help="Preselected: what the studio sees you wearing (a dress, or a top + bottom), "
                                "else the garment covering most of the photo.",
                           **remember_index("fit_garment", GARMENTS, main_garment(parse),
                                            scope=(picked.digest, parse.outfit)))
    extra = st.multiselect("Also include", CLASSES, **remember_list("fit_include", CLASSES, [], scope=picked.digest))
    exclude = st.multiselect("Leave out", CLASSES, **remember_list("fit_exclude", CLASSES, [], scope=picked.digest))
    grow = st.slider("Grow (+) or shrink (−) the edge, px", -15, 15, **remember("fit_grow", 0))
    keep_main = st.checkbox("Drop stray specks", **remember("fit_keep_main", True))
    inside = st.checkbox("Keep the garment on the person", disabled=body is None, **remember("fit_inside", True),
                         help="Nothing outside the body's outline, however far the edge grows.")
    mask = garment_area(photo, parse, [garment, *extra], exclude=tuple(exclude), grow=grow, keep_main_parts=keep_main,
                        inside=body.person_mask if inside and body is not None else None)


def highlighted(area: np.ndarray) -> Image.Image:
    shown = np.asarray(photo, dtype=np.float32) * 0.35
    shown[area] = np.asarray(photo, dtype=np.float32)[area]
    return Image.fromarray(shown.astype(np.uint8))


with st.expander("Paint corrections with a brush"):
    from streamlit_drawable_canvas import st_canvas

    b1, b2 = st.columns(2)
    brush_mode = b1.radio("Brush", BRUSHES, horizontal=True, **remember_index("fit_brush_mode", BRUSHES, BRUSHES[0]))
    adding = brush_mode == BRUSHES[0]
    brush = b2.slider("Brush size", 4, 60, **remember("fit_brush_size", 18))
    canvas_width = min(PHONE_CANVAS_WIDTH if on_a_phone() else 640, photo.width)  # a canvas cannot shrink
    canvas_key = f"fit_brush_{picked.digest}"  # each photo its own canvas: strokes never carry to another
    canvas = st_canvas(stroke_width=brush, stroke_color=ADD_COLOUR if adding else REMOVE_COLOUR,
                       background_image=highlighted(mask), width=canvas_width,
                       height=round(photo.height * canvas_width / photo.width), drawing_mode="freedraw",
                       initial_drawing=handoff.canvas_start(canvas_key, picked.digest),
                       return_image_data=True, key=canvas_key)
    add, remove = brush_corrections(canvas, picked.digest, photo.size)
    mask = (mask | add) & ~remove

with right:
    st.image(highlighted(mask), caption=f"Chosen area: {mask.mean():.0%} of the photo", width="stretch")

if not mask.any():
    handoff.set_fit(None)
    st.warning(f"No {garment} found in this photo; choose another garment or include more classes.")
else:
    handoff.set_fit(handoff.Fit(photo, picked.name, picked.digest, parse, mask, garment,
                                {"include": extra, "exclude": exclude, "grow": grow, "keep_main_parts": keep_main,
                                 "inside_person": inside and body is not None,
                                 "brushed_pixels": int(add.sum() + remove.sum())}, body))
    st.success("Saved for the Try-on page.")
