"""The safe loader: good images of every mode end as RGB; each bad input gets one clear sentence."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from studio.images import ImageError, ImageLimits, fit_long_side, load_image, to_png_bytes, to_rgb
from tests.conftest import png_bytes


def _bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares a huge image (IDAT holds almost nothing)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "P", "CMYK", "1", "I;16", "I", "F"])
def test_every_mode_ends_as_rgb(mode):
    base = Image.new("RGB", (40, 36), (200, 100, 50))
    image = base.convert(mode) if mode not in ("I;16", "I", "F") else Image.new(mode, (40, 36), 1000)
    fmt = "TIFF" if mode in ("CMYK", "I;16", "I", "F") else "PNG"
    loaded = load_image(png_bytes(image, format=fmt))
    assert loaded.mode == "RGB" and loaded.size == (40, 36)


def test_sixteen_bit_grey_is_scaled_not_clipped():
    values = np.full((40, 40), 32768, dtype=np.uint16)
    loaded = load_image(png_bytes(Image.fromarray(values)))
    assert abs(int(np.asarray(loaded)[0, 0, 0]) - 128) <= 1  # half of 16-bit range -> half of 8-bit


def test_transparent_pixels_become_white_and_palette_transparency_is_kept():
    rgba = Image.new("RGBA", (40, 40), (255, 0, 0, 0))
    assert np.asarray(load_image(png_bytes(rgba)))[0, 0].tolist() == [255, 255, 255]
    palette = Image.new("P", (40, 40), 0)
    palette.putpalette([10, 20, 30] + [0] * 765)
    palette.info["transparency"] = 0
    assert np.asarray(load_image(png_bytes(palette, transparency=0)))[0, 0].tolist() == [255, 255, 255]


def test_exif_orientation_is_applied():
    image = Image.new("RGB", (60, 40), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    data = png_bytes(image, format="JPEG", exif=exif.tobytes())
    assert load_image(data).size == (40, 60)


def test_animated_gif_gives_first_frame():
    frames = [Image.new("RGB", (40, 40), c) for c in [(255, 0, 0), (0, 255, 0)]]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    pixel = np.asarray(load_image(buffer.getvalue()))[0, 0]
    assert pixel[0] > 200 and pixel[1] < 50


def test_paths_and_file_objects_are_accepted(tmp_path):
    path = tmp_path / "x.png"
    path.write_bytes(png_bytes(Image.new("RGB", (50, 50))))
    assert load_image(path).size == (50, 50)
    assert load_image(io.BytesIO(path.read_bytes())).size == (50, 50)


BAD_INPUTS = {
    "empty": (b"", "is empty"),
    "text": (b"hello, this is not an image", "not a readable image"),
    "html": (b"<html><script>alert(1)</script></html>", "not a readable image"),
    "truncated png": (png_bytes(Image.new("RGB", (200, 200), (9, 9, 9)))[:200], "truncated or corrupt"),
    "truncated jpeg": (png_bytes(Image.effect_noise((200, 200), 50).convert("RGB"), format="JPEG")[:300], "truncated or corrupt"),
    "decompression bomb": (_bomb_png(20000, 20000), "the limit is 40,000,000 pixels"),
    "pixel flood in header": (_bomb_png(100000, 100000), "pixels"),
    "tiny": (png_bytes(Image.new("RGB", (10, 10))), "at least 32 pixels"),
    "one pixel wide": (png_bytes(Image.new("RGB", (1, 500))), "at least 32 pixels"),
    "eps (not allowed)": (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\nshowpage\n", "not a readable image"),
    "pdf": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "not a readable image"),
    "ico (not allowed)": (png_bytes(Image.new("RGB", (48, 48)), format="ICO"), "not a readable image"),
    "random bytes": (bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8)), "not a readable image"),
    "png magic then junk": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image"),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_input_is_refused_with_one_sentence(name):
    data, expected = BAD_INPUTS[name]
    with pytest.raises(ImageError) as caught:
        load_image(data, name="upload.png")
    message = str(caught.value)
    assert expected in message
    assert message.startswith("upload.png") and message.endswith(".") and "\n" not in message


def test_byte_cap_is_checked_before_decoding(tmp_path):
    limits = ImageLimits(max_bytes=1000)
    big = png_bytes(Image.effect_noise((200, 200), 60).convert("RGB"))
    with pytest.raises(ImageError, match="limit is 0 MB|larger than"):
        load_image(big, limits=limits)
    path = tmp_path / "big.png"
    path.write_bytes(big)
    with pytest.raises(ImageError, match="MB"):
        load_image(path, limits=limits)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ImageError, match="does not exist"):
        load_image(tmp_path / "nope.png", name="nope.png")


def test_streamlit_upload_cap_matches_loader():
    import tomllib

    from studio import config
    from studio.images import MAX_UPLOAD_MEGABYTES

    settings = tomllib.loads((config.PROJECT_ROOT / ".streamlit" / "config.toml").read_text())
    assert settings["server"]["maxUploadSize"] == MAX_UPLOAD_MEGABYTES


def test_helpers_round_trip():
    image = Image.new("RGB", (300, 100), (1, 2, 3))
    assert fit_long_side(image, 150).size == (150, 50)
    again = Image.open(io.BytesIO(to_png_bytes(image, dpi=300)))
    assert again.info["dpi"][0] == pytest.approx(300, abs=1)
    assert to_rgb(Image.new("LA", (5, 5))).mode == "RGB"
