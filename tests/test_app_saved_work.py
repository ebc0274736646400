"""The shopper's work kept server-side under the id in the URL: a new session with the same link
(a reload, a reconnect) gets it back; My designs lists and deletes; study mode keeps nothing."""

import numpy as np
from PIL import ImageOps
from streamlit.testing.v1 import AppTest

from studio import config
from studio.workstore import is_shopper_id
from tests.conftest import png_bytes, sample
from ui import handoff

APP = str(config.PROJECT_ROOT / "streamlit_app.py")


def reload(work: str, page: str | None = None) -> AppTest:
    """A fresh session opened with the link ``?work=ID`` (what a reload or the shared link does)."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params["work"] = work
    if page:
        at.switch_page(page)
    at.run()
    assert not at.exception
    return at


def test_a_reload_brings_back_the_designs_the_photo_the_fit_and_the_tryon(work_dir):
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    work = at.query_params["work"]
    assert is_shopper_id(work)
    at.select_slider(key="design_size").set_value(256)
    at.button[0].click().run()  # design 1: bauhaus
    at.multiselect(key="design_art_samples").set_value(["waves"]).run()
    at.button[0].click().run()  # design 2: waves
    at.selectbox(key="design_repeat").set_value("mirror").run()
    first, second = list(at.session_state[handoff.DESIGNS_KEY].values())
    assert not at.exception and not at.warning

    at.switch_page("app_pages/fit.py").run()
    at.radio(key="fit_photo_source").set_value("Upload").run()
    me = ImageOps.mirror(sample("photos", "astronaut")).resize((1100, 1100))  # over the 1024 px working size
    at.file_uploader(key="fit_photo_upload").set_value(("me.png", png_bytes(me), "image/png")).run()
    at.button(key="fit_outfit_dress").click().run()  # the parser is unsure: the shopper says it is a dress
    at.slider(key="fit_grow").set_value(3).run()
    fit = at.session_state[handoff.FIT_KEY]
    assert fit.garment == "dress" and not fit.parse.mask("top").any()
    at.switch_page("app_pages/tryon.py").run()
    [try_it] = [b for b in at.button if b.label == "Try it on"]
    try_it.click().run()
    tried = at.session_state[handoff.TRYON_KEY]
    assert not at.exception and not at.error and not at.warning

    again = reload(work, "app_pages/tryon.py")  # straight onto Try on: the fit and the try-on are there
    assert not again.error and not again.warning
    back_fit = again.session_state[handoff.FIT_KEY]
    assert back_fit.photo_name == "me.png" and back_fit.digest == fit.digest and back_fit.garment == fit.garment
    assert np.array_equal(back_fit.mask, fit.mask) and back_fit.settings == fit.settings
    assert np.array_equal(back_fit.parse.labels, fit.parse.labels)  # the shopper's "dress" came back too
    assert np.array_equal(np.asarray(again.session_state[handoff.TRYON_KEY].after), np.asarray(tried.after))
    assert "Garment try-on" in [s.value for s in again.subheader]
    design = again.session_state[handoff.DESIGN_KEY]  # the current design, and its mirror fabric
    assert design.artworks == ("waves",) and np.array_equal(np.asarray(design.image), np.asarray(second.image))
    assert again.session_state[handoff.FABRIC_KEY].repeat == "mirror"

    again.switch_page("app_pages/fit.py").run()  # Fit shows the uploaded photo and its choices
    assert "Photo in use: **me.png**" in again.markdown[0].value
    assert again.slider(key="fit_grow").value == 3
    again.switch_page("app_pages/design.py").run()
    assert "My designs" in [s.value for s in again.subheader]
    assert again.selectbox(key="design_repeat").value == "mirror"
    [first_key] = [k for k, d in again.session_state[handoff.DESIGNS_KEY].items() if d.artworks == ("bauhaus",)]
    again.button(key=f"delete_{first_key}").click().run()
    assert [d.artworks for d in again.session_state[handoff.DESIGNS_KEY].values()] == [("waves",)]

    last = reload(work)  # the deletion holds in the next session too
    assert [d.artworks for d in last.session_state[handoff.DESIGNS_KEY].values()] == [("waves",)]
    assert first.artworks == ("bauhaus",)


def test_a_corrupt_item_is_one_sentence_and_the_rest_still_loads(work_dir):
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    work = at.query_params["work"]
    at.select_slider(key="design_size").set_value(256)
    at.button[0].click().run()
    at.multiselect(key="design_art_samples").set_value(["waves"]).run()
    at.button[0].click().run()
    bauhaus = next(k for k, d in at.session_state[handoff.DESIGNS_KEY].items() if d.artworks == ("bauhaus",))
    (work_dir / work / f"{bauhaus}.image.png").write_bytes(b"\x89PNG\r\n\x1a\nnot the picture")

    again = reload(work)
    assert [w.value for w in again.warning] == [
        f"A saved item ({bauhaus}) could not be read (its picture image does not match its settings) and was left out."]
    assert [d.artworks for d in again.session_state[handoff.DESIGNS_KEY].values()] == [("waves",)]
    assert "Your design" in [s.value for s in again.subheader]


def test_a_malformed_id_gets_a_new_one_and_study_mode_keeps_nothing(work_dir, monkeypatch, tmp_path):
    at = reload("../../etc/passwd")
    work = at.query_params["work"]
    assert is_shopper_id(work)

    folders = sorted(work_dir.iterdir())
    monkeypatch.setenv("STUDIO_APP_MODE", "study")
    monkeypatch.setenv("STUDIO_STUDY_ITEMS", str(tmp_path / "items"))
    study = AppTest.from_file(APP, default_timeout=60)
    study.run()
    assert not study.exception and "work" not in study.query_params
    assert handoff.SHOPPER_KEY not in study.session_state
    assert sorted(work_dir.iterdir()) == folders  # no folder for the volunteer
