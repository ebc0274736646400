"""The Design page driven by Streamlit's AppTest: upload, run, see the design, downloads present."""

import pytest
from streamlit.testing.v1 import AppTest

from studio import config
from tests.conftest import png_bytes, sample

APP = str(config.PROJECT_ROOT / "streamlit_app.py")


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception
    return at


def test_design_from_uploads(app):
    app.radio(key="design_content_source").set_value("Upload").run()
    app.file_uploader(key="design_content_upload").set_value(("pet.png", png_bytes(sample("content", "cat")), "image/png"))
    app.multiselect(key="design_art_samples").set_value([])
    app.file_uploader(key="design_art_uploads").set_value(("art.png", png_bytes(sample("artworks", "marble")), "image/png"))
    app.run()
    app.select_slider[0].set_value(256)
    app.button[0].click().run()
    assert not app.exception and not app.error
    design = app.session_state["design_png"]
    assert design.startswith(b"\x89PNG")
    labels = [d.label for d in app.get("download_button")]
    assert labels == ["Download design (PNG)", "Download fabric (PNG)", "Download repeat tile (PNG)"]


def test_samples_work_without_uploading(app):
    app.select_slider[0].set_value(256)
    app.button[0].click().run()
    assert not app.exception and not app.error
    assert "design_png" in app.session_state


def test_a_bad_upload_is_one_sentence(app):
    app.radio(key="design_content_source").set_value("Upload").run()
    app.file_uploader(key="design_content_upload").set_value(("notes.png", b"not an image", "image/png")).run()
    assert not app.exception
    assert [e.value for e in app.error] == ["notes.png is not a readable image; accepted formats are PNG, JPEG, WEBP, GIF, BMP, TIFF."]
