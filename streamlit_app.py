"""Dress Studio: design a fabric, fit it to your photo, try it on, rate the results.

``STUDIO_APP_MODE=study`` is the volunteers' link: only consent and the items, no navigation,
no settings, no results.

The pages live in ``app_pages/``, not ``pages/``: Streamlit serves a ``pages/`` folder on its own
(its older multipage mode) until this script has called ``st.navigation`` once, so on a fresh server
a first request for ``/results`` ran that page with a list of every page, even in study mode.
"""

import streamlit as st

from studio import config
from studio.errors import StudioError
from ui import handoff, saved
from ui.common import close_sidebar_on_phones, show_error

st.set_page_config(page_title="Dress Studio", page_icon=":material/checkroom:", layout="wide")

STUDY = st.Page("app_pages/study.py", title="Study", icon=":material/how_to_vote:")
STUDIO_PAGES = [
    st.Page("app_pages/design.py", title="Design", icon=":material/palette:", default=True),
    st.Page("app_pages/explore.py", title="Explore", icon=":material/grid_view:"),
    st.Page("app_pages/fit.py", title="Fit", icon=":material/accessibility_new:"),
    st.Page("app_pages/tryon.py", title="Try on", icon=":material/checkroom:"),
    st.Page("app_pages/sew.py", title="Sew", icon=":material/content_cut:"),
    STUDY,
    st.Page("app_pages/results.py", title="Results", icon=":material/bar_chart:"),
]

try:
    mode = config.app_mode()
    engines = list(config.style_engines())
    _ = config.work_cap_bytes(), config.work_expiry_seconds()  # the work store's settings, checked up front (no magic write)
except StudioError as exc:
    show_error(exc)
    st.stop()

if mode == "study":
    st.navigation([STUDY], position="hidden").run()
else:
    try:
        saved.open_work()  # the shopper's saved work, under the id in the URL
    except StudioError as exc:
        show_error(exc)
    saved.save_work()  # what the last run changed before it stopped early or switched pages
    saved.show_notices()
    with st.sidebar:
        st.markdown("### :material/checkroom: Dress Studio")
        if len(engines) > 1:  # the operator's allow-list (STUDIO_STYLE_ENGINES): names only, never a handle
            st.selectbox("Style engine", engines, **handoff.remember_index(handoff.STYLE_ENGINE_KEY, engines, engines[0]))
    page = st.navigation(STUDIO_PAGES)
    close_sidebar_on_phones(page.title)
    page.run()
    saved.save_work()
    saved.show_notices()
