"""Thin-plate-spline warp: move a garment so its landmarks land on the shopper's landmarks.

A thin-plate spline is the smoothest map (least bending energy) that sends every source point
onto its target point; between the points it bends smoothly, outside them it becomes affine.
The warp is computed backwards (for each output pixel, where to sample the garment), on a grid
every ``GRID_STEP`` pixels and interpolated in between, then sampled with OpenCV's ``remap``.
"""

from __future__ import annotations

import numpy as np

from studio.errors import InputError

GRID_STEP = 4  # the spline is evaluated every 4 px and bilinearly interpolated (smooth anyway)


def _kernel(squared_distance: np.ndarray) -> np.ndarray:
    """The thin-plate radial basis r² log r² (0 at r = 0)."""
    return squared_distance * np.log(np.maximum(squared_distance, 1e-12))


class ThinPlateSpline:
    """A 2-D thin-plate spline fitted to point pairs; ``smoothing`` > 0 trades exactness for calm."""

    def __init__(self, source: np.ndarray, target: np.ndarray, smoothing: float = 1e-3):
        source, target = np.asarray(source, np.float64), np.asarray(target, np.float64)
        if source.shape != target.shape or source.ndim != 2 or source.shape[1] != 2 or len(source) < 3:
            raise InputError("A thin-plate spline needs at least three (x, y) point pairs of the same count.")
        self.centres = source
        self.scale = max(float(np.ptp(source, axis=0).max()), 1.0)  # keeps the system well conditioned
        n = len(source)
        unit = source / self.scale
        k = _kernel(((unit[:, None] - unit[None]) ** 2).sum(-1)) + smoothing * np.eye(n)
        p = np.hstack([np.ones((n, 1)), unit])
        system = np.zeros((n + 3, n + 3))
        system[:n, :n], system[:n, n:], system[n:, :n] = k, p, p.T
        rhs = np.zeros((n + 3, 2))
        rhs[:n] = target
        solution = np.linalg.lstsq(system, rhs, rcond=None)[0]
        self.weights, self.affine = solution[:n], solution[n:]

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """Map (..., 2) points."""
        flat = np.asarray(points, np.float64).reshape(-1, 2) / self.scale
        basis = _kernel(((flat[:, None] - self.centres[None] / self.scale) ** 2).sum(-1))
        mapped = basis @ self.weights + self.affine[0] + flat @ self.affine[1:]
        return mapped.reshape(np.shape(points))


def warp_to(image: np.ndarray, garment_points: np.ndarray, shopper_points: np.ndarray,
            size: tuple[int, int]) -> np.ndarray:
    """``image`` (H×W×C float32, garment photo) bent so ``garment_points`` land on ``shopper_points``;
    the answer is ``size`` = (height, width) of the shopper's photo, 0 where nothing maps."""
    import cv2

    height, width = size
    backwards = ThinPlateSpline(shopper_points, garment_points)
    ys = np.arange(0, height + GRID_STEP, GRID_STEP, dtype=np.float64)
    xs = np.arange(0, width + GRID_STEP, GRID_STEP, dtype=np.float64)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    coarse = backwards(grid).astype(np.float32)
    # Bilinear interpolation between grid nodes: node k sits at pixel k * GRID_STEP.
    node_x, node_y = np.meshgrid(np.arange(width, dtype=np.float32) / GRID_STEP,
                                 np.arange(height, dtype=np.float32) / GRID_STEP)
    mapping = cv2.remap(coarse, node_x, node_y, interpolation=cv2.INTER_LINEAR)
    return cv2.remap(image, mapping[..., 0], mapping[..., 1], interpolation=cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=0)
