"""The garment parser's network: its configuration, preprocessing, inference and the outfit decision.

The network predicts ten fixed classes (``studio.parsing.classes``). Preprocessing lives outside the
network in :func:`prepare_input`, and training uses the very same function, so what the model saw
while learning is what it sees in the app.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from studio import config
from studio.errors import StudioError, UnknownChoiceError
from studio.parsing.classes import CLASS_NAMES
from studio.parsing.outfit import DRESS_THRESHOLD, decide_outfit
from studio.parsing.parse import Parse


@dataclass(frozen=True)
class ParserConfig:
    """Architecture and input size; stored with the weights so loading rebuilds the same net."""

    encoder: str = "mobilenet_v2"
    input_height: int = 320
    input_width: int = 224
    decoder_channels: tuple[int, ...] = (128, 64, 48, 32, 16)
    classes: int = len(CLASS_NAMES)
    normalization: str = "unit"  # see INPUT_NORMALIZATIONS
    # Classes a photo-level head on the encoder's deepest features says are present (multi-label);
    # empty: no head (the v1 parser). Trained on CCP's image-level tags.
    photo_classes: tuple[str, ...] = ()
    # The head's dress probability from which a photo is one dress (studio.parsing.outfit).
    dress_threshold: float = DRESS_THRESHOLD


def build_network(cfg: ParserConfig):
    """An untrained segmentation_models_pytorch U-Net for ``cfg``."""
    import segmentation_models_pytorch as smp

    aux_params = ({"classes": len(cfg.photo_classes), "pooling": "avg", "dropout": 0.2}
                  if cfg.photo_classes else None)
    return smp.Unet(
        cfg.encoder,
        encoder_weights=None,
        classes=cfg.classes,
        decoder_channels=tuple(cfg.decoder_channels),
        aux_params=aux_params,
    )


# How pixel values reach the encoder, by the encoder's origin: Magenta's MobileNetV2 was trained
# on [0, 1]; TensorFlow's EfficientNet-Lite ImageNet checkpoints on [-1, 1] ((x - 127.5) / 127.5).
INPUT_NORMALIZATIONS: dict[str, tuple[float, float]] = {"unit": (0.0, 1.0), "tf": (0.5, 0.5)}


def prepare_input(pixels: np.ndarray, normalization: str = "unit"):
    """uint8 HxWx3 RGB (already at network size) -> float tensor 1x3xHxW, normalised for the encoder."""
    import torch

    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError("The parser expects an RGB uint8 image of shape HxWx3.")
    if normalization not in INPUT_NORMALIZATIONS:
        raise UnknownChoiceError(f"Unknown input normalisation {normalization!r}; "
                                 f"choose one of: {', '.join(INPUT_NORMALIZATIONS)}.")
    mean, std = INPUT_NORMALIZATIONS[normalization]
    return (torch.tensor(pixels).permute(2, 0, 1)[None].float() / 255.0 - mean) / std


def resize_for_network(image: Image.Image, cfg: ParserConfig) -> np.ndarray:
    """Resize a photo to the network's input size (bilinear), as uint8 RGB."""
    resized = image.convert("RGB").resize((cfg.input_width, cfg.input_height), Image.BILINEAR)
    return np.asarray(resized, dtype=np.uint8)


class ParserWeightsError(StudioError, RuntimeError):
    """The parser weights are missing or unreadable."""


TRAIN_COMMAND = "python -m tools.train_parser"


# Test-time choices of the shipped model, measured on validation (models/GARMENT_PARSER.md).
MIRROR_PASS = True


SHARPEN_OUTLINES = False  # +0.007 mIoU on v1, but +0.15 s a photo: over the parse-time budget


def refine_outlines(probabilities, photo: Image.Image, radius: int = 8, eps: float = 1e-3):
    """Class probabilities (torch 1xCxHxW at the photo's size) pulled onto the photo's own edges.

    The network answers at a fraction of the photo's resolution, so upsampled outlines are soft
    and cut across real edges. A guided filter (He et al. 2010, kornia's ``guided_blur``) makes each
    class's probability locally a linear function of the photo's brightness: where the photo has an
    edge the class boundary snaps to it, elsewhere it is smoothed. ``eps`` is how strong an edge must
    be (brightness in [0, 1]) to be followed. The result is renormalised per pixel. No subsampling:
    the subsampled variant picks other pixels in a mirrored photo, so left and right would differ.
    """
    import kornia.filters
    import torch

    guide = torch.from_numpy(np.asarray(photo.convert("L"), dtype=np.float32) / 255.0)[None, None]
    refined = kornia.filters.guided_blur(guide, probabilities, 2 * radius + 1, eps, separable=True).clamp_min(0)
    return refined / refined.sum(1, keepdim=True).clamp_min(1e-6)


class GarmentParser:
    """U-Net garment parser on the CPU; ``predict`` is its one inference door.

    ``mirror`` also runs the mirrored photo and averages the two answers; ``sharpen`` refines the
    outlines with :func:`refine_outlines`. The defaults are the shipped model's measured choice
    (models/GARMENT_PARSER.md).
    """

    def __init__(self, network, cfg: ParserConfig, *, mirror: bool = MIRROR_PASS, sharpen: bool = SHARPEN_OUTLINES):
        self.network = network.eval()
        self.config = cfg
        self.mirror, self.sharpen = mirror, sharpen

    @classmethod
    def load(cls, path: str | Path | None = None) -> GarmentParser:
        """Load weights written by the training tool (default: the shipped model)."""
        from safetensors import SafetensorError
        from safetensors.torch import load_file, safe_open

        weights = Path(path) if path is not None else config.parser_weights()
        if not weights.is_file():
            raise ParserWeightsError(
                f"Parser weights {weights} are missing; train them with `{TRAIN_COMMAND}`."
            )
        try:
            with safe_open(str(weights), framework="pt") as handle:
                meta = handle.metadata() or {}
            cfg_dict = json.loads(meta["parser_config"])
            cfg_dict["decoder_channels"] = tuple(cfg_dict["decoder_channels"])
            cfg_dict["photo_classes"] = tuple(cfg_dict.get("photo_classes", ()))
            cfg_dict.setdefault("normalization", "unit")  # weights written before normalisation was stored
            cfg = ParserConfig(**cfg_dict)
            network = build_network(cfg)
            network.load_state_dict(load_file(str(weights)))
        except (SafetensorError, KeyError, ValueError, TypeError, RuntimeError, OSError) as exc:
            raise ParserWeightsError(
                f"Parser weights {weights} are corrupt or from another model ({type(exc).__name__}); "
                f"retrain them with `{TRAIN_COMMAND}`."
            ) from exc
        return cls(network, cfg)

    def predict(self, image: Image.Image) -> Parse:
        """Label every pixel of ``image``; the answer has the image's own size."""
        import torch
        import torch.nn.functional as F

        rgb = image.convert("RGB")
        device = next(self.network.parameters()).device
        x = prepare_input(resize_for_network(rgb, self.config), self.config.normalization).to(device)
        with torch.inference_mode():
            logits, photo_logits = split_outputs(self.network(x))
            if self.mirror:
                mirrored, mirrored_photo = split_outputs(self.network(x.flip(-1)))
                logits = (logits + mirrored.flip(-1)) / 2
                if photo_logits is not None:
                    photo_logits = (photo_logits + mirrored_photo) / 2
            logits = F.interpolate(logits, size=(rgb.height, rgb.width), mode="bilinear",
                                   align_corners=False)
            probabilities = torch.softmax(logits, dim=1).cpu()
            if self.sharpen:
                probabilities = refine_outlines(probabilities, rgb)
        probs = probabilities[0].numpy().astype(np.float32, copy=False)
        present = None
        if photo_logits is not None:
            present = dict(zip(self.config.photo_classes, torch.sigmoid(photo_logits[0]).cpu().tolist()))
        decision = decide_outfit(probs.argmax(axis=0).astype(np.uint8), probs, present, self.config.dress_threshold)
        return Parse(labels=decision.labels, probabilities=probs, photo_presence=present, outfit=decision.outfit,
                     outfit_confidence=decision.confidence)


def split_outputs(output):
    """(pixel logits, photo-level logits or None): smp's U-Net answers a pair when it has a photo head."""
    if isinstance(output, (tuple, list)):
        return output[0], output[1]
    return output, None


def save_weights(network, cfg: ParserConfig, path: Path, extra_metadata: dict[str, str]) -> None:
    """Write float16 weights plus the config needed to rebuild the network."""
    from safetensors.torch import save_file

    state = {k: v.detach().half().contiguous() if v.is_floating_point() else v.contiguous()
             for k, v in network.state_dict().items()}
    metadata = {"parser_config": json.dumps(asdict(cfg)), **extra_metadata}
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(path), metadata=metadata)

