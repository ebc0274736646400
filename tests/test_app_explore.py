"""Explore page and the sheet CLI with the real style model."""

import io

from PIL import Image
from streamlit.testing.v1 import AppTest

from studio import config
from studio.cli import main as cli
from studio.style import contact_sheet, explore
from tests.conftest import sample

APP = str(config.PROJECT_ROOT / "streamlit_app.py")
ARTWORKS = config.sample_images_dir() / "artworks"


def test_sheet_renders_then_a_tile_goes_to_design():
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("pages/explore.py").run()
    at.multiselect(key="explore_art_samples").set_value(["mosaic", "waves", "marble"])
    at.select_slider[0].set_value(256)
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert len(at.session_state["explore_designs"]) == 3
    assert at.get("download_button")[0].label == "Download contact sheet (PNG)"
    at.selectbox[-1].set_value(1)
    at.button[1].click().run()
    assert not at.exception
    assert at.session_state["design_png"] == at.session_state["explore_designs"][1]
    assert at.session_state["design_settings"]["artworks"] == ["waves"]


def test_explore_reports_progress_and_sheet_layout(stylizer):
    seen = []
    artworks = [sample("artworks", n) for n in ("mosaic", "waves", "bauhaus")]
    designs = explore(stylizer, sample("content", "logo"), artworks, size=128, on_progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    sheet = contact_sheet(designs, artworks, ["a", "b", "c"], columns=2, tile=128)
    assert sheet.width == 12 + 2 * (128 + 12) and sheet.height > 2 * 128


def test_sheet_cli(tmp_path):
    out = tmp_path / "sheet.png"
    err = io.StringIO()
    code = cli(["sheet", str(config.sample_images_dir() / "content" / "cat.png"), *[str(p) for p in sorted(ARTWORKS.glob("*.png"))[:4]],
                "-o", str(out), "--size", "128", "--columns", "2"], stderr=err)
    assert code == 0
    assert Image.open(out).width == 12 + 2 * (256 + 12)
