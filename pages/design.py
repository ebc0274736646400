"""Design: a content image and artworks become a fabric design and a repeat."""

import streamlit as st

from studio.images import to_png_bytes
from studio.pattern import REPEATS, FabricPattern
from studio.errors import StudioError
from studio.style import MAX_OUTPUT_SIDE
from ui.common import artwork_picker, current_style_handle, image_picker, keep_png, kept_image, style_engine

st.title("Design your fabric")
st.caption("Pick a content image (a pet, a logo, a photo) and one or more artworks; "
           "the studio paints the content in the artwork's style.")

left, right = st.columns(2)
with left:
    st.subheader("Content")
    content = image_picker("Content image", "design_content", "content")
    if content is not None:
        st.image(content, caption=f"Content, {content.width}x{content.height}", width=320)
with right:
    st.subheader("Artworks")
    artworks, names = artwork_picker("design_art")
    if artworks:
        st.image(artworks, caption=names, width=120)
    weights = None
    if len(artworks) > 1:
        st.caption("Blend weights")
        weights = [st.slider(name, 0.0, 1.0, 1.0, 0.05, key=f"design_weight_{i}") for i, name in enumerate(names)]

st.subheader("Settings")
c1, c2, c3 = st.columns(3)
strength = c1.slider("Style strength", 0.0, 1.0, 1.0, 0.05,
                     help="0 keeps the content's own look, 1 takes the artwork's style fully.")
preserve = c2.checkbox("Keep the content's colours", help="Stylize brightness only.")
size = c3.select_slider("Design size (long side, px)", [256, 512, 768, 1024, 1536, MAX_OUTPUT_SIDE], value=1024)

if st.button("Create design", type="primary", disabled=content is None or not artworks):
    progress = st.progress(0, text="Loading the style model…")
    try:
        engine = style_engine(current_style_handle())
        progress.progress(30, text="Painting your design…")
        with engine.use() as stylizer:
            design = stylizer.stylize(content, artworks, weights=weights, strength=strength,
                                      preserve_colors=preserve, size=size)
        keep_png("design_png", design)
        st.session_state["design_settings"] = {
            "artworks": names, "weights": weights, "strength": strength,
            "preserve_colors": preserve, "size": size, "engine": current_style_handle(),
        }
        progress.progress(100, text="Done.")
    except StudioError as exc:
        progress.empty()
        st.error(str(exc))

design = kept_image("design_png")
if design is not None:
    st.subheader("Your design")
    st.image(design, caption=f"Design, {design.width}x{design.height}", width=480)
    st.download_button("Download design (PNG)", st.session_state["design_png"], "design.png", "image/png")

    st.subheader("Fabric repeat")
    f1, f2, f3, f4 = st.columns(4)
    repeat = f1.selectbox("Repeat", REPEATS, index=1)
    scale = f2.slider("Scale", 0.1, 2.0, 0.4, 0.05)
    rotation = f3.slider("Rotation (°)", -180, 180, 0, 5)
    seamless = f4.checkbox("Seamless edges", value=False)
    d1, d2, d3 = st.columns(3)
    width = d1.number_input("Fabric width (px)", 256, 8000, 1800, 100)
    height = d2.number_input("Fabric height (px)", 256, 8000, 1200, 100)
    dpi = d3.number_input("DPI", 72, 600, 150, 1)
    try:
        pattern = FabricPattern(design, repeat=repeat, scale=scale, rotation=rotation, seamless=seamless)
        fabric = pattern.render((int(width), int(height)))
        keep_png("fabric_png", fabric)
        st.image(fabric, caption=f"{repeat} repeat, {width}x{height} px = "
                                 f"{width / dpi:.1f}x{height / dpi:.1f} in at {dpi} DPI", width="stretch")
        b1, b2 = st.columns(2)
        b1.download_button("Download fabric (PNG)", to_png_bytes(fabric, dpi=int(dpi)), "fabric.png", "image/png")
        b2.download_button("Download repeat tile (PNG)", to_png_bytes(pattern.repeat_unit(), dpi=int(dpi)),
                           "fabric_tile.png", "image/png")
    except StudioError as exc:
        st.error(str(exc))
else:
    st.info("Your design will appear here.")
