"""Fit and Try-on pages driven by AppTest with the real parser."""

import pytest
from streamlit.testing.v1 import AppTest

from studio import config
from studio.study import study_items
from tests.conftest import png_bytes, sample

APP = str(config.PROJECT_ROOT / "streamlit_app.py")


@pytest.fixture
def fitted(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("STUDIO_STUDY_ITEMS", str(tmp_path / "items"))
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("pages/fit.py").run()
    assert not at.exception and not at.error
    return at


def test_fit_parses_the_photo_and_keeps_the_mask(fitted):
    assert [s.value for s in fitted.success] == ["Saved for the Try-on page."]
    assert fitted.session_state["fit_mask_png"].startswith(b"\x89PNG")
    before = fitted.session_state["fit_mask_png"]
    fitted.slider[0].set_value(10).run()  # grow the mask
    assert fitted.session_state["fit_mask_png"] != before


def test_fit_refuses_a_bad_upload(fitted):
    fitted.radio(key="fit_photo_source").set_value("Upload").run()
    fitted.file_uploader(key="fit_photo_upload").set_value(("me.jpg", b"\xff\xd8\xff garbage", "image/jpeg")).run()
    assert not fitted.exception
    assert "me.jpg" in fitted.error[0].value


def test_tryon_with_an_uploaded_fabric_and_add_to_study(fitted, tmp_path):
    fitted.switch_page("pages/tryon.py").run()
    fitted.radio(key="tryon_fabric_choice").set_value("Upload a fabric").run()
    fitted.radio(key="tryon_fabric_source").set_value("Upload").run()
    fitted.file_uploader(key="tryon_fabric_upload").set_value(("fabric.png", png_bytes(sample("artworks", "mosaic")), "image/png")).run()
    assert not fitted.exception and not fitted.error
    assert "Your design" in [s.value for s in fitted.subheader]
    fitted.button(key="study_Your design").click().run()
    items = study_items(tmp_path / "items")
    assert len(items) == 1 and items[0].settings["mode"] == "design"


def test_garment_tryon_from_a_product_shot(fitted):
    fitted.switch_page("pages/tryon.py").run()
    fitted.button[0].click().run()  # "Try it on" with the sample sundress
    assert not fitted.exception and not fitted.error
    assert fitted.session_state["tryon_png"].startswith(b"\x89PNG")
    assert "Garment try-on" in [s.value for s in fitted.subheader]


def test_tryon_without_fit_points_to_the_fit_page():
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/tryon.py").run()
    assert not at.exception
    assert "Fit" in at.info[0].value


def test_tryon_falls_back_to_the_design_when_no_fabric_was_rendered(fitted):
    fitted.session_state["design_png"] = png_bytes(sample("artworks", "waves"))
    fitted.switch_page("pages/tryon.py").run()
    assert not fitted.exception and not fitted.error
    assert "Your design" in [s.value for s in fitted.subheader]


def test_brush_strokes_add_and_remove():
    import numpy as np

    from ui.common import brush_strokes

    canvas = np.full((50, 100, 4), (90, 140, 60, 255), np.uint8)  # an opaque greenish background photo
    canvas[10:20, 10:30] = (0, 200, 83, 255)  # green stroke: add
    canvas[30:40, 60:90] = (255, 23, 68, 255)  # red stroke: remove
    add, remove = brush_strokes(canvas, (200, 100))
    assert add.shape == (100, 200)
    assert add[30, 40] and not add[70, 150] and remove[70, 150] and not remove[30, 40]
    assert add.sum() == 40 * 20  # only the stroke, not the background
    assert brush_strokes(None, (20, 10))[0].shape == (10, 20)
