"""Style transfer with the real shipped Magenta SavedModel."""

import numpy as np
import pytest
from PIL import Image

from studio.style import StyleEngineError, Stylizer, keep_original_colours, normalised_weights, prepare_style_image
from tests.conftest import sample


def _mean_colour(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB"), dtype=np.float64).reshape(-1, 3).mean(0)


def _edges(image: Image.Image) -> np.ndarray:
    grey = np.asarray(image.convert("L").resize((128, 128), Image.BILINEAR), dtype=np.float64)
    return np.hypot(np.diff(grey, axis=0)[:, :-1], np.diff(grey, axis=1)[:-1])


@pytest.fixture(scope="module")
def cat():
    return sample("content", "cat")


@pytest.fixture(scope="module")
def waves():
    return sample("artworks", "waves")


@pytest.fixture(scope="module")
def styled(stylizer, cat, waves):
    return stylizer.stylize(cat, [waves], size=384)


def test_design_takes_the_artworks_colours_and_keeps_the_contents_shapes(styled, cat, waves):
    content = cat.resize(styled.size)
    before = np.linalg.norm(_mean_colour(content) - _mean_colour(waves))
    after = np.linalg.norm(_mean_colour(styled) - _mean_colour(waves))
    assert after < 0.5 * before, (before, after)  # the orange cat turned sea-blue
    assert np.abs(np.asarray(styled, float) - np.asarray(content, float)).mean() > 30
    layout = np.corrcoef(_edges(styled).ravel(), _edges(content).ravel())[0, 1]
    assert layout > 0.3  # the cat's outlines are still there


def test_strength_moves_from_the_contents_own_style_to_the_artworks(stylizer, cat, waves):
    blue = []
    for strength in (0.0, 0.5, 1.0):
        r, g, b = _mean_colour(stylizer.stylize(cat, waves, strength=strength, size=256))
        blue.append(b - r)
    assert blue[0] < blue[1] < blue[2]
    assert blue[0] < 0  # strength 0 keeps the cat warm


def test_preserve_colours_keeps_chroma_and_changes_luminance(stylizer, cat, waves):
    result = stylizer.stylize(cat, waves, preserve_colors=True, size=256)
    original = cat.resize(result.size, Image.LANCZOS)
    ycc_result = np.asarray(result.convert("YCbCr"), float)
    ycc_original = np.asarray(original.convert("YCbCr"), float)
    assert np.abs(ycc_result[..., 1:] - ycc_original[..., 1:]).mean() < 3
    assert np.abs(ycc_result[..., 0] - ycc_original[..., 0]).mean() > 10


def test_same_inputs_give_the_same_bytes(stylizer, cat, waves):
    first = stylizer.stylize(cat, waves, size=200)
    second = stylizer.stylize(cat, waves, size=200)
    assert np.array_equal(np.asarray(first), np.asarray(second))


def test_blending_weights(stylizer, cat, waves):
    mosaic = sample("artworks", "mosaic")
    only_waves = np.asarray(stylizer.stylize(cat, [waves], size=200), float)
    weighted = np.asarray(stylizer.stylize(cat, [waves, mosaic], weights=[1, 0], size=200), float)
    half = np.asarray(stylizer.stylize(cat, [waves, mosaic], weights=[1, 1], size=200), float)
    only_mosaic = np.asarray(stylizer.stylize(cat, [mosaic], size=200), float)
    assert np.abs(weighted - only_waves).mean() < 1.0
    assert np.abs(half - only_waves).mean() > 5 and np.abs(half - only_mosaic).mean() > 5


@pytest.mark.parametrize("size, expected", [(333, (333, 222)), (64, (64, 43)), (97, (97, 65))])
def test_output_long_side_is_the_requested_size(stylizer, cat, waves, size, expected):
    assert stylizer.stylize(cat, waves, size=size).size == expected


@pytest.mark.slow
def test_print_resolution_2048(stylizer, cat, waves):
    result = stylizer.stylize(cat, waves, size=2048)
    assert result.size == (2048, 1362)
    assert np.asarray(result).std() > 20


def test_default_size_is_the_contents_own(stylizer, cat, waves):
    assert stylizer.stylize(cat, waves).size == cat.size


@pytest.mark.parametrize("kwargs, message", [
    ({"strength": 1.5}, "Strength must be between 0 and 1"),
    ({"size": 4096}, "between 64 and 2048"),
    ({"size": 10}, "between 64 and 2048"),
    ({"weights": [1, 2]}, "one weight per artwork"),
    ({"weights": [-1]}, "non-negative"),
])
def test_bad_settings_are_refused(stylizer, cat, waves, kwargs, message):
    with pytest.raises(ValueError, match=message):
        stylizer.stylize(cat, [waves], **kwargs)


def test_no_artwork_is_refused(stylizer, cat):
    with pytest.raises(ValueError, match="at least one artwork"):
        stylizer.stylize(cat, [])


def test_missing_model_names_the_converter(tmp_path):
    with pytest.raises(StyleEngineError, match="python -m tools.convert_magenta"):
        Stylizer.load(str(tmp_path / "nowhere"))


def test_unreadable_model_is_one_sentence(tmp_path):
    (tmp_path / "saved_model.pb").write_bytes(b"not a protobuf")
    with pytest.raises(StyleEngineError, match="could not be loaded"):
        Stylizer.load(str(tmp_path))


@pytest.fixture(scope="module")
def inverting_engine(tmp_path_factory, stylizer):
    """A tiny SavedModel with only the TF-Hub Magenta call: it returns 1 - content."""
    import tensorflow as tf

    class Invert(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([1, None, None, 3], tf.float32),
                                      tf.TensorSpec([1, None, None, 3], tf.float32)])
        def __call__(self, content, style):
            return [1.0 - content]

    folder = tmp_path_factory.mktemp("engine") / "invert"
    tf.saved_model.save(Invert(), str(folder))
    return folder


def test_any_savedmodel_with_the_hub_signature_is_an_engine(inverting_engine, cat, waves, monkeypatch):
    engine = Stylizer.load(str(inverting_engine))
    assert not engine.blends_style_vectors
    result = np.asarray(engine.stylize(cat, waves, size=120), int)
    expected = 255 - np.asarray(cat.resize((120, 80), Image.LANCZOS), int)
    assert np.abs(result - expected).max() <= 1
    monkeypatch.setenv("STUDIO_STYLE_HANDLE", str(inverting_engine))
    assert Stylizer.load().handle == str(inverting_engine)


def test_combined_call_engine_refuses_strength_and_blending(inverting_engine, cat, waves):
    engine = Stylizer.load(str(inverting_engine))
    with pytest.raises(StyleEngineError, match="only the combined Magenta call"):
        engine.stylize(cat, waves, strength=0.5)
    with pytest.raises(StyleEngineError, match="only the combined Magenta call"):
        engine.stylize(cat, [waves, waves])


def test_helpers():
    assert prepare_style_image(Image.new("RGB", (400, 100))).shape == (1, 256, 256, 3)
    assert normalised_weights(2, [1, 3]).tolist() == [0.25, 0.75]
    grey = keep_original_colours(Image.new("RGB", (10, 10), (128, 128, 128)), Image.new("RGB", (10, 10), (255, 0, 0)))
    r, g, b = grey.getpixel((5, 5))
    assert r > g and r > b


@pytest.mark.slow
@pytest.mark.parametrize("order", ["style parser", "parser style"])
def test_style_model_and_parser_share_one_process(order):
    """TensorFlow then torch used to segfault (triton's LLVM); the app loads both in one process."""
    import subprocess
    import sys

    from studio import config

    script = (
        "from PIL import Image\n"
        "def style():\n"
        "    from studio.style import Stylizer\n"
        "    Stylizer.load().stylize(Image.new('RGB', (80, 80)), Image.new('RGB', (80, 80), (255, 0, 0)), size=80)\n"
        "def parser():\n"
        "    from studio.parsing import GarmentParser\n"
        "    GarmentParser.load().predict(Image.new('RGB', (80, 80)))\n"
        f"for step in {order.split()!r}:\n"
        "    {'style': style, 'parser': parser}[step]()\n"
        "print('both ran')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=config.PROJECT_ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "both ran" in done.stdout
