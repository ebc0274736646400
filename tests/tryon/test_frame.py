"""The frames a garment and a body share, and the thin-plate warp between them."""

import numpy as np
import pytest

from studio.body import Body, PartialBodyError
from studio.tryon.frame import body_frame, silhouette_frame
from studio.tryon.warp import ThinPlateSpline, warp_to
from tests.tryon.figures import drawn_dress


def test_silhouette_landmarks_on_a_drawn_dress():
    frame = silhouette_frame(drawn_dress())
    p = frame.points
    assert abs(p["shoulder_l"][0] - 100) <= 4 and abs(p["shoulder_r"][0] - 300) <= 4
    assert 40 <= p["shoulder_l"][1] <= 70 and p["shoulder_l"][1] == p["shoulder_r"][1]
    assert abs(p["neck"][0] - 200) <= 2
    assert abs(p["hem_l"][0] - 62) <= 6 and abs(p["hem_r"][0] - 338) <= 6 and p["hem"][1] > 540
    for level in ("armpit", "waist", "hip"):  # each side point lies on the drawn outline
        left, right = p[f"{level}_l"], p[f"{level}_r"]
        assert left[1] == right[1] and abs((left[0] + right[0]) / 2 - 200) <= 3
        assert 150 <= right[0] - left[0] <= 240
    assert p["armpit_l"][1] < p["waist_l"][1] < p["hip_l"][1] < p["hem"][1]
    assert 120 <= frame.shoulder_width <= 220  # about the chest's width


def test_silhouette_landmarks_skip_sleeves_hanging_apart():
    frame = silhouette_frame(drawn_dress(sleeves_apart=True))
    p = frame.points
    assert p["armpit_l"][0] >= 100 and p["armpit_r"][0] <= 300  # the torso's sides, not the sleeves'
    assert p["shoulder_l"][0] < 100 and p["shoulder_r"][0] > 300  # the shoulders include the sleeve caps


def test_a_short_top_has_no_hips():
    mask = np.zeros((300, 400), bool)
    mask[40:200, 100:300] = True  # 160 px long, 200 wide: ends above where hips would be
    points = silhouette_frame(mask).points
    assert "armpit_l" in points and "hip_l" not in points


def test_thin_plate_spline_is_exact_at_its_points_and_affine_far_away():
    source = np.array([[0, 0], [100, 0], [0, 100], [100, 100], [50, 50]], float)
    target = source * 1.5 + (10, 20)
    spline = ThinPlateSpline(source, target)
    assert np.allclose(spline(source), target, atol=0.05)
    assert np.allclose(spline(np.array([[300.0, -200.0]])), [[460.0, -280.0]], atol=0.5)


def test_warp_moves_a_square_onto_its_target():
    image = np.zeros((60, 60, 1), np.float32)
    image[10:20, 10:20] = 1
    corners = np.array([[10, 10], [20, 10], [10, 20], [20, 20]], float)
    warped = warp_to(image, corners, corners * 2 + 5, (80, 80))
    ys, xs = np.nonzero(warped > 0.75)  # the edge pixels sit at 0.5: clear of it either way
    assert (ys.min(), ys.max(), xs.min(), xs.max()) == (25, 43, 25, 43)


def test_only_a_face_is_too_partial_to_fit():
    landmarks = np.zeros((33, 3), np.float32)
    landmarks[:11] = (200, 100, 1.0)  # face landmarks only; shoulders unseen
    with pytest.raises(PartialBodyError, match="shoulders"):
        body_frame(Body(landmarks, np.ones((400, 400), bool)))

