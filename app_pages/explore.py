"""Explore: one content image against many artworks, as a contact sheet."""

from functools import partial

import streamlit as st

from studio.errors import StudioError
from studio.images import to_png_bytes
from studio.style import DESIGN_LONG_SIDE, MAX_SHEET_ARTWORKS, contact_sheet, explore
from ui import handoff
from ui.common import artwork_picker, image_picker, show_error, style_engine
from ui.handoff import remember, remember_index

SIZES = [256, 384, 512, 768]

st.title("Explore artworks")
st.caption(f"Compare up to {MAX_SHEET_ARTWORKS} artworks on one content image, then send the one you like to Design.")

content = image_picker("Content image", "explore_content", "content")
artworks = artwork_picker("explore_art")
c1, c2 = st.columns(2)
size = c1.select_slider("Design size (long side, px)", SIZES, **remember("explore_size", 384, options=SIZES))
columns = c2.slider("Columns", 1, 8, **remember("explore_columns", 4))

if len(artworks) > MAX_SHEET_ARTWORKS:
    st.error(f"Choose at most {MAX_SHEET_ARTWORKS} artworks; you chose {len(artworks)}.")
elif st.button("Render contact sheet", type="primary", disabled=content is None or not artworks):
    bar = st.progress(0.0, text=f"0 of {len(artworks)} designs")
    try:
        engine = style_engine(handoff.style_engine_name())
        with engine.use() as stylizer:
            designs = explore(stylizer, content.image, [a.image for a in artworks], size=size,
                              on_progress=lambda done, total: bar.progress(done / total,
                                                                           text=f"{done} of {total} designs"))
        image = contact_sheet(designs, [a.image for a in artworks], [a.label for a in artworks], columns=columns)
        handoff.set_sheet(handoff.Sheet(image, content, tuple(artworks), tuple(designs), size))
    except StudioError as exc:
        show_error(exc)
    finally:
        bar.empty()

sheet = handoff.sheet()
if sheet is not None:
    st.image(sheet.image, width="stretch",
             caption=f"Contact sheet: {sheet.content.name}, designs {sheet.size} px on the long side")
    st.download_button("Download contact sheet (PNG)", partial(to_png_bytes, sheet.image), "contact-sheet.png",
                       "image/png")
    labels = [f"{i + 1}. {a.label}" for i, a in enumerate(sheet.artworks)]
    choice = st.selectbox("Use design", range(len(labels)), format_func=labels.__getitem__,
                          **remember_index("explore_choice", range(len(labels)), 0, scope=tuple(labels)))
    size = handoff.design_size(DESIGN_LONG_SIDE)
    if st.button("Send to Design", help=f"Paints the design again at the Design page's size ({size} px)."):
        try:
            name = handoff.style_engine_name()
            with st.spinner(f"Painting it again at {size} px for the Design page…"), \
                    style_engine(name).use() as stylizer:
                image = stylizer.stylize(sheet.content.image, [sheet.artworks[choice].image], size=size)
        except StudioError as exc:
            show_error(exc)
        else:
            handoff.send_to_design(sheet, choice, name, image)
            st.switch_page("app_pages/design.py")
