"""The files at true scale: fabric.png at its DPI, the PDF's 10 cm test square and page sizes, the
SVG in millimetres, pattern.json's schema, and the CLI verb (nothing written for bad input)."""

import io
import json
import re

import numpy as np
import pytest
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream

from studio import cli
from studio.sew import Style, measurements, sew
from tests.conftest import SAMPLES, sample

CM = 72 / 2.54  # PDF points per cm


@pytest.fixture(scope="module")
def dress():
    return sew(sample("artworks", "mosaic"), measurements("EU38"), Style(), size="EU38", dpi=72, scale=0.5)


def test_fabric_png_is_the_layout_at_its_dpi():
    dress = sew(sample("artworks", "waves"), measurements("EU36"), Style(sleeve="none", length="mini"), size="EU36",
                dpi=100, scale=0.5)
    buffer = io.BytesIO()
    dress.write_fabric_png(buffer)
    image = Image.open(io.BytesIO(buffer.getvalue()))
    assert image.info["dpi"] == pytest.approx((100, 100), abs=0.01)
    assert image.size == (round(137 / 2.54 * 100), round(dress.layout.order_length / 2.54 * 100))
    pixels = np.asarray(image.convert("RGB"))
    printed = (pixels != 255).any(axis=2).mean()
    assert 0.4 < printed < 1.0  # the pieces are printed, the rest of the fabric is white
    assert (pixels[-3:] == 255).all()  # below the marker the fabric is white


def square_sides(page) -> list[tuple[float, float]]:
    """The width and height of every rectangle drawn with PDF's ``re`` operator on the page."""
    content = ContentStream(page.get_contents(), page.pdf)
    return [(float(ops[2]), float(ops[3])) for ops, op in content.operations if op == b"re"]


def test_pdf_pages_and_the_test_square(dress):
    for kind, size in (("a4", (595.28, 841.89)), ("letter", (612, 792))):
        reader = PdfReader(io.BytesIO(dress.pdf(kind, copy_shop_sheet=True)))
        first, sheet = reader.pages[0], reader.pages[-1]
        assert (float(first.mediabox.width), float(first.mediabox.height)) == pytest.approx(size, abs=0.1)
        assert any(w == pytest.approx(10 * CM, abs=0.01) and h == pytest.approx(10 * CM, abs=0.01)
                   for w, h in square_sides(first)), "no 10 cm square on the cover"
        assert float(sheet.mediabox.width) == pytest.approx((91.4 + 2) * CM, abs=0.5)
        tiles = reader.pages[1:-1]
        assert len(tiles) >= 4
        names = [re.search(r"\b([A-Z]\d+)\b", page.extract_text()).group(1) for page in tiles]
        assert names[0] == "A1" and len(set(names)) == len(names)
    copy_shop = PdfReader(io.BytesIO(dress.pdf("copyshop")))
    assert len(copy_shop.pages) == 1
    assert "PLACE ON FOLD" in copy_shop.pages[0].extract_text()


def test_svg_is_in_millimetres(dress):
    svg = dress.svg().decode()
    width = float(re.search(r'width="([\d.]+)mm"', svg).group(1))
    assert width == pytest.approx(914, abs=0.5)
    assert re.search(r'<rect x="10" y="10" width="100.0" height="100.0"', svg)  # the 10 cm square
    assert svg.count("<polygon") == 2 * len(dress.pattern.pieces)


def test_pattern_json_schema(dress):
    data = json.loads(dress.json())
    assert set(data) == {"units", "measurements", "ease", "pieces", "seams", "layout", "fabric", "finished"}
    assert data["units"] == "cm" and data["fabric"] == {"width_cm": 137, "length_cm": dress.layout.order_length,
                                                       "dpi": 72}
    for piece in data["pieces"]:
        assert set(piece) == {"name", "count", "on_fold", "seam_line", "cut_line", "grain", "notches", "levels"}
        assert piece["seam_line"][0] == piece["seam_line"][-1] and piece["cut_line"][0] == piece["cut_line"][-1]
    by_name = {p["name"]: p for p in data["pieces"]}
    for seam in data["seams"]:
        assert set(seam) == {"a", "b", "ease_cm"}
        lengths = []
        for end in (seam["a"], seam["b"]):
            line = np.asarray(by_name[end["piece"]]["seam_line"])
            step = 1 if end["to"] >= end["from"] else -1
            path = line[end["from"]:end["to"] + step:step] if step == 1 else line[end["to"]:end["from"] + 1][::-1]
            lengths.append(np.hypot(*np.diff(path, axis=0).T).sum())
        assert lengths[0] - lengths[1] == pytest.approx(seam["ease_cm"], abs=0.2)
    assert {(p["piece"], p["copy"]) for p in data["layout"]} >= {("sleeve", 1), ("bodice back", 1)}
    for part in ("bust", "waist", "hip"):
        assert data["finished"][part] == pytest.approx(data["measurements"][part] + data["ease"][part], abs=1)


def test_cli_writes_the_five_files(tmp_path, capsys):
    out = tmp_path / "dress"
    code = cli.main(["sew", str(SAMPLES / "artworks" / "marble.png"), "-o", str(out), "--dpi", "72",
                     "--measurements", "bust=92,waist=74,hip=100", "--silhouette", "sheath", "--sleeve", "none",
                     "--engineered", "0.5,0.5", "--paper", "letter"])
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == ["fabric.png", "flat.png", "pattern.json", "pattern.pdf", "pattern.svg"]
    assert "order" in capsys.readouterr().out
    data = json.loads((out / "pattern.json").read_text())
    assert data["measurements"]["bust"] == 92 and "sleeve" not in {p["name"] for p in data["pieces"]}
    assert Image.open(out / "flat.png").size[1] == 1100


@pytest.mark.parametrize("extra, message", [
    (["--measurements", "bust=200"], "error: Bust must be between 70 and 150 cm, got 200.\n"),
    (["--measurements", "waist=120"], "error: A waist of 120 cm is more than 10 cm above the bust (88 cm); "
                                      "this dress cannot be drafted for it.\n"),
    (["--size", "EU99"], "error: Unknown size 'EU99'; choose one of: EU34, EU36, EU38, EU40, EU42, EU44, EU46, EU48, "
                         "EU50, EU52.\n"),
    (["--fabric-width", "60", "--silhouette", "fit-and-flare", "--length", "maxi"], None),
    (["--dpi", "50"], "error: DPI must be between 72 and 600, got 50.\n"),
])
def test_cli_bad_input_is_one_sentence_and_writes_nothing(tmp_path, extra, message):
    out, stderr = tmp_path / "dress", io.StringIO()
    code = cli.main(["sew", str(SAMPLES / "artworks" / "marble.png"), "-o", str(out), *extra], stderr=stderr)
    err = stderr.getvalue()
    assert code == 2 and not out.exists()
    assert err.count("\n") == 1 and err.startswith("error: ")
    if message:
        assert err == message
    else:
        assert re.fullmatch(r"error: The skirt front is [\d.]+ cm wide with its seam allowances, wider than the 60 cm "
                            r"fabric; choose a fabric at least \d+ cm wide\.\n", err)
