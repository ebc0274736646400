"""The Design page driven by Streamlit's AppTest: upload, run, see the design, downloads present,
and every choice still there after visiting another page."""

import pytest
from streamlit.testing.v1 import AppTest

from studio import config
from studio.style import DESIGN_LONG_SIDE
from tests.conftest import png_bytes, sample
from ui import handoff

APP = str(config.PROJECT_ROOT / "streamlit_app.py")
CAT = png_bytes(sample("content", "cat"))


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    assert not at.exception
    return at


def test_design_from_uploads(app):
    app.radio(key="design_content_source").set_value("Upload").run()
    app.file_uploader(key="design_content_upload").set_value(("pet.png", CAT, "image/png"))
    app.multiselect(key="design_art_samples").set_value([])
    marble = png_bytes(sample("artworks", "marble"))
    app.file_uploader(key="design_art_uploads").set_value(("art.png", marble, "image/png"))
    app.run()
    app.select_slider(key="design_size").set_value(256)
    app.button[0].click().run()
    assert not app.exception and not app.error
    design = app.session_state[handoff.DESIGN_KEY]
    assert design.image.size == (256, 170)  # the cat is 451x300
    assert (design.content, design.artworks, design.size) == ("pet.png", ("art.png",), 256)
    assert app.session_state[handoff.FABRIC_KEY].image.size == (1800, 1200)
    labels = [d.label for d in app.get("download_button")]
    assert labels == ["Download design (PNG)", "Download fabric (PNG)", "Download repeat tile (PNG)"]


def test_samples_work_without_uploading(app):
    assert app.select_slider(key="design_size").value == DESIGN_LONG_SIDE  # the CLI's default too
    app.select_slider(key="design_size").set_value(256)
    app.button[0].click().run()
    assert not app.exception and not app.error
    assert app.session_state[handoff.DESIGN_KEY].artworks == ("bauhaus",)


def test_a_bad_upload_is_one_sentence(app):
    app.radio(key="design_content_source").set_value("Upload").run()
    app.file_uploader(key="design_content_upload").set_value(("notes.png", b"not an image", "image/png")).run()
    assert not app.exception
    assert [e.value for e in app.error] == [
        "notes.png is not a readable image; accepted formats are PNG, JPEG, WEBP, GIF, BMP, TIFF."]


def test_every_choice_survives_a_visit_to_another_page(app):
    app.radio(key="design_content_source").set_value("Upload").run()
    app.file_uploader(key="design_content_upload").set_value(("pet.png", CAT, "image/png"))
    app.multiselect(key="design_art_samples").set_value(["mosaic", "waves"]).run()
    app.slider(key="design_weight_waves").set_value(0.3)
    app.slider(key="design_strength").set_value(0.6)
    app.select_slider(key="design_size").set_value(256)
    app.button[0].click().run()
    app.selectbox(key="design_repeat").set_value("mirror")
    app.slider(key="design_scale").set_value(0.7)
    app.number_input(key="design_fabric_width").set_value(900).run()
    made = app.session_state[handoff.DESIGN_KEY]
    assert made.weights == (1.0, 0.3) and made.strength == 0.6

    app.switch_page("app_pages/explore.py").run()
    assert "design_repeat" not in app.session_state  # Streamlit dropped the page's widgets…
    app.switch_page("app_pages/design.py").run()
    assert not app.exception and not app.error
    # …and the page put every choice back, the uploaded content included.
    assert app.radio(key="design_content_source").value == "Upload"
    assert "Still using **pet.png** from before" in " ".join(c.value for c in app.caption)
    assert app.multiselect(key="design_art_samples").value == ["mosaic", "waves"]
    assert app.slider(key="design_weight_waves").value == 0.3
    assert app.slider(key="design_strength").value == 0.6
    assert app.select_slider(key="design_size").value == 256
    assert app.selectbox(key="design_repeat").value == "mirror"
    assert app.slider(key="design_scale").value == 0.7
    assert app.number_input(key="design_fabric_width").value == 900
    assert app.session_state[handoff.DESIGN_KEY] is made
    fabric = app.session_state[handoff.FABRIC_KEY]
    assert (fabric.repeat, fabric.scale, fabric.size) == ("mirror", 0.7, (900, 1200))
