"""Design: a content image and artworks become a fabric design and a repeat."""

from functools import partial

import streamlit as st

from studio.errors import StudioError
from studio.images import to_png_bytes
from studio.pattern import REPEATS, FabricPattern
from studio.style import DESIGN_LONG_SIDE, MAX_OUTPUT_SIDE
from ui import handoff
from ui.common import artwork_picker, image_picker, show_error, style_engine
from ui.handoff import remember, remember_index
from ui.saved import my_designs

SIZES = [256, 384, 512, 768, 1024, 1536, MAX_OUTPUT_SIDE]

st.title("Design your fabric")
st.caption("Pick a content image (a pet, a logo, a photo) and one or more artworks; "
           "the studio paints the content in the artwork's style.")

left, right = st.columns(2)
with left:
    st.subheader("Content")
    content = image_picker("Content image", handoff.DESIGN_CONTENT, "content")
    if content is not None:
        st.image(content.image, caption=f"Content, {content.image.width}x{content.image.height}: {content.name}",
                 width=320)
with right:
    st.subheader("Artworks")
    artworks = artwork_picker(handoff.DESIGN_ARTWORKS)
    names = [a.label for a in artworks]
    if artworks:
        st.image([a.image for a in artworks], caption=names, width=120)
    weights = None
    if len(artworks) > 1:
        st.caption("Blend weights")
        weights = [st.slider(name, 0.0, 1.0, step=0.05, **remember(f"design_weight_{name}", 1.0)) for name in names]

st.subheader("Settings")
c1, c2, c3 = st.columns(3)
strength = c1.slider("Style strength", 0.0, 1.0, step=0.05, **remember(handoff.DESIGN_STRENGTH, 1.0),
                     help="0 keeps the content's own look, 1 takes the artwork's style fully.")
preserve = c2.checkbox("Keep the content's colours", **remember(handoff.DESIGN_PRESERVE, False),
                       help="Stylize brightness only.")
size = c3.select_slider("Design size (long side, px)", SIZES,
                        **remember(handoff.DESIGN_SIZE, DESIGN_LONG_SIDE, options=SIZES))

if st.button("Create design", type="primary", disabled=content is None or not artworks):
    progress = st.progress(0, text="Loading the style model…")
    try:
        engine = style_engine(handoff.style_engine_name())
        progress.progress(30, text="Painting your design…")
        with engine.use() as stylizer:
            image = stylizer.stylize(content.image, [a.image for a in artworks], weights=weights, strength=strength,
                                     preserve_colors=preserve, size=size)
        handoff.set_design(handoff.Design(
            image=image, content=content.name, artworks=tuple(names), weights=tuple(weights) if weights else None,
            strength=strength, preserve_colors=preserve, size=size, engine=handoff.style_engine_name()))
    except StudioError as exc:
        show_error(exc)
    finally:
        progress.empty()

design = handoff.design()
if design is None:
    st.info("Your design will appear here.")
    my_designs()
    st.stop()

sent = handoff.sent_note()
if sent:
    st.info(sent)
st.subheader("Your design")
made_by = "Explore" if design.source == "explore" else "this page"
shown, _ = st.columns(2)  # half the page on a laptop; on a phone the columns stack and it takes the width
shown.image(design.image, width="stretch", caption=f"Design, {design.image.width}x{design.image.height}: "
                                                   f"{' + '.join(design.artworks)} on {design.content} (from {made_by})")
st.download_button("Download design (PNG)", partial(to_png_bytes, design.image), "design.png", "image/png")
my_designs()

st.subheader("Fabric repeat")
f1, f2, f3, f4 = st.columns(4)
repeat = f1.selectbox("Repeat", REPEATS, **remember_index("design_repeat", REPEATS, "half-drop"))
scale = f2.slider("Scale", 0.1, 2.0, step=0.05, **remember("design_scale", 0.4))
rotation = f3.slider("Rotation (°)", -180, 180, step=5, **remember("design_rotation", 0))
seamless = f4.checkbox("Seamless edges", **remember("design_seamless", True),
                       help="Blends each repeat's edges into its neighbours', so no seam shows.")
d1, d2, d3 = st.columns(3)
width = d1.number_input("Fabric width (px)", 256, 8000, step=100, **remember("design_fabric_width", 1800))
height = d2.number_input("Fabric height (px)", 256, 8000, step=100, **remember("design_fabric_height", 1200))
dpi = d3.number_input("DPI", 72, 600, step=1, **remember("design_dpi", 150))
try:
    pattern = FabricPattern(design.image, repeat=repeat, scale=scale, rotation=rotation, seamless=seamless)
    fabric = pattern.render((int(width), int(height)))
except StudioError as exc:
    show_error(exc)
    st.stop()
handoff.set_fabric(handoff.Fabric(fabric, repeat, scale, rotation, seamless, (int(width), int(height)), int(dpi)))
st.image(fabric, caption=f"{repeat} repeat, {width}x{height} px = "
                         f"{width / dpi:.1f}x{height / dpi:.1f} in at {dpi} DPI", width="stretch")
b1, b2 = st.columns(2)
b1.download_button("Download fabric (PNG)", partial(to_png_bytes, fabric, dpi=int(dpi)), "fabric.png", "image/png")
b2.download_button("Download repeat tile (PNG)", lambda: to_png_bytes(pattern.repeat_unit(), dpi=int(dpi)),
                   "fabric_tile.png", "image/png")
