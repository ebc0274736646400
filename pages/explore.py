"""Explore: one content image against many artworks, as a contact sheet."""

import streamlit as st

from studio.images import to_png_bytes
from studio.errors import StudioError
from studio.style import MAX_SHEET_ARTWORKS, contact_sheet, explore
from ui.common import artwork_picker, current_style_handle, image_picker, keep_png, kept_image, style_engine

st.title("Explore artworks")
st.caption(f"Compare up to {MAX_SHEET_ARTWORKS} artworks on one content image, then send the one you like to Design.")

content = image_picker("Content image", "explore_content", "content")
artworks, names = artwork_picker("explore_art")
c1, c2 = st.columns(2)
size = c1.select_slider("Design size (long side, px)", [256, 384, 512, 768], value=384)
columns = c2.slider("Columns", 1, 8, 4)

if len(artworks) > MAX_SHEET_ARTWORKS:
    st.error(f"Choose at most {MAX_SHEET_ARTWORKS} artworks; you chose {len(artworks)}.")
elif st.button("Render contact sheet", type="primary", disabled=content is None or not artworks):
    bar = st.progress(0.0, text=f"0 of {len(artworks)} designs")
    try:
        engine = style_engine(current_style_handle())
        with engine.use() as stylizer:
            designs = explore(stylizer, content, artworks, size=size,
                              on_progress=lambda done, total: bar.progress(done / total, text=f"{done} of {total} designs"))
        st.session_state["explore_designs"] = [to_png_bytes(d) for d in designs]
        st.session_state["explore_names"] = names
        keep_png("explore_sheet_png", contact_sheet(designs, artworks, names, columns=columns))
    except StudioError as exc:
        st.error(str(exc))

sheet = kept_image("explore_sheet_png")
if sheet is not None:
    st.image(sheet, caption="Contact sheet", width="stretch")
    st.download_button("Download contact sheet (PNG)", st.session_state["explore_sheet_png"], "contact-sheet.png", "image/png")
    names = st.session_state["explore_names"]
    choice = st.selectbox("Use design", range(len(names)), format_func=lambda i: f"{i + 1}. {names[i]}")
    if st.button("Send to Design"):
        st.session_state["design_png"] = st.session_state["explore_designs"][choice]
        st.session_state["design_settings"] = {"artworks": [names[choice]], "size": size, "source": "explore"}
        st.switch_page("pages/design.py")
