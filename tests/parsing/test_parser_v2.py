"""Parser v2 pieces: encoder input normalisation, outline refinement, accessory measure, training augmenter."""

import random

import numpy as np
import pytest
from PIL import Image

from studio.errors import UnknownChoiceError
from studio.parsing import (
    CLASS_NAMES,
    GarmentParser,
    ParserConfig,
    build_network,
    confusion_matrix,
    prepare_input,
    refine_outlines,
    save_weights,
    scores,
)

ACCESSORIES, DRESS, TOP, SKIN = (CLASS_NAMES.index(n) for n in ("accessories", "dress", "top", "skin"))


def test_tf_normalisation_maps_pixels_to_minus_one_to_one():
    pixels = np.array([[[0, 255, 128]]], np.uint8)
    x = prepare_input(pixels, "tf")
    assert x.shape == (1, 3, 1, 1)
    assert x.flatten().tolist() == pytest.approx([-1.0, 1.0, 128 / 127.5 - 1], abs=1e-6)
    assert prepare_input(pixels, "unit").flatten().tolist() == pytest.approx([0.0, 1.0, 128 / 255])


def test_an_unknown_normalisation_lists_the_valid_ones():
    with pytest.raises(UnknownChoiceError, match="choose one of: unit, tf"):
        prepare_input(np.zeros((4, 4, 3), np.uint8), "imagenet")


def test_weights_without_a_stored_normalisation_load_as_unit(tmp_path):
    """Weights written before v2 stored no normalisation; they were trained on [0, 1] input."""
    import json

    from safetensors.torch import load_file, save_file

    cfg = ParserConfig(encoder="timm-tf_efficientnet_lite0", normalization="tf")
    path = tmp_path / "w.safetensors"
    save_weights(build_network(cfg), cfg, path, {})
    stored = {**json.loads(__import__("safetensors").safe_open(str(path), "pt").metadata()["parser_config"])}
    del stored["normalization"]
    save_file(load_file(str(path)), str(path), metadata={"parser_config": json.dumps(stored)})
    assert GarmentParser.load(path).config.normalization == "unit"
    cfg_path = tmp_path / "v2.safetensors"
    save_weights(build_network(cfg), cfg, cfg_path, {})
    assert GarmentParser.load(cfg_path).config.normalization == "tf"


def test_refined_outlines_follow_the_photos_edge():
    """A soft network boundary 6 px right of a sharp edge in the photo: after refinement the class
    probability steps at the photo's edge, and the class boundary moves towards it."""
    import torch

    width, edge, soft_centre = 96, 40, 46
    photo = np.zeros((32, width, 3), np.uint8)
    photo[:, edge:] = 200  # dark left, light right
    columns = np.arange(width, dtype=np.float32)
    light_side = 1 / (1 + np.exp(-(columns - soft_centre) / 4))  # probability of class 1, a soft ramp
    probabilities = np.zeros((1, 2, 32, width), np.float32)
    probabilities[0, 1] = light_side
    probabilities[0, 0] = 1 - light_side
    refined = refine_outlines(torch.from_numpy(probabilities), Image.fromarray(photo), radius=8, eps=1e-3)[0].numpy()
    row_before, row_after = probabilities[0, 1, 16], refined[1, 16]
    assert int(np.argmax(np.diff(row_before))) + 1 == soft_centre
    assert int(np.argmax(np.diff(row_after))) + 1 == edge  # the steepest step is on the photo's edge
    assert row_after[edge] - row_after[edge - 1] > 0.25 > row_before[edge] - row_before[edge - 1]
    crossing_before, crossing_after = int(np.argmax(row_before > 0.5)), int(np.argmax(row_after > 0.5))
    assert edge <= crossing_after < crossing_before
    np.testing.assert_allclose(refined.sum(0), 1.0, atol=1e-5)


def test_accessory_pixels_labelled_as_garment_are_counted():
    truth = np.array([[ACCESSORIES, ACCESSORIES, ACCESSORIES, ACCESSORIES, DRESS]])
    predicted = np.array([[ACCESSORIES, DRESS, TOP, SKIN, DRESS]])
    assert scores(confusion_matrix(predicted, truth)).accessories_as_garment == pytest.approx(2 / 4)


def test_augmenter_gives_crops_with_aligned_ignored_borders():
    from tools.train_parser import IGNORE, Augmenter

    cfg = ParserConfig(encoder="timm-tf_efficientnet_lite0", input_height=96, input_width=64, normalization="tf")
    image = Image.new("RGB", (64, 96), (255, 255, 255))
    labels = np.full((96, 64), SKIN, np.uint8)
    augment = Augmenter(cfg, random.Random(3), crop=(80, 48), max_rotation=10)
    for _ in range(5):
        x, y = augment(image, labels)
        assert tuple(x.shape) == (3, 80, 48) and tuple(y.shape) == (80, 48)
        assert set(np.unique(y.numpy())) <= {SKIN, IGNORE}
        # white photo pixels are 1.0 after "tf" normalisation before jitter; padding/rotation corners are ignored
        inside = y.numpy() == SKIN
        assert inside.mean() > 0.5 and float(x[:, inside].min()) > -1.0
