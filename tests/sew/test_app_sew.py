"""The Sew page driven by AppTest: a sample fabric without a design, own measurements with their
ranges, choices kept across pages, Design's fabric handed over, and the flat sent to Try on."""

import pytest
from streamlit.testing.v1 import AppTest

from studio import config
from tests.conftest import sample
from ui import handoff

APP = str(config.PROJECT_ROOT / "streamlit_app.py")


@pytest.fixture
def page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page("app_pages/sew.py").run()
    assert not at.exception and not at.error
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_without_a_design_it_sews_a_sample(page):
    assert [i.value for i in page.info] == ["No design from the Design page yet: sew a sample artwork instead."]
    shown = metrics(page)
    assert shown["Fabric to order"].endswith(" cm") and shown["Finished bust / waist / hip (cm)"] == "96/76/104"
    assert len(page.get("image")) == 3
    labels = {b.label for b in page.get("download_button")}
    assert labels == {"PDF (A4)", "PDF (Letter)", "PDF (copy shop)", "Fabric (PNG)", "SVG (mm)", "JSON", "Flat (PNG)"}


def test_own_measurements_show_their_ranges_and_are_kept(page):
    page.radio(key="sew_mode").set_value("Own measurements").run()
    assert "70–150 cm" in [c.value for c in page.caption]
    page.number_input(key="sew_own_bust").set_value(100.0).run()
    page.selectbox(key="sew_sleeve").set_value("long").run()
    assert metrics(page)["Finished bust / waist / hip (cm)"] == "108/76/104"
    page.switch_page("app_pages/design.py").run()
    page.switch_page("app_pages/sew.py").run()
    assert page.number_input(key="sew_own_bust").value == 100.0 and page.selectbox(key="sew_sleeve").value == "long"
    assert metrics(page)["Finished bust / waist / hip (cm)"] == "108/76/104"


def test_an_impossible_body_is_one_sentence(page):
    page.radio(key="sew_mode").set_value("Own measurements").run()
    page.number_input(key="sew_own_waist").set_value(110.0).run()
    assert [e.value for e in page.error] == ["A waist of 110 cm is more than 10 cm above the bust (88 cm); "
                                             "this dress cannot be drafted for it."]


def test_design_fabric_is_handed_over_and_the_flat_goes_to_tryon(page):
    design = handoff.Design(sample("artworks", "waves"), "sample: cat", ("waves",), None, 1.0, False, 512, "shipped")
    page.session_state[handoff.DESIGN_KEY] = design
    page.session_state[handoff.FABRIC_KEY] = handoff.Fabric(design.image, "mirror", 0.3, 0.0, False, (900, 600), 150)
    page.run()
    assert not page.info
    assert any("Fabric from the Design page: **waves**" in c.value and "mirror repeat" in c.value for c in page.caption)
    page.button[0].click().run()
    kept = page.session_state[handoff.UPLOADS_KEY][f"{handoff.TRYON_GARMENT}_upload"][0]
    assert kept.label == handoff.SEW_FLAT_NAME and kept.image.height == 900
    assert "First choose your photo" in page.info[0].value  # Try on is shown (it asks for a Fit first)
