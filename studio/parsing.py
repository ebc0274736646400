"""Garment parsing: a U-Net that labels every pixel of a shopper's photo.

The network predicts ten fixed classes (see ``CLASS_NAMES``). Preprocessing lives outside the
network in :func:`prepare_input`, and training uses the very same function, so what the model
saw while learning is what it sees in the app.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from studio import config
from studio.errors import InputError, StudioError, UnknownChoiceError

CLASS_NAMES: tuple[str, ...] = (
    "background",
    "skin",
    "hair",
    "dress",
    "top",
    "outerwear",
    "bottom",
    "legwear",
    "footwear",
    "accessories",
)

GROUPS: dict[str, tuple[int, ...]] = {
    "clothing": (3, 4, 5, 6),
    "person": tuple(range(1, len(CLASS_NAMES))),
}

# One colour per class for overlays and legends (background is transparent in overlays).
PALETTE: np.ndarray = np.array(
    [
        (0, 0, 0),
        (241, 194, 125),
        (92, 64, 51),
        (220, 20, 60),
        (30, 144, 255),
        (128, 0, 128),
        (255, 165, 0),
        (46, 139, 87),
        (139, 69, 19),
        (255, 215, 0),
    ],
    dtype=np.uint8,
)

# Clothing Co-Parsing label names -> our class ids (../shared/DESIGN.md, "Parser classes").
_CCP_GROUPS: dict[int, tuple[str, ...]] = {
    1: ("skin",),
    2: ("hair",),
    3: ("dress", "romper", "jumper", "bodysuit", "swimwear"),
    4: ("blouse", "shirt", "t-shirt", "top", "sweater", "sweatshirt", "cardigan", "vest",
        "hoodie", "bra", "intimate"),
    5: ("coat", "blazer", "jacket", "suit", "cape"),
    6: ("skirt", "pants", "jeans", "shorts", "leggings", "panties"),
    7: ("tights", "stockings", "socks"),
    8: ("shoes", "boots", "sandals", "heels", "flats", "pumps", "sneakers", "loafers", "clogs",
        "wedges"),
    9: ("accessories", "bag", "purse", "belt", "hat", "sunglasses", "glasses", "scarf",
        "necklace", "bracelet", "earrings", "ring", "watch", "wallet", "gloves", "tie"),
}


def ccp_lookup_table(ccp_label_names: list[str]) -> np.ndarray:
    """Map CCP label ids (index = CCP id, value = name) to our class ids as a uint8 table."""
    by_name = {name: class_id for class_id, names in _CCP_GROUPS.items() for name in names}
    table = np.zeros(256, dtype=np.uint8)
    for ccp_id, name in enumerate(ccp_label_names):
        if ccp_id == 0:
            continue
        if name not in by_name:
            raise ValueError(f"CCP label {name!r} has no class in the parser's class table.")
        table[ccp_id] = by_name[name]
    return table


def class_ids(name: str) -> tuple[int, ...]:
    """Class ids behind a class or group name; the error lists every valid name."""
    if name in GROUPS:
        return GROUPS[name]
    if name in CLASS_NAMES:
        return (CLASS_NAMES.index(name),)
    valid = ", ".join(list(CLASS_NAMES) + list(GROUPS))
    raise UnknownChoiceError(f"Unknown garment or class {name!r}; choose one of: {valid}.")


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


@dataclass
class Parse:
    """The parser's answer for one photo, at the photo's own size."""

    labels: np.ndarray  # uint8 HxW class ids
    probabilities: np.ndarray | None = field(default=None, repr=False)  # float32 CxHxW from the parser
    photo_presence: dict[str, float] | None = None  # class -> probability it is in the photo (photo head)
    outfit: str = "unsure"  # the outfit decision: "dress", "separates" or "unsure"
    outfit_confidence: float = 0.0

    @classmethod
    def from_label_image(cls, image: Image.Image) -> Parse:
        """Rebuild a parse from a saved label map (8-bit, one class id per pixel)."""
        labels = np.asarray(image.convert("L"), dtype=np.uint8)
        if labels.max(initial=0) >= len(CLASS_NAMES):
            raise InputError(f"A label map holds class ids 0-{len(CLASS_NAMES) - 1}; this one has {labels.max()}.")
        return cls(labels=labels)

    def label_image(self) -> Image.Image:
        """The label map as an 8-bit image (what ``python -m studio parse`` writes)."""
        return Image.fromarray(self.labels)

    def mask(self, name: str) -> np.ndarray:
        """Boolean HxW mask of a class or group name (``dress``, ``clothing`` …)."""
        return np.isin(self.labels, class_ids(name))

    def overlay(self, photo: Image.Image, alpha: float = 0.55) -> Image.Image:
        """The photo with each non-background class tinted in its palette colour."""
        base = np.asarray(photo.convert("RGB"), dtype=np.float32)
        if base.shape[:2] != self.labels.shape:
            raise InputError("The overlay photo must have the same size as the parse.")
        colours = PALETTE[self.labels].astype(np.float32)
        weight = np.where(self.labels[..., None] > 0, alpha, 0.0)
        mixed = base * (1 - weight) + colours * weight
        return Image.fromarray(np.clip(mixed + 0.5, 0, 255).astype(np.uint8))

    def present_classes(self, min_fraction: float = 0.002) -> list[str]:
        """Names of classes covering at least ``min_fraction`` of the photo."""
        counts = np.bincount(self.labels.ravel(), minlength=len(CLASS_NAMES))
        return [CLASS_NAMES[i] for i in np.flatnonzero(counts >= min_fraction * self.labels.size)]


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
        decision = decide_outfit(probs.argmax(axis=0).astype(np.uint8), probs, present)
        return Parse(labels=decision.labels, probabilities=probs, photo_presence=present, outfit=decision.outfit,
                     outfit_confidence=decision.confidence)


def split_outputs(output):
    """(pixel logits, photo-level logits or None): smp's U-Net answers a pair when it has a photo head."""
    if isinstance(output, (tuple, list)):
        return output[0], output[1]
    return output, None


# Without a photo-level head, a photo's outfit is settled as a dress, or as separates, when this
# share of the garment area's dress + top + bottom probability is (or is not) dress. Between the
# two the parser is unsure and its pixel-by-pixel answer stands.
CLEARLY_A_DRESS = 0.65
CLEARLY_SEPARATES = 0.35
# With a head: a dress when its dress probability is at least DRESS_THRESHOLD; the decision is
# called unsure within UNSURE_MARGIN of it (the Fit page then offers both readings).
DRESS_THRESHOLD = 0.5
UNSURE_MARGIN = 0.2
# Class ids of the outfit that decision is about: dress, top, bottom.
OUTFIT_CLASSES: tuple[int, int, int] = tuple(CLASS_NAMES.index(name) for name in ("dress", "top", "bottom"))


@dataclass(frozen=True)
class OutfitDecision:
    """The settled label map, the outfit it shows ("dress", "separates" or "unsure") and how sure
    the decision is (0: a coin flip, 1: certain)."""

    labels: np.ndarray
    outfit: str
    confidence: float


def decide_outfit(labels: np.ndarray, probabilities: np.ndarray,
                  presence: dict[str, float] | None = None) -> OutfitDecision:
    """One outfit per photo: a dress, or separates (top + bottom).

    Pixel by pixel, the network often splits one dress into dress, top and skirt patches, or
    leaves dress patches on a blouse and skirt. With a photo-level head (``presence``: each class's
    probability of being in the photo, learned from image-level tags) its dress probability
    decides; without one, the dress share of the garment area's probability mass does, and only
    when it is clear (validation: model card). The garment area is relabelled to agree.
    """
    dress, top, bottom = OUTFIT_CLASSES
    garment = np.isin(labels, OUTFIT_CLASSES)
    if presence is not None and "dress" in presence:
        p = presence["dress"]
        outfit = "dress" if p >= DRESS_THRESHOLD else "separates"
        confidence = min(abs(p - DRESS_THRESHOLD) / UNSURE_MARGIN, 1.0)
        if not garment.any():
            return OutfitDecision(labels, outfit, confidence)
        keep_top = outfit == "dress" and presence.get("top", 0.0) >= 0.5  # a cardigan or blouse over the dress
        return OutfitDecision(relabel_outfit(labels, probabilities, as_dress=outfit == "dress", keep_top=keep_top),
                              outfit, confidence)
    if not garment.any():
        return OutfitDecision(labels, "unsure", 0.0)
    dress_mass = float(probabilities[dress][garment].sum())
    total_mass = dress_mass + float(probabilities[top][garment].sum() + probabilities[bottom][garment].sum())
    share = dress_mass / max(total_mass, 1e-6)
    confidence = min(abs(share - 0.5) / (CLEARLY_A_DRESS - 0.5), 1.0)
    if share >= CLEARLY_A_DRESS:
        return OutfitDecision(relabel_outfit(labels, probabilities, as_dress=True), "dress", confidence)
    if share <= CLEARLY_SEPARATES:
        return OutfitDecision(relabel_outfit(labels, probabilities, as_dress=False), "separates", confidence)
    return OutfitDecision(labels, "unsure", confidence)


def settle_outfit(labels: np.ndarray, probabilities: np.ndarray,
                  presence: dict[str, float] | None = None) -> np.ndarray:
    """The label map after :func:`decide_outfit`."""
    return decide_outfit(labels, probabilities, presence).labels


def relabel_outfit(labels: np.ndarray, probabilities: np.ndarray, *, as_dress: bool,
                   keep_top: bool = False) -> np.ndarray:
    """The garment area (dress, top and bottom pixels) made all dress (its top pixels kept when
    ``keep_top``), or its dress pixels made top or bottom, whichever is likelier there."""
    dress, top, bottom = OUTFIT_CLASSES
    relabelled = labels.copy()
    if as_dress:
        relabelled[np.isin(labels, (dress, bottom) if keep_top else OUTFIT_CLASSES)] = dress
    else:
        was_dress = labels == dress
        relabelled[was_dress] = np.where(probabilities[top][was_dress] >= probabilities[bottom][was_dress], top, bottom)
    return relabelled


def save_weights(network, cfg: ParserConfig, path: Path, extra_metadata: dict[str, str]) -> None:
    """Write float16 weights plus the config needed to rebuild the network."""
    from safetensors.torch import save_file

    state = {k: v.detach().half().contiguous() if v.is_floating_point() else v.contiguous()
             for k, v in network.state_dict().items()}
    metadata = {"parser_config": json.dumps(asdict(cfg)), **extra_metadata}
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(state, str(path), metadata=metadata)


def confusion_matrix(predicted: np.ndarray, truth: np.ndarray, classes: int = len(CLASS_NAMES)) -> np.ndarray:
    """classes x classes pixel counts, rows = truth, columns = prediction."""
    index = truth.astype(np.int64).ravel() * classes + predicted.astype(np.int64).ravel()
    return np.bincount(index, minlength=classes * classes).reshape(classes, classes)


@dataclass(frozen=True)
class ParseScores:
    """Segmentation quality from a confusion matrix."""

    per_class_iou: dict[str, float]
    mean_iou: float
    clothing_iou: float
    pixel_accuracy: float
    accessories_as_garment: float  # share of true accessory pixels labelled dress, top, outerwear or bottom


def scores(confusion: np.ndarray) -> ParseScores:
    """IoU per class (classes absent from truth and prediction are left out of the mean),
    clothing-vs-rest IoU and pixel accuracy."""
    intersection = np.diag(confusion).astype(np.float64)
    union = confusion.sum(0) + confusion.sum(1) - intersection
    per_class = {CLASS_NAMES[i]: float(intersection[i] / union[i]) for i in range(len(union)) if union[i] > 0}
    clothing = list(GROUPS["clothing"])
    accessories = CLASS_NAMES.index("accessories")
    in_truth = confusion[clothing].sum()
    in_pred = confusion[:, clothing].sum()
    both = confusion[np.ix_(clothing, clothing)].sum()
    return ParseScores(
        per_class_iou=per_class,
        mean_iou=float(np.mean(list(per_class.values()))),
        clothing_iou=float(both / max(in_truth + in_pred - both, 1)),
        pixel_accuracy=float(intersection.sum() / max(confusion.sum(), 1)),
        accessories_as_garment=float(confusion[accessories, clothing].sum() / max(confusion[accessories].sum(), 1)),
    )


# A garment may reach this share of the photo's long side past a person mask: BlazePose's mask is
# made at 256x256 and its edge is coarser than the parser's. On the sample astronaut 48 of 52,912
# clothing pixels (at 512 px) and 245 of 215,265 (at 1024 px) lie outside the mask, none farther
# than 1% of the long side.
PERSON_MARGIN = 0.01


def garment_mask(parse: Parse, include: list[str] | tuple[str, ...], *, exclude: tuple[str, ...] = (),
                 grow: int = 0, keep_main_parts: bool = True, inside: np.ndarray | None = None) -> np.ndarray:
    """A refined boolean mask: union of ``include`` names minus ``exclude``, stray blobs dropped
    (parts smaller than a tenth of the largest), grown (``grow`` > 0) or shrunk (< 0) by pixels,
    and kept within ``inside`` (e.g. the body's person mask, give or take ``PERSON_MARGIN``)."""
    from scipy import ndimage

    mask = np.zeros(parse.labels.shape, dtype=bool)
    for name in include:
        mask |= parse.mask(name)
    for name in exclude:
        mask &= ~parse.mask(name)
    if keep_main_parts and mask.any():
        parts, count = ndimage.label(mask, structure=np.ones((3, 3), bool))
        sizes = np.bincount(parts.ravel())[1:]
        mask = np.isin(parts, 1 + np.flatnonzero(sizes >= 0.1 * sizes.max()))
    if grow > 0:
        mask = ndimage.binary_dilation(mask, iterations=grow)
    elif grow < 0:
        mask = ndimage.binary_erosion(mask, iterations=-grow)
    if inside is not None:
        if inside.shape != mask.shape:
            raise InputError(f"The person mask is {inside.shape[1]}x{inside.shape[0]}; the parse is "
                             f"{mask.shape[1]}x{mask.shape[0]}.")
        margin = max(1, round(PERSON_MARGIN * max(mask.shape)))
        mask &= ndimage.distance_transform_edt(~inside) <= margin
    return mask


GARMENT_CLASSES: tuple[str, ...] = ("dress", "top", "bottom", "outerwear")


def main_garment(parse: Parse) -> str:
    """A sensible default to design on: the garment class covering the most pixels, or all
    clothing when the parse left the outfit part dress, part top or bottom (the outfit decision
    was unsure, and "dress" alone would cover only a fragment of what the shopper wears)."""
    areas = {name: int(parse.mask(name).sum()) for name in GARMENT_CLASSES}
    outfit = areas["dress"] + areas["top"] + areas["bottom"]
    if areas["dress"] and 0.2 < areas["dress"] / outfit < 0.8:
        return "clothing"
    best = max(areas, key=areas.get)
    return best if areas[best] > 0 else "clothing"
