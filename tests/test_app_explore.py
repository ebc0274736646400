"""Explore page and the sheet CLI with the real style model."""

import io

from PIL import Image
from streamlit.testing.v1 import AppTest

from studio import config
from studio.cli import main as cli
from studio.style import contact_sheet, explore
from tests.conftest import png_bytes, sample
from ui import handoff

APP = str(config.PROJECT_ROOT / "streamlit_app.py")
ARTWORKS = config.sample_images_dir() / "artworks"


def test_sheet_renders_then_a_tile_goes_to_design_with_its_controls():
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("app_pages/explore.py").run()
    at.radio(key="explore_content_source").set_value("Upload").run()
    cat = png_bytes(sample("content", "cat"))
    at.file_uploader(key="explore_content_upload").set_value(("pet.png", cat, "image/png"))
    at.multiselect(key="explore_art_samples").set_value(["mosaic", "waves", "marble"])
    at.select_slider(key="explore_size").set_value(256).run()
    at.button[0].click().run()
    assert not at.exception and not at.error
    sheet = at.session_state[handoff.SHEET_KEY]
    assert len(sheet.designs) == 3 and sheet.designs[1].size == (256, 170)
    assert at.get("download_button")[0].label == "Download contact sheet (PNG)"

    at.switch_page("app_pages/tryon.py").run()  # Explore's choices survive a visit elsewhere
    at.switch_page("app_pages/explore.py").run()
    assert at.multiselect(key="explore_art_samples").value == ["mosaic", "waves", "marble"]
    assert at.select_slider(key="explore_size").value == 256
    assert at.radio(key="explore_content_source").value == "Upload"

    at.selectbox(key="explore_choice").set_value(1)
    [send] = [b for b in at.button if b.label == "Send to Design"]
    send.click().run()
    assert not at.exception and not at.error
    # The tile is painted again at the Design page's size (1024 px), and the page says so.
    design = at.session_state[handoff.DESIGN_KEY]
    assert design.image.size == (1024, 681) and sheet.designs[1].size == (256, 170)
    assert (design.artworks, design.size, design.content, design.source) == (("waves",), 1024, "pet.png", "explore")
    assert [i.value for i in at.info] == [
        "Sent from Explore and painted again at the Design page's 1024 px (the sheet's tile was 256 px)."]
    # The Design page's controls say what the design is, not the page's defaults.
    assert at.multiselect(key="design_art_samples").value == ["waves"]
    assert at.select_slider(key="design_size").value == 1024
    assert at.slider(key="design_strength").value == 1.0
    assert at.radio(key="design_content_source").value == "Upload"
    assert "Still using **pet.png** from before" in " ".join(c.value for c in at.caption)


def test_explore_reports_progress_and_sheet_layout(stylizer):
    seen = []
    artworks = [sample("artworks", n) for n in ("mosaic", "waves", "bauhaus")]
    designs = explore(stylizer, sample("content", "logo"), artworks, size=128,
                      on_progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 3), (2, 3), (3, 3)]
    sheet = contact_sheet(designs, artworks, ["a", "b", "c"], columns=2, tile=128)
    assert sheet.width == 12 + 2 * (128 + 12) and sheet.height > 2 * 128


def test_sheet_cli(tmp_path):
    out = tmp_path / "sheet.png"
    err = io.StringIO()
    artworks = [str(p) for p in sorted(ARTWORKS.glob("*.png"))[:4]]
    code = cli(["sheet", str(config.sample_images_dir() / "content" / "cat.png"), *artworks,
                "-o", str(out), "--size", "128", "--columns", "2"], stderr=err)
    assert code == 0
    assert Image.open(out).width == 12 + 2 * (256 + 12)


def test_sheet_labels_are_readable_at_the_sheets_own_size():
    """Each label's letters are at least 12 px tall at 1:1 (the old bitmap font: 8 px) and stay
    inside their cell, a long name cut with an ellipsis."""
    import numpy as np

    designs = [Image.new("RGB", (256, 170), "white")] * 2
    artworks = [Image.new("RGB", (64, 64), "grey")] * 2
    sheet = contact_sheet(designs, artworks, ["mosaic", "a very long artwork name that cannot fit"], columns=2)
    dark = np.asarray(sheet.convert("L")) < 100
    swatch = 256 // 4
    label_rows = slice(12 + 170 + 4, 12 + 170 + 4 + swatch)
    first = dark[label_rows, 12 + swatch + 8: 12 + 256]
    rows = np.flatnonzero(first.any(axis=1))
    assert rows.size and rows[-1] - rows[0] + 1 >= 12
    gap = dark[label_rows, 12 + 256: 12 + 256 + 12]  # between the two cells
    assert not gap.any()
    assert dark[label_rows, 12 + 256 + 12 + swatch + 8:].any() and not dark[label_rows, -12:].any()
