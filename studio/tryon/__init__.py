"""Garment try-on: a garment image put on the shopper's photo, behind one call for every engine.

``new_engine(name)(photo, parse, garment_image, category=..., body=...) -> TryOnResult``. The
engines are registered by name in ``ENGINES``; a learned engine can be added beside them:

* ``pose`` (the default, :mod:`studio.tryon.pose`): BlazePose landmarks guide a thin-plate warp;
* ``geometric`` (:mod:`studio.tryon.geometric`): per-row geometry, no landmarks.

Both start from the same cut-out (:mod:`studio.tryon.cutout`) and checks (:mod:`studio.tryon.base`).
"""

from __future__ import annotations

from collections.abc import Callable

from studio.errors import UnknownChoiceError
from studio.tryon.base import CATEGORIES, PhotoParser, TryOnEngine, TryOnResult, check_category, check_inputs
from studio.tryon.cutout import BusyBackgroundError, GarmentCutOut, GarmentTooSmallError, cut_out
from studio.tryon.geometric import GeometricTryOn
from studio.tryon.pose import PoseTryOn

ENGINES: dict[str, Callable[..., TryOnEngine]] = {"pose": PoseTryOn, "geometric": GeometricTryOn}
DEFAULT_ENGINE = "pose"


def new_engine(name: str = DEFAULT_ENGINE, **options) -> TryOnEngine:
    """Build a try-on engine by name; the error lists the registered names."""
    if name not in ENGINES:
        raise UnknownChoiceError(f"Unknown try-on engine {name!r}; choose one of: {', '.join(ENGINES)}.")
    return ENGINES[name](**options)


__all__ = [
    "CATEGORIES", "DEFAULT_ENGINE", "ENGINES", "BusyBackgroundError", "GarmentCutOut", "GarmentTooSmallError",
    "GeometricTryOn", "PhotoParser", "PoseTryOn", "TryOnEngine", "TryOnResult", "check_category", "check_inputs",
    "cut_out", "new_engine",
]
