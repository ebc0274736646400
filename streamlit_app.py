"""Dress Studio: design a fabric, fit it to your photo, try it on, rate the results."""

import streamlit as st

from studio import config

st.set_page_config(page_title="Dress Studio", page_icon=":material/checkroom:", layout="wide")

PAGES = [
    st.Page("pages/design.py", title="Design", icon=":material/palette:", default=True),
    st.Page("pages/explore.py", title="Explore", icon=":material/grid_view:"),
    st.Page("pages/fit.py", title="Fit", icon=":material/accessibility_new:"),
    st.Page("pages/tryon.py", title="Try on", icon=":material/checkroom:"),
    st.Page("pages/study.py", title="Study", icon=":material/how_to_vote:"),
    st.Page("pages/results.py", title="Results", icon=":material/bar_chart:"),
]

with st.sidebar:
    st.markdown("### :material/checkroom: Dress Studio")
    st.text_input("Style model", value=config.style_handle(), key="style_handle",
                  help="A Magenta SavedModel folder or a TF-Hub URL. The shipped model works offline.")

st.navigation(PAGES).run()
