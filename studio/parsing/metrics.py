"""How good a parse is against pixel labels: confusion matrix, IoU per class, clothing IoU, accuracy."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studio.parsing.classes import CLASS_NAMES, GROUPS


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

