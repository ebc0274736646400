"""`python -m studio`: real runs write real files; bad input exits 2 with one line, no traceback."""

import io
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from studio import config
from studio.cli import main
from studio.style import DESIGN_LONG_SIDE

SAMPLES = config.sample_images_dir()
CAT = str(SAMPLES / "content" / "cat.png")
WAVES = str(SAMPLES / "artworks" / "waves.png")
MOSAIC = str(SAMPLES / "artworks" / "mosaic.png")


def run(*args: str) -> tuple[int, str]:
    err = io.StringIO()
    code = main(list(args), stderr=err)
    return code, err.getvalue()


def test_design_writes_a_png_of_the_requested_size(tmp_path):
    out = tmp_path / "design.png"
    code, _ = run("design", CAT, WAVES, MOSAIC, "--weights", "2", "1", "--size", "300", "--strength", "0.8",
                  "-o", str(out))
    assert code == 0
    assert Image.open(out).size == (300, 200)


def test_design_defaults_to_the_apps_long_side(tmp_path):
    out = tmp_path / "design.png"
    assert run("design", CAT, WAVES, "-o", str(out))[0] == 0
    assert Image.open(out).size == (DESIGN_LONG_SIDE, 681)  # the cat is 451x300, as the Design page makes it


def test_fabric_writes_size_and_dpi(tmp_path):
    out = tmp_path / "fabric.png"
    code, _ = run("fabric", WAVES, "-o", str(out), "--repeat", "half-drop", "--scale", "0.2", "--size", "640x480",
                  "--dpi", "300")
    assert code == 0
    image = Image.open(out)
    assert image.size == (640, 480) and round(image.info["dpi"][0]) == 300
    unit = tmp_path / "unit.png"
    assert run("fabric", WAVES, "-o", str(unit), "--repeat", "mirror", "--scale", "0.25", "--unit")[0] == 0
    assert Image.open(unit).size == (256, 256)


def test_parse_writes_label_maps_and_overlays(tmp_path):
    code, _ = run("parse", str(SAMPLES / "photos"), CAT, "-o", str(tmp_path), "--overlay")
    assert code == 0
    labels = Image.open(tmp_path / "astronaut.png")
    assert labels.mode == "L" and labels.size == (512, 512)
    assert np.asarray(labels).max() <= 9
    assert (tmp_path / "astronaut_overlay.png").is_file() and (tmp_path / "cat.png").is_file()


def test_parse_of_a_folder_goes_past_a_broken_image_and_names_it(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_broken.png").write_bytes(b"\x89PNG\r\n\x1a\n truncated")
    Image.open(CAT).save(folder / "b_cat.png")
    code, err = run("parse", str(folder), "-o", str(tmp_path / "out"))
    assert code == 2
    (line,) = err.strip().splitlines()
    assert line.startswith("error: Skipped 1 of 2 photos: a_broken.png ") and str(folder) not in line
    assert (tmp_path / "out" / "b_cat.png").is_file() and not (tmp_path / "out" / "a_broken.png").exists()


def test_dress_and_tryon_write_photo_sized_results(tmp_path):
    photo = str(SAMPLES / "photos" / "astronaut.png")
    dressed = tmp_path / "dressed.png"
    assert run("dress", photo, MOSAIC, "-o", str(dressed), "--garment", "clothing", "--scale", "0.5",
               "--shading", "1.0")[0] == 0
    result = np.asarray(Image.open(dressed))
    original = np.asarray(Image.open(photo).convert("RGB"))
    assert result.shape == original.shape and np.any(result != original)
    tried = tmp_path / "tried.png"
    assert run("tryon", photo, str(SAMPLES / "garments" / "sundress.png"), "-o", str(tried))[0] == 0
    assert Image.open(tried).size == (512, 512)


@pytest.mark.parametrize("args, expected", [
    (["design", "missing.png", WAVES, "-o", "x.png"], "missing.png does not exist."),
    (["design", CAT, "missing.png", "-o", "x.png"], "missing.png does not exist."),
    (["design", str(SAMPLES / "SOURCES.md"), WAVES, "-o", "x.png"], "not a readable image"),
    (["design", CAT, WAVES, "-o", "x.png", "--strength", "2"], "Strength must be between 0 and 1"),
    (["design", CAT, WAVES, "-o", "x.png", "--size", "5000"], "between 64 and 2048"),
    (["design", CAT, WAVES, "-o", "x.png", "--engine", "/no/such/model"], "python -m tools.convert_magenta"),
    (["fabric", WAVES, "-o", "x.png", "--scale", "0.001"], "Scale must be between"),
    (["parse", "no-such-dir", "-o", "out"], "no-such-dir does not exist."),
    (["parse", str(SAMPLES / "photos"), "typo.png", "-o", "out"], "typo.png does not exist."),
    (["sheet", CAT, WAVES, "nowhere/art.png", "-o", "x.png"], "nowhere/art.png does not exist."),
    (["fabric", "design.png", "-o", "x.png"], "design.png does not exist."),
    (["tryon", "me.jpg", str(SAMPLES / "garments" / "sundress.png"), "-o", "x.png"], "me.jpg does not exist."),
    (["tryon", str(SAMPLES / "photos" / "astronaut.png"), "dress.png", "-o", "x.png"], "dress.png does not exist."),
    (["parse", CAT, "-o", "out", "--weights", "/no/weights.safetensors"], "python -m tools.train_parser"),
    (["dress", CAT, "missing.png", "-o", "x.png"], "missing.png does not exist"),
    (["dress", str(SAMPLES / "artworks" / "bauhaus.png"), WAVES, "-o", "x.png", "--shading", "9"],
     "shading must be between"),
    (["tryon", CAT, WAVES, "-o", "x.png", "--engine", "viton"], "choose one of: pose, geometric"),
    (["tryon", str(SAMPLES / "photos" / "astronaut.png"), str(SAMPLES / "artworks" / "brushstrokes.png"),
      "-o", "x.png"],
     "no person wearing the garment"),
])
def test_bad_input_is_one_line_and_status_2(args, expected, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, err = run(*args)
    assert code == 2
    assert expected in err and err.count("\n") == 1 and "Traceback" not in err


def test_the_module_entry_point_exits_2_without_traceback(tmp_path):
    done = subprocess.run([sys.executable, "-m", "studio", "fabric", str(tmp_path / "none.png"), "-o", "x.png"],
                          capture_output=True, text=True, cwd=config.PROJECT_ROOT)
    assert done.returncode == 2
    assert done.stderr.strip().startswith("error:") and "Traceback" not in done.stderr


def test_class_table(capsys):
    assert main(["parse", "--classes"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 10 and lines[3].startswith("3\tdress")


def test_pose_prints_only_what_it_wrote(tmp_path):
    """LiteRT's "INFO: Created TensorFlow Lite XNNPACK delegate for CPU." no longer reaches stderr."""
    done = subprocess.run([sys.executable, "-m", "studio", "pose", str(SAMPLES / "photos" / "astronaut.png"),
                           "-o", str(tmp_path)], capture_output=True, text=True, cwd=config.PROJECT_ROOT,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.splitlines()[0] == f"wrote {tmp_path / 'astronaut.json'}"
