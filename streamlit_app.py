"""Dress Studio: design a fabric, fit it to your photo, try it on, rate the results.

``STUDIO_APP_MODE=study`` is the volunteers' link: only consent and the items, no navigation,
no settings, no results.
"""

import streamlit as st

from studio import config
from studio.errors import StudioError
from ui.common import run_navigation

st.set_page_config(page_title="Dress Studio", page_icon=":material/checkroom:", layout="wide")

STUDY = st.Page("pages/study.py", title="Study", icon=":material/how_to_vote:")
STUDIO_PAGES = [
    st.Page("pages/design.py", title="Design", icon=":material/palette:", default=True),
    st.Page("pages/explore.py", title="Explore", icon=":material/grid_view:"),
    st.Page("pages/fit.py", title="Fit", icon=":material/accessibility_new:"),
    st.Page("pages/tryon.py", title="Try on", icon=":material/checkroom:"),
    STUDY,
    st.Page("pages/results.py", title="Results", icon=":material/bar_chart:"),
]

try:
    mode = config.app_mode()
except StudioError as exc:
    st.error(str(exc))
    st.stop()

if mode == "study":
    run_navigation([STUDY], position="hidden")
else:
    with st.sidebar:
        st.markdown("### :material/checkroom: Dress Studio")
        st.text_input("Style model", value=config.style_handle(), key="style_handle",
                      help="A Magenta SavedModel folder or a TF-Hub URL. The shipped model works offline.")
    run_navigation(STUDIO_PAGES)
